"""Running SPIN on an exported model, the way a user would, and reading pan's answer.

`spin -a MODEL.pml`, `gcc -O2 -DSAFETY -DBFS -DCOLLAPSE -o pan pan.c`,
`./pan -m1000000 -c0`: breadth-first, going on after violations, so that pan
reports, for each property, the depth of its first (hence shortest)
violation, and at the end how many states it stored. Used by the SPIN
cross-check tests and by bench/run.py; nothing here is needed to check a
spec with pkrsverify itself.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

CFLAGS = ("-O2", "-DSAFETY", "-DBFS", "-DCOLLAPSE")
MAX_DEPTH = 1_000_000   # pan -m: BFS levels; far above any level these models reach
# States SPIN stores beyond pkrsverify's: the one before boot(); the halted one where a push or pop is fatal.
EXTRA_STATES = 1

_VIOLATION = re.compile(r"^pan:\d+: assertion violated (\w+) \(at depth (\d+)\)", re.M)
_INCOMPLETE = ("Warning: Search not completed", "Warning: Search incomplete", "max search depth too small",
               "out of memory", "reached -DMEMLIM bound", "VECTORSZ too small")


def missing_tools() -> str | None:
    """Why SPIN cannot run here, or None when spin and gcc are both on PATH."""
    missing = [tool for tool in ("spin", "gcc") if shutil.which(tool) is None]
    return f"{' and '.join(missing)} not installed (Debian: apt-get install spin gcc)" if missing else None


PAN_ARGS = ("-c0",)  # go on after a violation: every property gets its verdict (-c1: stop at the first)


def commands(model: str, cflags=CFLAGS, pan_args=PAN_ARGS) -> list[list[str]]:
    """The three commands a user runs in the model's directory."""
    return [["spin", "-a", model], ["gcc", *cflags, "-o", "pan", "pan.c"], ["./pan", f"-m{MAX_DEPTH}", *pan_args]]


@dataclass(frozen=True, slots=True)
class PanResult:
    """What pan said: the shortest violation of each property, and the search figures."""

    violations: dict = field(default_factory=dict)  # property name -> events in its shortest violation
    states: int | None = None        # "states, stored"
    transitions: int | None = None
    depth: int | None = None         # "depth reached": BFS levels, boot() included
    complete: bool = False           # the search ended by itself, within its depth and memory
    problems: tuple[str, ...] = ()   # why it is not complete
    memory_mb: float | None = None   # pan's "total actual memory usage"
    seconds: float | None = None     # pan's "elapsed time"
    output: str = ""

    def verdict(self, prop: str) -> str:
        """violated / holds / unknown, for a property the model asserts."""
        if prop in self.violations:
            return "violated"
        return "holds" if self.complete else "unknown"


def parse_pan(output: str) -> PanResult:
    violations: dict[str, int] = {}
    for match in _VIOLATION.finditer(output):
        # BFS: the first report of a property comes from a state of least depth. That state is
        # `depth` transitions from the initial one, boot() included, so the violating event is
        # the depth-th event.
        violations.setdefault(match.group(1), int(match.group(2)))
    problems = tuple(p for p in _INCOMPLETE if p in output)
    finished = "elapsed time" in output and "states, stored" in output
    if not finished:
        problems += ("pan did not finish",)
    return PanResult(violations, _number(r"([\d.e+]+) states, stored", output),
                     _number(r"([\d.e+]+) transitions \(= stored\+matched\)", output),
                     _number(r"depth reached (\d+)", output), finished and not problems, problems,
                     _number(r"([\d.]+)\s+total actual memory usage", output, float),
                     _number(r"pan: elapsed time ([\d.e+]+) seconds", output, float), output)


def _number(pattern: str, text: str, kind=int):
    match = re.search(pattern, text)
    if not match:
        return None
    return kind(float(match.group(1))) if kind is int else kind(match.group(1))


@dataclass(frozen=True, slots=True)
class SpinRun:
    pan: PanResult
    compile_seconds: float   # spin -a and gcc
    pan_seconds: float       # wall time of ./pan


def run_spin(text: str, directory: Path, *, name: str = "model", cflags=CFLAGS, pan_args=PAN_ARGS,
             timeout: float | None = None) -> SpinRun:
    """Write `text` to DIRECTORY/NAME.pml and run the three commands there.

    Raises RuntimeError with SPIN's or gcc's output when the model does not
    compile (a bug in the export). A pan killed by `timeout` gives an
    incomplete result.
    """
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.pml").write_text(text)
    spin, gcc, pan = commands(f"{name}.pml", cflags, pan_args)
    started = time.perf_counter()
    for command in (spin, gcc):
        done = subprocess.run(command, cwd=directory, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    compiled = time.perf_counter()
    try:
        output = subprocess.run(pan, cwd=directory, capture_output=True, text=True, timeout=timeout).stdout
    except subprocess.TimeoutExpired as expired:
        out = expired.stdout or b""
        output = (out.decode(errors="replace") if isinstance(out, bytes) else out) + "\n(killed: time limit)\n"
    return SpinRun(parse_pan(output), compiled - started, time.perf_counter() - compiled)
