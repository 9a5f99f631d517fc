"""thumbnailer: receives uploaded images (1-5 MiB each), makes a small thumbnail, and
stores the thumbnail.

The bug (runbook pattern 3, large-object retention): every `Upload` keeps a reference to
the same user's previous upload (`previous`, used once to compute a "changed since last
upload" flag). Nothing drops the link after processing, so each user's uploads form a
chain and every original image stays reachable: ~3 MiB of bytes kept per processed
upload. The uploads are generated inside the process (random bytes).
"""

import hashlib
import logging
import os
import random
import time

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
log = logging.getLogger("thumbnailer")

UPLOADS_PER_SECOND = float(os.environ.get("UPLOADS_PER_SECOND", "2.6"))
USERS = 12


class Upload:
    def __init__(self, upload_id, user, data, previous):
        self.upload_id = upload_id
        self.user = user
        self.data = data  # the original image, 1-5 MiB
        self.previous = previous  # BUG: keeps the whole chain of earlier uploads alive
        self.thumbnail = None


last_upload_by_user = {}


def make_thumbnail(data):
    # "downscale": keep every 64th byte
    return bytes(data[::64])


def handle(upload_id, rnd):
    user = f"u-{rnd.randrange(USERS):03d}"
    size = rnd.randint(1 << 20, 5 << 20)
    data = rnd.randbytes(size)
    prev = last_upload_by_user.get(user)
    up = Upload(upload_id, user, data, prev)
    t = time.perf_counter()
    up.thumbnail = make_thumbnail(up.data)
    digest = hashlib.sha256(up.data).hexdigest()[:12]
    changed = prev is None or hashlib.sha256(prev.data).hexdigest()[:12] != digest
    last_upload_by_user[user] = up
    took = (time.perf_counter() - t) * 1000
    log.info(
        "processed upload %d from %s: image/jpeg %.1f MiB -> thumbnail %d KiB in %.0f ms (sha256 %s, changed=%s)",
        upload_id, user, size / (1 << 20), len(up.thumbnail) // 1024, took, digest, changed,
    )


def main():
    log.info("thumbnailer started, pid=%d", os.getpid())
    rnd = random.Random(11)
    start = time.monotonic()
    n = 0
    while True:
        n += 1
        handle(n, rnd)
        ahead = n / UPLOADS_PER_SECOND - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)


if __name__ == "__main__":
    main()
