"""The execution model as one table: every event, when it is enabled, what it does, what it checks.

This is the one description of a step (docs/semantics.md says the same in
words). Each kind of event is a `Template`: a guard over the acting task's
top frame and the bounds, then an ordered list of primitive operations on
symbolic locations (the register of this CPU, a storage cell of the acting
or incoming task / this CPU / the event's frame / the system, and the two
ghosts), the strategy's handlers expanded in place, and the property checks
the event makes. Every engine is a translator of this table:

- semantics/system.py interprets it on a state tuple (the reference);
- explicit/generate.py writes it as Python source on the byte encoding;
- symbolic/effects.py builds Z3 terms from it;
- export/promela.py writes it as Promela;
- explain/provenance.py watches the reference interpreter run it.

Nothing here knows about positions, bytes, Z3 or Promela: a location is
resolved by each backend (`Register` is `PKRS[c]`, `Slot(s, TASK)` is the
running task's cell of storage s, ...).

The order of events is defined here once (`concrete_events`): per CPU, per
task, the templates in table order with their targets; then the dispatches
of that CPU. Engines enumerate successors in this order, and a shortest
counterexample is chosen as the one whose events come first in it.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Iterator, NamedTuple, Union

from ..front import ir

P = ir.Property
IDLE = -1  # the target of a switch that leaves the CPU idle; the task of a dispatch


class Action(Enum):
    ENTER = "enter"
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
    kind: int = -1    # ENTER: the entry kind; EXIT: the kind of the frame left
    target: int = -1  # SCHEDULE, PREEMPT: the task switched in (IDLE: none); DISPATCH: the task


# ---- whose storage a location names ------------------------------------------------------

class Whose(Enum):
    TASK = "task"            # the task the event acts on (for a switch: the one leaving)
    INCOMING = "incoming"    # the task a switch or dispatch puts on the CPU


# ---- locations and values ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Register:
    """The register of the event's CPU (PKRS)."""


@dataclass(frozen=True, slots=True)
class Slot:
    """A one-value storage cell in the event's scope: the task's (`task`), this CPU's (`cpu`),
    the system's (`global`) or the event's frame's (`frame ...`), by the storage's place."""

    storage: int
    whose: Whose


@dataclass(frozen=True, slots=True)
class Interrupted:
    """Ghost: the register's value when the event's frame (the top frame) was entered."""


@dataclass(frozen=True, slots=True)
class LeftWith:
    """Ghost: the register's value when a task last switched out from an observing frame."""

    whose: Whose


@dataclass(frozen=True, slots=True)
class Init:
    """The value the register boots with, and every cell starts with."""


@dataclass(frozen=True, slots=True)
class Fresh:
    """The new value a write creates (distinct from every value the state holds)."""


Location = Union[Register, Slot, Interrupted, LeftWith]
Value = Union[Location, Init, Fresh]


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
    """The strategy's handler for this event, run in the scope of `whose`; `body` is its statements as ops."""

    handler: ir.Handler
    whose: Whose
    body: tuple["Op", ...]


@dataclass(frozen=True, slots=True)
class OpenFrame:
    """Push a frame of `kind` on the acting task; it becomes the event's frame, its cells INIT."""

    kind: int


@dataclass(frozen=True, slots=True)
class CloseFrame:
    """Pop the acting task's top frame; its cells and its ghost are cleared (equal futures, equal states)."""


@dataclass(frozen=True, slots=True)
class MarkExiting:
    """The acting task's top frame may only exit from now on (preempted on its way out)."""


@dataclass(frozen=True, slots=True)
class Leave:
    """The acting task leaves the CPU: it is ready, the CPU idle."""


@dataclass(frozen=True, slots=True)
class Resume:
    """The incoming task runs on the CPU."""


class When(Enum):
    """When a check is made."""

    ALWAYS = "always"
    BELOW_OBSERVES = "the frame below the top is kernel code"         # exit: the frame returned to
    INCOMING_OBSERVES = "the incoming task's top frame observes"      # switch in: the frame resumed


@dataclass(frozen=True, slots=True)
class Check:
    """The event violates `property` when `when` holds and `left` != `right`."""

    property: ir.Property
    left: Value
    right: Value
    when: When = When.ALWAYS


Op = Union[Copy, Push, Pop, Branch, Handler, OpenFrame, CloseFrame, MarkExiting, Leave, Resume, Check]


# ---- guards ------------------------------------------------------------------------------------
# A guard is a conjunction of these, about the acting task (or, for a dispatch, the CPU).

@dataclass(frozen=True, slots=True)
class InBody:
    """The top frame is in its body (not preempted on its way out)."""


