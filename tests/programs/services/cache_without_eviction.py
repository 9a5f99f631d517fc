"""pricing-api: answers price-quote requests and memoises every quote in a plain dict
keyed by the whole request (customer, sku, currency, quantity, date).

The bug (runbook pattern 2, cache without eviction): the key space is effectively
unbounded (almost every request is new, hit rate stays below 1%), and the dict has no
size bound, TTL or eviction, so it grows with traffic. Logs are JSON lines
(python-json-logger style, done with the standard library here). The request traffic is
generated inside the process (a stand-in for the HTTP frontend).
"""

import json
import logging
import os
import random
import sys
import time


class JsonFormatter(logging.Formatter):
    def format(self, record):
        doc = {
            "asctime": self.formatTime(record),
            "levelname": record.levelname,
            "name": record.name,
            "message": record.getMessage(),
        }
        doc.update(getattr(record, "fields", {}))
        return json.dumps(doc)


handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(JsonFormatter())
logging.basicConfig(level=logging.INFO, handlers=[handler])
log = logging.getLogger("pricing.api")
cache_log = logging.getLogger("pricing.cache")

REQUESTS_PER_SECOND = float(os.environ.get("REQUESTS_PER_SECOND", "900"))

_quote_cache = {}  # (customer, sku, currency, qty, day) -> rendered quote; no eviction
hits = misses = 0


def compute_quote(customer, sku, currency, qty, day):
    rnd = random.Random(hash((customer, sku, currency, qty, day)))
    tiers = [{"min_qty": q, "unit_price": round(rnd.uniform(1, 500), 2), "discount": round(rnd.random() / 5, 3)} for q in range(1, 60)]
    body = {"customer": customer, "sku": sku, "currency": currency, "quantity": qty, "day": day,
            "tiers": tiers, "taxes": {"vat": 0.2, "region": "eu-west"}, "terms": "net-30 " * 600}
    return json.dumps(body)


def get_quote(customer, sku, currency, qty, day):
    global hits, misses
    key = (customer, sku, currency, qty, day)
    cached = _quote_cache.get(key)
    if cached is not None:
        hits += 1
        return cached
    misses += 1
    quote = compute_quote(*key)
    _quote_cache[key] = quote
    return quote


def main():
    log.info("pricing-api started", extra={"fields": {"pid": os.getpid(), "port": 8080}})
    rnd = random.Random(7)
    n = 0
    start = time.monotonic()
    while True:
        n += 1
        customer = f"c-{rnd.randrange(200000):06d}"
        sku = f"sku-{rnd.randrange(5000):05d}"
        # a few hot customers repeat, everything else is new
        if rnd.random() < 0.03:
            customer = "c-000001"
            sku = "sku-00001"
        get_quote(customer, sku, rnd.choice(["EUR", "USD", "GBP"]), rnd.randrange(1, 100), "2026-12-05")
        if n % 200 == 0:
            log.info("POST /v1/quotes 200", extra={"fields": {"request_id": n, "duration_ms": round(rnd.uniform(2, 9), 1)}})
        if n % 1000 == 0:
            cache_log.info("quote cache stats", extra={"fields": {
                "cache_size": len(_quote_cache), "hits": hits, "misses": misses,
                "hit_rate": round(hits / max(1, hits + misses), 3)}})
        ahead = n / REQUESTS_PER_SECOND - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)


if __name__ == "__main__":
    main()
