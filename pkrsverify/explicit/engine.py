"""The explicit-state engine: a shortest-distance search over reduced states.

The states are those of system.py in the compact encoding of compiled.py,
stored in a canonical form (reduce/canonical.py: dead values reset,
symmetric tasks and CPUs in canonical order, values renamed), with atomic
excursions summarised (reduce/summaries.py). Each reduction is exact for
verdicts and shortest counterexample lengths and can be switched off
(`Reductions`); tests/test_reductions.py checks both claims. The search
itself (search.py) settles states in order of distance, so the first
counterexample it reports for a property is a shortest one; only a parent
map is kept, and every counterexample is rebuilt as a path of the
unreduced system (paths.py) and replayed on the reference interpreter
(semantics.system.confirm) before it is reported.
"""
from __future__ import annotations

import functools
import operator
import time
from dataclasses import replace
from typing import Callable

from ..front import ir
from ..semantics import events as ev
from .reduce import Reductions
from .reduce.canonical import Canonical
from .reduce.liveness import Liveness
from .reduce.por import CpuOrder, applies
from .reduce.slices import Slice, slices
from .reduce.summaries import Summaries, sound
from ..result import CheckResult, Counterexample, PropertyResult, Statistics, StopReason, Verdict
from ..semantics.system import System, confirm
from .compiled import Compiled
from .search import Limits, Progress, Search

def check(system: System, spec: str = "", properties: tuple[ir.Property, ...] | None = None,
          limits: Limits = Limits(), on_violation: Callable | None = None,
          on_progress: Callable[[Progress], None] | None = None,
          reductions: Reductions = Reductions()) -> CheckResult:
    """Verdicts and shortest counterexamples for `properties` (the strategy's by default).

    With the dead-value reduction the ghosts that only some checks read
    (no_lost reads what each frame interrupted, no_stale what each task left
    with: events.ghosts_read_by) are kept
    only while those properties are undecided: once they are violated the
    search starts again, for the properties left, on the smaller graph
    where the ghosts are dead. The first search's work is lost: at worst
    that doubles the time, and usually the counterexample is short, found
    early, and the graph without ghosts is many times smaller (thread_struct
    at the defaults: 2,411 states instead of 23,604). Each verdict and
    length is still that of a complete search for its property.
    """
    started = time.perf_counter()
    wanted = tuple(properties or system.strategy.properties)
    parts = slices(system.strategy, wanted) if reductions.slices else None
    if parts:
        return _sliced(system, parts, spec, wanted, limits, on_violation, on_progress, reductions, started)
    compiled = Compiled(system)
    remaining, searches = wanted, []
    kept: dict[bool, Summaries] = {}
    while True:
        liveness = Liveness(system, remaining) if reductions.dead else None
        canonical_form = Canonical(compiled, liveness, reductions.symmetry)
        summaries = None
        if reductions.summaries and sound(system):
            # inside an excursion the task runs, so its left_with is dead whatever is asked:
            # only the frames' ghosts (read by no_lost's check) change what a summary holds
            frames_read = any(kind is not ev.LeftWith for p in remaining
                              for kind, _ in ev.ghosts_read_by(system.table, p))
            summaries = kept.get(frames_read)
            if summaries is None:
                summaries = kept[frames_read] = Summaries(system, compiled, reductions.dead, remaining)
        ghosts = frozenset(p for p in wanted if ev.ghosts_read_by(system.table, p)) if reductions.dead else frozenset()
        por = CpuOrder(compiled, summaries is not None) if reductions.por and applies(system) else None
        search = Search(system, compiled, canonical_form, summaries, remaining, limits, on_violation, on_progress,
                        started, restart_on=ghosts, por=por)
        stop = search.run()
        searches.append(search)
        if stop is not None:
            return _result(searches, spec, wanted, stop, started, reductions)
        remaining = tuple(search.wanted)


