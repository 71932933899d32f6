"""AST -> IR: resolve names and enforce the static rules of docs/language.md.

Every rule that can be checked without exploring is checked here, and all
violations of a file are collected before anything is raised, so a user
fixes a spec in one round.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import ir
from . import syntax as ast
from .diagnostics import Code, Diagnostic, InputError, did_you_mean
from .source import Span

# Inclusive ranges for numbers a user writes; wider ones are a typo or a
# question no engine here answers.
# A depth of 0 leaves no room for any entry: every verdict would be vacuous, so it is refused.
RANGES = {"tasks": (0, 16), "kthreads": (0, 16), "cpus": (1, 16), "depth": (1, 64), "max": (1, 64), "stack": (1, 64)}
FLAGS = ("writes", "sleeps", "atomic", "preempt_on_exit")
BASE_FLAGS = ("writes", "sleeps")
PLACES = {"task": ir.Place.TASK, "task_stack": ir.Place.TASK_STACK, "cpu": ir.Place.CPU,
          "cpu_stack": ir.Place.CPU_STACK, "global": ir.Place.GLOBAL, "pt_regs": ir.Place.PT_REGS,
          "beside_pt_regs": ir.Place.BESIDE_PT_REGS, "idtentry_state": ir.Place.IDTENTRY_STATE}
USER = "user"


@dataclass
class _Collector:
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, code: Code, message: str, span: Span | None, *, help: str | None = None, notes=()) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, tuple(notes), help))

    def raise_if_any(self) -> None:
        if self.diagnostics:  # in the order of the file, as a reader goes through it
            raise InputError(sorted(self.diagnostics, key=lambda d: d.span.start if d.span else -1))

    def in_range(self, what: str, number: ast.Number) -> bool:
        low, high = RANGES[what]
        if low <= number.value <= high:
            return True
        self.error(Code.OUT_OF_RANGE, f"`{what}` must be between {low} and {high}, not {number.value}", number.span)
        return False

    def first_of_each(self, names: list[ast.Name], what: str) -> None:
        seen: dict[str, ast.Name] = {}
        for name in names:
            if name.text in seen:
                self.error(Code.DUPLICATE, f"{what} `{name.text}` declared twice", name.span,
                           notes=(f"first declared at {seen[name.text].span.location()}",))
            else:
                seen[name.text] = name


# ---- models -------------------------------------------------------------------

def analyze_model(model: ast.ModelFile) -> ir.Model:
    out = _Collector()
    out.first_of_each([k.name for k in model.kinds], "kind")
    names = [k.name.text for k in model.kinds]
    defaults = _bounds(model.bounds, ir.Bounds(tasks=1, kthreads=0, cpus=1, depth=8), out)
    kinds = tuple(_kind(decl, index, names, out) for index, decl in enumerate(model.kinds))
    out.raise_if_any()
    return ir.Model(model.name.text, model.description, kinds, defaults, model.span)


def _bounds(bounds: tuple[ast.Bound, ...], start: ir.Bounds, out: _Collector) -> ir.Bounds:
    out.first_of_each([b.name for b in bounds], "bound")
    values = {"tasks": start.tasks, "kthreads": start.kthreads, "cpus": start.cpus, "depth": start.depth}
    for bound in bounds:
        if out.in_range(bound.name.text, bound.value):
            values[bound.name.text] = bound.value.value
    return ir.Bounds(**values)


def _kind(decl: ast.KindDecl, index: int, names: list[str], out: _Collector) -> ir.FrameKind:
    seen: dict[str, ast.Attribute] = {}
    for attribute in decl.attributes:
        if attribute.name in seen:
            out.error(Code.DUPLICATE, f"`{attribute.name}` given twice for `{decl.name.text}`", attribute.span)
        seen[attribute.name] = attribute
    user_mode = decl.is_base and decl.name.text == USER
    allowed = () if user_mode else BASE_FLAGS if decl.is_base else ("from", "masks", "max") + FLAGS
    for attribute in decl.attributes:
        if attribute.name not in allowed:
            why = ("user mode neither writes PKRS nor calls schedule()" if user_mode
                   else "a base frame is not entered: it only `writes` and `sleeps`")
            out.error(Code.BAD_ATTRIBUTE, f"`{attribute.name}` is not allowed on base `{decl.name.text}`", attribute.span,
                      notes=(why,))
    if not decl.is_base and "from" not in seen:
        out.error(Code.MISSING_FROM, f"entry `{decl.name.text}` does not say what it may interrupt", decl.name.span,
                  help="add `from user, ...` (or `from any`)")
    if not decl.is_base and "atomic" in seen and "sleeps" in seen:
        out.error(Code.BAD_ATTRIBUTE, f"entry `{decl.name.text}` is `atomic` and so cannot sleep", seen["sleeps"].span)
    interrupts = _kind_set(seen["from"], names, out) if "from" in seen else frozenset()
    masks = _kind_set(seen["masks"], names, out) if "masks" in seen and "masks" in allowed else frozenset()
    max_frames = None
    if "max" in seen and out.in_range("max", seen["max"].number):
        max_frames = seen["max"].number.value
    return ir.FrameKind(decl.name.text, index, decl.is_base, user_mode, interrupts, max_frames,
                        *(f in seen and f in allowed for f in FLAGS), decl.span, masks)


def _kind_set(attribute: ast.Attribute, names: list[str], out: _Collector) -> frozenset[int]:
    """The kinds a `from` or `masks` list names (`any`: every kind)."""
    kinds: set[int] = set()
    for name in attribute.kinds:
        if name.text == "any":
            kinds.update(range(len(names)))
        elif name.text in names:
            kinds.add(names.index(name.text))
        else:
            out.error(Code.UNKNOWN_FROM_KIND, f"`{attribute.name}` names `{name.text}`, which this model does not "
                      "declare", name.span, help=did_you_mean(name.text, names + ["any"]))
    return frozenset(kinds)


# ---- strategies -----------------------------------------------------------------

def analyze_strategy(spec: ast.StrategyFile, model: ir.Model) -> ir.Strategy:
    out = _Collector()
    if len(spec.models) > 1:
        out.error(Code.DUPLICATE, "the spec names its model twice", spec.models[1].span)
    out.first_of_each([s.name for s in spec.storages], "storage")
    storages = tuple(_storage(decl, index, model, out) for index, decl in enumerate(spec.storages))
    handlers = _handlers(spec.handlers, model, storages, out)
    bounds, properties, expectations = _check_block(spec.checks, model, out)
    out.raise_if_any()
    registers = (ir.implicit_pkrs(model),)
    return ir.Strategy(spec.name.text, spec.description, model, storages, handlers, bounds, properties,
                       expectations, spec.span, registers=registers)


def _entry_kinds(names: tuple[ast.Name, ...], model: ir.Model, out: _Collector) -> frozenset[int]:
    kinds = set()
    for name in names:
        kind = model.kind(name.text)
        if kind is None:
            out.error(Code.UNKNOWN_KIND, f"model `{model.name}` has no entry kind `{name.text}`", name.span,
                      help=did_you_mean(name.text, [k.name for k in model.entries]))
        elif kind.is_base:
            out.error(Code.NOT_AN_ENTRY, f"`{name.text}` is a base frame, not an entry", name.span,
                      notes=("only entry frames are entered and exited",))
        else:
            kinds.add(kind.index)
    return frozenset(kinds)


def _storage(decl: ast.StorageDecl, index: int, model: ir.Model, out: _Collector) -> ir.Storage:
    place = PLACES[decl.place.where]
    size = 1
    if decl.place.size is not None:
        if decl.place.size.value == 0:
            out.error(Code.EMPTY_STACK_SIZE, "a stack of size 0 cannot hold a value", decl.place.size.span,
                      help="use `task stack 1` or larger, or plain `task` for one slot")
        elif out.in_range("stack", decl.place.size):
            size = decl.place.size.value
    kinds = _entry_kinds(decl.place.kinds, model, out) if place is ir.Place.IDTENTRY_STATE else None
    return ir.Storage(decl.name.text, index, place, size, kinds, decl.span)


def _handlers(decls, model: ir.Model, storages, out: _Collector) -> tuple[ir.Handler, ...]:
    named: dict[tuple[ir.Hook, int], ast.Name] = {}
    general: dict[ir.Hook, ast.HandlerDecl] = {}
    heads = []
    for decl in decls:
        hook = ir.Hook(decl.hook.text)
        kinds = None
        if decl.kinds is not None:
            if hook not in (ir.Hook.ENTRY, ir.Hook.EXIT):
                out.error(Code.BAD_ATTRIBUTE, f"`on {hook.value}` does not take a kind list", decl.kinds[0].span,
                          notes=("only `on entry(...)` and `on exit(...)` apply to chosen kinds",))
            kinds = _entry_kinds(decl.kinds, model, out)
            for name in decl.kinds:
                kind = model.kind(name.text)
                if kind is None or kind.is_base:
                    continue
                if (hook, kind.index) in named:
                    out.error(Code.KIND_IN_TWO_HANDLERS, f"`{name.text}` is named in two `on {hook.value}` handlers",
                              name.span, notes=(f"first named at {named[hook, kind.index].span.location()}",))
                else:
                    named[hook, kind.index] = name
        elif hook in general:
            out.error(Code.DUPLICATE, f"two `on {hook.value}` handlers without a kind list", decl.span,
                      notes=(f"the first is at {general[hook].span.location()}",))
        else:
            general[hook] = decl
        heads.append((decl, hook, kinds))
    handlers = []
    for decl, hook, kinds in heads:
        applies = kinds if kinds is not None else frozenset(
            k.index for k in model.entries if (hook, k.index) not in named)
        scope = _Scope(model, storages, hook, applies if hook in (ir.Hook.ENTRY, ir.Hook.EXIT) else None, out)
        handlers.append(ir.Handler(hook, kinds, scope.statements(decl.body), decl.span))
    return tuple(handlers)


@dataclass
class _Scope:
    """What a handler's statements may name: the event decides which frame exists."""

    model: ir.Model
    storages: tuple[ir.Storage, ...]
    hook: ir.Hook
    frame_kinds: frozenset[int] | None  # the entry kinds whose frame is in scope; None: no frame
    out: _Collector

    def statements(self, body) -> tuple[ir.Statement, ...]:
        return tuple(s for s in (self.statement(node) for node in body) if s is not None)

    def statement(self, node):
        if isinstance(node, ast.Assign):
            return ir.Assign(self.target(node.target), self.value(node.value), node.span)
        if isinstance(node, ast.Pop):
            return ir.Pop(self.target(node.target), self.stack(node.stack), node.span)
        if isinstance(node, ast.Push):
            return ir.Push(self.stack(node.stack), self.value(node.value), node.span)
        return ir.If(self.value(node.left), node.equal, self.value(node.right),
                     self.statements(node.then), self.statements(node.otherwise), node.span)

    def target(self, node):
        return ir.Reg(0) if isinstance(node, ast.Pkrs) else self.cell(node.name)

    def value(self, node):
        if isinstance(node, ast.Pkrs):
            return ir.Reg(0)
        if isinstance(node, ast.Init):
            return ir.Init()
        return self.cell(node.name)

    def cell(self, name: ast.Name) -> ir.Cell:
        storage = self.lookup(name)
        if storage is not None and storage.place.is_stack:
            self.out.error(Code.WRONG_STORAGE_USE, f"`{name.text}` is a stack: use `push` and `pop`", name.span)
        return ir.Cell(storage.index if storage else -1)

    def stack(self, name: ast.Name) -> int:
        storage = self.lookup(name)
        if storage is not None and not storage.place.is_stack:
            self.out.error(Code.WRONG_STORAGE_USE, f"`{name.text}` is a single slot, not a stack", name.span,
                           help="declare it as `task stack N` or `cpu stack N` to push and pop")
        return storage.index if storage else -1

    def lookup(self, name: ast.Name) -> ir.Storage | None:
        storage = next((s for s in self.storages if s.name == name.text), None)
        if storage is None:
            upper = name.text.upper()
            hint = (f"did you mean `{upper}`? (the register and the boot value are upper case)"
                    if upper in ("INIT", "PKRS") else did_you_mean(name.text, [s.name for s in self.storages]))
            self.out.error(Code.UNKNOWN_STORAGE, f"no storage named `{name.text}`", name.span, help=hint)
            return None
        if storage.place.is_frame:
            self.check_frame_has(storage, name)
        return storage

    def check_frame_has(self, storage: ir.Storage, name: ast.Name) -> None:
        if self.frame_kinds is None:
            self.out.error(Code.STORAGE_NOT_IN_FRAME,
                           f"`{name.text}` lives in an entry frame, and `on {self.hook.value}` has none", name.span,
                           notes=("frame storage exists only in `on entry` and `on exit`, for the frame entered or exited",))
            return
        lacking = sorted(self.model.kinds[k].name for k in self.frame_kinds - (storage.kinds or self.frame_kinds))
        if lacking:
            listed = ", ".join(self.model.kinds[k].name for k in sorted(storage.kinds))
            self.out.error(Code.STORAGE_NOT_IN_FRAME,
                           f"`{name.text}` is used on {', '.join(lacking)}, whose frame has no {storage.place.value}",
                           name.span, notes=(f"`{name.text}` exists only on: {listed}",),
                           help=f"restrict the handler: `on {self.hook.value}({listed})`")


