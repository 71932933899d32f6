"""Summaries of atomic excursions (issue 5, item 1).

While a task runs above an `atomic` frame nothing else happens on its CPU:
nothing above an atomic frame may sleep or be preempted, so the only way
off the CPU is at the lowest atomic frame itself (if its kind sleeps or is
preempted on exit). So the excursion, from entering the first atomic frame
until that frame is left or the task switches out at it, depends on few
things: PKRS, the task's own cells and stacks, this CPU's cells and stacks,
globals, and the kinds of the frames below (for `from`, `max` and whether
the frame below observes). It never reads the frames below: a handler names
only the frame it enters or exits, and the no_lost check at the excursion's
last exit reads the ghost recorded at its first entry.

So each distinct excursion is explored once, in a one-task one-CPU copy of
the system (`local`), from the projection of the state on those things
(with the values that appear there renamed in order of first appearance),
and the result reused wherever the same projection recurs:

- `exits`: the states right after the first atomic frame is popped, each
  with the number of events of a shortest way there (enter ... exit);
- `boundaries`: the states at the first atomic frame, in its body, from
  which the task may switch out; the engine applies the switch itself on
  the whole state (it involves the other tasks);
- `violations`: for each property, the fewest events to a step inside the
  excursion that violates it.

Inside a summary the input's values keep their numbers (only fresh values
are renamed), so an output says which input value ended where, and the
engine maps it back onto the whole state.

Soundness with several CPUs: the events of an excursion on CPU c touch only
PKRS[c], c's cells and stacks, the running task's own storage and frames
(no other CPU may switch a running task in), and globals. Another CPU's
events touch its own PKRS and cells, its task, the ready set and globals.
Without globals in the excursion's handlers the two sets are disjoint, so
the events commute: any path can be reordered, keeping its length, so that
each completed excursion is contiguous (delay every event of an excursion
to just before its last one), and an excursion still open at the path's
end can be dropped unless the last (violating) event is its own. So every
shortest path is a path of the summarised graph. With globals and more
than one CPU, `sound` says no and the engine interleaves plainly.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from ...front import ir
from ...result import StopReason
from ..compiled import Compiled
from ..states import FRESH, IDENT, MEMO_LIMIT, VIOLATIONS, fits
from .canonical import slices
from ...semantics.system import Action, Event, System
from .liveness import Liveness
from .por import local_events_commute


def sound(system: System) -> bool:
    """Whether excursions commute with every other CPU's events (see the module's comment)."""
    if len(system.layout.cpus) == 1:
        return True  # nothing else runs while a task is in an excursion
    return local_events_commute(system)


@dataclass(slots=True)
class Summary:
    id: int
    kind: int                 # the atomic kind entered
    slot: int                 # its frame slot: frames below it are never touched
    pinned: int               # values 0..pinned-1 are the input's; higher ones are fresh
    root: bytes               # the local input state, before the enter
    exits: list = field(default_factory=list)        # (local state, events)
    boundaries: list = field(default_factory=list)   # (local state, events)
    violations: dict = field(default_factory=dict)   # property -> (events, local parent id, local event id)
    states: list = field(default_factory=list)       # local states (id 0: the root)
    parents: list = field(default_factory=list)
    event_ids: list = field(default_factory=list)
    exit_paths: list = field(default_factory=list)   # for exits[i]: (local parent id, exit event id)
    boundary_ids: list = field(default_factory=list)  # for boundaries[i]: local state id
    taken: set = field(default_factory=set)          # local event ids
    checked: int = 0          # the checks made inside, as bits (states.CHECKED)
    max_nesting: int = 0
    max_value: int = 0        # the largest value name in an output


class Local:
    """A one-task, one-CPU copy of the system for one base kind, and its maps to the whole state."""

    def __init__(self, system: System, base: ir.FrameKind, dead: bool, wanted):
        bounds = system.bounds
        user = base.user_mode
        local_bounds = ir.Bounds(tasks=1 if user else 0, kthreads=0 if user else 1, cpus=1, depth=bounds.depth)
        self.system = System(system.strategy, local_bounds)
        self.compiled = Compiled(self.system)
        self.liveness = Liveness(self.system, wanted) if dead else None
        self.full = system
        self.values_start = self.compiled.values_start
        self.size = self.compiled.size
        self._projections: dict = {}
        self.zeros = bytes(self.size)
        self._write_backs: dict = {}
        self._masks: dict = {}
        self._renamers: dict = {}

    # ---- positions ------------------------------------------------------------------

    def pairs(self, t: int, c: int) -> list[tuple[int, int, str]]:
        """(local position, full position, role) for every local position."""
        local, full = self.system.layout, self.full.layout
        lt, ft = local.tasks[0], full.tasks[t]
        lc, fc = local.cpus[0], full.cpus[c]
        out = [(lc.running, fc.running, "running"), (lt.frame_count, ft.frame_count, "structure")]
        out += [(a, b, "structure") for a, b in zip(lt.frames, ft.frames)]
        for s, (index, first) in lt.stacks.items():
            out.append((index, ft.stacks[s][0], "structure"))
            out += [(first + i, ft.stacks[s][1] + i, "value") for i in range(self.system.strategy.storages[s].size)]
        for s, (index, first) in lc.stacks.items():
            out.append((index, fc.stacks[s][0], "structure"))
            out += [(first + i, fc.stacks[s][1] + i, "value") for i in range(self.system.strategy.storages[s].size)]
        out += [(a, b, "value") for a, b in zip(lc.registers, fc.registers)]
        out += [(p, fc.cells[s], "value") for s, p in lc.cells.items()]
        out += [(p, full.globals[s], "value") for s, p in local.globals.items()]
        out += [(a, b, "left_with") for a, b in zip(lt.left_with, ft.left_with)]
        out += [(p, ft.cells[s], "value") for s, p in lt.cells.items()]
        for j in range(1, len(lt.interrupted)):
            out += [(a, b, f"frame {j}") for a, b in zip(lt.ghosts(j), ft.ghosts(j))]
            out += [(p, ft.frame_cells[j][s], f"frame {j}") for s, p in lt.frame_cells[j].items()]
        assert sorted(p for p, _, _ in out) == list(range(self.size))
        return out

    def projection(self, t: int, c: int):
        """Slices of s + zeros giving the local input: frames' cells and ghosts, left_with read as 0."""
        found = self._projections.get((t, c))
        if found is None:
            source = [0] * self.size
            zero = self.full.layout.size  # where the zeros appended to the state start
            for local, full, role in self.pairs(t, c):
                source[local] = full if role in ("structure", "value") else zero + local
            found = self._projections[t, c] = slices(source)
        return found

    def write_back(self, t: int, c: int, slot: int):
        """Slices of s + local state + mapped local state giving the whole state after an excursion.

        Structure comes from the local state as it is, values from the local
        state with its values mapped to the whole state's; the running task's
        left_with and the frames below the excursion keep their values.
        """
        key = (t, c, slot)
        found = self._write_backs.get(key)
        if found is None:
            size = self.full.layout.size
            source = list(range(size))
            for local, full, role in self.pairs(t, c):
                if role == "structure":
                    source[full] = size + local
                elif role == "value" or (role.startswith("frame ") and int(role[6:]) >= slot):
                    source[full] = size + self.size + local
            found = self._write_backs[key] = slices(source)
        return found

    # ---- local canonical form -----------------------------------------------------------

    def reset_dead(self, s: bytes) -> bytes:
        if self.liveness is not None:
            key = s[:self.values_start]
            mask = self._masks.get(key)
            if mask is None:
                low, high = self.compiled.key_ranges[0]
                keep = bytearray(b"\xff" * self.size)
                for position in self.liveness.dead(0, s[low:high], True):
                    keep[position] = 0
                mask = self._masks[key] = int.from_bytes(keep, "big")
            x = int.from_bytes(s, "big")
            y = x & mask
            if y != x:
                s = y.to_bytes(self.size, "big")
        return s

    def canonical(self, pinned_count: int):
        """`canonical(s)`: dead values reset, then values renamed keeping 0..pinned_count-1 in place."""
        found = self._renamers.get(pinned_count)
        if found is None:
            found = self._renamers[pinned_count] = self._make_canonical(IDENT[:pinned_count])
        return found

    def _make_canonical(self, pinned: bytes):
        vs, reset_dead = self.values_start, self.reset_dead
        seen: dict[bytes, bytes] = {}  # value part -> its renaming (b"" when already canonical)

        def canonical(s: bytes) -> bytes:
            s = reset_dead(s)
            values = s[vs:]
            renamed = seen.get(values)
            if renamed is None:
                if len(seen) > MEMO_LIMIT:
                    seen.clear()
                order = bytes(dict.fromkeys(pinned + values))
                renamed = seen[values] = b"" if IDENT.startswith(order) else \
                    values.translate(bytes.maketrans(order, fits(order)))
            return s[:vs] + renamed if renamed else s
        return canonical


