"""From a stored (reduced) path back to events of the unreduced system.

The search stores representatives: states with dead values reset, tasks and
CPUs permuted into a canonical order, values renamed, and edges that may
stand for a whole excursion. The counterexample must be a concrete path of
the system as semantics.md defines it, so it is rebuilt by replaying from
the real initial state: at each stored state the replayed (concrete) state
is canonicalised again, which gives the permutation between the two; the
representative's event, or the summary's local path, is mapped through it
and applied. Every stored state on the way is checked to be the canonical
form of the replayed one; trace.build_trace then replays the events once
more on `System.successors`, the reference semantics.
"""
from __future__ import annotations

from ..system import Event
from ..trace import ReplayError
from .compiled import rename


def _map(event: Event, tasks: tuple[int, ...], cpus: tuple[int, ...]) -> Event:
    """A representative's event as the concrete one (tasks[new] = old, likewise cpus)."""
    task = tasks[event.task] if event.task >= 0 else event.task
    target = tasks[event.target] if event.target >= 0 else event.target
    return Event(event.action, cpus[event.cpu], task, event.kind, target)


def _inverse(mapping: tuple[int, ...]) -> tuple[int, ...]:
    out = [0] * len(mapping)
    for old, new in enumerate(mapping):
        out[new] = old
    return tuple(out)


class _Replay:
    def __init__(self, search):
        self.search = search
        self.compiled = search.compiled
        self.x = self.compiled.initial()
        self.events: list[Event] = []

    def apply(self, event: Event) -> None:
        step = self.compiled.step(self.x, self.compiled.event_ids[event])
        if step is None:
            raise ReplayError(f"rebuilding a counterexample: {event} is not enabled")
        self.events.append(event)
        self.x = rename(step[1], self.compiled.values_start) if step[1] is not None else None

    def maps(self, expected: bytes):
        found, tasks, cpus = self.search.canonical.canonical_with_map(self.x)
        if found != expected:
            raise ReplayError("rebuilding a counterexample: the replayed state is not the stored one")
        return _inverse(tasks), _inverse(cpus)

    def macro(self, record: tuple, tasks, cpus) -> None:
        """Apply the events an edge of several events stands for (t and c in the representative's numbering)."""
        what = record[0]
        summaries = self.search.summaries
        summary = summaries.all[record[1]]
        if what == "exit":          # ("exit", summary, exit index, t, c)
            t, c = tasks[record[3]], cpus[record[4]]
            parent, eid = summary.exit_paths[record[2]]
            path = summaries.local_path(summary, t, c, parent)
            path.append(summaries.lift(summaries.local(t).compiled.events[eid], t, c))
        elif what == "switch":      # ("switch", summary, boundary index, t, c, switch event)
            t, c = tasks[record[3]], cpus[record[4]]
            path = summaries.local_path(summary, t, c, summary.boundary_ids[record[2]])
            path.append(_map(self.compiled.events[record[5]], tasks, cpus))
        else:                       # ("inside", summary, property, t, c): a violation within the excursion
            t, c = tasks[record[3]], cpus[record[4]]
            _, parent, eid = summary.violations[record[2]]
            path = summaries.local_path(summary, t, c, parent)
            path.append(summaries.lift(summaries.local(t).compiled.events[eid], t, c))
        for event in path:
            self.apply(event)


def concrete_events(search, source: int, how: tuple) -> list[Event]:
    """The concrete events of the stored path to `source`, then of the violating step `how`."""
    chain = []
    state = source
    while state > 0:
        chain.append((search.parents[state], search.edges[state]))
        state = search.parents[state]
    chain.reverse()
    replay = _Replay(search)
    for parent, edge in chain:
        tasks, cpus = replay.maps(search.states[parent])
        if edge >= 0:
            replay.apply(_map(search.compiled.events[edge], tasks, cpus))
        else:
            replay.macro(search.macro_records[-1 - edge], tasks, cpus)
    tasks, cpus = replay.maps(search.states[source])
    if how[0] == "event":
        replay.apply(_map(search.compiled.events[how[1]], tasks, cpus))
    else:
        replay.macro(how, tasks, cpus)
    return replay.events
