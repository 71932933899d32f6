"""A successor function generated for one System: the explicit engine's hot loop.

`System.successors` interprets the strategy on every step; here each event
of each task on each CPU becomes a small Python function with the state
positions of layout.py written in as constants (generated source, compiled
once, on first use). It computes exactly what `System.successors` computes
(tests/test_fast_successors.py compares the two on reachable states of every
spec), on a compact encoding of the same layout:

- a state is `bytes`: position p of the layout's tuple, taken modulo 256, so
  NO_FRAME and IDLE (-1) are 255. Bytes hash and compare in C, take a fifth
  of the memory of a tuple, and rename values with `bytes.translate`;
- a write stores FRESH (255), a value no state holds; the engine renames it;
- a step is `(event id, next state or None, violated properties as bits)`,
  event ids indexing `Compiled.events` (the system's `Event` values).

Values must fit a byte: a state with more than 254 distinct values (far
beyond any bound an explicit search completes) stops the search with an
input error.
"""
from __future__ import annotations

from ..front import ir
from ..front.diagnostics import Code, Diagnostic, InputError
from ..semantics.layout import canonical as canonical_tuple
from ..semantics.system import Action, Event, System

NONE = 255      # NO_FRAME, IDLE
FRESH = 255     # the value a write creates, renamed away by the engine
IDENT = bytes(range(256))
PROPERTIES = tuple(ir.Property)
BIT = {p: 1 << i for i, p in enumerate(PROPERTIES)}


def properties_of(bits: int) -> tuple[ir.Property, ...]:
    return tuple(p for p in PROPERTIES if bits & BIT[p])


def bits_of(properties) -> int:
    out = 0
    for p in properties:
        out |= BIT[p]
    return out


def rename(s: bytes, values_start: int) -> bytes:
    """Canonical renaming of values (order of first appearance, INIT = 0), in C."""
    values = s[values_start:]
    order = bytes(dict.fromkeys(b"\0" + values))
    if IDENT.startswith(order):
        return s
    return s[:values_start] + values.translate(bytes.maketrans(order, fits(order)))


def fits(order: bytes) -> bytes:
    """The new names of the values in `order` (0, 1, 2, ...), if they leave FRESH free."""
    if len(order) > FRESH:
        raise InputError([Diagnostic(Code.OUT_OF_RANGE, f"a reachable state holds more than {FRESH - 1} distinct "
                                     "values, more than the explicit engine's encoding (a byte each) can name; "
                                     "lower the bounds", None)])
    return IDENT[:len(order)]


class Node:
    """What task t may do given its frames (the bytes key s[frame_count : frame_count + slots + 1])."""

    __slots__ = ("kinds", "n", "top", "top_position", "exiting", "has_atomic", "enters", "first_atomic",
                 "writes", "schedules", "preempts", "records_left", "observes", "per_cpu")

    def __init__(self, system: System, t: int, key: bytes):
        kinds = system.kinds
        n = key[0]
        codes = key[1:1 + n]
        self.kinds = tuple(code >> 1 for code in codes)
        self.n = n
        top = kinds[self.kinds[-1]]
        self.top = top
        self.top_position = system.layout.tasks[t].frames[n - 1]
        self.exiting = bool(codes[-1] & 1)
        below = [kinds[k] for k in self.kinds]
        self.has_atomic = any(f.atomic for f in below)
        atomic_below = any(f.atomic for f in below[:-1])
        body = not self.exiting
        self.enters: tuple[int, ...] = ()
        if body and n - 1 < system.bounds.depth:
            self.enters = tuple(k.index for k in system.entry_kinds if top.index in k.interrupts and (
                k.max_frames is None or sum(f is k for f in below) < k.max_frames))
        # enters that start an atomic excursion (no atomic frame yet): summaries replace them
        self.first_atomic = tuple(k for k in self.enters if kinds[k].atomic and not self.has_atomic)
        self.writes = body and top.writes
        self.schedules = body and top.sleeps and not atomic_below
        self.preempts = body and top.preempt_on_exit and not atomic_below
        self.records_left = not top.user_mode
        self.observes = body and not top.user_mode
        self.per_cpu: list = [None] * len(system.layout.cpus)


class CpuFns:
    """The generated functions of one Node on one CPU."""

    __slots__ = ("pre", "outer", "exit", "schedule", "preempt", "switches")

    def __init__(self, pre, outer, exit_, schedule, preempt):
        self.pre = pre          # enters (in kind order), then write: as System.successors orders them
        self.outer = outer      # the same without the enters that start an atomic excursion
        self.exit = exit_       # None for the base frame
        self.schedule = schedule  # target task (IDLE as the last index) -> function, or None
        self.preempt = preempt
        self.switches = tuple(table for table in (schedule, preempt) if table)


