"""model-server (control: needs more than its limit at start): loads a ranking model of
four 80 MiB shards into memory before it serves anything. 320 MiB does not fit in a
256Mi limit, so it is killed while loading, about a second after every start, and never
grows during a run: there is no leak, the limit is below what the program needs.
"""

import logging
import os
import time

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
log = logging.getLogger("model_server")

SHARDS = int(os.environ.get("SHARDS", "4"))
SHARD_MIB = int(os.environ.get("SHARD_MIB", "80"))


def load_shard(i):
    # read the shard file in 8 MiB chunks; the chunks are the weights, kept resident
    chunks = []
    for _ in range(SHARD_MIB // 8):
        time.sleep(0.02)  # waiting on the volume
        chunks.append(bytes([0x5A]) * (8 << 20))
    return chunks


def main():
    log.info("model-server 2.3.1 starting, pid=%d", os.getpid())
    log.info("loading ranker model from /models/ranker-v3 (%d shards)", SHARDS)
    shards = []
    for i in range(SHARDS):
        shards.append(load_shard(i))
        log.info("loaded shard %d/%d", i + 1, SHARDS)
    log.info("model ready; listening on :8080")
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
