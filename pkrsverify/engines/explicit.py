"""The explicit-state engine: breadth-first search over canonical states.

BFS visits states in order of distance from the initial state, so the first
transition found to violate a property ends a shortest counterexample for
it. States are renamed canonically (only equality of values matters), which
makes the state space finite. Only a parent map is kept; the counterexample
is rebuilt from it and replayed on the unreduced system (trace.py).
"""
from __future__ import annotations

import time
from array import array
from dataclasses import dataclass
from typing import Callable

import networkx as nx

from .. import ir
from ..coverage import coverage
from ..layout import canonical
from ..result import CheckResult, PropertyResult, Statistics, StopReason, Verdict
from ..system import Action, System
from ..trace import build_trace

FRESH = 1 << 30  # a value no canonical state holds; renamed away at once


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
          on_progress: Callable[[Progress], None] | None = None) -> CheckResult:
    wanted = tuple(properties or system.strategy.properties)
    search = _Search(system, wanted, limits, on_violation, on_progress)
    stop = search.run()
    return search.result(spec, stop)


class _Search:
    """The BFS and its bookkeeping; mutable inside one `check` call only."""

    def __init__(self, system, wanted, limits, on_violation, on_progress):
        self.system = system
        self.wanted = wanted
        self.limits = limits
        self.on_violation = on_violation
        self.on_progress = on_progress
        self.index: dict[tuple, int] = {}
        self.parents = array("q")
        self.event_ids = array("l")
        self.events: list = []
        self.event_numbers: dict = {}
        self.found: dict[ir.Property, tuple] = {}
        self.traces: dict = {}
        self.transitions = 0
        self.taken: set = set()  # distinct events taken, for coverage
        self.levels = 0
        self.max_nesting = 0
        self.started = time.perf_counter()

    def _add(self, state, parent: int, event_id: int) -> bool:
        if state in self.index:
            return False
        self.index[state] = len(self.parents)
        self.parents.append(parent)
        self.event_ids.append(event_id)
        return True

    def _event_id(self, event) -> int:
        number = self.event_numbers.get(event)
        if number is None:
            number = self.event_numbers[event] = len(self.events)
            self.events.append(event)
        return number

    def run(self) -> StopReason:
        system, values_start = self.system, self.system.layout.values_start
        initial = canonical(system.initial(), values_start)
        self._add(initial, -1, -1)
        frontier = [initial]
        wanted = set(self.wanted)
        tasks = system.layout.tasks
        check_every, counter = 2048, 0
        taken = self.taken
        while frontier:
            upcoming = []
            for state in frontier:
                source = self.index[state]
                for step in system.successors(state, FRESH):
                    self.transitions += 1
                    taken.add(step.event)
                    if step.violated and wanted.intersection(step.violated):
                        self._violation(step, source, wanted)
                        if not wanted:
                            self.levels += 1
                            return StopReason.ALL_VIOLATED
                    if step.state is None:
                        continue
                    successor = canonical(step.state, values_start)
                    if successor not in self.index:
                        self._add(successor, source, self._event_id(step.event))
                        upcoming.append(successor)
                        if step.event.action is Action.ENTER:
                            nesting = successor[tasks[step.event.task].frame_count] - 1
                            if nesting > self.max_nesting:
                                self.max_nesting = nesting
                counter += 1
                if counter >= check_every:
                    counter = 0
                    stop = self._limit_hit(len(upcoming))
                    if stop:
                        return stop
            frontier = upcoming
            if frontier:
                self.levels += 1
        return StopReason.COMPLETE

    def _violation(self, step, source: int, wanted: set) -> None:
        for prop in step.violated:
            if prop in wanted:
                wanted.discard(prop)
                events = self._path(source) + [step.event]
                trace = build_trace(self.system, events, prop)
                self.traces[prop] = trace
                if self.on_violation:
                    self.on_violation(PropertyResult(prop, Verdict.VIOLATED, trace))

    def _path(self, state_id: int) -> list:
        path = []
        while state_id > 0:
            path.append(self.events[self.event_ids[state_id]])
            state_id = self.parents[state_id]
        path.reverse()
        return path

    def _limit_hit(self, queued: int) -> StopReason | None:
        elapsed = time.perf_counter() - self.started
        if self.on_progress:
            self.on_progress(Progress(len(self.parents), self.transitions, self.levels, queued, elapsed))
        if self.limits.max_states is not None and len(self.parents) >= self.limits.max_states:
            return StopReason.STATE_LIMIT
        if self.limits.timeout is not None and elapsed >= self.limits.timeout:
            return StopReason.TIMEOUT
        return None

    def result(self, spec: str, stop: StopReason) -> CheckResult:
        states = len(self.parents)
        complete = stop is StopReason.COMPLETE
        results = []
        for prop in self.wanted:
            if prop in self.traces:
                results.append(PropertyResult(prop, Verdict.VIOLATED, self.traces[prop]))
            elif complete:
                results.append(PropertyResult(prop, Verdict.HOLDS, note=f"all {states:,} reachable states explored "
                                              f"({self.system.bounds.describe()})"))
            else:
                results.append(PropertyResult(prop, Verdict.UNKNOWN, note=f"{stop.value}: no violation within "
                                              f"{self.levels} events; {states:,} states explored"))
        stats = Statistics(states, self.transitions, self.levels, self.max_nesting,
                           time.perf_counter() - self.started)
        strategy = self.system.strategy
        return CheckResult(spec, strategy.name, strategy.model.name, self.system.bounds, "explicit",
                           tuple(results), stats, stop, coverage(strategy, self.taken, self.max_nesting))


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
