"""Static review figures: what a design costs, read off the IR without exploring.

docs/semantics.md, "Static review figures": reviewers compare designs by the
bytes of storage they add per task, per CPU and per entry frame, by the
PKRS MSR reads and writes on each entry, exit and context switch, by whether
`struct pt_regs` changes layout (BPF and ptrace see it as ABI), and by
whether the saved value can be found from a `struct pt_regs *` by the
unwinder and by the #PF handler. These figures need no state space, so
`compare` shows them next to the verdicts.
"""
from __future__ import annotations

from ..front import ir
from ..result import HookCost, MsrCount, RegisterCost, ReviewFigures, StorageFigure

# Sizes as the 2020 thread counts them: "A stack of 7 entries and an index
# needs 32bytes" (tglx): 32-bit saved values and a 32-bit stack index. (A
# pt_regs slot would be an unsigned long in the kernel; the thread compares
# designs at 4 bytes a value, and so do we, so the figures line up with it.)
VALUE_BYTES = 4
INDEX_BYTES = 4

P = ir.Place


def review(strategy: ir.Strategy) -> ReviewFigures:
    storages = tuple(_figure(s, strategy.model) for s in strategy.storages)
    per = lambda where: sum(f.bytes for f in storages if f.per == where)  # noqa: E731
    frame_bytes = [sum(_bytes(s) for s in strategy.storages if s.place.is_frame and _on_kind(s, kind))
                   for kind in strategy.model.entries]
    findable, why = _findable(strategy)
    return ReviewFigures(
        storages=storages,
        bytes_per_task=per("task"),
        bytes_per_cpu=per("cpu"),
        bytes_per_frame=max(frame_bytes, default=0),
        bytes_per_frame_uniform=len(set(frame_bytes)) <= 1,
        bytes_global=per("system"),
        entry=_per_kind(strategy, ir.Hook.ENTRY, "entry"),
        exit=_per_kind(strategy, ir.Hook.EXIT, "exit"),
        switch=HookCost("context switch", (((), _cost(strategy.handler_for(ir.Hook.SWITCH_OUT))
                                              + _cost(strategy.handler_for(ir.Hook.SWITCH_IN))),)),
        write=HookCost("write API", (((), _cost(strategy.handler_for(ir.Hook.WRITE))),)),
        pt_regs_layout_changes=any(s.place is P.PT_REGS for s in strategy.storages),
        findable=findable,
        findable_why=why,
        per_register=_per_register(strategy) if len(strategy.registers) > 1 else (),
    )


def _per_register(strategy: ir.Strategy) -> tuple[RegisterCost, ...]:
    """The same MSR figures for each register alone (a spec about several)."""
    out = []
    for r in strategy.registers:
        switch = _cost(strategy.handler_for(ir.Hook.SWITCH_OUT), r.index) + \
            _cost(strategy.handler_for(ir.Hook.SWITCH_IN), r.index)
        out.append(RegisterCost(r.name, _per_kind(strategy, ir.Hook.ENTRY, "entry", r.index),
                                _per_kind(strategy, ir.Hook.EXIT, "exit", r.index),
                                HookCost("context switch", (((), switch),))))
    return tuple(out)


# ---- bytes ------------------------------------------------------------------

def _bytes(storage: ir.Storage) -> int:
    if storage.place.is_stack:
        return storage.size * VALUE_BYTES + INDEX_BYTES
    return VALUE_BYTES


def _figure(storage: ir.Storage, model: ir.Model) -> StorageFigure:
    place = storage.place
    written = f"{place.value} {storage.size}" if place.is_stack else place.value
    if place is P.IDTENTRY_STATE:
        written += "(" + ", ".join(k.name for k in model.kinds if k.index in storage.kinds) + ")"
    per = {P.TASK: "task", P.TASK_STACK: "task", P.CPU: "cpu", P.CPU_STACK: "cpu", P.GLOBAL: "system"}.get(place, "frame")
    return StorageFigure(storage.name, written, _bytes(storage), per)


def _on_kind(storage: ir.Storage, kind: ir.FrameKind) -> bool:
    return storage.kinds is None or kind.index in storage.kinds


# ---- MSR accesses -------------------------------------------------------------

def _per_kind(strategy: ir.Strategy, hook: ir.Hook, event: str, register: int | None = None) -> HookCost:
    groups: dict[MsrCount, list[str]] = {}
    for kind in strategy.model.entries:
        groups.setdefault(_cost(strategy.handler_for(hook, kind.index), register), []).append(kind.name)
    dearest_first = sorted(groups.items(), key=lambda group: (-group[0].writes_max, -group[0].reads_max))
    return HookCost(event, tuple((tuple(kinds), cost) for cost, kinds in dearest_first))


def _cost(handler: ir.Handler | None, register: int | None = None) -> MsrCount:
    """A handler's accesses to its registers (`register`: to that one alone)."""
    return _body_cost(handler.body, register) if handler else MsrCount()