@dataclass(frozen=True, slots=True)
class TopIn:
    """The top frame's kind is one of `kinds` (indices)."""

    kinds: frozenset[int]


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


Condition = Union[InBody, TopIn, BelowDepth, FewerThan, NoneBelow]


class Target(Enum):
    NONE = "none"          # no other task is involved
    TASK = "task"          # a ready task other than the acting one is switched in
    IDLE = "idle"          # the CPU is left idle


@dataclass(frozen=True, slots=True)
class Template:
    """One kind of event. `cpu_idle` templates (dispatch) act on an idle CPU, the others on a running task."""

    action: Action
    kind: int | None          # ENTER: the kind entered; EXIT: the kind left
    target: Target
    guard: tuple[Condition, ...]
    ops: tuple[Op, ...]

    @property
    def cpu_idle(self) -> bool:
        return self.action is Action.DISPATCH

    @property
    def key(self) -> tuple:
        return (self.action, self.kind, self.target)

    def checks(self) -> tuple[Check, ...]:
        return tuple(op for op in walk(self.ops) if isinstance(op, Check))

    def handlers(self) -> tuple[Handler, ...]:
        return tuple(op for op in self.ops if isinstance(op, Handler))


def walk(ops) -> Iterator[Op]:
    """Every op, handlers and branches entered."""
    for op in ops:
        yield op
        if isinstance(op, Handler):
            yield from walk(op.body)
        elif isinstance(op, Branch):
            yield from walk(op.then)
            yield from walk(op.otherwise)


# ---- the table ------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Table:
    strategy: ir.Strategy
    templates: tuple[Template, ...]

    def by_action(self, action: Action) -> tuple[Template, ...]:
        return tuple(t for t in self.templates if t.action is action)

    def template(self, event: Event) -> Template:
        """The template an event instantiates."""
        return next(t for t in self.templates if t.key == key_of(event))

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
        return (event.action, event.kind, Target.NONE)
    if event.action is Action.WRITE:
        return (event.action, None, Target.NONE)
    return (event.action, None, Target.IDLE if event.target == IDLE else Target.TASK)


def instances(template: Template, c: int, t: int, candidates) -> Iterator[Event]:
    """The concrete events of one template for task t on CPU c (IDLE for a dispatch), in order;
    `candidates` are the tasks that may be switched in (ascending; t itself is skipped)."""
    kind = -1 if template.kind is None else template.kind
    if template.target is Target.NONE:
        yield Event(template.action, c, t, kind)
    elif template.target is Target.IDLE:
        yield Event(template.action, c, t, kind, IDLE)
    else:
        for u in candidates:
            if u != t:
                yield Event(template.action, c, t, kind, u)


def holds(condition: Condition, kinds: tuple[ir.FrameKind, ...], exiting: bool, depth: int | None) -> bool:
    """Reference meaning of a guard condition on a task's frames (bottom first; `exiting`: the top's phase;
    `depth` None: no depth bound)."""
    if isinstance(condition, InBody):
        return not exiting
    if isinstance(condition, TopIn):
        return kinds[-1].index in condition.kinds
    if isinstance(condition, BelowDepth):
        return depth is None or len(kinds) - 1 < depth
    if isinstance(condition, FewerThan):
        return sum(k.index == condition.kind for k in kinds) < condition.count
    assert isinstance(condition, NoneBelow)
    return not any(k.index in condition.kinds for k in kinds[:-1])


def enabled(template: Template, kinds: tuple[ir.FrameKind, ...], exiting: bool, depth: int | None) -> bool:
    return all(holds(c, kinds, exiting, depth) for c in template.guard)


