"""session-gateway: authenticates requests and registers a callback per request so the
session can be cleaned up when it expires.

The bug (runbook pattern 4, global state accumulation): the module-level event registry
`_LISTENERS` gets one `on_expire` closure per request and nothing ever unsubscribes it;
each closure holds its `RequestContext` (headers and body, ~10 KiB). On top of that,
`RequestContext._instances`, a class-level list meant for debugging, keeps every context
ever created. The request traffic is generated inside the process.
"""

import logging
import os
import random
import time

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
log = logging.getLogger("gateway")
reg_log = logging.getLogger("gateway.events")

REQUESTS_PER_SECOND = float(os.environ.get("REQUESTS_PER_SECOND", "450"))

# module-level registry: event name -> list of callbacks
_LISTENERS = {}


def subscribe(event, callback):
    _LISTENERS.setdefault(event, []).append(callback)


class RequestContext:
    _instances = []  # class-level: every context ever created

    def __init__(self, request_id, session_id, headers, body):
        self.request_id = request_id
        self.session_id = session_id
        self.headers = headers
        self.body = body
        RequestContext._instances.append(self)


def handle_request(request_id, rnd):
    session_id = f"s-{rnd.randrange(10**7):07d}"
    headers = {f"x-header-{i}": "v" * rnd.randint(40, 120) for i in range(30)}
    body = rnd.randbytes(rnd.randint(4096, 8192))
    ctx = RequestContext(request_id, session_id, headers, body)

    def on_expire(ctx=ctx):
        log.info("session %s expired (request %d)", ctx.session_id, ctx.request_id)

    subscribe("session.expired", on_expire)  # never unsubscribed
    return ctx.session_id


def main():
    log.info("session-gateway started, pid=%d", os.getpid())
    rnd = random.Random(5)
    start = time.monotonic()
    n = 0
    while True:
        n += 1
        handle_request(n, rnd)
        if n % 300 == 0:
            log.info("GET /v1/session 200 request_id=%d", n)
        if n % 600 == 0:
            reg_log.info(
                "registered on_expire listener for request %d; global registry holds %d listeners, RequestContext._instances=%d",
                n, len(_LISTENERS["session.expired"]), len(RequestContext._instances),
            )
        ahead = n / REQUESTS_PER_SECOND - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)


if __name__ == "__main__":
    main()
