#!/usr/bin/env python3
"""`check --prove-first` against the search alone, on every spec and kernel-bug spec: the same verdicts
and shortest lengths (HOLDS alone is PROVED or HOLDS with the proofs first), states and seconds of each.

    python3 bench/prove_first_compare.py                # the specs' own bounds
    python3 bench/prove_first_compare.py --bounds 3,2,8

One run each, in this process (no child): the seconds include what the first run
of each engine imports. tests/test_prove_first.py checks the same facts.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pkrsverify.analyses import prove_first  # noqa: E402
from pkrsverify.explicit import engine as explicit  # noqa: E402
from pkrsverify.front.loader import load_strategy, with_bounds  # noqa: E402
from pkrsverify.result import Verdict  # noqa: E402
from pkrsverify.semantics.system import System  # noqa: E402


def facts(result) -> list:
    return [(p.property.value, "holds" if p.verdict in (Verdict.HOLDS, Verdict.PROVED) else p.verdict.value,
             p.length) for p in result.properties]


def timed(search, system):
    started = time.perf_counter()
    result = search(system)
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bounds", help="tasks,cpus,depth (default: each spec's own)")
    args = parser.parse_args()
    files = sorted((ROOT / "specs").glob("*.spec")) + sorted((ROOT / "specs" / "bugs").glob("*.spec"))
    print("| spec | same | alone: states | s | proofs first: states | s | stop |")
    print("|---|---|---:|---:|---:|---:|---|")
    for path in files:
        strategy = load_strategy(path)
        if args.bounds:
            tasks, cpus, depth = map(int, args.bounds.split(","))
            strategy = with_bounds(strategy, tasks=tasks, cpus=cpus, depth=depth)
        system = System(strategy)
        alone, alone_s = timed(explicit.check, system)
        first, first_s = timed(prove_first.check, system)
        same = "same" if facts(alone) == facts(first) else f"DIFFERENT: {facts(alone)} / {facts(first)}"
        print(f"| {path.relative_to(ROOT / 'specs')} | {same} | {alone.statistics.states:,} | {alone_s:.2f} | "
              f"{first.statistics.states:,} | {first_s:.2f} | {first.stop.name.lower()} |", flush=True)


if __name__ == "__main__":
    main()
