"""The abstract syntax: what a file says, with a span on every node.

Nothing here is checked yet: names are strings and may be misspelt; the
analysis (`analyze.py`) resolves them into the IR or reports diagnostics.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from .source import Span


@dataclass(frozen=True, slots=True)
class Name:
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Number:
    value: int
    span: Span


# ---- models -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Bound:
    name: Name  # tasks | kthreads | cpus | depth
    value: Number
    span: Span


@dataclass(frozen=True, slots=True)
class Attribute:
    """One item of a kind's block: `from a, b`, `max 3`, `writes`, ..."""

    name: str  # from | masks | max | writes | sleeps | atomic | preempt_on_exit | in_windows | delivers | reads
    span: Span
    kinds: tuple[Name, ...] = ()  # for `from` and `masks`
    number: Number | None = None  # for `max`
    register: Name | None = None  # for `delivers` and `reads`


@dataclass(frozen=True, slots=True)
class RegisterDecl:
    """`register CR2 { supervisor; fresh in nmi }`, or a bare `register CR2` (in a spec: the model's)."""

    name: Name
    block: bool                          # written with `{ ... }`: this file declares it
    supervisor: Span | None              # where `supervisor` is written
    fresh: tuple[Name, ...] | None       # `fresh in ...`; None: not written
    span: Span
    repeated: tuple[Span, ...] = ()      # attributes given twice


@dataclass(frozen=True, slots=True)
class KindDecl:
    name: Name
    is_base: bool
    attributes: tuple[Attribute, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class ModelFile:
    name: Name
    description: str | None
    bounds: tuple[Bound, ...]
    kinds: tuple[KindDecl, ...]
    span: Span
    registers: tuple[RegisterDecl, ...] = ()


# ---- strategy specs ---------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Place:
    """Where a storage lives: task, task stack N, cpu, ..., frame in pt_regs."""

    where: str  # task | task_stack | cpu | cpu_stack | global | pt_regs | beside_pt_regs | idtentry_state
    span: Span
    size: Number | None = None  # for stacks
    kinds: tuple[Name, ...] = ()  # for idtentry_state only(...)
    shadows: Name | None = None   # for `cpu shadows R`


@dataclass(frozen=True, slots=True)
class StorageDecl:
    name: Name
    place: Place
    span: Span


@dataclass(frozen=True, slots=True)
class Reg:
    """A register named in a statement: `PKRS`, `CR2`."""

    name: Name

    @property
    def span(self) -> Span:
        return self.name.span


@dataclass(frozen=True, slots=True)
class Init:
    span: Span


@dataclass(frozen=True, slots=True)
class CellRef:
    name: Name

    @property
    def span(self) -> Span:
        return self.name.span


Value = Union[Reg, Init, CellRef]


@dataclass(frozen=True, slots=True)
class Assign:
    target: Reg | CellRef
    value: Value
    span: Span


@dataclass(frozen=True, slots=True)
class Pop:
    target: Reg | CellRef
    stack: Name
    span: Span


@dataclass(frozen=True, slots=True)
class Push:
    stack: Name
    value: Value
    span: Span


@dataclass(frozen=True, slots=True)
class If:
    left: Value
    equal: bool  # `==` when True, `!=` when False
    right: Value
    then: tuple["Statement", ...]
    otherwise: tuple["Statement", ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Read:
    """`read CR2`: the handler reads the register here."""

    register: Name
    span: Span


@dataclass(frozen=True, slots=True)
class Window:
    """`window` or `window(page_fault)`: entries may nest here, inside the entry or exit code."""

    kinds: tuple[Name, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Alternative:
    """`LABEL[, LABEL] { ... }` in a `choose`: what the hole holds when it takes one of these labels."""

    labels: tuple[Name, ...]
    body: tuple  # strategy items (a `choose` among items) or statements (among statements)
    inner: Span  # the text between the braces: what a completion puts in place of the `choose`
    span: Span


@dataclass(frozen=True, slots=True)
class Choice:
    """`choose NAME { ... }`: a hole of a sketch (docs/language.md section 9). Every `choose` of one
    name takes the same label, so one choice can place a storage and the statements that use it."""

    name: Name
    alternatives: tuple[Alternative, ...]
    span: Span

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(label.text for alternative in self.alternatives for label in alternative.labels)


Statement = Union[Assign, Pop, Push, If, Read, Window, Choice]


@dataclass(frozen=True, slots=True)
class HandlerDecl:
    hook: Name  # entry | exit | switch_out | switch_in | write
    kinds: tuple[Name, ...] | None  # None: applies to every kind (`on write(CR2)`: registers)
    body: tuple[Statement, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class PropertyRef:
    """`no_lost`, `no_lost[CR2]`, `shadow[this_cpu.pkrs_cache]`."""

    name: Name
    subject: Name | None
    span: Span

    @property
    def text(self) -> str:
        return self.name.text + (f"[{self.subject.text}]" if self.subject else "")


@dataclass(frozen=True, slots=True)
class Expectation:
    property: PropertyRef | None  # None: `expect holds` (every property not named)
    violated: bool
    length: Number | None
    span: Span
    vacuous: bool = False  # `expect P vacuous`: it holds because nothing ever checks it


@dataclass(frozen=True, slots=True)
class CheckBlock:
    bounds: tuple[Bound, ...]
    properties: tuple[PropertyRef, ...] | None
    expectations: tuple[Expectation, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class ModelRef:
    name: str
    is_path: bool  # a quoted path, resolved relative to the spec
    span: Span


@dataclass(frozen=True, slots=True)
class StrategyFile:
    name: Name
    description: str | None
    models: tuple[ModelRef, ...]  # more than one is a diagnostic, not a parse error
    storages: tuple[StorageDecl, ...]
    handlers: tuple[HandlerDecl, ...]
    checks: tuple[CheckBlock, ...]
    span: Span
    registers: tuple[RegisterDecl, ...] = ()
    choices: tuple[Choice, ...] = ()  # the holes among its items (a sketch); statements hold their own


File = Union[ModelFile, StrategyFile]
