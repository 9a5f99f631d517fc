"""report-api (control: killed by its liveness probe, not by memory): a single-threaded
HTTP server that answers GET /healthz and, every ~15 s, runs a "report compaction"
synchronously in the same thread. The compaction is CPU-bound and takes ~14 s; while it
runs, /healthz is not answered, the kubelet's probe (timeout 1 s) fails three times in a
row and the container is killed. On SIGTERM the service only sets a flag (graceful
shutdown after the current work), so the kill ends with SIGKILL after the grace period:
exit code 137, reason Error. Memory stays flat at ~20 MiB the whole time.
"""

import hashlib
import logging
import os
import signal
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
log = logging.getLogger("report_api")
access = logging.getLogger("report_api.access")

PORT = int(os.environ.get("PORT", "8080"))
COMPACT_EVERY = float(os.environ.get("COMPACT_EVERY", "15"))
COMPACT_ROUNDS = int(os.environ.get("COMPACT_ROUNDS", "150000000"))

stopping = False


def on_sigterm(signum, frame):
    global stopping
    stopping = True
    log.warning("received SIGTERM, shutting down after the current work")


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/healthz":
            body = b"ok\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)

    def log_message(self, fmt, *args):
        access.info("%s %s", self.address_string(), fmt % args)


def compact_reports(n):
    # CPU-bound aggregation over generated rows, constant memory
    t = time.perf_counter()
    h = hashlib.sha256()
    acc = 0
    for i in range(COMPACT_ROUNDS):
        acc = (acc * 31 + i) % 1000003
        if i % 1000 == 0:
            h.update(acc.to_bytes(4, "big"))
    log.info("compaction %d done in %.1fs (digest %s)", n, time.perf_counter() - t, h.hexdigest()[:12])


def main():
    signal.signal(signal.SIGTERM, on_sigterm)
    server = HTTPServer(("127.0.0.1", PORT), Handler)
    server.timeout = 0.2
    log.info("report-api started, pid=%d, listening on :%d", os.getpid(), PORT)
    next_compaction = time.monotonic() + COMPACT_EVERY
    n = 0
    while not stopping:
        server.handle_request()
        if time.monotonic() >= next_compaction:
            n += 1
            log.info("starting report compaction %d", n)
            compact_reports(n)
            next_compaction = time.monotonic() + COMPACT_EVERY
    log.info("report-api stopped")


if __name__ == "__main__":
    main()