def _body_cost(body, register: int | None = None) -> MsrCount:
    total = MsrCount()
    for statement in body:
        total = total + _statement_cost(statement, register)
    return total


def _statement_cost(statement, register: int | None = None) -> MsrCount:
    # Every mention of PKRS on the right is a read (RDMSR, or the per-CPU
    # shadow where the kernel keeps one: the language does not tell them
    # apart, so the figure is an upper bound on real RDMSRs); PKRS on the
    # left is a WRMSR.
    if isinstance(statement, ir.Assign):
        reads, writes = _reads(statement.value, register), _reads(statement.target, register)
        return MsrCount(reads, reads, writes, writes)
    if isinstance(statement, ir.Push):
        reads = _reads(statement.value, register)
        return MsrCount(reads, reads)
    if isinstance(statement, ir.Pop):
        writes = _reads(statement.target, register)
        return MsrCount(0, 0, writes, writes)
    if isinstance(statement, ir.Read):  # the handler's own use of the register: a read
        return MsrCount(1, 1) if register in (None, statement.register) else MsrCount()
    if isinstance(statement, ir.Window):
        return MsrCount()
    # `if PKRS != X { PKRS = X }`: the comparison reads once; what the
    # branches do happens on some runs only, so it counts from the cheaper
    # branch's minimum to the dearer one's maximum.
    compare = _reads(statement.left, register) + _reads(statement.right, register)
    then, otherwise = _body_cost(statement.then, register), _body_cost(statement.otherwise, register)
    return MsrCount(compare, compare) + MsrCount(
        min(then.reads_min, otherwise.reads_min), max(then.reads_max, otherwise.reads_max),
        min(then.writes_min, otherwise.writes_min), max(then.writes_max, otherwise.writes_max))


def _reads(value, register: int | None = None) -> int:
    """1 for a register (the one asked about, or any), 0 for INIT and storage."""
    return 1 if isinstance(value, ir.Reg) and register in (None, value.register) else 0


# ---- where the saved value can be found ---------------------------------------------

def _findable(strategy: ir.Strategy) -> tuple[bool, str]:
    """Can the unwinder (oops printing) and the #PF handler find the value an
    entry saved, given the `struct pt_regs *` of that entry?

    The rule: only storage at a fixed place relative to each entry's own
    pt_regs is found from it: a slot in pt_regs (`regs->pkrs`) or in a
    wrapper laid out beside it (`container_of(regs, struct real_pt_regs,
    regs)->pkrs`, the later `pt_regs_auxiliary`). Everything else fails one
    of two ways: idtentry state is a local of the C entry function (passed
    by value, even: tglx's "C programming basics"), which nothing holding
    only pt_regs can reach, and not every entry has one; a task, CPU or
    global slot or a stack keeps values per task or CPU, not per frame, so
    given one frame's pt_regs there is no telling which value, or which
    stack entry, is that frame's (Andy, 2020-07-23: "the unwinder can't
    find it"). And an entry that saves nothing leaves nothing to find.
    """
    elsewhere: set[ir.Place] = set()
    unsaved = []
    for kind in strategy.model.entries:
        handler = strategy.handler_for(ir.Hook.ENTRY, kind.index)
        places = {strategy.storages[i].place for i in _written(handler.body if handler else ())}
        if not places:
            unsaved.append(kind.name)
        elif not places & {P.PT_REGS, P.BESIDE_PT_REGS}:
            elsewhere |= places
    if elsewhere or unsaved:
        reasons = [f"kept in {_where(elsewhere)}, which pt_regs does not lead to"] if elsewhere else []
        if unsaved:
            reasons.append(f"{', '.join(unsaved)} {'saves' if len(unsaved) == 1 else 'save'} nothing")
        return False, "no: " + "; ".join(reasons)
    places = {s.place for s in strategy.storages}
    if P.PT_REGS in places:
        return True, "yes: regs->pkrs, in every entry frame"
    return True, "yes: beside pt_regs at a fixed offset (container_of), in every entry frame"


def _written(body) -> list[int]:
    out = []
    for statement in body:
        if isinstance(statement, (ir.Assign, ir.Pop)) and isinstance(statement.target, ir.Cell):
            out.append(statement.target.storage)
        elif isinstance(statement, ir.Push):
            out.append(statement.stack)
        elif isinstance(statement, ir.If):
            out.extend(_written(statement.then) + _written(statement.otherwise))
    return out


def _where(places: set[ir.Place]) -> str:
    names = {P.TASK: "thread_struct", P.TASK_STACK: "a per-task stack", P.CPU: "per-CPU data",
             P.CPU_STACK: "a per-CPU stack", P.GLOBAL: "a global", P.IDTENTRY_STATE: "idtentry state"}
    return " and ".join(sorted(names[p] for p in places if p in names))
