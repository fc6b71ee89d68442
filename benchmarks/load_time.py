#!/usr/bin/env python3
"""Time loading a model folder in a fresh interpreter (imports excluded, then included).

Usage (from the project root):
    .venv/bin/python benchmarks/load_time.py [--model conflictner/model] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None, help="model folder (default: the shipped model)")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    code = (
        "import time, sys; t0=time.perf_counter(); import conflictner, transformers, torch; t1=time.perf_counter(); "
        f"conflictner.load({args.model!r}); t2=time.perf_counter(); print(t1-t0, t2-t1)"
    )
    imports, loads = [], []
    for _ in range(args.repeat):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
        imports.append(float(out[0]))
        loads.append(float(out[1]))
    print(f"model: {args.model or 'shipped'}; {args.repeat} fresh processes")
    print(f"imports (conflictner, transformers, torch): median {statistics.median(imports):.2f} s")
    print(f"conflictner.load(): median {statistics.median(loads):.2f} s, min {min(loads):.2f} s, max {max(loads):.2f} s")
    print(f"total: median {statistics.median(i + t for i, t in zip(imports, loads)):.2f} s")


if __name__ == "__main__":
    started = time.time()
    main()