def _check_block(blocks, model: ir.Model, out: _Collector):
    if len(blocks) > 1:
        out.error(Code.DUPLICATE, "two `check` blocks", blocks[1].span)
    block = blocks[0] if blocks else None
    bounds = _bounds(block.bounds, model.defaults, out) if block else model.defaults
    properties = tuple(ir.Property)
    if block and block.properties is not None:
        out.first_of_each(list(block.properties), "property")
        properties = tuple(p for p in (_property(n, out) for n in block.properties) if p)
        properties = tuple(dict.fromkeys(properties))
    expectations = _expectations(block.expectations if block else (), out)
    return bounds, properties, expectations


def _property(name: ast.Name, out: _Collector) -> ir.Property | None:
    try:
        return ir.Property(name.text)
    except ValueError:
        out.error(Code.UNKNOWN_PROPERTY, f"no property named `{name.text}`", name.span,
                  help=did_you_mean(name.text, [p.value for p in ir.Property]),
                  notes=("properties: " + ", ".join(p.value for p in ir.Property),))
        return None


def _expectations(nodes, out: _Collector) -> tuple[ir.Expectation, ...]:
    """`expect holds` stands for every property not named in another expect line."""
    named: dict[ir.Property, ir.Expectation] = {}
    catch_all = None
    for node in nodes:
        if node.property is None:
            catch_all = node
            continue
        prop = _property(node.property, out)
        if prop is None:
            continue
        if prop in named:
            out.error(Code.DUPLICATE, f"two expectations for `{prop.value}`", node.span)
        named[prop] = ir.Expectation(prop, node.violated, node.length.value if node.length else None, node.span,
                                     node.vacuous)
    if catch_all is not None:
        for prop in ir.Property:
            named.setdefault(prop, ir.Expectation(prop, False, None, catch_all.span))
    return tuple(named[p] for p in ir.Property if p in named)
