#!/usr/bin/env python3
"""Counts the cases of each API by tag (docs/sandbox-readiness.md); needs PyYAML.

usage: scripts/tag_counts.py [CASES_DIR]   (default: cases)
"""

import glob
import os
import sys
from collections import Counter

import yaml

TAGS = ["smoke", "stateful", "vendor-error-shape", "destructive"]


def main(root):
    print("| API | cases | " + " | ".join(TAGS) + " | neither stateful nor vendor-error-shape |")
    print("|---" * (len(TAGS) + 3) + "|")
    for api in sorted(os.listdir(root)):
        counts, total, plain = Counter(), 0, 0
        for f in sorted(glob.glob(os.path.join(root, api, "*.yaml"))):
            if f.endswith("api.yaml"):
                continue
            for case in yaml.safe_load(open(f, encoding="utf-8"))["cases"]:
                tags = set(case.get("tags", []))
                total += 1
                counts.update(t for t in TAGS if t in tags)
                plain += not tags & {"stateful", "vendor-error-shape"}
        if total:
            cells = " | ".join(str(counts[t]) for t in TAGS)
            print(f"| {api} | {total} | {cells} | {plain} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "cases")
