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
from .holes import outermost, sketch_problems
from .source import Span

# Inclusive ranges for numbers a user writes; wider ones are a typo or a
# question no engine here answers.
# A depth of 0 leaves no room for any entry: every verdict would be vacuous, so it is refused.
RANGES = {"tasks": (0, 16), "kthreads": (0, 16), "cpus": (1, 16), "depth": (1, 64), "max": (1, 64), "stack": (1, 64),
          "registers": (1, 4)}
FLAGS = ("writes", "sleeps", "atomic", "preempt_on_exit")
ENTRY_ONLY = ("from", "masks", "max", "in_windows", "delivers", "reads") + FLAGS
BASE_FLAGS = ("writes", "sleeps")
PLACES = {"local": ir.Place.LOCAL, "task": ir.Place.TASK, "task_stack": ir.Place.TASK_STACK, "cpu": ir.Place.CPU,
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
    out.first_of_each([r.name for r in model.registers], "register")
    names = [k.name.text for k in model.kinds]
    defaults = _bounds(model.bounds, ir.Bounds(tasks=1, kthreads=0, cpus=1, depth=8), out)
    entries = {k.name.text: i for i, k in enumerate(model.kinds) if not k.is_base}
    registers = tuple(_register(decl, index, entries, out) for index, decl in enumerate(model.registers))
    declared = [r.name.text for r in model.registers]
    kinds = tuple(_kind(decl, index, names, declared, out) for index, decl in enumerate(model.kinds))
    out.raise_if_any()
    return ir.Model(model.name.text, model.description, kinds, defaults, model.span, registers)


def _register(decl: ast.RegisterDecl, index: int, entries: dict[str, int], out: _Collector) -> ir.Register:
    """A register as its declaration says: `supervisor` (user mode does not observe it) and the entries
    whose handler must begin with it at INIT (`fresh in ...`). Delivery and reads are the kinds' (`delivers`,
    `reads`), joined in when a strategy picks the register."""
    for span in decl.repeated:
        out.error(Code.DUPLICATE, f"an attribute of register `{decl.name.text}` given twice", span)
    fresh: set[int] = set()
    for name in decl.fresh or ():
        if name.text == "any":
            fresh.update(entries.values())
        elif name.text in entries:
            fresh.add(entries[name.text])
        else:
            out.error(Code.UNKNOWN_KIND, f"`fresh in` names `{name.text}`, which is not an entry of the model",
                      name.span, help=did_you_mean(name.text, list(entries) + ["any"]))
    return ir.Register(decl.name.text, index, decl.supervisor is not None, frozenset(fresh), decl.span)


def _bounds(bounds: tuple[ast.Bound, ...], start: ir.Bounds, out: _Collector) -> ir.Bounds:
    out.first_of_each([b.name for b in bounds], "bound")
    values = {"tasks": start.tasks, "kthreads": start.kthreads, "cpus": start.cpus, "depth": start.depth}
    for bound in bounds:
        if out.in_range(bound.name.text, bound.value):
            values[bound.name.text] = bound.value.value
    return ir.Bounds(**values)


def _kind(decl: ast.KindDecl, index: int, names: list[str], registers: list[str], out: _Collector) -> ir.FrameKind:
    seen: dict[str, ast.Attribute] = {}
    for attribute in decl.attributes:
        if attribute.name in seen:
            out.error(Code.DUPLICATE, f"`{attribute.name}` given twice for `{decl.name.text}`", attribute.span)
        seen[attribute.name] = attribute
    user_mode = decl.is_base and decl.name.text == USER
    allowed = () if user_mode else BASE_FLAGS if decl.is_base else ENTRY_ONLY
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
    touched = {}
    for what in ("delivers", "reads"):
        if what in seen and what in allowed:
            register = seen[what].register
            if register.text in registers:
                touched[what] = (register.text,)
            else:
                out.error(Code.UNKNOWN_REGISTER, f"`{what} {register.text}`: the model declares no register "
                          f"`{register.text}`", register.span,
                          help=did_you_mean(register.text, registers) or f"declare it: `register {register.text}`")
    return ir.FrameKind(decl.name.text, index, decl.is_base, user_mode, interrupts, max_frames,
                        *(f in seen and f in allowed for f in FLAGS), decl.span, masks,
                        touched.get("delivers", ()), touched.get("reads", ()),
                        "in_windows" in seen and "in_windows" in allowed)


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
    holes = outermost(spec)
    if holes:  # a sketch: its completions are specs, it is not one
        raise InputError(sketch_problems(spec) + [Diagnostic(Code.SKETCH, f"`choose {holes[0].name.text}` leaves a hole: this is a sketch, "
                                     "not a spec", holes[0].span,
                                     notes=(f"{len(holes)} hole{'s' if len(holes) > 1 else ''} to fill",),
                                     help="`pkrsverify synthesize FILE` checks every completion of a sketch")])
    out = _Collector()
    if len(spec.models) > 1:
        out.error(Code.DUPLICATE, "the spec names its model twice", spec.models[1].span)
    out.first_of_each([s.name for s in spec.storages], "storage")
    registers = _registers(spec.registers, model, out)
    storages = tuple(_storage(decl, index, model, registers, out) for index, decl in enumerate(spec.storages))
    handlers = _handlers(spec.handlers, model, registers, storages, out)
    bounds, properties, expectations = _check_block(spec.checks, model, registers, storages, out)
    out.raise_if_any()
    return ir.Strategy(spec.name.text, spec.description, model, storages, handlers, bounds, properties,
                       expectations, spec.span, registers=registers)


def _registers(decls, model: ir.Model, out: _Collector) -> tuple[ir.Register, ...]:
    """The registers the spec is about, in its order: each `register R` takes the model's declaration (or,
    for PKRS, the implicit one), `register R { ... }` declares its own. None written: PKRS."""
    out.first_of_each([d.name for d in decls], "register")
    if len(decls) > RANGES["registers"][1]:
        out.error(Code.OUT_OF_RANGE, f"a spec is about at most {RANGES['registers'][1]} registers, not {len(decls)}",
                  decls[RANGES["registers"][1]].span)
    chosen, seen = [], set()
    for decl in decls:
        if decl.name.text in seen:
            continue
        seen.add(decl.name.text)
        declared = model.register(decl.name.text)
        if decl.block:
            if declared is not None:
                out.error(Code.DUPLICATE, f"the model already declares register `{decl.name.text}`", decl.span,
                          notes=(f"declared at {declared.span.location()}",),
                          help=f"write `register {decl.name.text}` to take the model's declaration")
            chosen.append(_register(decl, 0, {k.name: k.index for k in model.entries}, out))
        elif declared is not None:
            chosen.append(declared)
        elif decl.name.text == ir.PKRS:
            chosen.append(ir.implicit_pkrs(model))
        else:
            names = [r.name for r in model.registers] + [ir.PKRS]
            out.error(Code.UNKNOWN_REGISTER, f"model `{model.name}` declares no register `{decl.name.text}`",
                      decl.name.span, help=did_you_mean(decl.name.text, names)
                      or f"declare it here: `register {decl.name.text} {{ fresh in ... }}`")
    if not decls:
        chosen = [model.register(ir.PKRS) or ir.implicit_pkrs(model)]
    return tuple(_in_strategy(r, i, model) for i, r in enumerate(chosen))


def _in_strategy(register: ir.Register, index: int, model: ir.Model) -> ir.Register:
    """The register at its place in the spec's list, with the entries that deliver and read it."""
    return ir.Register(register.name, index, register.supervisor, register.fresh, register.span,
                       frozenset(k.index for k in model.entries if register.name in k.delivers),
                       frozenset(k.index for k in model.entries if register.name in k.reads))


def _register_named(name: ast.Name, registers, model: ir.Model, out: _Collector) -> ir.Register | None:
    found = next((r for r in registers if r.name == name.text), None)
    if found is None:
        tracked = ", ".join(r.name for r in registers)
        hint = (f"add `register {name.text}` to the spec: it is about {tracked} now"
                if model.register(name.text) is not None or name.text == ir.PKRS
                else did_you_mean(name.text, [r.name for r in registers]))
        out.error(Code.UNKNOWN_REGISTER, f"the spec is not about a register `{name.text}`", name.span, help=hint,
                  notes=(f"registers of this spec: {tracked}",))
    return found


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


def _storage(decl: ast.StorageDecl, index: int, model: ir.Model, registers, out: _Collector) -> ir.Storage:
    place = PLACES[decl.place.where]
    size = 1
    if decl.place.size is not None:
        if decl.place.size.value == 0:
            out.error(Code.EMPTY_STACK_SIZE, "a stack of size 0 cannot hold a value", decl.place.size.span,
                      help="use `task stack 1` or larger, or plain `task` for one slot")
        elif out.in_range("stack", decl.place.size):
            size = decl.place.size.value
    kinds = _entry_kinds(decl.place.kinds, model, out) if place is ir.Place.IDTENTRY_STATE else None
    shadows = None
    if decl.place.shadows is not None:
        register = _register_named(decl.place.shadows, registers, model, out)
        shadows = register.index if register is not None else None
    return ir.Storage(decl.name.text, index, place, size, kinds, decl.span, shadows)


def _handlers(decls, model: ir.Model, registers, storages, out: _Collector) -> tuple[ir.Handler, ...]:
    """Resolve each handler's list (entry kinds; for `on write`, registers) and its statements."""
    named: dict[tuple[ir.Hook, int], ast.Name] = {}
    general: dict[ir.Hook, ast.HandlerDecl] = {}
    heads = []
    for decl in decls:
        hook = ir.Hook(decl.hook.text)
        kinds = None
        if decl.kinds is not None:
            kinds = _handler_list(decl, hook, model, registers, out)
            for name in decl.kinds:
                index = _listed_index(hook, name, model, registers)
                if index is None:
                    continue
                if (hook, index) in named:
                    out.error(Code.KIND_IN_TWO_HANDLERS, f"`{name.text}` is named in two `on {hook.value}` handlers",
                              name.span, notes=(f"first named at {named[hook, index].span.location()}",))
                else:
                    named[hook, index] = name
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
        frame = applies if hook in (ir.Hook.ENTRY, ir.Hook.EXIT) else None
        scope = _Scope(model, registers, storages, hook, frame, out)
        handlers.append(ir.Handler(hook, kinds, scope.statements(decl.body, top=True), decl.span))
    return tuple(handlers)


def _listed_index(hook: ir.Hook, name: ast.Name, model: ir.Model, registers) -> int | None:
    """What a name in a handler's list stands for: an entry kind, or for `on write` a register."""
    if hook is ir.Hook.WRITE:
        return next((r.index for r in registers if r.name == name.text and r.software), None)
    kind = model.kind(name.text)
    return kind.index if kind is not None and not kind.is_base else None


def _handler_list(decl: ast.HandlerDecl, hook: ir.Hook, model: ir.Model, registers, out: _Collector) -> frozenset[int]:
    if hook is ir.Hook.WRITE:
        chosen = set()
        for name in decl.kinds:
            register = _register_named(name, registers, model, out)
            if register is not None and not register.software:
                out.error(Code.BAD_ATTRIBUTE, f"`{name.text}` is written by the hardware's delivery, not by a write "
                          "API", name.span, notes=("`on write(R)` runs after the kernel writes R",))
            elif register is not None:
                chosen.add(register.index)
        return frozenset(chosen)
    if hook not in (ir.Hook.ENTRY, ir.Hook.EXIT):
        out.error(Code.BAD_ATTRIBUTE, f"`on {hook.value}` does not take a kind list", decl.kinds[0].span,
                  notes=("only `on entry(...)`, `on exit(...)` and `on write(REGISTER)` take one",))
    return _entry_kinds(decl.kinds, model, out)


@dataclass
class _Scope:
    """What a handler's statements may name: the event decides which frame exists."""

    model: ir.Model
    registers: tuple[ir.Register, ...]
    storages: tuple[ir.Storage, ...]
    hook: ir.Hook
    frame_kinds: frozenset[int] | None  # the entry kinds whose frame is in scope; None: no frame
    out: _Collector

    def statements(self, body, top: bool = False) -> tuple[ir.Statement, ...]:
        """`top`: the handler's own statements (not inside an `if`), where `read` and `window` may stand."""
        out = tuple(s for s in (self.statement(node, top) for node in body) if s is not None)
        if top:
            self.read_once(body)
        return out

    def statement(self, node, top: bool = False):
        if isinstance(node, ast.Assign):
            return ir.Assign(self.target(node.target), self.value(node.value), node.span)
        if isinstance(node, ast.Pop):
            return ir.Pop(self.target(node.target), self.stack(node.stack), node.span)
        if isinstance(node, ast.Push):
            return ir.Push(self.stack(node.stack), self.value(node.value), node.span)
        if isinstance(node, ast.Read):
            return self.read(node, top)
        if isinstance(node, ast.Window):
            return self.window(node, top)
        return ir.If(self.value(node.left), node.equal, self.value(node.right),
                     self.statements(node.then), self.statements(node.otherwise), node.span)

    def misplaced(self, node, what: str, top: bool, hooks: tuple[ir.Hook, ...]) -> bool:
        if self.hook in hooks and top:
            return False
        where = " or ".join(f"`on {h.value}`" for h in hooks)
        self.out.error(Code.MISPLACED_STATEMENT, f"`{what}` stands only among the statements of {where}, not "
                       + ("inside an `if`" if self.hook in hooks else f"in `on {self.hook.value}`"), node.span,
                       notes=(f"`{what}` marks a point of the entry code itself (docs/language.md §3.5)",))
        return True

    def read(self, node: ast.Read, top: bool):
        register = self.register(node.register)
        if self.misplaced(node, "read", top, (ir.Hook.ENTRY,)) or register is None:
            return None
        unread = sorted(self.model.kinds[k].name for k in (self.frame_kinds or frozenset()) - register.read_by)
        if unread:
            self.out.error(Code.BAD_ATTRIBUTE, f"`read {register.name}` on {', '.join(unread)}, whose model entry "
                           f"does not say `reads {register.name}`", node.span,
                           help=f"add `reads {register.name}` to the entry in the model, or restrict the handler")
            return None
        return ir.Read(register.index, node.span)

    def read_once(self, body) -> None:
        seen = {}
        for node in body:
            if isinstance(node, ast.Read):
                if node.register.text in seen:
                    self.out.error(Code.DUPLICATE, f"`read {node.register.text}` twice in one handler", node.span,
                                   notes=(f"first at {seen[node.register.text].location()}",
                                          "a handler reads what its delivery gave it once"))
                seen[node.register.text] = node.span

    def window(self, node: ast.Window, top: bool):
        if self.misplaced(node, "window", top, (ir.Hook.ENTRY, ir.Hook.EXIT)):
            return None
        return ir.Window(_entry_kinds(node.kinds, self.model, self.out), node.span)

    def register(self, name: ast.Name) -> ir.Register | None:
        return _register_named(name, self.registers, self.model, self.out)

    def target(self, node):
        return self.value(node)

    def value(self, node):
        if isinstance(node, ast.Reg):
            register = self.register(node.name)
            return ir.Reg(register.index if register is not None else -1)
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
            hint = (f"did you mean `{upper}`? (registers and the boot value are upper case)"
                    if upper in ("INIT", *(r.name for r in self.registers))
                    else did_you_mean(name.text, [s.name for s in self.storages]))
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


def _check_block(blocks, model: ir.Model, registers, storages, out: _Collector):
    if len(blocks) > 1:
        out.error(Code.DUPLICATE, "two `check` blocks", blocks[1].span)
    block = blocks[0] if blocks else None
    bounds = _bounds(block.bounds, model.defaults, out) if block else model.defaults
    applicable = ir.applicable_properties(model, registers, storages)
    properties = applicable
    if block and block.properties is not None:
        out.first_of_each([ast.Name(r.text, r.span) for r in block.properties], "property")
        properties = tuple(p for p in (_property(r, registers, storages, applicable, out) for r in block.properties) if p)
        properties = tuple(dict.fromkeys(properties))
    expectations = _expectations(block.expectations if block else (), registers, storages, applicable, out)
    return bounds, properties, expectations


def _property(ref: ast.PropertyRef, registers, storages, applicable, out: _Collector) -> ir.Property | None:
    """`no_lost` (PKRS's), `no_lost[CR2]`, `shadow[cache]`: a property of this spec's registers or shadows."""
    known = [p.value for p in applicable]
    try:
        prop = ir.Property(ref.text)
    except ValueError as error:
        out.error(Code.UNKNOWN_PROPERTY, f"no property named `{ref.text}`", ref.span,
                  help=did_you_mean(ref.text, known) or (str(error) if "[" in str(error) else None),
                  notes=("properties of this spec: " + ", ".join(known),))
        return None
    if prop.register is not None and all(r.name != prop.register for r in registers):
        bare = f" (a name without `[...]` is about {ir.PKRS})" if ref.subject is None else ""
        out.error(Code.UNKNOWN_PROPERTY, f"`{ref.text}` is about {prop.register}, which this spec does not "
                  f"track{bare}", ref.span, help=did_you_mean(ref.text, known),
                  notes=("properties of this spec: " + ", ".join(known),))
        return None
    if prop.kind is ir.PropertyKind.SHADOW and not any(s.name == prop.storage and s.shadows is not None
                                                       for s in storages):
        out.error(Code.UNKNOWN_PROPERTY, f"`{prop.storage}` shadows no register", ref.span,
                  help="declare it `storage NAME : cpu shadows REGISTER`")
        return None
    return prop


def _expectations(nodes, registers, storages, applicable, out: _Collector) -> tuple[ir.Expectation, ...]:
    """`expect holds` stands for every property of the spec (ir.applicable_properties) not named in another
    expect line."""
    named: dict[ir.Property, ir.Expectation] = {}
    catch_all = None
    for node in nodes:
        if node.property is None:
            catch_all = node
            continue
        prop = _property(node.property, registers, storages, applicable, out)
        if prop is None:
            continue
        if prop in named:
            out.error(Code.DUPLICATE, f"two expectations for `{prop.value}`", node.span)
        named[prop] = ir.Expectation(prop, node.violated, node.length.value if node.length else None, node.span,
                                     node.vacuous)
    if catch_all is not None:
        for prop in applicable:
            named.setdefault(prop, ir.Expectation(prop, False, None, catch_all.span))
    order = list(applicable) + [p for p in named if p not in applicable]
    return tuple(named[p] for p in order if p in named)
