"""doc-indexer (optional pattern: reference cycles kept by the GC): parses documents into
trees whose nodes point at their parent (a reference cycle per document). Someone left
leak-hunting flags on: `gc.set_debug(gc.DEBUG_STATS | gc.DEBUG_UNCOLLECTABLE |
gc.DEBUG_SAVEALL)`. DEBUG_STATS prints the collector's own statistics on stderr
("gc: done, N unreachable, 0 uncollectable"); DEBUG_SAVEALL makes the collector append
every unreachable object to `gc.garbage` instead of freeing it, so every document's cycle
is kept for ever. The thresholds are raised (as services often do) so that collections,
and their stderr lines, stay at about one a second. Documents are generated in-process.
"""

import gc
import logging
import os
import random
import time

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
log = logging.getLogger("indexer")

DOCS_PER_SECOND = float(os.environ.get("DOCS_PER_SECOND", "20"))

gc.set_threshold(60000, 20, 20)
gc.set_debug(gc.DEBUG_STATS | gc.DEBUG_UNCOLLECTABLE | gc.DEBUG_SAVEALL)


class Node:
    def __init__(self, tag, parent, text):
        self.tag = tag
        self.parent = parent  # child -> parent: a cycle with parent.children
        self.children = []
        self.text = text


def parse(doc_id, rnd):
    root = Node("doc", None, f"document {doc_id}")
    for s in range(40):
        section = Node("section", root, "")
        root.children.append(section)
        for p in range(25):
            section.children.append(Node("p", section, "lorem ipsum " * rnd.randint(2, 8)))
    return root


def index(root):
    words = 0
    stack = [root]
    while stack:
        n = stack.pop()
        words += len(n.text.split())
        stack.extend(n.children)
    return words


def main():
    log.warning("gc debugging enabled: DEBUG_STATS|DEBUG_UNCOLLECTABLE|DEBUG_SAVEALL (leak hunt, ticket OPS-2211)")
    log.info("doc-indexer started, pid=%d", os.getpid())
    rnd = random.Random(13)
    start = time.monotonic()
    n = 0
    while True:
        n += 1
        tree = parse(n, rnd)
        words = index(tree)
        tree = None  # dropped; only the cycle collector can free it
        if n % 20 == 0:
            log.info("indexed document %d (%d words); gc.garbage holds %d objects", n, words, len(gc.garbage))
        ahead = n / DOCS_PER_SECOND - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)


if __name__ == "__main__":
    main()
