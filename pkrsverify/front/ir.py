"""The checked model and strategy: names resolved, rules enforced.

Everything an engine needs and nothing it has to re-check. Kinds, storages
and handlers are referred to by index; spans stay attached for reports.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Union

from .source import Span


PKRS = "PKRS"  # the register a spec is about when it names none


class PropertyKind(Enum):
    """The kinds of property, one record each: (name, what it means, its short name in `compare`'s table).

    A kind is judged per register (`no_lost[CR2]`), per shadow storage (`shadow[pkrs_cache]`) or, for the
    stack properties, once. Where each is checked is the table of events' (semantics/events.py); how a
    violation is told, explain/stories.py's. docs/semantics.md describes all three."""

    FRESH = ("fresh", "every entry starts its handler with {R} == INIT", "fresh")
    NO_LOST = ("no_lost", "an exit gives the interrupted code exactly the {R} it had", "lost")
    NO_STALE = ("no_stale", "a task switched back in finds the {R} it left with", "stale")
    NO_CLOBBER = ("no_clobber", "the write API's bookkeeping does not undo the write", "clobber")
    NO_CORRUPT = ("no_corrupt", "a handler reads the {R} its own delivery gave it", "corrupt")
    SHADOW = ("shadow", "{S} equals the register it shadows wherever kernel code runs", "shadow")
    NO_OVERFLOW = ("no_overflow", "no push onto a full stack", "overflow")
    NO_UNDERFLOW = ("no_underflow", "no pop from an empty stack", "underflow")

    def __new__(cls, name: str, meaning: str, short: str):
        member = object.__new__(cls)
        member._value_ = name
        member.meaning = meaning
        member.short = short
        return member

    @property
    def per_register(self) -> bool:
        return self not in (PropertyKind.NO_OVERFLOW, PropertyKind.NO_UNDERFLOW)


@dataclass(frozen=True, slots=True)
class Property:
    """One property a spec can ask for: a kind, judged for one register (or one shadow storage).

    Its name is how specs and reports write it: the bare kind for PKRS (`no_lost`), the register
    in brackets otherwise (`no_lost[CR2]`), the storage for a shadow (`shadow[this_cpu.pkrs_cache]`).
    `Property.NO_LOST` and its siblings are PKRS's."""

    kind: PropertyKind
    register: str | None = None  # None: a stack property, or a shadow
    storage: str | None = None   # SHADOW: the storage that must equal its register

    def __post_init__(self) -> None:
        """`Property("no_lost")`, `Property("no_lost[CR2]")`, `Property("shadow[pkrs_cache]")`: by name
        (ValueError for a name no property has)."""
        if isinstance(self.kind, PropertyKind):
            return
        parsed = Property.parse(self.kind)
        if parsed is None:
            raise ValueError(f"no property named {self.kind!r}")
        kind, subject = parsed
        if kind is PropertyKind.SHADOW:
            if subject is None:
                raise ValueError("a shadow property names its storage: shadow[NAME]")
            register, storage = None, subject
        elif not kind.per_register:
            if subject is not None:
                raise ValueError(f"{kind.value} is not judged per register")
            register, storage = None, None
        else:
            register, storage = subject or PKRS, None
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "register", register)
        object.__setattr__(self, "storage", storage)

    @property
    def value(self) -> str:
        if self.storage is not None:
            return f"{self.kind.value}[{self.storage}]"
        if self.register in (None, PKRS):
            return self.kind.value
        return f"{self.kind.value}[{self.register}]"

    @property
    def meaning(self) -> str:
        return self.kind.meaning.replace("{R}", self.register or "its register").replace("{S}", self.storage or "")

    @property
    def short(self) -> str:
        if self.storage is not None or self.register in (None, PKRS):
            return self.kind.short
        return f"{self.kind.short}[{self.register}]"

    @staticmethod
    def parse(text: str) -> tuple[PropertyKind, str | None] | None:
        """`no_lost` -> (NO_LOST, None); `no_lost[CR2]` -> (NO_LOST, "CR2"); None when no kind has the name."""
        name, bracket, rest = text.partition("[")
        if bracket and (not rest.endswith("]") or len(rest) < 2):
            return None
        try:
            kind = PropertyKind(name)
        except ValueError:
            return None
        return kind, (rest[:-1] if bracket else None)

    def __repr__(self) -> str:
        return f"Property({self.value})"


Property.FRESH = Property(PropertyKind.FRESH, PKRS)
Property.NO_LOST = Property(PropertyKind.NO_LOST, PKRS)
Property.NO_STALE = Property(PropertyKind.NO_STALE, PKRS)
Property.NO_CLOBBER = Property(PropertyKind.NO_CLOBBER, PKRS)
Property.NO_OVERFLOW = Property(PropertyKind.NO_OVERFLOW)
Property.NO_UNDERFLOW = Property(PropertyKind.NO_UNDERFLOW)
DEFAULTS = (Property.FRESH, Property.NO_LOST, Property.NO_STALE, Property.NO_CLOBBER, Property.NO_OVERFLOW,
            Property.NO_UNDERFLOW)


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
    delivers: tuple[str, ...] = ()       # registers the hardware writes a fresh value into on delivery
    reads: tuple[str, ...] = ()          # registers the handler reads once, by the end of its entry code
    in_windows: bool = False             # may arrive inside an entry's or exit's window


