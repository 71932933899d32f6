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

The value part must fit a byte: `Compiled` refuses layouts with more than
253 value positions (far beyond any bound an explicit search completes).
"""
from __future__ import annotations

from .. import ir
from ..diagnostics import Code, Diagnostic, InputError
from ..layout import canonical as canonical_tuple
from ..system import Action, Event, Scope, System

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
    return s[:values_start] + values.translate(bytes.maketrans(order, IDENT[:len(order)]))


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
        if layout.size - layout.values_start > 253 or len(system.kinds) > 127:
            raise InputError([Diagnostic(Code.OUT_OF_RANGE, f"the bounds ({system.bounds.describe()}) give "
                                         f"{layout.size - layout.values_start} value cells; the explicit engine "
                                         "handles at most 253", None)])
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
        return self._fn(("dispatch", c, u))

    def _fn(self, key):
        fn = self._fns.get(key)
        if fn is None:
            fn = self._fns[key] = _Generator(self).function(key)
        return fn


class _Generator:
    """Python source for one event function."""

    def __init__(self, compiled: Compiled):
        self.c = compiled
        self.system = compiled.system
        self.lines: list[str] = []
        self.eid = -1

    def function(self, key):
        kind = key[0]
        getattr(self, "_" + kind)(*key[1:])
        source = "def f(s, bytearray=bytearray, bytes=bytes):\n" + "\n".join(self.lines) + "\n"
        namespace = {"OBS": self.c._observes}
        exec(compile(source, f"<pkrsverify {key}>", "exec"), namespace)
        f = namespace["f"]
        f.source = source
        return f

    def emit(self, line: str, depth: int = 1) -> None:
        self.lines.append("    " * depth + line)

    def _enter(self, c: int, t: int, slot: int, k: int) -> None:
        layout = self.system.layout
        task, pkrs = layout.tasks[t], layout.cpus[c].pkrs
        self.eid = self.c.event_ids[Event(Action.ENTER, c, t, kind=k)]
        self.emit("b = bytearray(s)")
        self.emit(f"b[{task.interrupted[slot]}] = b[{pkrs}]")
        self.handler(ir.Hook.ENTRY, k, Scope(t, c, slot))
        self.emit(f"b[{task.frames[slot]}] = {k * 2}")
        self.emit(f"b[{task.frame_count}] = {slot + 1}")
        self.emit(f"return ({self.eid}, bytes(b), {BIT[ir.Property.FRESH]} if b[{pkrs}] else 0)")

    def _write(self, c: int, t: int) -> None:
        pkrs = self.system.layout.cpus[c].pkrs
        self.eid = self.c.event_ids[Event(Action.WRITE, c, t)]
        self.emit("b = bytearray(s)")
        self.emit(f"b[{pkrs}] = {FRESH}")
        self.handler(ir.Hook.WRITE, None, Scope(t, c, 0))
        self.emit(f"return ({self.eid}, bytes(b), {BIT[ir.Property.NO_CLOBBER]} if b[{pkrs}] != {FRESH} else 0)")

    def _exit(self, c: int, t: int, slot: int, k: int, below_observes: bool) -> None:
        layout = self.system.layout
        task, pkrs = layout.tasks[t], layout.cpus[c].pkrs
        self.eid = self.c.event_ids[Event(Action.EXIT, c, t, kind=k)]
        self.emit("b = bytearray(s)")
        self.handler(ir.Hook.EXIT, k, Scope(t, c, slot))
        self.emit(f"i = b[{task.interrupted[slot]}]")
        # the popped frame's cells are unreachable from now on: cleared, as System does
        for position in [task.interrupted[slot], *task.frame_cells[slot].values()]:
            self.emit(f"b[{position}] = 0")
        self.emit(f"b[{task.frames[slot]}] = {NONE}")
        self.emit(f"b[{task.frame_count}] = {slot}")
        lost = f"{BIT[ir.Property.NO_LOST]} if b[{pkrs}] != i else 0" if below_observes else "0"
        self.emit(f"return ({self.eid}, bytes(b), {lost})")

    def _switch(self, action: Action, c: int, t: int, u: int, top_position: int, records_left: bool) -> None:
        layout = self.system.layout
        cpu = layout.cpus[c]
        self.eid = self.c.event_ids[Event(action, c, t, target=u)]
        self.emit("b = bytearray(s)")
        if action is Action.PREEMPT:
            self.emit(f"b[{top_position}] |= 1")
        elif records_left:
            self.emit(f"b[{layout.tasks[t].left_with}] = b[{cpu.pkrs}]")
        self.handler(ir.Hook.SWITCH_OUT, None, Scope(t, c, 0))
        if u < 0:
            self.emit(f"b[{cpu.running}] = {NONE}")
            self.emit(f"return ({self.eid}, bytes(b), 0)")
            return
        self.switch_in(c, u)

    def _dispatch(self, c: int, u: int) -> None:
        self.eid = self.c.event_ids[Event(Action.DISPATCH, c, -1, target=u)]
        self.emit("b = bytearray(s)")
        self.switch_in(c, u)

    def switch_in(self, c: int, u: int) -> None:
        layout = self.system.layout
        cpu, task = layout.cpus[c], layout.tasks[u]
        self.emit(f"b[{cpu.running}] = {u}")
        self.handler(ir.Hook.SWITCH_IN, None, Scope(u, c, 0))
        # the resumed frame: frames[n - 1] sits at frame_count + n
        self.emit(f"code = b[{task.frame_count} + b[{task.frame_count}]]")
        self.emit(f"return ({self.eid}, bytes(b), {BIT[ir.Property.NO_STALE]} "
                  f"if OBS[code] and b[{cpu.pkrs}] != b[{task.left_with}] else 0)")

    # ---- statements ----------------------------------------------------------------

    def handler(self, hook: ir.Hook, kind: int | None, scope: Scope) -> None:
        handler = self.system.strategy.handler_for(hook, kind)
        if handler:
            self.block(handler.body, scope, 1)

    def block(self, body, scope: Scope, depth: int) -> None:
        if not body:
            self.emit("pass", depth)
        for statement in body:
            self.statement(statement, scope, depth)

    def value(self, value, scope: Scope) -> str:
        if isinstance(value, ir.Init):
            return "0"
        return f"b[{self.system.position(value, scope)}]"

    def statement(self, statement, scope: Scope, depth: int) -> None:
        system, emit = self.system, self.emit
        if isinstance(statement, ir.Assign):
            emit(f"b[{system.position(statement.target, scope)}] = {self.value(statement.value, scope)}", depth)
        elif isinstance(statement, ir.Push):
            index, first = system.stack_position(statement.stack, scope)
            size = system.strategy.storages[statement.stack].size
            emit(f"d = b[{index}]", depth)
            emit(f"if d == {size}: return ({self.eid}, None, {BIT[ir.Property.NO_OVERFLOW]})", depth)
            emit(f"b[{first} + d] = {self.value(statement.value, scope)}", depth)
            emit(f"b[{index}] = d + 1", depth)
        elif isinstance(statement, ir.Pop):
            index, first = system.stack_position(statement.stack, scope)
            emit(f"d = b[{index}]", depth)
            emit(f"if d == 0: return ({self.eid}, None, {BIT[ir.Property.NO_UNDERFLOW]})", depth)
            emit(f"b[{system.position(statement.target, scope)}] = b[{first - 1} + d]", depth)
            emit(f"b[{first - 1} + d] = 0", depth)  # above the top: unreadable until pushed again
            emit(f"b[{index}] = d - 1", depth)
        else:
            op = "==" if statement.equal else "!="
            emit(f"if {self.value(statement.left, scope)} {op} {self.value(statement.right, scope)}:", depth)
            self.block(statement.then, scope, depth + 1)
            if statement.otherwise:
                emit("else:", depth)
                self.block(statement.otherwise, scope, depth + 1)