def _sliced(system: System, parts: list[Slice], spec: str, wanted, limits: Limits, on_violation, on_progress,
            reductions: Reductions, started: float) -> CheckResult:
    """Each slice searched on its own (reduce/slices.py says why that is exact); the results as one, every
    counterexample confirmed on the whole system."""
    results, found, stop, first = [], {}, StopReason.COMPLETE, False
    for part in parts:
        if not part.properties:  # nothing asked of this slice (`--property`, or all proved: --prove-first)
            continue
        left = None if limits.timeout is None else max(limits.timeout - (time.perf_counter() - started), 1e-3)
        alone = System(part.strategy, system.bounds)
        result = check(alone, spec, part.properties, replace(limits, timeout=left), None, on_progress,
                       replace(reductions, slices=False))
        def lift(e, registers=part.registers):  # a slice's WRITE names its register by the slice's index
            return e._replace(register=registers[e.register]) if e.register >= 0 else e
        for p in result.properties:
            if p.counterexample is not None:
                events = tuple(map(lift, p.counterexample.events))
                confirm(system, events, p.property)  # a path of the whole system, or ReplayError: a bug
                p = replace(p, counterexample=Counterexample(p.property, events))
                if on_violation is not None:
                    on_violation(p)
            found[p.property] = p
        results.append((result, lift))
        # first_violation: every slice still runs, since the shortest counterexample may be in any of them
        first |= result.stop is StopReason.FIRST_VIOLATION
        if result.stop not in (StopReason.COMPLETE, StopReason.ALL_VIOLATED, StopReason.FIRST_VIOLATION):
            stop = result.stop
            break
    if stop is StopReason.COMPLETE and first:
        stop = StopReason.FIRST_VIOLATION
    if stop is StopReason.COMPLETE and all(found.get(p) is not None and found[p].counterexample for p in wanted):
        stop = StopReason.ALL_VIOLATED
    properties = tuple(found.get(p) or PropertyResult(p, Verdict.UNKNOWN, note=f"{stop.value}: not searched")
                       for p in wanted)
    stats = [r.statistics for r, _ in results]
    statistics = Statistics(sum(s.states for s in stats), sum(s.transitions for s in stats),
                            min((s.levels for s in stats), default=0), max((s.max_nesting for s in stats), default=0),
                            time.perf_counter() - started, reductions.describe(),
                            sum(s.summaries for s in stats), sum(s.summary_states for s in stats))
    taken = frozenset(lift(e) for r, lift in results for e in (r.taken or ()))
    checked = frozenset(p for r, _ in results for p in (r.checked or ()))
    strategy = system.strategy
    return CheckResult(spec, strategy.name, strategy.model.name, system.bounds, "explicit", properties, statistics,
                       stop, taken=taken, checked=checked, nests_deeper=any(r.nests_deeper for r, _ in results))


def _result(searches: list[Search], spec: str, wanted, stop: StopReason, started: float,
            reductions: Reductions) -> CheckResult:
    search = searches[-1]  # the complete (or stopped) one; the earlier ones only found counterexamples
    system = search.system
    states = len(search.states)
    found = {prop: example for s in searches for prop, example in s.counterexamples.items()}
    complete = stop is StopReason.COMPLETE
    results = []
    for prop in wanted:
        if prop in found:
            results.append(PropertyResult(prop, Verdict.VIOLATED, found[prop]))
        elif complete:
            results.append(PropertyResult(prop, Verdict.HOLDS, note=f"all {states:,} reachable states explored "
                                          f"({system.bounds.describe()})"))
        else:
            results.append(PropertyResult(prop, Verdict.UNKNOWN, note=f"{stop.value}: no violation within "
                                          f"{search.levels} events; {states:,} states explored"))
    max_nesting = max(s.max_nesting for s in searches)
    summaries = list({id(s.summaries): s.summaries for s in searches if s.summaries is not None}.values())
    stats = Statistics(states, sum(s.transitions for s in searches), search.levels, max_nesting,
                       time.perf_counter() - started, reductions.describe(),
                       sum(s.summary_count for s in summaries), sum(s.summary_states for s in summaries))
    taken = frozenset(search.compiled.events[e] for s in searches for e in s.taken)
    checked = search.compiled.bits.checked_of(functools.reduce(operator.or_, (s.checked for s in searches), 0))
    deeper = search.compiled.capped() or any(local.compiled.capped() for s in summaries for local in s.locals())
    strategy = system.strategy
    return CheckResult(spec, strategy.name, strategy.model.name, system.bounds, "explicit",
                       tuple(results), stats, stop, taken=taken, checked=checked, nests_deeper=deeper)
