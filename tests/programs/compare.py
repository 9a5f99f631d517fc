#!/usr/bin/env python3
"""Runs kubeleak over the recorded bundles and compares with NAME.expected.json.

    python3 tests/programs/compare.py                       # cargo run -q -p kubeleak --bin kubeleak
    python3 tests/programs/compare.py --kubeleak /tmp/kubeleak-base
    python3 tests/programs/compare.py --markdown            # a table for a report

For each bundle: the finding kinds kubeleak reports per pod/container (and the kinds of
its `diagnoses`, when the JSON has them), the expected kinds, what is missing, and which
`must_not` kinds were reported. Exit status 1 when any bundle misses an expected kind or
reports a forbidden one.
"""

import argparse
import glob
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "fixtures", "programs"))


def analyze(cmd, path):
    out = subprocess.run(cmd + ["analyze", "--format", "json", path], capture_output=True, text=True)
    if out.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed on {path}: {out.stderr.strip()}")
    return json.loads(out.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kubeleak", help="a kubeleak binary (default: cargo run -q -p kubeleak --bin kubeleak --)")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    cmd = [a.kubeleak] if a.kubeleak else ["cargo", "run", "-q", "-p", "kubeleak", "--bin", "kubeleak", "--"]
    names = a.names or sorted(os.path.basename(p)[: -len(".expected.json")] for p in glob.glob(os.path.join(FIXTURES, "*.expected.json")))
    bad = 0
    rows = []
    for n in names:
        exp = json.load(open(os.path.join(FIXTURES, f"{n}.expected.json")))
        got = analyze(cmd, os.path.join(FIXTURES, f"{n}.txt"))
        kinds = []
        for f in got["findings"]:
            if f["kind"] not in kinds:
                kinds.append(f["kind"])
        diag = [d.get("kinds", []) for d in got.get("diagnoses", [])]
        want = [k for d in exp["diagnoses"] for k in d["kinds"]]
        missing = [k for k in want if k not in kinds]
        forbidden = [k for k in exp["must_not"] if k in kinds]
        ok = not missing and not forbidden
        bad += not ok
        rows.append((n, kinds, diag, want, missing, forbidden, ok))
    if a.markdown:
        print("| bundle | kubeleak reports (finding kinds) | expected | missing | wrongly reported | ok |")
        print("|---|---|---|---|---|---|")
        for n, kinds, diag, want, missing, forbidden, ok in rows:
            d = f" diagnoses: {diag}" if diag else ""
            print(f"| {n} | {', '.join(kinds) or '(none)'}{d} | {', '.join(want) or '(nothing wrong)'} | {', '.join(missing) or '-'} | {', '.join(forbidden) or '-'} | {'yes' if ok else 'no'} |")
    else:
        for n, kinds, diag, want, missing, forbidden, ok in rows:
            print(f"{'ok  ' if ok else 'FAIL'} {n}: reports {kinds}{' diagnoses ' + str(diag) if diag else ''}; expected {want}; missing {missing}; must-not reported {forbidden}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
