"""catalog-api (control: bounded cache): product pages are rendered through
`functools.lru_cache(maxsize=3000)`. Memory rises while the cache fills (~30 KiB per
entry, ~90 MiB in all) and then stays flat: the LRU evicts as fast as it adds. Not a
leak. The request traffic is generated inside the process.
"""

import functools
import logging
import os
import random
import time

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
log = logging.getLogger("catalog")

REQUESTS_PER_SECOND = float(os.environ.get("REQUESTS_PER_SECOND", "350"))
PRODUCTS = 40000


@functools.lru_cache(maxsize=3000)
def render_product_page(product_id):
    rnd = random.Random(product_id)
    desc = " ".join(f"word{rnd.randrange(5000)}" for _ in range(3000))
    return f"<html><h1>product {product_id}</h1><p>{desc}</p></html>"


def main():
    log.info("catalog-api started, pid=%d", os.getpid())
    rnd = random.Random(3)
    start = time.monotonic()
    n = 0
    while True:
        n += 1
        # skewed traffic: a popular head and a long tail
        pid = rnd.randrange(1500) if rnd.random() < 0.6 else rnd.randrange(PRODUCTS)
        render_product_page(pid)
        if n % 350 == 0:
            log.info("GET /products/%d 200 request_id=%d", pid, n)
        if n % 1400 == 0:
            info = render_product_page.cache_info()
            log.info("product page cache: %s", info)
        ahead = n / REQUESTS_PER_SECOND - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)


if __name__ == "__main__":
    main()
