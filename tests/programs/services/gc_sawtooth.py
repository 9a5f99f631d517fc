"""batch-etl (control: GC sawtooth): loads a batch of records every ~10 s, transforms
and "writes" them, then drops the batch. Each record points back to its batch (a
reference cycle), so memory is only returned when the cyclic garbage collector runs a
full (generation 2) collection, which it does by itself during the next load. Memory
rises to ~150 MiB and falls back, batch after batch: a sawtooth that is flat on average.
Not a leak. The records are generated inside the process.
"""

import gc
import logging
import os
import random
import time

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
log = logging.getLogger("etl")
gc_log = logging.getLogger("etl.gc")

RECORDS_PER_BATCH = int(os.environ.get("RECORDS_PER_BATCH", "140000"))
LOAD_SECONDS = float(os.environ.get("LOAD_SECONDS", "6"))
PAUSE_SECONDS = float(os.environ.get("PAUSE_SECONDS", "3"))

_gc_started = 0.0


def on_gc(phase, info):
    global _gc_started
    if info["generation"] != 2:
        return
    if phase == "start":
        _gc_started = time.perf_counter()
    elif info["collected"] > 10000:
        gc_log.info("full collection (gen 2) freed %d objects in %.2fs", info["collected"], time.perf_counter() - _gc_started)


gc.callbacks.append(on_gc)


class Batch:
    def __init__(self, number):
        self.number = number
        self.records = []


class Record:
    __slots__ = ("batch", "fields", "amount")

    def __init__(self, batch, fields, amount):
        self.batch = batch  # back-reference: batch <-> record cycle
        self.fields = fields
        self.amount = amount


def load(number, rnd):
    batch = Batch(number)
    chunks = 20
    per_chunk = RECORDS_PER_BATCH // chunks
    for c in range(chunks):
        for i in range(per_chunk):
            fields = {"id": f"{number}-{c}-{i}", "region": rnd.choice(["eu", "us", "apac"]), "note": "x" * rnd.randint(200, 600)}
            batch.records.append(Record(batch, fields, rnd.random() * 100))
        time.sleep(LOAD_SECONDS / chunks)  # waiting on the source
    return batch


def main():
    log.info("batch-etl started, pid=%d", os.getpid())
    rnd = random.Random(9)
    number = 0
    while True:
        number += 1
        batch = load(number, rnd)
        log.info("batch %d: loaded %d records", number, len(batch.records))
        total = sum(r.amount for r in batch.records)
        log.info("batch %d: wrote %d records to warehouse (total amount %.2f)", number, len(batch.records), total)
        batch = None  # dropped; the cycles wait for the collector
        time.sleep(PAUSE_SECONDS)


if __name__ == "__main__":
    main()
