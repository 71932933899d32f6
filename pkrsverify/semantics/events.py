"""The execution model as one table: every event, when it is enabled, what it does, what it checks.

This is the one description of a step (docs/semantics.md says the same in
words). Each kind of event is a `Template`: a guard over the acting task's
top frame and the bounds, then an ordered list of primitive operations on
symbolic locations (a register of this CPU, a storage cell of the acting
or incoming task / this CPU / the event's frame / the system, and the
ghosts), the strategy's handlers expanded in place, and the property checks
the event makes. A frame is in a phase: its body, preempted on its way out,
or stopped at one of the windows its entry or exit code has (`window`). Every engine is a translator of this table:

- semantics/system.py interprets it on a state tuple (the reference);
- explicit/generate.py writes it as Python source on the byte encoding;
- symbolic/effects.py builds Z3 terms from it;
- export/promela.py writes it as Promela;
- explain/provenance.py watches the reference interpreter run it.

Nothing here knows about positions, bytes, Z3 or Promela: a location is
resolved by each backend (`Register(0)` is `PKRS[c]`, `Slot(s, TASK)` is
the running task's cell of storage s, ...).

The order of events is defined here once (`concrete_events`): per CPU, per
task, the templates in table order with their targets; then the dispatches
of that CPU. Engines enumerate successors in this order, and a shortest
counterexample is chosen as the one whose events come first in it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Iterator, NamedTuple, Union

from ..front import ir

K = ir.PropertyKind
IDLE = -1  # the target of a switch that leaves the CPU idle; the task of a dispatch

# Phases of a frame (the low part of its code, see layout.py): its body, preempted on its way out (it may
# only exit), or stopped at a window of its entry or exit code (2, 3, ...: `Phases`).
BODY = 0
PREEMPTED = 1


class Action(Enum):
    ENTER = "enter"
    CONTINUE = "continue"  # the entry or exit code of the top frame goes on past a window
    WRITE = "write"
    EXIT = "exit"
    SCHEDULE = "schedule"
    PREEMPT = "preempt"
    DISPATCH = "dispatch"


class Event(NamedTuple):
    """One concrete event: a template instantiated for a CPU, a task and a target."""

    action: Action
    cpu: int
    task: int
    kind: int = -1      # ENTER: the entry kind; EXIT, CONTINUE: the kind of the top frame
    target: int = -1    # SCHEDULE, PREEMPT: the task switched in (IDLE: none); DISPATCH: the task
    register: int = -1  # WRITE: the register written
    part: int = -1      # CONTINUE: the part of the entry (1, 2, ...) or exit (after those) code it runs


# ---- whose storage a location names ------------------------------------------------------

class Whose(Enum):
    TASK = "task"            # the task the event acts on (for a switch: the one leaving)
    INCOMING = "incoming"    # the task a switch or dispatch puts on the CPU


# ---- locations and values ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Register:
    """A register of the event's CPU (index into the strategy's registers: 0 is PKRS by default)."""

    register: int = 0


@dataclass(frozen=True, slots=True)
class Slot:
    """A one-value storage cell in the event's scope: the task's (`task`), this CPU's (`cpu`),
    the system's (`global`) or the event's frame's (`frame ...`), by the storage's place."""

    storage: int
    whose: Whose


@dataclass(frozen=True, slots=True)
class Interrupted:
    """Ghost: the register's value when the event's frame (the top frame) was entered."""

    register: int = 0


@dataclass(frozen=True, slots=True)
class LeftWith:
    """Ghost: the register's value when a task last switched out from an observing frame."""

    whose: Whose
    register: int = 0


@dataclass(frozen=True, slots=True)
class Delivered:
    """Ghost: the register's value right after the top frame's delivery (what its handler must read)."""

    register: int


@dataclass(frozen=True, slots=True)
class Init:
    """The value a register boots with, and every cell starts with."""


@dataclass(frozen=True, slots=True)
class Fresh:
    """The new value a write (or a delivery) creates, distinct from every value the state holds.
    An event creates at most one."""


