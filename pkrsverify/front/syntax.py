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

    name: str  # from | masks | max | writes | sleeps | atomic | preempt_on_exit
    span: Span
    kinds: tuple[Name, ...] = ()  # for `from` and `masks`
    number: Number | None = None  # for `max`


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


# ---- strategy specs ---------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Place:
    """Where a storage lives: task, task stack N, cpu, ..., frame in pt_regs."""

    where: str  # task | task_stack | cpu | cpu_stack | global | pt_regs | beside_pt_regs | idtentry_state
    span: Span
    size: Number | None = None  # for stacks
    kinds: tuple[Name, ...] = ()  # for idtentry_state only(...)


@dataclass(frozen=True, slots=True)
class StorageDecl:
    name: Name
    place: Place
    span: Span


@dataclass(frozen=True, slots=True)
class Pkrs:
    span: Span


@dataclass(frozen=True, slots=True)
class Init:
    span: Span


@dataclass(frozen=True, slots=True)
class CellRef:
    name: Name

    @property
    def span(self) -> Span:
        return self.name.span


Value = Union[Pkrs, Init, CellRef]


@dataclass(frozen=True, slots=True)
class Assign:
    target: Pkrs | CellRef
    value: Value
    span: Span


@dataclass(frozen=True, slots=True)
class Pop:
    target: Pkrs | CellRef
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


Statement = Union[Assign, Pop, Push, If]


@dataclass(frozen=True, slots=True)
class HandlerDecl:
    hook: Name  # entry | exit | switch_out | switch_in | write
    kinds: tuple[Name, ...] | None  # None: applies to every kind
    body: tuple[Statement, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Expectation:
    property: Name | None  # None: `expect holds` (every property not named)
    violated: bool
    length: Number | None
    span: Span
    vacuous: bool = False  # `expect P vacuous`: it holds because nothing ever checks it


@dataclass(frozen=True, slots=True)
class CheckBlock:
    bounds: tuple[Bound, ...]
    properties: tuple[Name, ...] | None
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


File = Union[ModelFile, StrategyFile]
