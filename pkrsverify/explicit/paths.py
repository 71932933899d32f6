"""From a stored (reduced) path back to events of the unreduced system.

The search stores representatives: states with dead values reset, tasks and
CPUs permuted into a canonical order, values renamed, and edges that may
stand for a whole excursion. A counterexample must be a concrete path of the
system as docs/semantics.md defines it, so the stored path is walked again from
the initial state: each step is recomputed on the representatives (exactly
as the search computed it, which checks that it leads to the stored state),
the permutation the canonical form applied is composed into a map from the
representative's task and CPU numbers to the concrete ones, and the step's
events (one, or a summary's local path) are written with the concrete
numbers. The events are applied to a concrete state as they are produced;
semantics.system.confirm then replays them once more on `System.step`, the
reference semantics.
"""
from __future__ import annotations

from ..semantics.system import Event, ReplayError
from .states import rename


def _map(event: Event, tasks: tuple[int, ...], cpus: tuple[int, ...]) -> Event:
    """A representative's event as the concrete one (tasks[representative's] = concrete)."""
    task = tasks[event.task] if event.task >= 0 else event.task
    target = tasks[event.target] if event.target >= 0 else event.target
    return event._replace(cpu=cpus[event.cpu], task=task, target=target)


class _Walk:
    def __init__(self, search):
        self.search = search
        self.compiled = search.compiled
        self.canonical = search.canonical
        self.summaries = search.summaries
        self.x = self.compiled.initial()  # the concrete state
        self.events: list[Event] = []
        representative, task_map, cpu_map = self.canonical.canonical_with_map(self.x)
        self.check(representative, 0)
        self.tasks, self.cpus = _inverse(task_map), _inverse(cpu_map)

    def check(self, representative: bytes, state_id: int) -> None:
        if representative != self.search.states[state_id]:
            raise ReplayError("rebuilding a counterexample: a step does not lead to the stored state")

    def apply(self, event: Event) -> None:
        step = None if self.x is None else self.compiled.step(self.x, self.compiled.event_ids[event])
        if step is None:
            raise ReplayError(f"rebuilding a counterexample: {event} is not enabled")
        self.events.append(event)
        self.x = rename(step[1], self.compiled.values_start) if step[1] is not None else None

    def follow(self, successor: bytes, state_id: int) -> None:
        """The representative moved to (unreduced) `successor`, stored as state_id: compose its permutation."""
        if successor == self.search.states[state_id]:
            return  # the search took a successor already stored as it stands (search.py): no permutation
        representative, task_map, cpu_map = self.canonical.canonical_with_map(successor)
        self.check(representative, state_id)
        tasks, cpus = [0] * len(task_map), [0] * len(cpu_map)
        for old, new in enumerate(task_map):
            tasks[new] = self.tasks[old]
        for old, new in enumerate(cpu_map):
            cpus[new] = self.cpus[old]
        self.tasks, self.cpus = tuple(tasks), tuple(cpus)

    # ---- one stored edge ---------------------------------------------------------------

    def edge(self, representative: bytes, edge, child: int | None) -> None:
        """Apply the events of one edge (an event id, or a summary record) from `representative`;
        then, unless child is None (the last, violating step), follow it to the stored child."""
        compiled = self.compiled
        if isinstance(edge, int):
            self.apply(_map(compiled.events[edge], self.tasks, self.cpus))
            if child is not None:
                self.follow(compiled.step(representative, edge)[1], child)
            return
        what = edge[0]
        if what == "freeze":    # ("freeze", c): CPU c retired, no events (reduce/por.py)
            self.follow(self.search.por.freeze(representative, edge[1]), child)
            return
        summary_id = edge[1]
        summaries = self.summaries
        summary = summaries.all[summary_id]
        t, c = edge[3], edge[4]  # in the representative's numbering
        real_t, real_c = self.tasks[t], self.cpus[c]
        _, back = summaries.lookup(representative, t, c, summary.kind)
        if what == "exit":      # ("exit", summary, exit index, t, c)
            parent, eid = summary.exit_paths[edge[2]]
            path = summaries.local_path(summary, real_t, real_c, parent)
            path.append(summaries.lift(summaries.local(t).compiled.events[eid], real_t, real_c))
            successor = summaries.compose(representative, summary.exits[edge[2]][0], back, t, c, summary)
        elif what == "switch":  # ("switch", summary, boundary index, t, c, switch event)
            path = summaries.local_path(summary, real_t, real_c, summary.boundary_ids[edge[2]])
            path.append(_map(compiled.events[edge[5]], self.tasks, self.cpus))
            composed = summaries.compose(representative, summary.boundaries[edge[2]][0], back, t, c, summary)
            successor = compiled.step(composed, edge[5])[1]
        else:                   # ("inside", summary, property, t, c): a violation within the excursion
            _, parent, eid = summary.violations[edge[2]]
            path = summaries.local_path(summary, real_t, real_c, parent)
            path.append(summaries.lift(summaries.local(t).compiled.events[eid], real_t, real_c))
            successor = None
        for event in path:
            self.apply(event)
        if child is not None:
            self.follow(successor, child)


def _inverse(mapping: tuple[int, ...]) -> tuple[int, ...]:
    out = [0] * len(mapping)
    for old, new in enumerate(mapping):
        out[new] = old
    return tuple(out)


def concrete_events(search, source: int, how: tuple) -> list[Event]:
    """The concrete events of the stored path to `source`, then of the violating step `how`."""
    chain = []
    state = source
    while state > 0:
        parent, edge = search.parents[state], search.edges[state]
        chain.append((parent, edge if edge >= 0 else search.macro_records[-1 - edge], state))
        state = parent
    chain.reverse()
    walk = _Walk(search)
    for parent, edge, child in chain:
        walk.edge(search.states[parent], edge, child)
    walk.edge(search.states[source], how[1] if how[0] == "event" else how, None)
    return walk.events
