"""results-worker: takes scoring jobs off a queue, scores every row, and keeps every
result row in an in-memory list that nothing ever trims.

The bug (runbook pattern 1, unbounded collection): `flush()` was meant to move results to
the results database in batches; it copies the batch out and forgets to clear the list,
so `self.results` grows by ~2,500 rows per job for as long as the process lives.
"""

import logging
import os
import random
import time

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
log = logging.getLogger("worker")
db_log = logging.getLogger("worker.db")

ROWS_PER_JOB = int(os.environ.get("ROWS_PER_JOB", "2500"))
JOBS_PER_SECOND = float(os.environ.get("JOBS_PER_SECOND", "7"))


class ResultsWorker:
    def __init__(self):
        self.results = []  # every scored row, never trimmed
        self.flushed = 0

    def score(self, job_id):
        rnd = random.Random(job_id)
        return [
            {
                "job_id": job_id,
                "row": i,
                "score": rnd.random(),
                "label": f"sku-{rnd.randrange(10**6):06d}",
                "features": (rnd.random(), rnd.random(), rnd.random()),
            }
            for i in range(ROWS_PER_JOB)
        ]

    def flush(self):
        # Copies the unflushed tail to the "database"; the list itself is never cleared.
        batch = self.results[self.flushed :]
        self.flushed = len(self.results)
        db_log.info("flushed %d results to results-db (batch insert)", len(batch))

    def run(self):
        log.info("results-worker started, pid=%d, rows per job=%d", os.getpid(), ROWS_PER_JOB)
        job_id = 0
        while True:
            job_id += 1
            t = time.perf_counter()
            rows = self.score(job_id)
            self.results.extend(rows)
            took = (time.perf_counter() - t) * 1000
            if job_id % 10 == 0:
                log.info("processed job %d in %.0f ms, results list has %d items", job_id, took, len(self.results))
            if job_id % 50 == 0:
                self.flush()
            time.sleep(max(0.0, 1.0 / JOBS_PER_SECOND - took / 1000))


if __name__ == "__main__":
    ResultsWorker().run()
