#!/usr/bin/env python3
"""Benchmarks of the Z3 engine (issue 4), with the explicit engine beside it.

Per spec and bounds: the time to the first counterexample, the time to the
last verdict (the proofs), and each property's verdict and how it was
reached. Every run is a child process started as a user would start the
tool, so the times include interpreter start; the child runs the engine
through its API only to timestamp each verdict as it comes.

Suites:
  defaults   every spec at its defaults (2 tasks, 1 CPU, depth 8): z3, and explicit under --timeout
  small      every spec at (2 tasks, 1 CPU, depth 3), where the explicit engine explores everything
  larger     every spec at 3 tasks, 2 CPUs, depth 8 (z3, and explicit under --timeout)
  unbounded  every spec for every nesting depth (z3)
  every      every spec and tglx's design of 2020-07-24 for every number of tasks and CPUs and every
             depth (z3, `--tasks any --cpus any`), and each proof's certificate rechecked by `z3`
  sizing     `pkrsverify size` on the stack specs (z3), defaults and unbounded

    python3 bench/z3_bench.py                       # every suite
    python3 bench/z3_bench.py --suite defaults --timeout 120
    python3 bench/z3_bench.py --markdown bench/out/z3.md
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS = ["thread_struct", "stack7", "stack15", "idtentry_state", "pt_regs", "pt_regs_switch", "real_pt_regs"]
STACKS = ["stack7", "stack15"]

CHILD = r"""
import json, sys, time
started = time.perf_counter()
from pkrsverify.front.loader import load_strategy, with_bounds
from pkrsverify.semantics.system import System
from pkrsverify.explicit import engine as explicit
from pkrsverify.symbolic import engine as symbolic
imported = time.perf_counter()
spec, engine, bounds, unbounded, timeout, every = json.loads(sys.argv[1])
system = System(with_bounds(load_strategy(spec), **bounds))
found = []
def on_violation(result):
    found.append((result.property.value, time.perf_counter() - started))
if engine == "z3":
    result = symbolic.check(system, limits=symbolic.Limits(timeout=timeout), unbounded_depth=unbounded,
                            on_violation=on_violation, for_every=frozenset(every))
else:
    result = explicit.check(system, limits=explicit.Limits(timeout=timeout), on_violation=on_violation)
done = time.perf_counter() - started
print(json.dumps({"import": imported - started, "done": done, "violations": found,
                  "states": result.statistics.states, "stop": result.stop.name.lower(),
                  "properties": [{"property": p.property.value, "verdict": p.verdict.value,
                                  "length": p.length,
                                  "how": "Spacer" if "Spacer" in p.note else "Houdini" if "Houdini" in p.note else ""}
                                 for p in result.properties]}))