Location = Union[Register, Slot, Interrupted, LeftWith, Delivered]
Value = Union[Location, Init, Fresh]
GHOSTS = (Interrupted, LeftWith, Delivered)


# ---- operations ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Copy:
    """dst := src. `statement` is the spec statement it comes from (None: the event itself)."""

    dst: Location
    src: Value
    statement: ir.Statement | None = None


@dataclass(frozen=True, slots=True)
class Push:
    """Push src onto a stack (`task stack` of `whose`, or this CPU's `cpu stack`); full: fatal, no_overflow."""

    stack: int
    whose: Whose
    src: Value
    statement: ir.Statement


@dataclass(frozen=True, slots=True)
class Pop:
    """dst := the top entry, which is cleared (unreadable until pushed again); empty: fatal, no_underflow."""

    dst: Location
    stack: int
    whose: Whose
    statement: ir.Statement


@dataclass(frozen=True, slots=True)
class Branch:
    """Run `then` when (left == right) == equal, else `otherwise`."""

    left: Value
    equal: bool
    right: Value
    then: tuple["Op", ...]
    otherwise: tuple["Op", ...]
    statement: ir.Statement


@dataclass(frozen=True, slots=True)
class Handler:
    """(Part of) the strategy's handler for this event, run in the scope of `whose`: `body` is those
    statements as ops (a handler with windows is run a part per event)."""

    handler: ir.Handler
    whose: Whose
    body: tuple["Op", ...]


@dataclass(frozen=True, slots=True)
class OpenFrame:
    """Push a frame of `kind` on the acting task, in its body; it becomes the event's frame, its cells INIT."""

    kind: int


@dataclass(frozen=True, slots=True)
class CloseFrame:
    """Pop the acting task's top frame; its cells and ghosts are cleared (equal futures, equal states)."""


@dataclass(frozen=True, slots=True)
class SetPhase:
    """The acting task's top frame is now in `phase` (PREEMPTED: it may only exit; a window: its code
    stopped there)."""

    phase: int


@dataclass(frozen=True, slots=True)
class Leave:
    """The acting task leaves the CPU: it is ready, the CPU idle."""


@dataclass(frozen=True, slots=True)
class Resume:
    """The incoming task runs on the CPU."""


class When(Enum):
    """When a check is made. A frame observes a register when it is kernel code in its body; user mode
    observes it too unless the register is `supervisor` (the check's `user_observes`)."""

    ALWAYS = "always"
    BELOW = "the frame below the top is kernel code"                      # exit: the frame returned to
    INCOMING = "the incoming task's top frame observes"                    # switch in: the frame resumed
    RUNNING = "the top frame of the task now on the CPU observes"          # shadows: after every event


@dataclass(frozen=True, slots=True)
class Check:
    """The event violates `property` when `when` holds and `left` != `right`."""

    property: ir.Property
    left: Value
    right: Value
    when: When = When.ALWAYS
    user_observes: bool = False  # INCOMING, RUNNING: a user-mode frame observes too


Op = Union[Copy, Push, Pop, Branch, Handler, OpenFrame, CloseFrame, SetPhase, Leave, Resume, Check]


# ---- guards ------------------------------------------------------------------------------------
# A guard is a conjunction of these, about the acting task (or, for a dispatch, the CPU).

@dataclass(frozen=True, slots=True)
class Top:
    """The top frame's (kind, phase) is one of `frames`."""

    frames: frozenset[tuple[int, int]]

    def kinds(self, phase: int) -> frozenset[int]:
        return frozenset(k for k, p in self.frames if p == phase)

    @property
    def phases(self) -> frozenset[int]:
        return frozenset(p for _, p in self.frames)


@dataclass(frozen=True, slots=True)
class BelowDepth:
    """Fewer entry frames than the depth bound."""


@dataclass(frozen=True, slots=True)
class FewerThan:
    """Fewer than `count` frames of `kind` on the task's stack (the kind's `max`)."""

    kind: int
    count: int


@dataclass(frozen=True, slots=True)
class NoneBelow:
    """No frame strictly below the top is of one of `kinds`."""

    kinds: frozenset[int]


