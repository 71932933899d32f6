"""Proofs for the search: z3 proves what it can for every number of tasks and CPUs, the search does the rest.

The explicit search stores every reachable state, and the states grow
10-20x with each task (the multisets of what ready tasks hold: bench/
RESULTS.md, issue 12). A property that holds is where that cost is paid in
full: no verdict before the last state. A Houdini proof for every number of
tasks and CPUs (symbolic/parameterized.py) does not grow with the tasks at
all, and it covers the check's bounds: a system of 4 tasks on 2 CPUs is one
of the instances it speaks of. So:

0. `check`'s default (`after` = PROVE_AFTER, `--prove-after N`): the search
   alone, up to N stored states. Most searches end there, as they always
   did. One that does not has shown that it is large: what it violated by
   then stays (the same search, stopped early: shortest counterexamples),
   and the rest goes on to step 1. `--prove-first` is `after` = 0.
1. Houdini alone (`symbolic.engine.proofs`), within its own time budget
   (60 s, and at most half of what is left of --timeout): each property it
   proves is PROVED, with the wider scope it has. Ctrl-C here ends the
   check as INTERRUPTED, with the violations already found.
2. The explicit search, again from the initial state, for the properties
   neither violated nor proved. Violations come from it, so each is a
   shortest counterexample at the check's bounds, as without proofs, and
   the search stops once every property left is violated. What Houdini
   does not prove in time, the search decides as it would have.

Where the search alone is complete, every verdict is the one it gives (HOLDS
there is PROVED here: a proof covers every path the search would explore),
and every length is the same; where it would stop at a limit, a proof may
decide what it leaves UNKNOWN. The statistics are the last search's (the
seconds include the proofs and any search before them; states/s is the last
search's own). Coverage and the
vacuity warnings speak of the search's steps only: a proof needs no step to
check its property, so a proved property is never vacuous, as on the z3
engine, and `--strict` (which asks exactly that of every property) searches
alone. docs/semantics.md §5 "Proofs first, then the search" has the argument.
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
# `check`'s default: a search that has stored this many states with properties still undecided is worth
# the proofs' 2-4 s (a search this size takes 1.5-3 s, and one past it grows 10-20x with each task:
# bench/RESULTS.md, issue 12); below it, every search is as it was without proofs.
PROVE_AFTER = 50_000


def check(system: System, spec: str = "", properties: tuple[ir.Property, ...] | None = None,
          limits: explicit.Limits = explicit.Limits(), on_violation: Callable | None = None,
          on_progress: Callable | None = None, reductions: Reductions = Reductions(),
          proof_timeout: float = PROOF_TIMEOUT, after: int = 0) -> CheckResult:
    """The verdicts and shortest counterexamples of `explicit.check`, with what Houdini proves first.

    `after` > 0: search alone first, and seek proofs only if that search stores `after` states with
    properties still undecided; what it violated by then stays as it found it (a shortest counterexample:
    the search is the same one, stopped early), and the search starts again for what is left."""
    started = time.perf_counter()
    wanted = tuple(properties or system.strategy.properties)
    early = None
    if after:
        if limits.max_states is not None and limits.max_states <= after:
            return explicit.check(system, spec, wanted, limits, on_violation, on_progress, reductions)
        early = explicit.check(system, spec, wanted, replace(limits, max_states=after), on_violation,
                               on_progress, reductions)
        if early.stop is not StopReason.STATE_LIMIT:
            return early  # decided (or out of time, or interrupted) before the proofs were worth it
    found = {} if early is None else {p.property: p for p in early.properties if p.verdict is Verdict.VIOLATED}
    asked = tuple(p for p in wanted if p not in found)
    try:
        proved = {p.property: _noted(p, after) for p in symbolic.proofs(system, asked, FOR_EVERY, symbolic.Limits(
            timeout=_proof_budget(limits, proof_timeout, started), explain=False))}
    except KeyboardInterrupt:  # Ctrl-C while z3 works: the command reports what was reached
        return _interrupted(system, spec, wanted, found, early, started, reductions)
    rest = tuple(p for p in asked if p not in proved)
    decided = {**found, **proved}
    if not rest:
        if early is not None:
            return _handed_over(early, wanted, decided, StopReason.DECIDED, started, reductions, len(proved),
                                after)
        return _nothing_searched(system, spec, tuple(decided[p] for p in wanted), StopReason.DECIDED, started,
                                 reductions, len(proved))
    # what is left of --timeout, and never less than the half the proofs did not get: Houdini looks at its
    # deadline between queries, and building the instances' encodings can overrun it by seconds
    left = None if limits.timeout is None else max(limits.timeout - (time.perf_counter() - started),
                                                   limits.timeout / 2)
    searched = explicit.check(system, spec, rest, replace(limits, timeout=left), on_violation, on_progress,
                              reductions)
    stop = searched.stop
    if stop is StopReason.ALL_VIOLATED and proved:
        stop = StopReason.DECIDED  # not "every property violated": the proved ones are not
    decided.update((p.property, p) for p in searched.properties)
    return _handed_over(searched, wanted, decided, stop, started, reductions, len(proved), after)


def _handed_over(searched: CheckResult, wanted, decided: dict, stop: StopReason, started: float,
                 reductions: Reductions, proved: int, after: int) -> CheckResult:
    """The last search's result and statistics, with every property's verdict from whoever decided it."""
    own = searched.statistics
    statistics = replace(own, seconds=time.perf_counter() - started, search_seconds=own.seconds,
                         reductions=_described(reductions, proved, len(wanted), after))
    return replace(searched, properties=tuple(decided[p] for p in wanted), statistics=statistics, stop=stop)


def _interrupted(system: System, spec: str, wanted, found: dict, early: CheckResult | None, started: float,
                 reductions: Reductions) -> CheckResult:
    """Ctrl-C during the proofs: the violations the first search found, and nothing else decided."""
    unknown = {p: PropertyResult(p, Verdict.UNKNOWN, note="interrupted while z3 sought proofs, before the "
                                 "search for the rest") for p in wanted if p not in found}
    decided = {**found, **unknown}
    if early is not None:
        return _handed_over(early, wanted, decided, StopReason.INTERRUPTED, started, reductions, 0, 0)
    return _nothing_searched(system, spec, tuple(decided[p] for p in wanted), StopReason.INTERRUPTED, started,
                             reductions, 0)


def sought(result: CheckResult) -> bool:
    """Did this check seek proofs (so that proving first would add nothing)?"""
    return "z3 proved" in result.statistics.reductions  # _described's words


def _proof_budget(limits: explicit.Limits, proof_timeout: float, started: float) -> float:
    """Houdini's seconds: at most half of what is left of --timeout, so that a proof that does not come
    leaves the search at least the other half for what it finds quickly."""
    if limits.timeout is None:
        return proof_timeout
    return min(proof_timeout, max(limits.timeout - (time.perf_counter() - started), 0.0) / 2)


def _nothing_searched(system: System, spec: str, properties, stop: StopReason, started: float,
                      reductions: Reductions, proved: int) -> CheckResult:
    """No search ran: no states, and no coverage to speak of (taken None, as on z3)."""
    strategy = system.strategy
    statistics = Statistics(0, 0, 0, 0, time.perf_counter() - started,
                            _described(reductions, proved, len(properties)))
    return CheckResult(spec, strategy.name, strategy.model.name, system.bounds, "explicit", properties, statistics,
                       stop)


def _noted(result: PropertyResult, after: int) -> PropertyResult:
    when = f"once the search had {after:,} states (--prove-after)" if after else "before the search (--prove-first)"
    return replace(result, note=f"{result.note}; proved by z3 {when}")


def _described(reductions: Reductions, proved: int, wanted: int, after: int = 0) -> str:
    when = f"once the search had {after:,} states" if after else "first"
    return f"{reductions.describe()}; z3 proved {proved} of {wanted} {when}, for every number of tasks and CPUs"


__all__ = ["check", "sought", "FOR_EVERY", "PROOF_TIMEOUT", "PROVE_AFTER"]
