#!/usr/bin/env python3
"""Benchmarks: pkrsverify (with and without its reductions) and SPIN, on every spec.

Suites (issue 2 and issue 5):
  core    bounds (tasks, cpus, depth) = (1,1,8) (2,1,3) (2,1,4) and the defaults (2,1,8)
  scale   (2,1,8) (3,1,8) (3,2,8) (4,2,8), with and without reductions
  growth  states against tasks 2..5 (cpus 1, depth 8) for one spec, with all
          reductions, with each one off, and with none
  analyses  issue 13: per spec, `check` against `check --mutations` (the ratio),
          `repair` of each broken spec, and `synthesize examples/pkrs.sketch`;
          medians of --repeat runs

Every run is a subprocess, as a user would start it: `python -m pkrsverify
check SPEC ... --format json` (so wall time includes interpreter start), and
for SPIN `pkrsverify export --promela`, `spin -a`, `gcc -O2 -DSAFETY -DBFS
-DCOLLAPSE`, `./pan -m1000000 -c0`. Peak memory is the child's own maximum
resident set (os.wait4). A run past its time limit stops with UNKNOWN
verdicts (pkrsverify's --timeout) or is killed (pan); the tables mark it.

    python3 bench/run.py --suite core                  # issue 2's table
    python3 bench/run.py --suite scale --spin          # issue 5's table (long: see --timeout)
    python3 bench/run.py --suite growth --timeout 60
    python3 bench/run.py --suite core --spin --markdown out.md   # also write the tables as Markdown
    python3 bench/run.py --suite analyses --repeat 5

Switching reductions off needs `check --no-reduce=...`; where the installed
pkrsverify has no such option but its engine takes `reductions=`, the runs
go through that API in a child process instead (see `--child`), and where it
has neither, "no reductions" runs are skipped and the tables say so.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pkrsverify.export.spin import CFLAGS, commands, missing_tools, parse_pan  # noqa: E402

SUITES = {
    "core": [(1, 1, 8), (2, 1, 3), (2, 1, 4), (2, 1, 8)],
    "scale": [(2, 1, 8), (3, 1, 8), (3, 2, 8), (4, 2, 8)],
}
REDUCTIONS = ("summaries", "symmetry", "dead")
PROPERTIES = ("fresh", "no_lost", "no_stale", "no_clobber", "no_overflow", "no_underflow")
MAX_STATES = 20_000_000  # a memory guard for unreduced runs (Python keeps every state)
SPIN_MEMLIM_MB = 12_000  # pan -DMEMLIM: stop cleanly rather than take the machine's memory


# ---- running a child and measuring it --------------------------------------------------------

@dataclass
class Measured:
    returncode: int
    output: str
    seconds: float
    peak_mb: float
    killed: bool


def measure(command: list[str], cwd: Path | None = None, timeout: float | None = None) -> Measured:
    """Run `command`; wall seconds, peak RSS of the child (wait4), killed after `timeout`."""
    with tempfile.TemporaryFile("w+") as out:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        killed = threading.Event()

        def kill():
            killed.set()
            child.kill()
        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        if timer:
            timer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)  # already reaped: Popen must not wait again
        out.seek(0)
        return Measured(child.returncode, out.read(), seconds, usage.ru_maxrss / 1024, killed.is_set())


# ---- one run ---------------------------------------------------------------------------------------

@dataclass
class Run:
    tool: str                     # "pkrsverify", "pkrsverify (no summaries)", ..., "SPIN"
    spec: str
    bounds: tuple[int, int, int]
    verdicts: dict = field(default_factory=dict)   # property -> (verdict, length or None)
    states: int | None = None
    transitions: int | None = None
    seconds: float = 0.0          # wall, child start to end (SPIN: export + spin -a + gcc + pan)
    search_seconds: float | None = None  # the search alone (pkrsverify's own figure; pan's wall)
    peak_mb: float = 0.0
    limited: str = ""             # why the run is incomplete ("time limit", "state limit", ...)
    error: str = ""

    @property
    def rate(self) -> float | None:
        seconds = self.search_seconds or self.seconds
        return self.states / seconds if self.states and seconds else None


class Runner:
    def __init__(self, timeout: float, spin_timeout: float, workdir: Path):
        self.timeout, self.spin_timeout, self.workdir = timeout, spin_timeout, workdir
        help_text = subprocess.run([sys.executable, "-m", "pkrsverify", "check", "--help"], cwd=ROOT,
                                   capture_output=True, text=True).stdout
        self.no_reduce_flag = "--no-reduce" in help_text
        self.api = not self.no_reduce_flag and _engine_takes_reductions()
        self.reduction_mode = ("check --no-reduce" if self.no_reduce_flag else
                               "the engine API (check has no --no-reduce yet)" if self.api else "unavailable")

    def can_switch_off(self) -> bool:
        return self.no_reduce_flag or self.api

    def pkrsverify(self, spec: Path, bounds, off: tuple[str, ...] = (), timeout: float | None = None) -> Run:
        tasks, cpus, depth = bounds
        tool = "pkrsverify" + (" (no reductions)" if set(off) >= set(REDUCTIONS) else
                               f" (no {', '.join(off)})" if off else "")
        run = Run(tool, spec.stem, bounds)
        limit = timeout or self.timeout
        if off and not self.can_switch_off():
            run.error = "cannot switch reductions off"
            return run
        if off and not self.no_reduce_flag:
            command = [sys.executable, str(Path(__file__).resolve()), "--child", str(spec), str(tasks), str(cpus),
                       str(depth), str(limit), ",".join(off)]
        else:
            command = [sys.executable, "-m", "pkrsverify", "check", str(spec), "--tasks", str(tasks), "--cpus",
                       str(cpus), "--depth", str(depth), "--format", "json", "--timeout", str(limit),
                       "--max-states", str(MAX_STATES)]
            if off:
                command.append("--no-reduce=" + ",".join(off))
        done = measure(command, cwd=ROOT, timeout=limit + 60)
        run.seconds, run.peak_mb = done.seconds, done.peak_mb
        if done.killed:
            run.limited = "killed at the time limit"
            return run
        try:
            result = json.loads(done.output[done.output.index("{"):])["results"][0]
        except (ValueError, KeyError, IndexError):
            run.error = f"exit {done.returncode}: {done.output.strip()[-300:]}"
            return run
        stats = result["statistics"]
        run.states, run.transitions, run.search_seconds = stats["states"], stats["transitions"], stats.get("seconds")
        run.verdicts = {p["property"]: (p["verdict"], p.get("length")) for p in result["properties"]}
        stop = result["stop"]
        if stop in ("timeout", "state_limit", "interrupted"):
            run.limited = stop.replace("_", " ")
        return run

    def spin(self, spec: Path, bounds, timeout: float | None = None) -> Run:
        tasks, cpus, depth = bounds
        run = Run("SPIN", spec.stem, bounds)
        directory = self.workdir / f"{spec.stem}-{tasks}-{cpus}-{depth}"
        directory.mkdir(parents=True, exist_ok=True)
        model = f"{spec.stem}.pml"
        export = [sys.executable, "-m", "pkrsverify", "export", "--promela", str(spec), "--tasks", str(tasks),
                  "--cpus", str(cpus), "--depth", str(depth), "-o", str(directory / model)]
        spin_a, gcc, pan = commands(model, (*CFLAGS, f"-DMEMLIM={SPIN_MEMLIM_MB}"))
        total = 0.0
        for command, cwd in ((export, ROOT), (spin_a, directory), (gcc, directory)):
            done = measure(command, cwd=cwd)
            total += done.seconds
            if done.returncode != 0:
                run.error = f"{command[0]} failed: {done.output.strip()[-300:]}"
                run.seconds = total
                return run
        done = measure(pan, cwd=directory, timeout=timeout or self.spin_timeout)
        run.seconds, run.search_seconds, run.peak_mb = total + done.seconds, done.seconds, done.peak_mb  # pan's
        result = parse_pan(done.output)
        run.states, run.transitions = result.states, result.transitions
        decided = "holds" if result.complete else "unknown"
        run.verdicts = {p: ("violated", result.violations[p]) if p in result.violations else (decided, None)
                        for p in PROPERTIES}
        if done.killed:
            run.limited = "killed at the time limit"
        elif not result.complete:
            run.limited = "; ".join(result.problems)
        return run


def _engine_takes_reductions() -> bool:
    try:
        import inspect

        from pkrsverify.explicit.engine import check
        return "reductions" in inspect.signature(check).parameters
    except ImportError:
        return False


def child(argv: list[str]) -> int:
    """`--child SPEC TASKS CPUS DEPTH TIMEOUT OFF`: one check through the API, JSON on stdout."""
    spec, tasks, cpus, depth, timeout, off = argv
    from pkrsverify.explicit.engine import Limits, check
    from pkrsverify.front.loader import load_strategy, with_bounds
    from pkrsverify.explicit.reduce import Reductions
    from pkrsverify.report.json_format import render_json
    from pkrsverify.semantics.system import System
    strategy = with_bounds(load_strategy(spec), tasks=int(tasks), cpus=int(cpus), depth=int(depth))
    result = check(System(strategy), spec=spec, limits=Limits(max_states=MAX_STATES, timeout=float(timeout)),
                   reductions=Reductions.without(off.split(",")))
    sys.stdout.write(render_json([result]))
    return 0


# ---- tables -------------------------------------------------------------------------------------------

def verdict_summary(run: Run) -> str:
    if run.error:
        return "error: " + run.error.splitlines()[-1][:60]
    if not run.verdicts:
        return "-"
    violated = [f"{p} {length}" for p, (v, length) in run.verdicts.items() if v == "violated"]
    unknown = sum(v == "unknown" for v, _ in run.verdicts.values())
    held = sum(v in ("holds", "proved") for v, _ in run.verdicts.values())
    parts = violated
    if held:
        parts = parts + (["all hold"] if not violated and not unknown else [f"{held} hold"])
    if unknown:
        parts.append(f"{unknown} unknown")
    return ", ".join(parts)


def number(value) -> str:
    return "-" if value is None else f"{value:,.0f}"


def row(run: Run, ratio: str = "") -> list[str]:
    states = number(run.states) + ("+" if run.limited and run.states else "")
    return [run.spec, "{},{},{}".format(*run.bounds), run.tool, verdict_summary(run), states,
            number(run.transitions), f"{run.seconds:.1f}" + ("*" if run.limited else ""), number(run.rate),
            f"{run.peak_mb:,.0f}", ratio]


HEADER = ["spec", "T,C,D", "tool", "verdicts (violated: events)", "states", "transitions", "wall s",
          "states/s", "peak MB", "pkrsverify/SPIN"]


def agreement(ours: Run, spin: Run) -> str:
    """Time ratio, and DISAGREE where both decided a property differently."""
    for prop in PROPERTIES:
        a, b = ours.verdicts.get(prop, ("unknown", None)), spin.verdicts.get(prop, ("unknown", None))
        if "unknown" not in (a[0], b[0]) and a != b:
            return f"DISAGREE on {prop}: {a} vs {b}"
        if a[0] == b[0] == "violated" and a[1] != b[1]:
            return f"DISAGREE on {prop} length: {a[1]} vs {b[1]}"
    if not spin.seconds or ours.error or spin.error:
        return ""
    ratio = ours.seconds / spin.seconds
    mark = ">" if ours.limited and not spin.limited else "<" if spin.limited and not ours.limited else ""
    return f"{mark}{ratio:.2f}" + ("" if not (ours.limited and spin.limited) else " (both limited)")


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in r) + " |" for r in rows]
    return "\n".join(lines)


def print_row(cells: list[str]) -> None:
    widths = (15, 6, 28, 34, 12, 12, 8, 10, 8, 12)
    print("  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip(), flush=True)


# ---- suites ------------------------------------------------------------------------------------------------

def run_bounds_suite(runner: Runner, specs, bounds_list, spin: bool, unreduced: bool, spin_specs) -> list:
    rows = []
    for bounds in bounds_list:
        for spec in specs:
            ours = runner.pkrsverify(spec, bounds)
            theirs = runner.spin(spec, bounds) if spin and (not spin_specs or spec.stem in spin_specs) else None
            rows.append(row(ours, agreement(ours, theirs) if theirs else ""))
            print_row(rows[-1])
            if unreduced:
                plain = runner.pkrsverify(spec, bounds, off=REDUCTIONS)
                rows.append(row(plain, agreement(plain, theirs) if theirs and not plain.error else ""))
                print_row(rows[-1])
            if theirs:
                rows.append(row(theirs))
                print_row(rows[-1])
    return rows


def run_growth(runner: Runner, spec: Path, tasks_range, cpus: int, depth: int) -> tuple[list[str], list]:
    variants = [("all reductions", ())] + [(f"no {name}", (name,)) for name in REDUCTIONS] + \
               [("none", REDUCTIONS)]
    header = ["tasks"] + [name for name, _ in variants]
    rows = []
    for tasks in tasks_range:
        cells = [str(tasks)]
        for name, off in variants:
            run = runner.pkrsverify(spec, (tasks, cpus, depth), off=off)
            if run.error:
                cells.append("error")
                print(f"tasks {tasks}, {name}: {run.error}", file=sys.stderr, flush=True)
            else:
                cells.append(number(run.states) + (f"+ ({run.limited}, {run.seconds:.0f} s)" if run.limited
                                                   else f" ({run.seconds:.1f} s)"))
        rows.append(cells)
        print("  ".join(c.ljust(24) for c in cells), flush=True)
    return header, rows


def _median_run(command: list[str], repeat: int, timeout: float) -> tuple[float, Measured]:
    runs = [measure(command, cwd=ROOT, timeout=timeout) for _ in range(repeat)]
    seconds = sorted(r.seconds for r in runs)
    return seconds[len(seconds) // 2], runs[-1]


def run_analyses(specs, repeat: int, timeout: float) -> tuple[list[str], list]:
    """Wall seconds (medians) of check, check --mutations and repair per spec, and of synthesize."""
    cli = [sys.executable, "-m", "pkrsverify"]
    header = ["spec", "check s", "--mutations s", "ratio", "repair s", "repair"]
    rows = []
    print_row(header)
    for spec in specs:
        plain, checked = _median_run(cli + ["check", str(spec)], repeat, timeout)
        mutated, _ = _median_run(cli + ["check", str(spec), "--mutations"], repeat, timeout)
        cells = [spec.stem, f"{plain:.2f}", f"{mutated:.2f}", f"{mutated / plain:.1f}x", "-", "-"]
        if checked.returncode == 1:  # broken: repair it
            repaired, run = _median_run(cli + ["repair", str(spec), "--format", "json"], repeat, timeout)
            found = json.loads(run.output)["repairs"][0]
            cells[4:] = [f"{repaired:.2f}", f"{found['edits']} edits, {len(found['repairs'])} ways, "
                                            f"{found['searched']} of {found['candidates']} searched"]
        rows.append(cells)
        print_row(cells)
    sketch = ROOT / "examples" / "pkrs.sketch"
    seconds, run = _median_run(cli + ["synthesize", str(sketch), "--format", "json"], repeat, timeout)
    found = json.loads(run.output)["synthesis"][0]
    rows.append([f"synthesize {sketch.name}", "", "", "", f"{seconds:.2f}",
                 f"{found['completions']} completions, {found['pruned']} pruned, {found['searched']} searched, "
                 f"{found['correct']} correct, front {len(found['front'])}"])
    print_row(rows[-1])
    return header, rows


def machine() -> str:
    cpu = "unknown CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, AttributeError):
        pass
    tools = []
    for command in (["spin", "-V"], ["gcc", "--version"]):
        try:
            tools.append(subprocess.run(command, capture_output=True, text=True).stdout.splitlines()[0])
        except (OSError, IndexError):
            pass
    return (f"{cpu} ({os.cpu_count()} cores{memory}); {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; {'; '.join(tools)}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", choices=("core", "scale", "growth", "analyses"), action="append",
                        help="which suite(s) to run (repeatable; default: core)")
    parser.add_argument("--spin", action="store_true", help="also run SPIN on the Promela export")
    parser.add_argument("--unreduced", action=argparse.BooleanOptionalAction,
                        help="also run without reductions (default: in the scale suite, not in the core one)")
    parser.add_argument("--specs", nargs="+", metavar="NAME", help="only these specs (by file stem)")
    parser.add_argument("--spin-specs", nargs="+", metavar="NAME", help="run SPIN only on these specs")
    parser.add_argument("--bounds", nargs="+", metavar="T,C,D", help="replace the suite's bounds")
    parser.add_argument("--timeout", type=float, default=300, help="pkrsverify time limit per run (default 300 s)")
    parser.add_argument("--spin-timeout", type=float, default=300, help="pan time limit per run (default 300 s)")
    parser.add_argument("--growth-spec", default="pt_regs_switch", metavar="NAME")
    parser.add_argument("--growth-tasks", default="2-5", metavar="A-B")
    parser.add_argument("--repeat", type=int, default=5, help="analyses: runs per command, the median kept")
    parser.add_argument("--markdown", metavar="FILE", help="also write the tables, the machine and the date here")
    parser.add_argument("--child", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child)
    if args.spin and missing_tools():
        parser.error(f"--spin: {missing_tools()}")
    specs = sorted((ROOT / "specs").glob("*.spec"))
    if args.specs:
        specs = [s for s in specs if s.stem in args.specs]
    bounds_override = [tuple(int(x) for x in b.split(",")) for b in args.bounds] if args.bounds else None
    sections = []
    with tempfile.TemporaryDirectory(prefix="pkrsverify-bench-") as workdir:
        runner = Runner(args.timeout, args.spin_timeout, Path(workdir))
        print(f"reductions switched off through: {runner.reduction_mode}", flush=True)
        for suite in args.suite or ["core"]:
            print(f"\n== {suite} ==", flush=True)
            if suite == "growth":
                low, high = (int(x) for x in args.growth_tasks.split("-"))
                header, rows = run_growth(runner, ROOT / "specs" / f"{args.growth_spec}.spec",
                                          range(low, high + 1), 1, 8)
                sections.append((f"growth: {args.growth_spec}, cpus 1, depth 8, states by tasks", header, rows))
                continue
            if suite == "analyses":
                header, rows = run_analyses(specs, args.repeat, args.timeout)
                sections.append((f"analyses: wall seconds, medians of {args.repeat} runs", header, rows))
                continue
            print_row(HEADER)
            bounds = bounds_override or SUITES[suite]
            rows = run_bounds_suite(runner, specs, bounds, args.spin, suite == "scale" if args.unreduced is None else args.unreduced,
                                    args.spin_specs)
            sections.append((f"{suite}: bounds {', '.join('({},{},{})'.format(*b) for b in bounds)}", HEADER, rows))
    if args.markdown:
        when = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        text = [f"Run {when} on {machine()}.", "",
                f"Command: `python3 bench/run.py {' '.join(argv if argv is not None else sys.argv[1:])}`; "
                f"reductions switched off through {runner.reduction_mode}.",
                "`*` after the seconds: the run hit its limit (states then counts what was explored, `+`)."]
        for title, header, rows in sections:
            text += ["", f"### {title}", "", markdown_table(header, rows)]
        Path(args.markdown).write_text("\n".join(text) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