Condition = Union[Top, BelowDepth, FewerThan, NoneBelow]


class Target(Enum):
    NONE = "none"          # no other task is involved
    TASK = "task"          # a ready task other than the acting one is switched in
    IDLE = "idle"          # the CPU is left idle


@dataclass(frozen=True, slots=True)
class Template:
    """One kind of event. `cpu_idle` templates (dispatch) act on an idle CPU, the others on a running task."""

    action: Action
    kind: int | None          # ENTER: the kind entered; EXIT, CONTINUE: the kind of the top frame
    target: Target
    guard: tuple[Condition, ...]
    ops: tuple[Op, ...]
    register: int | None = None   # WRITE: the register written
    part: int | None = None       # CONTINUE: the part of the kind's code it runs (Phases)

    @property
    def cpu_idle(self) -> bool:
        return self.action is Action.DISPATCH

    @property
    def key(self) -> tuple:
        return (self.action, self.kind, self.target, self.register, self.part)

    def checks(self) -> tuple[Check, ...]:
        return tuple(op for op in walk(self.ops) if isinstance(op, Check))

    def handlers(self) -> tuple[Handler, ...]:
        return tuple(op for op in self.ops if isinstance(op, Handler))

    @property
    def creates_fresh(self) -> bool:
        """Does the event create a new value (a write, or a delivery that writes a register)?"""
        return any(isinstance(op, Copy) and isinstance(op.src, Fresh) for op in walk(self.ops))


def walk(ops) -> Iterator[Op]:
    """Every op, handlers and branches entered."""
    for op in ops:
        yield op
        if isinstance(op, Handler):
            yield from walk(op.body)
        elif isinstance(op, Branch):
            yield from walk(op.then)
            yield from walk(op.otherwise)


# ---- phases -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Phases:
    """The phases a frame of each kind can be in. The entry code of kind K, split at its windows, runs in
    parts 0..e (part 0 at delivery, part i from window i); its exit code in parts e+1..e+1+x (the last one
    at the exit proper). Window i of the entry is phase 1 + i, window j of the exit phase 1 + e + j."""

    entry_windows: tuple[int, ...]   # per kind: e
    exit_windows: tuple[int, ...]    # per kind: x

    @property
    def count(self) -> int:
        """Phases per kind (a frame's code is kind * count + phase): 2 unless some code has windows."""
        return 2 + max((e + x for e, x in zip(self.entry_windows, self.exit_windows)), default=0)

    def entry_window(self, kind: int, i: int) -> int:
        return 1 + i

    def exit_window(self, kind: int, j: int) -> int:
        return 1 + self.entry_windows[kind] + j

    def name(self, kind: int, phase: int) -> str:
        """How a trace says where a frame is: "body", "preempted", "entry window 1", "exit window 1"."""
        if phase == BODY:
            return "body"
        if phase == PREEMPTED:
            return "preempted"
        e = self.entry_windows[kind]
        return f"entry window {phase - 1}" if phase - 1 <= e else f"exit window {phase - 1 - e}"

    def windows(self, kind: int) -> list[int]:
        """Every window phase of a kind's code."""
        return list(range(2, 2 + self.entry_windows[kind] + self.exit_windows[kind]))


def parts(body) -> tuple[tuple[tuple[ir.Statement, ...], ...], tuple[ir.Window, ...]]:
    """A handler's statements split at its (top-level) windows: the parts, and the windows between them."""
    out, windows, current = [], [], []
    for statement in body:
        if isinstance(statement, ir.Window):
            out.append(tuple(current))
            windows.append(statement)
            current = []
        else:
            current.append(statement)
    out.append(tuple(current))
    return tuple(out), tuple(windows)


def phases_of(strategy: ir.Strategy) -> Phases:
    def count(hook, kind) -> int:
        handler = strategy.handler_for(hook, kind.index)
        return len(parts(handler.body)[1]) if handler is not None and not kind.is_base else 0
    kinds = strategy.model.kinds
    return Phases(tuple(count(ir.Hook.ENTRY, k) for k in kinds), tuple(count(ir.Hook.EXIT, k) for k in kinds))


