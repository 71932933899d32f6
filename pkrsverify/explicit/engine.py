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
unreduced system (paths.py) and replayed by trace.build_trace.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import networkx as nx

from ..front import ir
from ..explain.coverage import coverage
from ..semantics.layout import canonical
from .reduce import Reductions
from .reduce.canonical import Canonical
from .reduce.liveness import Liveness
from .reduce.summaries import Summaries, sound
from ..result import CheckResult, PropertyResult, Statistics, StopReason, Verdict
from ..semantics.system import System
from .compiled import Compiled
from .search import Search

FRESH = 1 << 30  # a value no canonical state holds; renamed away at once (state_graph)


@dataclass(frozen=True, slots=True)
class Limits:
    max_states: int | None = None
    timeout: float | None = None


@dataclass(frozen=True, slots=True)
class Progress:
    states: int
    transitions: int
    level: int
    queue: int
    seconds: float


def check(system: System, spec: str = "", properties: tuple[ir.Property, ...] | None = None,
          limits: Limits = Limits(), on_violation: Callable | None = None,
          on_progress: Callable[[Progress], None] | None = None,
          reductions: Reductions = Reductions()) -> CheckResult:
    """Verdicts and shortest counterexamples for `properties` (the strategy's by default).

    With the dead-value reduction the ghosts that only no_lost and no_stale
    read (what each frame interrupted, what each task left with) are kept
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
    compiled = Compiled(system)
    remaining, searches = wanted, []
    kept: dict[bool, Summaries] = {}
    while True:
        liveness = Liveness(system, remaining) if reductions.dead else None
        canonical_form = Canonical(compiled, liveness, reductions.symmetry)
        summaries = None
        if reductions.summaries and sound(system):
            # inside an excursion the task runs, so its left_with is dead whatever is asked:
            # only no_lost (the frames' ghosts) changes what a summary holds
            lost = ir.Property.NO_LOST in remaining
            summaries = kept.get(lost)
            if summaries is None:
                summaries = kept[lost] = Summaries(system, compiled, reductions.dead, remaining)
        ghosts = frozenset({ir.Property.NO_LOST, ir.Property.NO_STALE}) if reductions.dead else frozenset()
        search = Search(system, compiled, canonical_form, summaries, remaining, limits, on_violation, on_progress,
                        started, restart_on=ghosts)
        stop = search.run()
        searches.append(search)
        if stop is not None:
            return _result(searches, spec, wanted, stop, started, reductions)
        remaining = tuple(search.wanted)


def _result(searches: list[Search], spec: str, wanted, stop: StopReason, started: float,
            reductions: Reductions) -> CheckResult:
    search = searches[-1]  # the complete (or stopped) one; the earlier ones only found counterexamples
    system = search.system
    states = len(search.states)
    traces = {prop: trace for s in searches for prop, trace in s.traces.items()}
    complete = stop is StopReason.COMPLETE
    results = []
    for prop in wanted:
        if prop in traces:
            results.append(PropertyResult(prop, Verdict.VIOLATED, traces[prop]))
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
    events = {search.compiled.events[e] for s in searches for e in s.taken}
    strategy = system.strategy
    return CheckResult(spec, strategy.name, strategy.model.name, system.bounds, "explicit",
                       tuple(results), stats, stop, coverage(strategy, events, max_nesting))


def state_graph(system: System, max_states: int = 100_000) -> nx.DiGraph:
    """The reachable state graph, for export and for cross-checking the BFS.

    Nodes are canonical states (with `initial=True` on the first); an edge
    carries its event and the properties it violates. A fatal step leads to
    the node "fatal".
    """
    values_start = system.layout.values_start
    initial = canonical(system.initial(), values_start)
    graph = nx.DiGraph()
    graph.add_node(initial, initial=True)
    frontier = [initial]
    while frontier:
        upcoming = []
        for state in frontier:
            for step in system.successors(state, FRESH):
                target = "fatal" if step.state is None else canonical(step.state, values_start)
                if target not in graph:
                    if graph.number_of_nodes() >= max_states:
                        raise OverflowError(f"more than {max_states} states")
                    graph.add_node(target)
                    if target != "fatal":
                        upcoming.append(target)
                edges = graph.get_edge_data(state, target)
                if edges is None:
                    graph.add_edge(state, target, events=[step.event], violated=set(step.violated))
                else:
                    edges["events"].append(step.event)
                    edges["violated"].update(step.violated)
        frontier = upcoming
    return graph