"""


def run_child(spec: str, engine: str, bounds: dict, unbounded: bool, timeout: float | None, every=()) -> dict:
    argv = [sys.executable, "-c", CHILD, json.dumps([spec, engine, bounds, unbounded, timeout, list(every)])]
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - started
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else f"exit {done.returncode}",
                "wall": wall}
    out = json.loads(done.stdout)
    out["wall"] = wall
    out["start"] = wall - out["done"]  # interpreter start and imports before the child's clock began
    return out


def verdicts(row: dict) -> str:
    parts = []
    for p in row.get("properties", []):
        if p["verdict"] == "violated":
            parts.append(f"{p['property']} {p['length']}")
        elif p["verdict"] == "proved":
            parts.append(f"{p['property']} P" + ("s" if p["how"] == "Spacer" else ""))
        elif p["verdict"] == "holds":
            parts.append(f"{p['property']} H")
        else:
            parts.append(f"{p['property']} ?")
    return ", ".join(parts)


def first_counterexample(row: dict) -> str:
    if not row.get("violations"):
        return "-"
    return f"{row['violations'][0][1] + row['start']:.2f}"


def suite_rows(suite: str, timeout: float | None) -> list[tuple]:
    rows = []
    if suite == "defaults":
        plans = [(s, "z3", {}, False) for s in SPECS] + [(s, "explicit", {}, False) for s in SPECS]
    elif suite == "small":
        plans = [(s, e, {"tasks": 2, "depth": 3}, False) for s in SPECS for e in ("explicit", "z3")]
    elif suite == "larger":
        plans = [(s, e, {"tasks": 3, "cpus": 2}, False) for s in SPECS for e in ("z3", "explicit")]
    else:
        plans = [(s, "z3", {}, True) for s in SPECS]
    for name, engine, bounds, unbounded in plans:
        spec = str(ROOT / "specs" / f"{name}.spec")
        row = run_child(spec, engine, bounds, unbounded, timeout)
        label = ", ".join(f"{k}={v}" for k, v in bounds.items()) or "defaults"
        if unbounded:
            label = "depth unbounded"
        rows.append((name, engine, label, row))
        print(f"  {name:15s} {engine:8s} {label:18s} " + (row.get("error") or
              f"first cex {first_counterexample(row):>6s} s, all {row['wall']:.2f} s, {row['stop']}: {verdicts(row)}"),
              flush=True)
    return rows


def every_rows(timeout: float | None) -> list[tuple]:
    """Proofs for every number of tasks and CPUs, each with the time `z3` takes to recheck its certificate."""
    import shutil
    import tempfile
    rows = []
    paths = [ROOT / "specs" / f"{name}.spec" for name in SPECS] + [ROOT / "examples" / "tglx_2020_07_24.spec"]
    for path in paths:
        row = run_child(str(path), "z3", {}, True, timeout, ("tasks", "cpus"))
        recheck = "-"
        if "error" not in row and all(p["verdict"] == "proved" for p in row["properties"]) and shutil.which("z3"):
            with tempfile.TemporaryDirectory() as folder:
                target = Path(folder, "proof.smt2")
                subprocess.run([sys.executable, "-m", "pkrsverify", "check", "--engine", "z3", "--depth",
                                "unbounded", "--tasks", "any", "--cpus", "any", "--certificate", str(target),
                                str(path)], capture_output=True, cwd=ROOT)
                started = time.perf_counter()
                answers = subprocess.run(["z3", str(target)], capture_output=True, text=True).stdout.split()
                recheck = f"{time.perf_counter() - started:.2f} s, {len(answers)} x " + "/".join(sorted(set(answers)))
        rows.append((path.stem, "z3", "tasks, cpus, depth: any", row))
        print(f"  {path.stem:15s} " + (row.get("error") or f"all {row['wall']:.2f} s, {row['stop']}: "
                                       f"{verdicts(row)}; certificate {recheck}"), flush=True)
    return rows


def sizing_rows() -> list[tuple]:
    rows = []
    for name in STACKS:
        for extra in ([], ["--depth", "unbounded"]):
            argv = [sys.executable, "-m", "pkrsverify", "size", str(ROOT / "specs" / f"{name}.spec"), *extra]
            started = time.perf_counter()
            done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
            wall = time.perf_counter() - started
            line = next((ln.strip() for ln in done.stdout.splitlines() if "needs" in ln), done.stderr.strip())
            rows.append((name, " ".join(extra) or "defaults", wall, line))
            print(f"  {name:15s} {' '.join(extra) or 'defaults':18s} {wall:6.2f} s  {line}", flush=True)
    return rows


def markdown(results: dict, sizing: list) -> str:
    lines = ["# Z3 engine benchmarks", "",
             f"Machine: {os.cpu_count()} cores; times are wall seconds of a child process, interpreter start "
             "included. Verdicts: a number is a violation's length, P proved (Ps by Spacer), H holds "
             "(every state explored), ? unknown.", ""]
    for suite, rows in results.items():
        lines += [f"## {suite}", "", "| spec | engine | bounds | first counterexample (s) | all verdicts (s) | "
                  "states | verdicts |", "|---|---|---|---|---|---|---|"]
        for name, engine, label, row in rows:
            if "error" in row:
                lines.append(f"| {name} | {engine} | {label} | error | {row['wall']:.2f} | | {row['error']} |")
                continue
            states = f"{row['states']:,}" if engine == "explicit" else "-"
            lines.append(f"| {name} | {engine} | {label} | {first_counterexample(row)} | {row['wall']:.2f} | "
                         f"{states} | {verdicts(row)} |")
        lines.append("")
    if sizing:
        lines += ["## sizing (z3)", "", "| spec | depth | seconds | answer |", "|---|---|---|---|"]
        lines += [f"| {name} | {depth} | {wall:.2f} | {line} |" for name, depth, wall, line in sizing]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", action="append", choices=("defaults", "small", "larger", "unbounded", "every", "sizing"))
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per run (default 120)")
    parser.add_argument("--markdown", metavar="FILE", help="also write the tables as Markdown")
    args = parser.parse_args()
    suites = args.suite or ["defaults", "small", "larger", "unbounded", "sizing"]
    results, sizing = {}, []
    for suite in suites:
        print(f"{suite}:", flush=True)
        if suite == "sizing":
            sizing = sizing_rows()
        elif suite == "every":
            results[suite] = every_rows(args.timeout)
        else:
            results[suite] = suite_rows(suite, args.timeout)
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(markdown(results, sizing))


if __name__ == "__main__":
    main()