# ---- the table ------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Table:
    strategy: ir.Strategy
    templates: tuple[Template, ...]
    phases: Phases
    by_key: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_key", {t.key: t for t in self.templates})

    def by_action(self, action: Action) -> tuple[Template, ...]:
        return tuple(t for t in self.templates if t.action is action)

    def template(self, event: Event) -> Template:
        """The template an event instantiates."""
        return self.by_key[key_of(event)]

    @property
    def task_templates(self) -> tuple[Template, ...]:
        """The templates of a running task, in table order (every one but dispatch)."""
        return tuple(t for t in self.templates if not t.cpu_idle)

    def concrete_events(self, bounds: ir.Bounds) -> Iterator[Event]:
        """Every event at these bounds, in the one order every engine uses."""
        tasks = range(bounds.tasks + bounds.kthreads)
        for c in range(bounds.cpus):
            for t in tasks:
                for template in self.task_templates:
                    yield from instances(template, c, t, tasks)
            for template in self.by_action(Action.DISPATCH):
                yield from instances(template, c, IDLE, tasks)


def key_of(event: Event) -> tuple:
    """The key of the template an event instantiates."""
    if event.action in (Action.ENTER, Action.EXIT):
        return (event.action, event.kind, Target.NONE, None, None)
    if event.action is Action.CONTINUE:
        return (event.action, event.kind, Target.NONE, None, event.part)
    if event.action is Action.WRITE:
        return (event.action, None, Target.NONE, event.register, None)
    return (event.action, None, Target.IDLE if event.target == IDLE else Target.TASK, None, None)


def instances(template: Template, c: int, t: int, candidates) -> Iterator[Event]:
    """The concrete events of one template for task t on CPU c (IDLE for a dispatch), in order;
    `candidates` are the tasks that may be switched in (ascending; t itself is skipped)."""
    kind = -1 if template.kind is None else template.kind
    register = -1 if template.register is None else template.register
    part = -1 if template.part is None else template.part
    if template.target is Target.NONE:
        yield Event(template.action, c, t, kind, -1, register, part)
    elif template.target is Target.IDLE:
        yield Event(template.action, c, t, kind, IDLE)
    else:
        for u in candidates:
            if u != t:
                yield Event(template.action, c, t, kind, u)


def holds(condition: Condition, kinds: tuple[ir.FrameKind, ...], phase: int, depth: int | None) -> bool:
    """Reference meaning of a guard condition on a task's frames (bottom first; `phase`: the top's;
    `depth` None: no depth bound)."""
    if isinstance(condition, Top):
        return (kinds[-1].index, phase) in condition.frames
    if isinstance(condition, BelowDepth):
        return depth is None or len(kinds) - 1 < depth
    if isinstance(condition, FewerThan):
        return sum(k.index == condition.kind for k in kinds) < condition.count
    assert isinstance(condition, NoneBelow)
    return not any(k.index in condition.kinds for k in kinds[:-1])


def enabled(template: Template, kinds: tuple[ir.FrameKind, ...], phase: int, depth: int | None) -> bool:
    return all(holds(c, kinds, phase, depth) for c in template.guard)


def table(strategy: ir.Strategy) -> Table:
    """The table of events of one strategy on its model."""
    return _Builder(strategy).table()