class SummaryLimit(Exception):
    """The excursions alone reached a limit of the search (its StopReason is the argument)."""


class Summaries:
    """Every summary computed in one search, keyed by (base kind, kind entered, local input)."""

    def __init__(self, system: System, compiled: Compiled, dead: bool, wanted):
        self.system = system
        self.compiled = compiled
        self.dead = dead
        self.wanted = tuple(wanted)
        self._locals: dict[int, Local] = {}
        self._bases = [system.kinds[system.layout.kind_of(compiled.decode(compiled.initial())[task.frames[0]])]
                       for task in system.layout.tasks]
        self.by_key: dict = {}
        self.all: list[Summary] = []
        self.local_states = 0
        self.max_states: int | None = None  # the search's limits, which the excursions count against too
        self.deadline: float | None = None

    @property
    def summary_count(self) -> int:
        return len(self.all)

    @property
    def summary_states(self) -> int:
        return self.local_states

    def locals(self) -> list[Local]:
        """The one-task copies made so far (one per base kind)."""
        return list(self._locals.values())

    def local(self, t: int) -> Local:
        base = self._bases[t]
        found = self._locals.get(base.index)
        if found is None:
            found = self._locals[base.index] = Local(self.system, base, self.dead, self.wanted)
        return found

    def lookup(self, s: bytes, t: int, c: int, kind: int):
        """The summary of task t (on CPU c) entering `kind` from state s, and the table mapping its values to s's."""
        local = self.local(t)
        projected = b"".join(map((s + local.zeros).__getitem__, local.projection(t, c)))
        projected = local.reset_dead(projected)
        vs = local.values_start
        order = bytes(dict.fromkeys(b"\0" + projected[vs:]))
        root = projected[:vs] + projected[vs:].translate(bytes.maketrans(order, fits(order)))
        key = (self._bases[t].index, kind, root)
        summary = self.by_key.get(key)
        if summary is None:
            summary = self.by_key[key] = self._explore(local, root, kind, len(order))
        # local value i < pinned is the state's value order[i]; fresh ones get values s does not hold
        used = max(s[self.compiled.values_start:], default=0) + 1
        if used + summary.max_value - summary.pinned >= FRESH:
            fits(IDENT)  # the whole state would hold too many values to name: an input error
        back = (order + IDENT[used:FRESH] + bytes(256))[:256]
        return summary, back

    def compose(self, s: bytes, local_state: bytes, back: bytes, t: int, c: int, summary: Summary) -> bytes:
        """The whole state: s with the excursion's part replaced by local_state (values mapped by `back`)."""
        pieces = self.local(t).write_back(t, c, summary.slot)
        return b"".join(map((s + local_state + local_state.translate(back)).__getitem__, pieces))

    def taken_events(self, summary: Summary, t: int, c: int) -> list[int]:
        """The whole system's event ids for the events the summary took, run by task t on CPU c."""
        events = self.local(t).compiled.events
        return [self.compiled.event_ids[self.lift(events[e], t, c)] for e in summary.taken]

    @staticmethod
    def lift(event: Event, t: int, c: int) -> Event:
        return event._replace(cpu=c, task=t)

    def local_path(self, summary: Summary, t: int, c: int, state_id: int) -> list[Event]:
        """The whole system's events from the root of a summary to one of its local states."""
        events = self.local(t).compiled.events
        path = []
        while state_id > 0:
            path.append(self.lift(events[summary.event_ids[state_id]], t, c))
            state_id = summary.parents[state_id]
        path.reverse()
        return path

    # ---- exploring one excursion -----------------------------------------------------------

    def _explore(self, local: Local, root: bytes, kind: int, pinned_count: int) -> Summary:
        """Breadth-first over the excursion, in the one-task copy: shortest distances to every output."""
        compiled = local.compiled
        canonical = local.canonical(pinned_count)
        node = compiled.node(root, 0)
        slot = node.n
        summary = Summary(len(self.all), kind, slot, pinned_count, root)
        self.all.append(summary)
        states, parents, event_ids = summary.states, summary.parents, summary.event_ids
        states.append(root)
        parents.append(-1)
        event_ids.append(-1)
        index = {root: 0}
        enter = compiled.event_ids[Event(Action.ENTER, 0, 0, kind=kind)]
        fns = compiled.fns(node, 0, 0)
        first = next(step for step in (f(root) for f in fns.pre) if step[0] == enter)
        frontier, steps_of = [0], {0: [first]}
        distance = 0
        violations = summary.violations
        violated = ~VIOLATIONS  # properties already met, as bits (the checked bits count as met: not violations)
        checked = 0
        exits: dict = {}
        taken = summary.taken
        max_n = 0
        while frontier:
            upcoming = []
            distance += 1
            for state_id in frontier:
                x = states[state_id]
                node = compiled.node(x, 0)
                fns = node.per_cpu[0] or compiled.fns(node, 0, 0)
                if state_id:
                    if node.n > max_n:
                        max_n = node.n
                    steps = [f(x) for f in fns.pre]
                    if node.n == slot + 1:  # at the excursion's bottom frame: it may switch out, or leave
                        if fns.switches:
                            summary.boundaries.append((x, distance - 1))
                            summary.boundary_ids.append(state_id)
                        if fns.exit is not None:  # (an exit with windows closes the frame from its last one)
                            self._leave(fns.exit(x), canonical, exits, summary, distance, state_id)
                    elif fns.exit is not None:
                        steps.append(fns.exit(x))
                else:
                    steps = steps_of[0]
                for eid, nxt, bits in steps:
                    taken.add(eid)
                    checked |= bits
                    if bits & ~violated:
                        violated = self._violations(bits, violated, violations, distance, state_id, eid)
                    if nxt is not None:
                        y = canonical(nxt)
                        if y not in index:
                            index[y] = len(states)
                            states.append(y)
                            parents.append(state_id)
                            event_ids.append(eid)
                            upcoming.append(index[y])
            frontier = upcoming
            self._within_limits(len(states))
        summary.max_nesting = max_n - 1
        summary.checked |= checked & ~VIOLATIONS
        summary.max_value = max((max(y[local.values_start:]) for y, _ in summary.exits + summary.boundaries),
                                default=0)
        self.local_states += len(states) - 1
        return summary

    def _within_limits(self, exploring: int) -> None:
        """An excursion explored whole before the search goes on can be large (a stack that is pushed and
        never popped holds every sequence of values): its states count against the search's limits."""
        if self.max_states is not None and self.local_states + exploring > self.max_states:
            raise SummaryLimit(StopReason.STATE_LIMIT)
        if self.deadline is not None and time.perf_counter() > self.deadline:
            raise SummaryLimit(StopReason.TIMEOUT)

    def _leave(self, step, canonical, exits: dict, summary: Summary, distance: int, state_id: int) -> None:
        """The exit of the excursion's bottom frame: an output, not explored further here."""
        eid, nxt, bits = step
        summary.taken.add(eid)
        summary.checked |= bits & ~VIOLATIONS
        for prop in self.compiled.bits.violated(bits):
            if prop not in summary.violations:
                summary.violations[prop] = (distance, state_id, eid)
        if nxt is None:
            return
        y = canonical(nxt)
        if y not in exits:
            exits[y] = len(summary.exits)
            summary.exits.append((y, distance))
            summary.exit_paths.append((state_id, eid))

    def _violations(self, bits: int, violated: int, violations: dict, distance: int, state_id: int, eid: int) -> int:
        for prop in self.compiled.bits.violated(bits & ~violated):
            if prop not in violations:  # the bottom frame's exit (`_leave`) may have met it first
                violations[prop] = (distance, state_id, eid)
        return violated | bits