def table(strategy: ir.Strategy) -> Table:
    """The table of events of one strategy on its model."""
    model = strategy.model
    kinds = model.kinds
    where = lambda flag: frozenset(k.index for k in kinds if getattr(k, flag))  # noqa: E731
    atomic = where("atomic")
    out: list[Template] = []
    for kind in model.entries:
        guard = [InBody(), TopIn(kind.interrupts), BelowDepth()]
        if kind.max_frames is not None:
            guard.append(FewerThan(kind.index, kind.max_frames))
        masking = frozenset(k.index for k in kinds if kind.index in k.masks)
        if masking:  # a frame that masks K (IRQs off, NMIs blocked) keeps K out of everything above it
            guard.append(NoneBelow(masking))
        out.append(Template(Action.ENTER, kind.index, Target.NONE, tuple(guard), (
            OpenFrame(kind.index),
            Copy(Interrupted(), Register()),
            *_handler(strategy, ir.Hook.ENTRY, kind.index, Whose.TASK),
            Check(P.FRESH, Register(), Init()),
        )))
    out.append(Template(Action.WRITE, None, Target.NONE, (InBody(), TopIn(where("writes"))), (
        Copy(Register(), Fresh()),
        *_handler(strategy, ir.Hook.WRITE, None, Whose.TASK),
        Check(P.NO_CLOBBER, Register(), Fresh()),
    )))
    for action, flag, first in ((Action.SCHEDULE, "sleeps", Copy(LeftWith(Whose.TASK), Register())),
                                (Action.PREEMPT, "preempt_on_exit", MarkExiting())):
        # schedule() runs only in kernel code (user mode never sleeps: analyze.py), so the frame that
        # switches out observes and records the value it leaves with; a preempted frame is exiting,
        # observes nothing, and is not checked when it resumes
        guard = (InBody(), TopIn(where(flag)), NoneBelow(atomic))
        out_ops = (first, *_handler(strategy, ir.Hook.SWITCH_OUT, None, Whose.TASK), Leave())
        out.append(Template(action, None, Target.TASK, guard, out_ops + _switch_in(strategy)))
        out.append(Template(action, None, Target.IDLE, guard, out_ops))
    for kind in model.entries:
        out.append(Template(Action.EXIT, kind.index, Target.NONE, (TopIn(frozenset({kind.index})),), (
            *_handler(strategy, ir.Hook.EXIT, kind.index, Whose.TASK),
            Check(P.NO_LOST, Register(), Interrupted(), When.BELOW_OBSERVES),
            CloseFrame(),
        )))
    out.append(Template(Action.DISPATCH, None, Target.TASK, (), _switch_in(strategy)))
    return Table(strategy, tuple(out))


def _switch_in(strategy: ir.Strategy) -> tuple[Op, ...]:
    return (Resume(), *_handler(strategy, ir.Hook.SWITCH_IN, None, Whose.INCOMING),
            Check(P.NO_STALE, Register(), LeftWith(Whose.INCOMING), When.INCOMING_OBSERVES))


def _handler(strategy: ir.Strategy, hook: ir.Hook, kind: int | None, whose: Whose) -> tuple[Op, ...]:
    handler = strategy.handler_for(hook, kind)
    if handler is None:
        return ()
    return (Handler(handler, whose, statements(handler.body, whose)),)


def statements(body, whose: Whose) -> tuple[Op, ...]:
    """A handler's statements as ops."""
    return tuple(_statement(s, whose) for s in body)


def _statement(statement: ir.Statement, whose: Whose) -> Op:
    if isinstance(statement, ir.Assign):
        return Copy(_value(statement.target, whose), _value(statement.value, whose), statement)
    if isinstance(statement, ir.Push):
        return Push(statement.stack, whose, _value(statement.value, whose), statement)
    if isinstance(statement, ir.Pop):
        return Pop(_value(statement.target, whose), statement.stack, whose, statement)
    return Branch(_value(statement.left, whose), statement.equal, _value(statement.right, whose),
                  statements(statement.then, whose), statements(statement.otherwise, whose), statement)


def _value(value, whose: Whose) -> Value:
    if isinstance(value, ir.Pkrs):
        return Register()
    if isinstance(value, ir.Init):
        return Init()
    return Slot(value.storage, whose)


def reads(ops) -> frozenset[type]:
    """The kinds of ghost an op list reads (Interrupted, LeftWith), checks included."""
    out = set()
    for op in walk(ops):
        for value in _values(op):
            if isinstance(value, (Interrupted, LeftWith)):
                out.add(type(value))
    return frozenset(out)


def _values(op) -> tuple:
    if isinstance(op, Copy):
        return (op.src,)
    if isinstance(op, Push):
        return (op.src,)
    if isinstance(op, Branch):
        return (op.left, op.right)
    if isinstance(op, Check):
        return (op.left, op.right)
    return ()


def ghosts_read_by(tab: Table, prop: ir.Property) -> frozenset[type]:
    """Which ghosts the checks of `prop` read: what the explicit engine must keep while it is asked."""
    out = set()
    for template in tab.templates:
        for check in template.checks():
            if check.property is prop:
                out |= {type(v) for v in (check.left, check.right) if isinstance(v, (Interrupted, LeftWith))}
    return frozenset(out)


__all__ = ["Action", "Event", "Whose", "Register", "Slot", "Interrupted", "LeftWith", "Init", "Fresh",
           "Copy", "Push", "Pop", "Branch", "Handler", "OpenFrame", "CloseFrame", "MarkExiting", "Leave",
           "Resume", "Check", "When", "InBody", "TopIn", "BelowDepth", "FewerThan", "NoneBelow", "Target",
           "Template", "Table", "table", "walk", "instances", "key_of", "holds", "enabled", "IDLE", "ghosts_read_by",
           "reads"]