class _Builder:
    """Writes the templates of one strategy: the whole execution model of docs/semantics.md §3-§5."""

    def __init__(self, strategy: ir.Strategy):
        self.strategy = strategy
        self.model = strategy.model
        self.registers = strategy.registers
        self.phases = phases_of(strategy)

    def where(self, flag: str) -> frozenset[int]:
        return frozenset(k.index for k in self.model.kinds if getattr(k, flag))

    def body(self, kinds) -> Top:
        return Top(frozenset((k, BODY) for k in kinds))

    def table(self) -> Table:
        model = self.model
        out: list[Template] = [self.enter(kind) for kind in model.entries]
        for kind in model.entries:
            out += self.continues(kind)
        for r in self.registers:
            if r.software:
                out.append(self.write(r))
        atomic = self.where("atomic")
        for action, flag in ((Action.SCHEDULE, "sleeps"), (Action.PREEMPT, "preempt_on_exit")):
            # schedule() runs only in kernel code (user mode never sleeps: analyze.py), so the frame that
            # switches out observes and records the values it leaves with; a preempted frame observes
            # nothing, and is not checked when it resumes
            guard = (self.body(self.where(flag)), NoneBelow(atomic))
            if action is Action.SCHEDULE:
                first = tuple(Copy(LeftWith(Whose.TASK, r.index), Register(r.index)) for r in self.registers)
            else:
                first = (SetPhase(PREEMPTED),)
            out_ops = (*first, *self.handler(ir.Hook.SWITCH_OUT, None, Whose.TASK), Leave())
            out.append(Template(action, None, Target.TASK, guard, out_ops + self.switch_in()))
            out.append(Template(action, None, Target.IDLE, guard, out_ops))
        out += [self.exit(kind) for kind in model.entries]
        out.append(Template(Action.DISPATCH, None, Target.TASK, (), self.switch_in()))
        shadowed = [self.with_shadows(t) for t in out]
        return Table(self.strategy, tuple(shadowed), self.phases)

    # ---- entries ----------------------------------------------------------------------------------

    def admits(self, kind: ir.FrameKind) -> Top:
        """The (kind, phase) of a top frame an entry of `kind` may nest on: the bodies of its `from` kinds,
        and the windows where it may arrive (as a kind `in_windows`, or one the code there raises)."""
        frames = {(k, BODY) for k in kind.interrupts}
        for below in self.model.entries:
            for hook, phase_of in ((ir.Hook.ENTRY, self.phases.entry_window), (ir.Hook.EXIT, self.phases.exit_window)):
                handler = self.strategy.handler_for(hook, below.index)
                windows = parts(handler.body)[1] if handler is not None else ()
                for i, window in enumerate(windows, 1):
                    if (kind.in_windows and below.index in kind.interrupts) or kind.index in window.kinds:
                        frames.add((below.index, phase_of(below.index, i)))
        return Top(frozenset(frames))

    def enter(self, kind: ir.FrameKind) -> Template:
        guard = [self.admits(kind), BelowDepth()]
        if kind.max_frames is not None:
            guard.append(FewerThan(kind.index, kind.max_frames))
        masking = frozenset(k.index for k in self.model.kinds if kind.index in k.masks)
        if masking:  # a frame that masks K (IRQs off, NMIs blocked) keeps K out of everything above it
            guard.append(NoneBelow(masking))
        ops = [OpenFrame(kind.index)]
        ops += [Copy(Interrupted(r.index), Register(r.index)) for r in self.registers]
        ops += [Copy(Register(r.index), Fresh()) for r in self.registers if kind.index in r.delivered_by]
        ops += [Copy(Delivered(r.index), Register(r.index)) for r in self.registers if kind.index in r.read_by]
        ops += self.entry_part(kind, 0)
        return Template(Action.ENTER, kind.index, Target.NONE, tuple(guard), tuple(ops))

    def entry_part(self, kind: ir.FrameKind, i: int) -> list[Op]:
        """Part i of the entry code; the last part finishes the entry (reads not placed, fresh checks),
        the others stop at the next window."""
        handler = self.strategy.handler_for(ir.Hook.ENTRY, kind.index)
        pieces = parts(handler.body)[0] if handler is not None else ((),)
        ops = self.run(handler, pieces[i], Whose.TASK)
        if i + 1 < len(pieces):
            return ops + [SetPhase(self.phases.entry_window(kind.index, i + 1))]
        placed = {s.register for s in (handler.body if handler else ()) if isinstance(s, ir.Read)}
        for r in self.registers:
            if kind.index in r.read_by and r.index not in placed:  # the model's `reads`: the handler reads it now
                ops += read(self.strategy, r.index)
        ops += [Check(ir.Property(K.FRESH, r.name), Register(r.index), Init())
                for r in self.registers if kind.index in r.fresh]
        return ops

    def continues(self, kind: ir.FrameKind) -> list[Template]:
        """The events that take a frame's entry or exit code past a window (and start an exit that has some)."""
        e, x = self.phases.entry_windows[kind.index], self.phases.exit_windows[kind.index]
        out = []
        for i in range(1, e + 1):
            after = self.entry_part(kind, i)
            next_phase = [] if i < e else [SetPhase(BODY)]
            guard = (Top(frozenset({(kind.index, self.phases.entry_window(kind.index, i))})),)
            out.append(Template(Action.CONTINUE, kind.index, Target.NONE, guard, (*next_phase, *after), part=i))
        handler = self.strategy.handler_for(ir.Hook.EXIT, kind.index)
        pieces = parts(handler.body)[0] if handler is not None else ((),)
        for j in range(0, x):
            start = {(kind.index, BODY), (kind.index, PREEMPTED)} if j == 0 else \
                {(kind.index, self.phases.exit_window(kind.index, j))}
            ops = (SetPhase(self.phases.exit_window(kind.index, j + 1)), *self.run(handler, pieces[j], Whose.TASK))
            out.append(Template(Action.CONTINUE, kind.index, Target.NONE, (Top(frozenset(start)),), ops,
                                part=e + 1 + j))
        return out

    def exit(self, kind: ir.FrameKind) -> Template:
        x = self.phases.exit_windows[kind.index]
        frames = {(kind.index, BODY), (kind.index, PREEMPTED)} if x == 0 else \
            {(kind.index, self.phases.exit_window(kind.index, x))}
        handler = self.strategy.handler_for(ir.Hook.EXIT, kind.index)
        pieces = parts(handler.body)[0] if handler is not None else ((),)
        checks = [Check(ir.Property(K.NO_LOST, r.name), Register(r.index), Interrupted(r.index),
                        When.BELOW if r.supervisor else When.ALWAYS) for r in self.registers]
        return Template(Action.EXIT, kind.index, Target.NONE, (Top(frozenset(frames)),),
                        (*self.run(handler, pieces[x], Whose.TASK), *checks, CloseFrame()))

    # ---- writes and switches --------------------------------------------------------------------------

    def write(self, r: ir.Register) -> Template:
        return Template(Action.WRITE, None, Target.NONE, (self.body(self.where("writes")),), (
            Copy(Register(r.index), Fresh()),
            *self.handler(ir.Hook.WRITE, r.index, Whose.TASK),
            Check(ir.Property(K.NO_CLOBBER, r.name), Register(r.index), Fresh()),
        ), register=r.index)

    def switch_in(self) -> tuple[Op, ...]:
        checks = tuple(Check(ir.Property(K.NO_STALE, r.name), Register(r.index), LeftWith(Whose.INCOMING, r.index),
                             When.INCOMING, not r.supervisor) for r in self.registers)
        return (Resume(), *self.handler(ir.Hook.SWITCH_IN, None, Whose.INCOMING), *checks)

    def with_shadows(self, template: Template) -> Template:
        """Every event that leaves kernel code running on its CPU ends by checking each shadow."""
        if template.target is Target.IDLE:
            return template
        checks = tuple(Check(ir.Property(K.SHADOW, storage=s.name), Slot(s.index, Whose.TASK),
                             Register(s.shadows), When.RUNNING, not self.registers[s.shadows].supervisor)
                       for s in self.strategy.storages if s.shadows is not None)
        if not checks:
            return template
        return Template(template.action, template.kind, template.target, template.guard, template.ops + checks,
                        template.register, template.part)

    # ---- the strategy's statements ----------------------------------------------------------------------

    def handler(self, hook: ir.Hook, kind: int | None, whose: Whose) -> list[Op]:
        handler = self.strategy.handler_for(hook, kind)
        return self.run(handler, handler.body, whose) if handler is not None else []

    def run(self, handler: ir.Handler | None, body, whose: Whose) -> list[Op]:
        if handler is None or not body:
            return []
        return [Handler(handler, whose, statements(body, whose, self.strategy))]


