"""`check --prove-first`: z3 proves what it can for every number of tasks and CPUs, the search does the rest.

The explicit search stores every reachable state, and the states grow
10-20x with each task (the multisets of what ready tasks hold: bench/
RESULTS.md, issue 12). A property that holds is where that cost is paid in
full: no verdict before the last state. A Houdini proof for every number of
tasks and CPUs (symbolic/parameterized.py) does not grow with the tasks at
all, and it covers the check's bounds: a system of 4 tasks on 2 CPUs is one
of the instances it speaks of. So:

1. Houdini alone (`symbolic.engine.proofs`), within its own time budget
   (60 s, and at most half of --timeout): each property it proves is
   PROVED, with the wider scope it has. Ctrl-C here ends the check as
   INTERRUPTED, every property UNKNOWN.
2. The explicit search for the others only. Violations come from it, so
   each is a shortest counterexample at the check's bounds, as without
   this option, and the search stops once every property left is violated.
   What Houdini does not prove in time, the search decides as it would have.

Where the search alone is complete, every verdict is the one it gives (HOLDS
there is PROVED here: a proof covers every path the search would explore),
and every length is the same; where it would stop at a limit, a proof may
decide what it leaves UNKNOWN. The statistics are the search's (the seconds
include the proofs). Coverage and the vacuity warnings speak of the
search's steps only: a proof needs no step to check its property, so a
proved property is never vacuous, as on the z3 engine, and `--strict`
(which asks exactly that of every property) is refused beside this option.
"""
from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable

from ..explicit import engine as explicit
from ..explicit.reduce import Reductions
from ..front import ir
from ..result import CheckResult, PropertyResult, Statistics, StopReason, Verdict
from ..semantics.system import System
from ..symbolic import engine as symbolic

FOR_EVERY = frozenset({"tasks", "cpus"})  # the bounds the explicit search's cost grows with
PROOF_TIMEOUT = 60.0  # seconds for Houdini at most (within --timeout): past it, the search decides


def check(system: System, spec: str = "", properties: tuple[ir.Property, ...] | None = None,
          limits: explicit.Limits = explicit.Limits(), on_violation: Callable | None = None,
          on_progress: Callable | None = None, reductions: Reductions = Reductions(),
          proof_timeout: float = PROOF_TIMEOUT) -> CheckResult:
    """The verdicts and shortest counterexamples of `explicit.check`, with what Houdini proves first."""
    started = time.perf_counter()
    wanted = tuple(properties or system.strategy.properties)
    try:
        proved = {p.property: _noted(p) for p in symbolic.proofs(system, wanted, FOR_EVERY, symbolic.Limits(
            timeout=_proof_budget(limits, proof_timeout), explain=False))}
    except KeyboardInterrupt:  # Ctrl-C while z3 works: nothing decided, and the command reports what it reached
        return _nothing_searched(system, spec, tuple(PropertyResult(p, Verdict.UNKNOWN, note="interrupted while "
                                 "z3 sought proofs, before the search") for p in wanted),
                                 StopReason.INTERRUPTED, started, reductions, 0)
    rest = tuple(p for p in wanted if p not in proved)
    if not rest:
        return _nothing_searched(system, spec, tuple(proved[p] for p in wanted), StopReason.DECIDED, started,
                                 reductions, len(proved))
    # what is left of --timeout, and never less than the half the proofs did not get: Houdini looks at its
    # deadline between queries, and building the instances' encodings can overrun it by seconds
    left = None if limits.timeout is None else max(limits.timeout - (time.perf_counter() - started),
                                                   limits.timeout / 2)
    searched = explicit.check(system, spec, rest, replace(limits, timeout=left), on_violation, on_progress,
                              reductions)
    found = {p.property: p for p in searched.properties}
    statistics = replace(searched.statistics, seconds=time.perf_counter() - started,
                         reductions=_described(reductions, len(proved), len(wanted)))
    stop = searched.stop
    if stop is StopReason.ALL_VIOLATED and proved:
        stop = StopReason.DECIDED  # not "every property violated": the proved ones are not
    return replace(searched, properties=tuple(proved.get(p) or found[p] for p in wanted), statistics=statistics,
                   stop=stop)


def _proof_budget(limits: explicit.Limits, proof_timeout: float) -> float:
    """Houdini's seconds: at most half of --timeout, so that a proof that does not come leaves the search
    at least the other half for what it finds quickly."""
    return proof_timeout if limits.timeout is None else min(proof_timeout, limits.timeout / 2)


def _nothing_searched(system: System, spec: str, properties, stop: StopReason, started: float,
                      reductions: Reductions, proved: int) -> CheckResult:
    """No search ran: no states, and no coverage to speak of (taken None, as on z3)."""
    strategy = system.strategy
    statistics = Statistics(0, 0, 0, 0, time.perf_counter() - started,
                            _described(reductions, proved, len(properties)))
    return CheckResult(spec, strategy.name, strategy.model.name, system.bounds, "explicit", properties, statistics,
                       stop)


def _noted(result: PropertyResult) -> PropertyResult:
    return replace(result, note=f"{result.note}; proved by z3 before the search (--prove-first)")


def _described(reductions: Reductions, proved: int, wanted: int) -> str:
    return f"{reductions.describe()}; z3 proved {proved} of {wanted} first, for every number of tasks and CPUs"


__all__ = ["check", "FOR_EVERY", "PROOF_TIMEOUT"]
