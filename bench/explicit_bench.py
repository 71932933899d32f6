#!/usr/bin/env python3
"""The explicit engine alone: states, seconds, states/s and peak memory, with and without reductions.

Each run is a child process calling `engines.explicit.check` directly (so
the figures are the engine's own, without interpreter start or report
rendering: bench/run.py measures the command line end to end, and SPIN):

    python3 bench/explicit_bench.py                          # every spec at (1,1,8) (2,1,3) (2,1,4) (2,1,8)
    python3 bench/explicit_bench.py --bounds 3,2,8 --configs all
    python3 bench/explicit_bench.py --specs thread_struct --bounds 2,1,3 --configs none --repeat 3
    python3 bench/explicit_bench.py --specs pt_regs_switch --bounds 2,1,8 --profile   # cProfile, top 25

Configurations (`--configs`): `all` (every reduction, the search alone: `check --prove-after
never`), `none` (the literal search: every canonical state stored), and
`no-summaries`, `no-symmetry`, `no-dead`, `no-slices`, `no-por` (all but one), `prove-first`
(every reduction, after z3 proves what it can for every number of tasks and CPUs: `check
--prove-first`, analyses/prove_first.py; its seconds include the proofs), and `default` (what
`check` does: the search alone until it has stored 50,000 states, then the proofs, then the search
for the rest; the states are the last search's). Columns: states stored,
states explored inside excursion summaries (not stored), transitions,
seconds (median of --repeat runs), stored states per second, peak resident
memory of the child, and the verdicts (violated properties with their
shortest length). Runs stopped by --max-states or --timeout are marked `*`.
"""
from __future__ import annotations

import argparse
import functools
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOUNDS = ["1,1,8", "2,1,3", "2,1,4", "2,1,8"]
CONFIGS = ["all", "none"]


def _reductions(config: str):
    from pkrsverify.explicit.reduce import Reductions
    if config in ("all", "prove-first", "default"):
        return Reductions()
    if config == "none":
        return Reductions.none()
    return Reductions.without([config.removeprefix("no-")])


def child(spec: str, bounds: str, config: str, max_states: int, timeout: float, profile: bool) -> dict:
    sys.path.insert(0, str(ROOT))
    from pkrsverify.analyses import prove_first
    from pkrsverify.explicit.engine import Limits, check
    from pkrsverify.front.loader import load_strategy, with_bounds
    from pkrsverify.semantics.system import System

    tasks, cpus, depth = map(int, bounds.split(","))
    system = System(with_bounds(load_strategy(ROOT / "specs" / f"{spec}.spec"), tasks=tasks, cpus=cpus, depth=depth))
    profiler = None
    if profile:
        import cProfile
        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    search = {"prove-first": prove_first.check,
              "default": functools.partial(prove_first.check, after=prove_first.PROVE_AFTER)}.get(config, check)
    result = search(system, limits=Limits(max_states=max_states, timeout=timeout), reductions=_reductions(config))
    seconds = time.perf_counter() - started
    if profiler:
        import pstats
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(25)
    stats = result.statistics
    return {"stop": result.stop.name, "states": stats.states, "summary_states": stats.summary_states,
            "summaries": stats.summaries, "transitions": stats.transitions, "seconds": seconds,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "verdicts": {p.property.value: p.length for p in result.properties if p.counterexample},
            "decided": result.stop.name in ("COMPLETE", "ALL_VIOLATED", "DECIDED")}


def run(spec: str, bounds: str, config: str, args) -> dict:
    command = [sys.executable, __file__, "--child", spec, bounds, config, str(args.max_states), str(args.timeout)]
    if args.profile:
        command.append("--profile")
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if args.profile:
        print(done.stderr, file=sys.stderr)
    if done.returncode:
        raise SystemExit(f"{spec} {bounds} {config}: child failed\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        spec, bounds, config, max_states, timeout = sys.argv[2:7]
        print(json.dumps(child(spec, bounds, config, int(max_states), float(timeout), "--profile" in sys.argv)))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", nargs="+", default=sorted(p.stem for p in (ROOT / "specs").glob("*.spec")))
    parser.add_argument("--bounds", nargs="+", default=BOUNDS, help="tasks,cpus,depth ...")
    parser.add_argument("--configs", nargs="+", default=CONFIGS,
                        help="all, none, no-summaries, no-symmetry, no-dead, no-slices, no-por, prove-first, "
                             "default "
                             "(default: all none)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per row; seconds is their median")
    parser.add_argument("--max-states", type=int, default=3_000_000)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per run")
    parser.add_argument("--profile", action="store_true", help="cProfile each run (top 25 on stderr)")
    args = parser.parse_args()
    print("| spec | bounds | config | states | in summaries | transitions | seconds | states/s | peak MB | verdicts |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---|")
    for bounds in args.bounds:
        for spec in args.specs:
            for config in args.configs:
                runs = [run(spec, bounds, config, args) for _ in range(args.repeat)]
                seconds = statistics.median(r["seconds"] for r in runs)
                r = runs[0]
                mark = "" if r["decided"] else "*"
                verdicts = ", ".join(f"{p} {n}" for p, n in r["verdicts"].items()) or "all hold"
                print(f"| {spec} | ({bounds}) | {config} | {r['states']:,}{mark} | {r['summary_states']:,} | "
                      f"{r['transitions']:,} | {seconds:.2f} | {r['states'] / seconds:,.0f} | "
                      f"{max(x['rss_mb'] for x in runs):.0f} | {verdicts if r['decided'] else r['stop']} |",
                      flush=True)


if __name__ == "__main__":
    main()