def read(strategy: ir.Strategy, register: int, statement: ir.Statement | None = None) -> list[Op]:
    """The handler reads the register: it must hold what the frame's delivery left in it. The ghost is
    cleared then, since nothing reads it again."""
    name = strategy.registers[register].name
    return [Check(ir.Property(K.NO_CORRUPT, name), Register(register), Delivered(register)),
            Copy(Delivered(register), Init(), statement)]


def statements(body, whose: Whose, strategy: ir.Strategy | None = None) -> tuple[Op, ...]:
    """A handler's statements as ops (`strategy` is needed only for `read`)."""
    out = []
    for s in body:
        if isinstance(s, ir.Read):
            out += read(strategy, s.register, s)
        elif not isinstance(s, ir.Window):
            out.append(_statement(s, whose, strategy))
    return tuple(out)


def _statement(statement: ir.Statement, whose: Whose, strategy) -> Op:
    if isinstance(statement, ir.Assign):
        return Copy(_value(statement.target, whose), _value(statement.value, whose), statement)
    if isinstance(statement, ir.Push):
        return Push(statement.stack, whose, _value(statement.value, whose), statement)
    if isinstance(statement, ir.Pop):
        return Pop(_value(statement.target, whose), statement.stack, whose, statement)
    return Branch(_value(statement.left, whose), statement.equal, _value(statement.right, whose),
                  statements(statement.then, whose, strategy), statements(statement.otherwise, whose, strategy),
                  statement)


