"""The checked model and strategy: names resolved, rules enforced.

Everything an engine needs and nothing it has to re-check. Kinds, storages
and handlers are referred to by index; spans stay attached for reports.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Union

from .source import Span


class Property(Enum):
    """The properties, one record each: (name, what it means, its short name in `compare`'s table).

    Where each is checked is the table of events' (semantics/events.py); how a violation is told,
    explain/stories.py's. docs/semantics.md describes all three."""

    FRESH = ("fresh", "every entry starts its handler with PKRS == INIT", "fresh")
    NO_LOST = ("no_lost", "an exit gives the interrupted code exactly the PKRS it had", "lost")
    NO_STALE = ("no_stale", "a task switched back in finds the PKRS it left with", "stale")
    NO_CLOBBER = ("no_clobber", "the write API's bookkeeping does not undo the write", "clobber")
    NO_OVERFLOW = ("no_overflow", "no push onto a full stack", "overflow")
    NO_UNDERFLOW = ("no_underflow", "no pop from an empty stack", "underflow")

    def __new__(cls, name: str, meaning: str, short: str):
        member = object.__new__(cls)
        member._value_ = name
        member.meaning = meaning
        member.short = short
        return member


@dataclass(frozen=True, slots=True)
class Bounds:
    tasks: int      # user tasks (base frame `user`)
    kthreads: int   # kernel threads (base frame `kthread`)
    cpus: int
    depth: int      # entry frames on one task, the base frame not counted

    def describe(self) -> str:
        return f"tasks={self.tasks} kthreads={self.kthreads} cpus={self.cpus} depth={self.depth}"


@dataclass(frozen=True, slots=True)
class FrameKind:
    name: str
    index: int
    is_base: bool
    user_mode: bool             # the `user` base: PKRS is not observed there
    interrupts: frozenset[int]  # kinds this entry may nest on (its `from` list)
    max_frames: int | None      # at most this many of this kind on one task
    writes: bool
    sleeps: bool
    atomic: bool
    preempt_on_exit: bool
    span: Span
    masks: frozenset[int] = frozenset()  # kinds that cannot be entered anywhere above a frame of this kind


@dataclass(frozen=True, slots=True)
class Model:
    name: str
    description: str | None
    kinds: tuple[FrameKind, ...]
    defaults: Bounds
    span: Span

    def kind(self, name: str) -> FrameKind | None:
        return next((k for k in self.kinds if k.name == name), None)

    @property
    def entries(self) -> tuple[FrameKind, ...]:
        return tuple(k for k in self.kinds if not k.is_base)


class Place(Enum):
    TASK = "task"
    TASK_STACK = "task stack"
    CPU = "cpu"
    CPU_STACK = "cpu stack"
    GLOBAL = "global"
    PT_REGS = "frame in pt_regs"
    BESIDE_PT_REGS = "frame beside pt_regs"
    IDTENTRY_STATE = "frame in idtentry_state"

    @property
    def is_stack(self) -> bool:
        return self in (Place.TASK_STACK, Place.CPU_STACK)

    @property
    def is_frame(self) -> bool:
        return self in (Place.PT_REGS, Place.BESIDE_PT_REGS, Place.IDTENTRY_STATE)


@dataclass(frozen=True, slots=True)
class Storage:
    name: str
    index: int
    place: Place
    size: int                  # entries of a stack; 1 otherwise
    kinds: frozenset[int] | None  # frames that have it (idtentry_state only(...)); None: every entry
    span: Span


# ---- statements ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Pkrs:
    pass


@dataclass(frozen=True, slots=True)
class Init:
    pass


@dataclass(frozen=True, slots=True)
class Cell:
    storage: int  # index into Strategy.storages; never a stack


Value = Union[Pkrs, Init, Cell]


@dataclass(frozen=True, slots=True)
class Assign:
    target: Pkrs | Cell
    value: Value
    span: Span


@dataclass(frozen=True, slots=True)
class Pop:
    target: Pkrs | Cell
    stack: int
    span: Span


@dataclass(frozen=True, slots=True)
class Push:
    stack: int
    value: Value
    span: Span


@dataclass(frozen=True, slots=True)
class If:
    left: Value
    equal: bool
    right: Value
    then: tuple["Statement", ...]
    otherwise: tuple["Statement", ...]
    span: Span


Statement = Union[Assign, Pop, Push, If]


class Hook(Enum):
    ENTRY = "entry"
    EXIT = "exit"
    SWITCH_OUT = "switch_out"
    SWITCH_IN = "switch_in"
    WRITE = "write"


@dataclass(frozen=True, slots=True)
class Handler:
    hook: Hook
    kinds: frozenset[int] | None
    body: tuple[Statement, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Expectation:
    property: Property
    violated: bool
    length: int | None
    span: Span
    vacuous: bool = False  # holds, and no step of the search ever checks it (on purpose)


@dataclass(frozen=True, slots=True)
class Strategy:
    name: str
    description: str | None
    model: Model
    storages: tuple[Storage, ...]
    handlers: tuple[Handler, ...]
    bounds: Bounds                         # the model's defaults, overridden by the check block
    properties: tuple[Property, ...]       # what the check block asks for (all by default)
    expectations: tuple[Expectation, ...]
    span: Span
    declared: Bounds | None = None         # the spec's own bounds, once the command line changed them

    @property
    def spec_bounds(self) -> Bounds:
        """The bounds the spec itself gives (what its `expect` lines speak of)."""
        return self.declared or self.bounds

    def handler_for(self, hook: Hook, kind: int | None = None) -> Handler | None:
        """The one handler that applies: the one naming the kind, else the general one."""
        general = None
        for handler in self.handlers:
            if handler.hook is not hook:
                continue
            if handler.kinds is None:
                general = handler
            elif kind is not None and kind in handler.kinds:
                return handler
        return general
