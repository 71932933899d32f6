#!/usr/bin/env python3
"""How the cost grows with the registers a spec is about (issue 10's target: three registers at (2,1,8)
complete in under 10 s).

The design is pt_regs_switch's for each register (save in pt_regs on entry, restore on exit, save per task
at switch out, load at switch in), for PKRS alone, PKRS and DR7, and PKRS, DR7 and SPEC_CTRL (the two
declared in the spec: `register DR7 { supervisor; fresh in any }`). Each run is `python -m pkrsverify check
SPEC --format json` in its own process, with every reduction, without `slices`, and with none
(`--no-reduce=all`, stopped at 2,000,000 states); it prints states, transitions, wall seconds and states per
second.

    python3 bench/registers_bench.py                 # (2,1,8) and (1,1,8)
    python3 bench/registers_bench.py --bounds 2,1,8 --runs 3
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXTRA = ["DR7", "SPEC_CTRL"]


def spec(count: int) -> str:
    registers = ["PKRS"] + EXTRA[:count - 1]
    lines = ["strategy registers_%d {" % count, "    model x86_64"]
    if count > 1:
        lines += ["    register PKRS"] + [f"    register {r} {{ supervisor; fresh in any }}" for r in registers[1:]]
    for r in registers:
        lines += [f"    storage regs.{r.lower()} : frame in pt_regs", f"    storage thread.{r.lower()} : task"]
    def block(hook, body):
        lines.append(f"    on {hook} {{ {'; '.join(body)} }}")
    block("entry", [s for r in registers for s in (f"regs.{r.lower()} = {r}", f"{r} = INIT")])
    block("exit", [f"{r} = regs.{r.lower()}" for r in registers])
    block("switch_out", [f"thread.{r.lower()} = {r}" for r in registers])
    block("switch_in", [f"{r} = thread.{r.lower()}" for r in registers])
    lines.append("}")
    return "\n".join(lines) + "\n"


MODES = {"all": [], "no slices": ["--no-reduce=slices"], "none": ["--no-reduce=all", "--max-states", "2000000"]}


def run(path: Path, bounds, mode: str) -> dict:
    tasks, cpus, depth = bounds
    command = [sys.executable, "-m", "pkrsverify", "check", str(path), "--format", "json", "--tasks", str(tasks),
               "--cpus", str(cpus), "--depth", str(depth), "--timeout", "600"]
    command += MODES[mode]  # the literal search may not finish: it stops at 2,000,000 states and says so (`*`)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - started
    result = json.loads(done.stdout)["results"][0]
    stats = result["statistics"]
    return {"states": stats["states"], "transitions": stats["transitions"], "wall": wall,
            "rate": stats["states"] / max(stats.get("seconds", wall), 1e-9),
            "verdicts": sorted(p["property"] + ":" + p["verdict"] for p in result["properties"]),
            "complete": all(p["verdict"] in ("holds", "proved") for p in result["properties"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bounds", nargs="+", default=["2,1,8", "1,1,8"])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=list(MODES))
    args = parser.parse_args()
    print(f"{'bounds':<8} {'registers':>9} {'reductions':>10} {'states':>10} {'transitions':>12} {'wall s':>7} "
          f"{'states/s':>9}")
    with tempfile.TemporaryDirectory() as directory:
        for text in args.bounds:
            bounds = tuple(int(x) for x in text.split(","))
            for count in (1, 2, 3):
                path = Path(directory) / f"registers_{count}.spec"
                path.write_text(spec(count))
                for mode in args.modes:
                    runs = [run(path, bounds, mode) for _ in range(args.runs)]
                    best = min(runs, key=lambda r: r["wall"])
                    mark = "" if best["complete"] else "*"
                    print(f"{text:<8} {count:>9} {mode:>10} {best['states']:>9,}{mark:1} "
                          f"{best['transitions']:>12,} {best['wall']:>7.2f} {best['rate']:>9,.0f}", flush=True)
                    assert best["complete"] or mode == "none", best["verdicts"]  # the design holds


if __name__ == "__main__":
    main()
