"""The explicit search: shortest distances over reduced states, in buckets.

Without summaries every edge is one event and this is a breadth-first
search. A summary edge stands for several events (an excursion: its enter,
what happens inside, its last exit or the switch at its bottom frame), so
states are settled in order of distance, Dijkstra-style, in buckets: a state
is expanded once, when its bucket comes, at its final distance; a shorter
way found later for a state not yet expanded moves it to a nearer bucket.

Violations. A step from a state at distance D that violates p gives a
counterexample of length D + k, where k is the number of events of the
step (1, or the events of a summary up to the violating one). While bucket
D is expanded every state nearer than D has been expanded, and every
counterexample found from now on has at least D + 1 events; so a candidate
of length at most D + 1 is final as soon as it is found, and one of length
L is final when bucket L - 1 is done. Among the counterexamples of the
final length found by then (up to TIES of them), the one whose events come
first in the order of System.successors is shown, so that reductions change
the shown trace as little as they can.
"""
from __future__ import annotations

import time
from array import array
from dataclasses import dataclass

from ..front import ir
from ..result import Counterexample, PropertyResult, StopReason, Verdict
from ..semantics.system import confirm
from .reduce.summaries import SummaryLimit
from .states import FROZEN, NONE, ValueLimit
from .paths import concrete_events

TIES = 64  # counterexamples of one length kept to choose the plainest from


@dataclass(frozen=True, slots=True)
class Limits:
    max_states: int | None = None
    timeout: float | None = None
    # stop at the first counterexample (a shortest one over every property asked), leaving the others
    # UNKNOWN: enough to refute a mutant or a candidate repair, which only asks "does anything break?";
    # a set of properties: stop at the first counterexample of one of those (the others asked are
    # still searched until then, and completely when none of those is violated)
    first_violation: bool | frozenset = False

    def stops_at(self, found) -> bool:
        """Do the counterexamples found so far (properties) end a `first_violation` search?"""
        if isinstance(self.first_violation, frozenset):
            return any(p in self.first_violation for p in found)
        return self.first_violation and bool(found)


@dataclass(frozen=True, slots=True)
class Progress:
    states: int
    transitions: int
    level: int
    queue: int
    seconds: float