def _value(value, whose: Whose) -> Value:
    if isinstance(value, ir.Reg):
        return Register(value.register)
    if isinstance(value, ir.Init):
        return Init()
    return Slot(value.storage, whose)


def values(op) -> tuple:
    """The values an op reads (a Copy's source, a branch's or a check's two sides)."""
    if isinstance(op, (Copy, Push)):
        return (op.src,)
    if isinstance(op, (Branch, Check)):
        return (op.left, op.right)
    return ()


def ghost(value) -> tuple[type, int] | None:
    """A ghost as (its type, its register), the way the engines decide which ghosts they keep."""
    return (type(value), value.register) if isinstance(value, GHOSTS) else None


def reads(ops) -> frozenset[tuple[type, int]]:
    """The ghosts an op list reads, checks included."""
    return frozenset(g for op in walk(ops) for g in map(ghost, values(op)) if g is not None)


def ghosts_read_by(tab: Table, prop: ir.Property) -> frozenset[tuple[type, int]]:
    """Which ghosts the checks of `prop` read: what the explicit engine must keep while it is asked."""
    return frozenset(g for template in tab.templates for check in template.checks() if check.property == prop
                     for g in map(ghost, (check.left, check.right)) if g is not None)


def checked_properties(tab: Table) -> tuple[ir.Property, ...]:
    """Every property some template checks, in table order (the stack properties where a push or pop is)."""
    out = {}
    for template in tab.templates:
        for op in walk(template.ops):
            if isinstance(op, Check):
                out[op.property] = True
            elif isinstance(op, Push):
                out[ir.Property.NO_OVERFLOW] = True
            elif isinstance(op, Pop):
                out[ir.Property.NO_UNDERFLOW] = True
    return tuple(out)


__all__ = ["Action", "Event", "Whose", "Register", "Slot", "Interrupted", "LeftWith", "Delivered", "Init", "Fresh",
           "Copy", "Push", "Pop", "Branch", "Handler", "OpenFrame", "CloseFrame", "SetPhase", "Leave", "Resume",
           "Check", "When", "Top", "BelowDepth", "FewerThan", "NoneBelow", "Target", "Template", "Table", "Phases",
           "table", "walk", "instances", "key_of", "holds", "enabled", "IDLE", "BODY", "PREEMPTED", "ghosts_read_by",
           "reads", "ghost", "values", "parts", "phases_of", "checked_properties", "GHOSTS"]