@dataclass(frozen=True, slots=True)
class Register:
    """A per-CPU register a spec is about. `index` is its position in the model's or the strategy's list."""

    name: str
    index: int
    supervisor: bool              # only kernel code depends on it: user mode does not observe it (PKRS)
    fresh: frozenset[int]         # entry kinds whose handler must begin with it == INIT
    span: Span | None = None      # None: the implicit PKRS
    delivered_by: frozenset[int] = frozenset()  # entry kinds whose delivery writes it (strategy registers)
    read_by: frozenset[int] = frozenset()       # entry kinds whose handler reads it (model `reads`)

    @property
    def software(self) -> bool:
        """Written by kernel code through its write API, not by the hardware on delivery."""
        return not self.delivered_by


def implicit_pkrs(model: "Model") -> Register:
    """PKRS as every spec that names no register means it: only supervisor accesses depend on it, and every
    entry must start its handler with INIT (docs/kernel-facts.md §2)."""
    return Register(PKRS, 0, True, frozenset(k.index for k in model.entries))


def applicable_properties(model: "Model", registers: tuple[Register, ...], storages) -> tuple[Property, ...]:
    """What a spec checks when its check block names no `properties` (and what `expect holds` covers), in
    report order. Per register: `fresh` where some entry must start at INIT; `no_lost`, `no_stale` and
    `no_clobber` where kernel code writes it (a register the hardware writes on delivery, such as CR2, is
    only read, so it gets `no_corrupt` instead); `no_corrupt` where an entry reads it. Then a `shadow` per
    shadow storage, then the stack properties. For PKRS alone: the six of DEFAULTS."""
    out = []
    for r in registers:
        kinds = [PropertyKind.FRESH] if r.fresh else []
        if r.software:
            kinds += [PropertyKind.NO_LOST, PropertyKind.NO_STALE, PropertyKind.NO_CLOBBER]
        if r.read_by:
            kinds.append(PropertyKind.NO_CORRUPT)
        out += [Property(kind, r.name) for kind in kinds]
    out += [Property(PropertyKind.SHADOW, storage=s.name) for s in storages if s.shadows is not None]
    return tuple(out) + (Property.NO_OVERFLOW, Property.NO_UNDERFLOW)


@dataclass(frozen=True, slots=True)
class Model:
    name: str
    description: str | None
    kinds: tuple[FrameKind, ...]
    defaults: Bounds
    span: Span
    registers: tuple[Register, ...] = ()  # the registers it declares (PKRS is implicit when it does not)

    def register(self, name: str) -> Register | None:
        return next((r for r in self.registers if r.name == name), None)

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
    LOCAL = "frame local"

    @property
    def is_stack(self) -> bool:
        return self in (Place.TASK_STACK, Place.CPU_STACK)

    @property
    def is_frame(self) -> bool:
        return self in (Place.PT_REGS, Place.BESIDE_PT_REGS, Place.IDTENTRY_STATE, Place.LOCAL)


@dataclass(frozen=True, slots=True)
class Storage:
    name: str
    index: int
    place: Place
    size: int                  # entries of a stack; 1 otherwise
    kinds: frozenset[int] | None  # frames that have it (idtentry_state only(...)); None: every entry
    span: Span
    shadows: int | None = None    # `cpu shadows R`: the register (index) it must equal where kernel code runs


# ---- statements ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Reg:
    register: int  # index into Strategy.registers


@dataclass(frozen=True, slots=True)
class Init:
    pass


@dataclass(frozen=True, slots=True)
class Cell:
    storage: int  # index into Strategy.storages; never a stack


Value = Union[Reg, Init, Cell]


@dataclass(frozen=True, slots=True)
class Assign:
    target: Reg | Cell
    value: Value
    span: Span


@dataclass(frozen=True, slots=True)
class Pop:
    target: Reg | Cell
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


@dataclass(frozen=True, slots=True)
class Read:
    """`read CR2`: the handler reads the register here (its delivery's value, or the one it had at entry)."""

    register: int
    span: Span


@dataclass(frozen=True, slots=True)
class Window:
    """`window`: a point of the entry (or exit) code where what may arrive in a window can nest;
    `kinds` are the entries this code itself may raise here (`window(page_fault)`)."""

    kinds: frozenset[int]
    span: Span


Statement = Union[Assign, Pop, Push, If, Read, Window]


class Hook(Enum):
    ENTRY = "entry"
    EXIT = "exit"
    SWITCH_OUT = "switch_out"
    SWITCH_IN = "switch_in"
    WRITE = "write"


@dataclass(frozen=True, slots=True)
class Handler:
    hook: Hook
    kinds: frozenset[int] | None  # the entry kinds it is for (`on write`: the registers); None: every one
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
    registers: tuple[Register, ...] = ()   # the registers it is about, in order (PKRS alone by default)

    @property
    def spec_bounds(self) -> Bounds:
        """The bounds the spec itself gives (what its `expect` lines speak of)."""
        return self.declared or self.bounds

    def register(self, name: str) -> Register | None:
        return next((r for r in self.registers if r.name == name), None)

    def handler_for(self, hook: Hook, kind: int | None = None) -> Handler | None:
        """The one handler that applies: the one naming the kind (for `on write`, the register), else the
        general one."""
        general = None
        for handler in self.handlers:
            if handler.hook is not hook:
                continue
            if handler.kinds is None:
                general = handler
            elif kind is not None and kind in handler.kinds:
                return handler
        return general