class Search:
    """One search; mutable inside one `check` call only."""

    def __init__(self, system, compiled, canonical, summaries, wanted, limits, on_violation, on_progress, started,
                 restart_on=frozenset(), por=None):
        self.system = system
        self.compiled = compiled
        self.canonical = canonical
        self.summaries = summaries
        self.por = por  # reduce/por.py's CpuOrder, or None
        self.wanted = list(wanted)
        self.limits = limits
        self.on_violation = on_violation
        self.on_progress = on_progress
        self.started = started
        self.index: dict[bytes, int] = {}
        self.states: list[bytes] = []
        self.parents = array("q")
        self.edges = array("q")     # >= 0: an event id; < 0: -1 - index in macro_records
        self.dist: list[int] = []
        self.macro_records: list[tuple] = []
        self.macro_ids: dict[tuple, int] = {}
        self.candidates: dict[ir.Property, tuple] = {}
        self.counterexamples: dict = {}
        self.transitions = 0
        self.taken: set[int] = set()
        self.checked = 0  # every check some step made, as bits (compiled.bits.checked)
        self.lifted: set[tuple] = set()
        self.levels = 0
        self.max_nesting = 0
        self.buckets: dict[int, list[int]] = {}
        # properties whose ghosts the reductions keep: once they are decided the
        # rest is searched again without them (see explicit.check)
        self.restart_on = restart_on
        self.restart = False
        self.bits = compiled.bits
        self.wanted_bits = self.bits.of(self.wanted)

    # ---- bookkeeping -----------------------------------------------------------------

    def _macro(self, record: tuple) -> int:
        found = self.macro_ids.get(record)
        if found is None:
            found = self.macro_ids[record] = len(self.macro_records)
            self.macro_records.append(record)
        return -1 - found

    def _candidate(self, bits: int, length: int, source: int, how: tuple) -> None:
        for prop in self.bits.violated(bits):
            if prop in self.wanted:
                best = self.candidates.get(prop)
                if best is None or length < best[0]:
                    self.candidates[prop] = (length, [(source, how)])
                elif length == best[0] and len(best[1]) < TIES:
                    best[1].append((source, how))

    def _finalize(self, up_to: int) -> bool:
        """Report every candidate no longer than up_to; True when nothing is left to find.

        Of the counterexamples of one length found so far, the one whose
        events come first in the order of System.successors (enter kinds as
        declared, write, switches, exit) is shown: the search order of a
        reduced graph says little about which concrete path is the plainest.
        """
        for prop in [p for p in self.wanted if p in self.candidates and self.candidates[p][0] <= up_to]:
            length, found = self.candidates.pop(prop)
            self.wanted.remove(prop)
            ids = self.compiled.event_ids
            paths = [concrete_events(self, source, how) for source, how in found]
            events = min(paths, key=lambda path: [ids[e] for e in path])
            assert len(events) == length, (prop, len(events), length)
            confirm(self.system, events, prop)  # a path of the unreduced system, or ReplayError: a bug
            found = self.counterexamples[prop] = Counterexample(prop, tuple(events))
            if self.on_violation:
                self.on_violation(PropertyResult(prop, Verdict.VIOLATED, found))
            if prop in self.restart_on and self.wanted:
                self.restart = True
        self.wanted_bits = self.bits.of(self.wanted)
        return not self.wanted or self.restart or self.limits.stops_at(self.counterexamples)

    def _stopped(self) -> StopReason | None:
        """Why the search stops once `_finalize` says so (None: start again for the properties left)."""
        if self.limits.stops_at(self.counterexamples):
            return StopReason.FIRST_VIOLATION
        return None if self.restart else StopReason.ALL_VIOLATED

    def _limit_hit(self, queued: int, level: int) -> StopReason | None:
        elapsed = time.perf_counter() - self.started
        if self.on_progress:
            self.on_progress(Progress(len(self.states), self.transitions, level, queued, elapsed))
        if self.limits.max_states is not None and len(self.states) >= self.limits.max_states:
            return StopReason.STATE_LIMIT
        if self.limits.timeout is not None and elapsed >= self.limits.timeout:
            return StopReason.TIMEOUT
        return None

    # ---- the search ----------------------------------------------------------------------

    def run(self) -> StopReason | None:
        """Why the search stopped; None when it should start again for the properties left."""
        if self.summaries is not None:
            self.summaries.max_states = self.limits.max_states
            self.summaries.deadline = None if self.limits.timeout is None else self.started + self.limits.timeout
        initial = self.canonical.function()(self.compiled.initial())
        self.index[initial] = 0
        self.states.append(initial)
        self.parents.append(-1)
        self.edges.append(-1)
        try:
            # edges of several events (summaries) or of none (por's freeze): settled by distance
            plain = self.summaries is None and self.por is None
            stop = self._breadth_first() if plain else self._by_distance()
        except KeyboardInterrupt:  # Ctrl-C: the counterexamples found so far, and how far it got
            stop = StopReason.INTERRUPTED
        except ValueLimit:
            stop = StopReason.VALUE_LIMIT
        except SummaryLimit as limit:
            stop = limit.args[0]
        for low, _ in self.compiled.key_ranges:
            self.max_nesting = max(self.max_nesting, max(s[low] for s in self.states) - 1)
        return stop

    def _breadth_first(self) -> StopReason | None:
        """Every edge is one event: levels in order, each state expanded once (the hot loop)."""
        canonical = self.canonical.function()
        successors = self.compiled.successors
        index, states, parents, edges = self.index, self.states, self.parents, self.edges
        add_taken = self.taken.add
        frontier = [0]
        level = 0
        check_every = 1024
        checked = 0
        try:
            while frontier:
                self.levels = level
                upcoming = []
                distance = level + 1
                for number, source in enumerate(frontier, 1):
                    steps = successors(states[source])
                    self.transitions += len(steps)
                    for eid, nxt, bits in steps:
                        add_taken(eid)
                        checked |= bits
                        if bits & self.wanted_bits:
                            # BFS order: no later candidate is shorter, and the first is kept
                            self._candidate(bits, distance, source, ("event", eid))
                            if self._finalize(distance):
                                self.levels = distance
                                return self._stopped()
                        # a successor already stored as it stands is that state, reached already: nothing to do
                        # (a fifth of the successors at (3,1,8))
                        if nxt is not None and nxt not in index:
                            state = canonical(nxt)
                            if state not in index:
                                target = index[state] = len(states)
                                states.append(state)
                                parents.append(source)
                                edges.append(eid)
                                upcoming.append(target)
                    if not number % check_every:
                        stop = self._limit_hit(len(frontier) - number + len(upcoming), level)
                        if stop:
                            return stop
                frontier = upcoming
                level = distance
            self.levels = level
            return StopReason.COMPLETE
        finally:
            self.checked |= checked

    def _by_distance(self) -> StopReason | None:
        """Edges of several events: buckets of equal distance, Dijkstra-style."""
        self.dist.append(0)
        self.buckets[0] = [0]
        check_every, counter = 1024, 0
        while self.buckets:
            level = min(self.buckets)
            bucket = self.buckets.pop(level)
            self.levels = level
            if self._finalize(level):
                return self._stopped()
            for source in bucket:
                if self.dist[source] != level:
                    continue  # moved to a nearer bucket and expanded there
                self._expand(source, level)
                counter += 1
                if counter >= check_every:
                    counter = 0
                    stop = self._limit_hit(sum(map(len, self.buckets.values())), level)
                    if stop:
                        return stop
        self.levels += 1
        self._finalize(1 << 30)
        return StopReason.COMPLETE

    def _reach(self, state: bytes, distance: int, parent: int, edge) -> None:
        """Reach state at distance by edge: an event id, or a macro record (kept only if the edge is)."""
        target = self.index.get(state)
        if target is None:
            target = self.index[state] = len(self.states)
            self.states.append(state)
            self.parents.append(parent)
            self.edges.append(edge if edge.__class__ is int else self._macro(edge))
            self.dist.append(distance)
        elif self.dist[target] > distance:
            self.parents[target] = parent
            self.edges[target] = edge if edge.__class__ is int else self._macro(edge)
            self.dist[target] = distance
        else:
            return
        bucket = self.buckets.get(distance)
        if bucket is None:
            self.buckets[distance] = [target]
        else:
            bucket.append(target)

    def _expand(self, source: int, level: int) -> None:
        s = self.states[source]
        compiled = self.compiled
        canonical = self.canonical.canonical
        index = self.index
        wanted_bits = self.wanted_bits
        taken = self.taken
        distance = level + 1
        summarised = self.summaries is not None
        running = s[:compiled.cpus]
        cpus = range(compiled.cpus)
        if self.por is not None:
            alone = self.por.local(s)
            if alone is not None:  # expand that CPU alone, and the state where it is retired (por.py)
                cpus = (alone,)
                self._reach(canonical(self.por.freeze(s, alone)), level, source, ("freeze", alone))
        ready = None
        for c in cpus:
            t = running[c]
            if t == FROZEN:
                continue
            if t == NONE:
                if ready is None:
                    ready = compiled.ready(s)
                steps = [compiled.dispatch_fn(c, u)(s) for u in ready]
            else:
                node = compiled.node(s, t)
                fns = node.per_cpu[c] or compiled.fns(node, c, t)
                steps = [f(s) for f in (fns.outer if summarised else fns.pre)]
                if fns.switches:
                    if ready is None:
                        ready = compiled.ready(s)
                    steps += _switches(fns, ready, s)
                if fns.exit:
                    steps.append(fns.exit(s))
                if summarised:
                    for kind in node.first_atomic:
                        self._excursion(s, source, level, t, c, kind, wanted_bits)
            self.transitions += len(steps)
            for eid, nxt, bits in steps:
                taken.add(eid)
                self.checked |= bits
                if bits & wanted_bits:
                    self._candidate(bits, distance, source, ("event", eid))
                if nxt is not None:  # as in _breadth_first: a successor stored as it stands is that state
                    self._reach(nxt if nxt in index else canonical(nxt), distance, source, eid)

    def _excursion(self, s: bytes, source: int, level: int, t: int, c: int, kind: int, wanted_bits: int) -> None:
        summaries, compiled = self.summaries, self.compiled
        canonical = self.canonical.canonical
        summary, back = summaries.lookup(s, t, c, kind)
        if (summary.id, t, c) not in self.lifted:  # each summary's events counted once per task and CPU
            self.lifted.add((summary.id, t, c))
            self.taken.update(summaries.taken_events(summary, t, c))
        if summary.max_nesting > self.max_nesting:
            self.max_nesting = summary.max_nesting
        self.checked |= summary.checked
        for prop, (events, _, _) in summary.violations.items():
            bit = self.bits.bit[prop]
            if bit & wanted_bits:
                self._candidate(bit, level + events, source, ("inside", summary.id, prop, t, c))
        self.transitions += len(summary.exits) + len(summary.boundaries)
        for number, (local_state, events) in enumerate(summary.exits):
            state = summaries.compose(s, local_state, back, t, c, summary)
            self._reach(canonical(state), level + events, source, ("exit", summary.id, number, t, c))
        ready = None
        for number, (local_state, events) in enumerate(summary.boundaries):
            state = summaries.compose(s, local_state, back, t, c, summary)
            node = compiled.node(state, t)
            fns = node.per_cpu[c] or compiled.fns(node, c, t)
            if ready is None:
                ready = compiled.ready(s)
            distance = level + events + 1
            for eid, nxt, bits in _switches(fns, ready, state):
                self.taken.add(eid)
                self.checked |= bits
                if bits & wanted_bits:
                    self._candidate(bits, distance, source, ("switch", summary.id, number, t, c, eid))
                if nxt is not None:
                    self._reach(canonical(nxt), distance, source, ("switch", summary.id, number, t, c, eid))



def _switches(fns, ready, s: bytes) -> list:
    steps = []
    for table in fns.switches:
        steps += [table[u](s) for u in ready]
        steps.append(table[-1](s))
    return steps
