#!/usr/bin/env python3
"""Sandbox-readiness figures from a conform report.json (docs/sandbox-readiness.md).

Counts outcomes per API, leaving out cases tagged with any --skip tag (default: stateful and
vendor-error-shape), as `conform run --skip-tag` does (on a report of such a run nothing is left
out). With --failures, prints each remaining failed case with the first failed check, for
classification in NOTES.md; with a `class` on outcomes (failure classes), counts them too.

usage: scripts/sandbox_figures.py [REPORT] [--skip TAG]... [--failures]
"""

import json
import sys
from collections import Counter, defaultdict


def api_of(o):
    """`kimai` of the outcome id `kimai/get_customer::fetches a known customer`."""
    return o.get("api") or o["id"].split("/", 1)[0]


def main(argv):
    report = "target/conform/report.json"
    skip = []
    failures = False
    args = iter(argv)
    for a in args:
        if a == "--skip":
            skip.append(next(args))
        elif a == "--failures":
            failures = True
        else:
            report = a
    if not skip:
        skip = ["stateful", "vendor-error-shape"]
    with open(report, encoding="utf-8") as f:
        outcomes = json.load(f)["outcomes"]
    kept = defaultdict(Counter)
    classes = defaultdict(Counter)
    left_out = Counter()
    failed = []
    for o in outcomes:
        if set(o.get("tags", [])) & set(skip):
            left_out[api_of(o)] += 1
            continue
        kept[api_of(o)][o["status"]] += 1
        if o.get("class"):
            classes[api_of(o)][o["class"]] += 1
        if o["status"] not in ("passed", "skipped"):
            failed.append(o)
    print(f"left out (tags {', '.join(skip)}): " + ", ".join(f"{a} {n}" for a, n in sorted(left_out.items())))
    for api, counts in sorted(kept.items()):
        total = sum(counts.values())
        parts = ", ".join(f"{s} {n}" for s, n in sorted(counts.items()))
        by_class = ", ".join(f"{c} {n}" for c, n in sorted(classes[api].items()))
        print(f"{api}: {total} cases: {parts}" + (f" (failed by class: {by_class})" if by_class else ""))
    if failures:
        for o in failed:
            first = next((c for c in o.get("checks", []) if not c["passed"]), None)
            why = o.get("error") or (first["message"] if first else "")
            status = (o.get("response") or {}).get("status", "-")
            print(f"- {o['id']} [{status}] {why[:300]}")


if __name__ == "__main__":
    main(sys.argv[1:])