class Compiled:
    """The generated successor function of one System, on the bytes encoding."""

    def __init__(self, system: System):
        layout = system.layout
        # frame codes (kind * 2 + exiting), frame counts and stack depths fit a byte by analyze.py's
        # ranges; values are renamed to 0, 1, 2, ... in each state, and `fits` checks that they fit
        assert len(system.kinds) < 127 and system.bounds.depth < 254
        self.system = system
        self.layout = layout
        self.size = layout.size
        self.values_start = layout.values_start
        self.cpus = len(layout.cpus)
        self.tasks = layout.task_count
        self.slots = system.bounds.depth + 1
        for task in layout.tasks:  # Node keys are one slice: frame count, then the frame codes
            assert task.frames == tuple(range(task.frame_count + 1, task.frame_count + 1 + self.slots))
        assert [cpu.running for cpu in layout.cpus] == list(range(self.cpus))
        self.key_ranges = tuple((task.frame_count, task.frame_count + 1 + self.slots) for task in layout.tasks)
        self.events: list[Event] = []
        self.event_ids: dict[Event, int] = {}
        self._build_event_table()
        self._nodes: list[dict[bytes, Node]] = [{} for _ in range(self.tasks)]
        self._fns: dict = {}
        self._ready: dict[bytes, tuple[int, ...]] = {}
        self._dispatch = [[None] * self.tasks for _ in range(self.cpus)]
        observes = bytearray(256)
        for kind in system.kinds:
            if not kind.user_mode:
                observes[kind.index * 2] = 1
        self._observes = bytes(observes)
        self.successors = self._make_successors()

    # ---- encoding ----------------------------------------------------------------

    def encode(self, state: tuple[int, ...]) -> bytes:
        return bytes(x & 0xFF for x in state)

    def decode(self, s: bytes) -> tuple[int, ...]:
        vs = self.values_start
        return tuple(-1 if (x == NONE and p < vs) else x for p, x in enumerate(s))

    def initial(self) -> bytes:
        return self.encode(canonical_tuple(self.system.initial(), self.values_start))

    # ---- events --------------------------------------------------------------------

    def _build_event_table(self) -> None:
        kinds = self.system.entry_kinds
        for c in range(self.cpus):
            for t in range(self.tasks):
                for k in kinds:
                    self._event(Event(Action.ENTER, c, t, kind=k.index))
                self._event(Event(Action.WRITE, c, t))
                for action in (Action.SCHEDULE, Action.PREEMPT):
                    for u in list(range(self.tasks)) + [-1]:
                        if u != t:
                            self._event(Event(action, c, t, target=u))
                for k in kinds:
                    self._event(Event(Action.EXIT, c, t, kind=k.index))
            for u in range(self.tasks):
                self._event(Event(Action.DISPATCH, c, -1, target=u))

    def _event(self, event: Event) -> int:
        self.event_ids[event] = len(self.events)
        self.events.append(event)
        return self.event_ids[event]

    # ---- successors --------------------------------------------------------------

    def node(self, s: bytes, t: int) -> Node:
        low, high = self.key_ranges[t]
        key = s[low:high]
        node = self._nodes[t].get(key)
        if node is None:
            node = self._nodes[t][key] = Node(self.system, t, key)
        return node

    def ready(self, s: bytes) -> tuple[int, ...]:
        running = s[:self.cpus]
        ready = self._ready.get(running)
        if ready is None:
            ready = self._ready[running] = tuple(t for t in range(self.tasks) if t not in running)
        return ready

    def fns(self, node: Node, c: int, t: int) -> CpuFns:
        fns = node.per_cpu[c]
        if fns is None:
            fns = node.per_cpu[c] = self._cpu_fns(node, c, t)
        return fns

    def _make_successors(self):
        """`successors(s)`: every step from s, in the order of System.successors.

        A closure over the tables it consults, so that the hot loop looks
        nothing up on `self`.
        """
        cpus, nodes, make_node, make_fns = self.cpus, self._nodes, self.node, self.fns
        keys = tuple(slice(low, high) for low, high in self.key_ranges)
        ready_of, dispatch = self.ready, self.dispatch_fn

        def successors(s: bytes) -> list:
            out = []
            ready = None
            for c in range(cpus):
                t = s[c]
                if t == NONE:
                    if ready is None:
                        ready = ready_of(s)
                    out += [dispatch(c, u)(s) for u in ready]
                    continue
                node = nodes[t].get(s[keys[t]])
                if node is None:
                    node = make_node(s, t)
                fns = node.per_cpu[c]
                if fns is None:
                    fns = make_fns(node, c, t)
                out += [f(s) for f in fns.pre]
                if fns.switches:
                    if ready is None:
                        ready = ready_of(s)
                    for table in fns.switches:
                        out += [table[u](s) for u in ready]
                        out.append(table[-1](s))
                if fns.exit is not None:
                    out.append(fns.exit(s))
            return out
        return successors

    def step(self, s: bytes, event_id: int):
        """The one step of s with this event (None if it is not enabled)."""
        return next((step for step in self.successors(s) if step[0] == event_id), None)

    # ---- code generation -----------------------------------------------------------

    def _cpu_fns(self, node: Node, c: int, t: int) -> CpuFns:
        pre, outer = [], []
        for k in node.enters:
            f = self._fn(("enter", c, t, node.n, k))
            pre.append(f)
            if k not in node.first_atomic:
                outer.append(f)
        if node.writes:
            f = self._fn(("write", c, t))
            pre.append(f)
            outer.append(f)
        exit_ = None
        if node.n > 1:
            below = self.system.kinds[node.kinds[-2]]
            exit_ = self._fn(("exit", c, t, node.n - 1, node.kinds[-1], not below.user_mode))
        tables = []
        for action, allowed in ((Action.SCHEDULE, node.schedules), (Action.PREEMPT, node.preempts)):
            table = None
            if allowed:
                table = [self._fn(("switch", action, c, t, u, node.top_position, node.records_left))
                         if u != t else None for u in range(self.tasks)]
                table.append(self._fn(("switch", action, c, t, -1, node.top_position, node.records_left)))
            tables.append(table)
        return CpuFns(tuple(pre), tuple(outer), exit_, tables[0], tables[1])

    def dispatch_fn(self, c: int, u: int):
        fn = self._dispatch[c][u]
        if fn is None:
            fn = self._dispatch[c][u] = self._fn(("dispatch", c, u))
        return fn

    def _fn(self, key):
        fn = self._fns.get(key)
        if fn is None:
            from .generate import Generator  # generate.py uses this module's constants
            fn = self._fns[key] = Generator(self).function(key)
        return fn
