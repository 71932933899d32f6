"""Dead values: which of a task's cells no future step reads before writing.

Two states that differ only in such cells have the same futures (the same
events are enabled, since enabledness depends on structure only, and every
check and every handler that reads such a cell reads a value written after
the states split), so the engine resets them to INIT before storing a state.
Only the cells of one task are analysed, because only that task's own
events and its switch-in run in its scope:

- `interrupted` ghost of frame j, per register: read once, by the no_lost
  check at the exit of frame j, which is made only when the frame below
  observes the register. Live while frame j exists and the frame below it
  is kernel code (or the register is not `supervisor`), and no_lost is
  asked for; otherwise dead.
- `delivered` ghost of frame j: read by the no_corrupt check at the read
  of the register, and cleared there. Live while no_corrupt is asked for.
- a frame cell of frame j: only the handlers of frame j's entry and exit
  name it. Live while frame j exists if the code it has still to run (the
  rest of its entry after a window, its exit) reads it before writing it.
- `left_with` ghost, per register: read by the no_stale check at a switch
  in, and only when the resumed frame observes. A running task's value is
  dead: before its next switch in the task must switch out, which either
  records the value anew (schedule from an observing frame) or resumes
  somewhere not checked (a preempted frame is not in its body, a user-mode
  frame does not observe a supervisor register). Live only while the task
  is ready at an observing frame.
- `task` cells: a backward liveness fixpoint over an abstraction of the
  task's control, nodes (top frame code, running or ready) and edges for
  every event the task may take (entering any kind its top allows, writing,
  exiting to any kind it may have interrupted, switching out and in). The
  abstraction allows more paths than any real stack (it forgets what lies
  below the top), so what it calls dead is dead on every real path.

Stack entries, registers, per-CPU and global cells are always treated as live.
"""
from __future__ import annotations

from ...front import ir
from ...semantics import events as ev
from ...semantics.system import System

P = ir.Property


def effects(ops, cell) -> tuple[frozenset, frozenset]:
    """(read before written on some path, written on every path): the storages s of the Slots for
    which `cell(slot)` holds, over a list of ops (handlers and branches entered)."""
    gen: set = set()
    kill: set = set()
    for op in ops:
        g, k = _effect(op, cell)
        gen |= g - kill
        kill |= k
    return frozenset(gen), frozenset(kill)


def _named(value, cell) -> set:
    return {value.storage} if isinstance(value, ev.Slot) and cell(value) else set()


def _effect(op, cell) -> tuple[set, set]:
    if isinstance(op, ev.Copy):
        return _named(op.src, cell), _named(op.dst, cell)
    if isinstance(op, ev.Push):
        return _named(op.src, cell), set()
    if isinstance(op, ev.Pop):
        return set(), _named(op.dst, cell)
    if isinstance(op, ev.Check):
        return _named(op.left, cell) | _named(op.right, cell), set()
    if isinstance(op, ev.Handler):
        gen, kill = effects(op.body, cell)
        return set(gen), set(kill)
    if isinstance(op, ev.Branch):
        then_gen, then_kill = effects(op.then, cell)
        else_gen, else_kill = effects(op.otherwise, cell)
        return _named(op.left, cell) | _named(op.right, cell) | then_gen | else_gen, set(then_kill & else_kill)
    return set(), set()


class Liveness:
    """Dead positions of each task's cells as a function of its frames and whether it runs."""

    def __init__(self, system: System, wanted):
        self.system = system
        self.layout = system.layout
        self.strategy = system.strategy
        self.kinds = system.kinds
        table = system.table
        ghosts = set().union(*(ev.ghosts_read_by(table, p) for p in wanted)) if wanted else set()
        registers = self.strategy.registers
        # per register: some asked-for check reads what a frame interrupted, what a task left with, what
        # a delivery gave
        self.lost_read = tuple((ev.Interrupted, r.index) in ghosts for r in registers)
        self.stale_read = tuple((ev.LeftWith, r.index) in ghosts for r in registers)
        self.delivered_read = tuple((ev.Delivered, r.index) in ghosts for r in registers)
        self.supervisor = tuple(r.supervisor for r in registers)
        storages = self.strategy.storages
        self.task_storages = tuple(s.index for s in storages if s.place is ir.Place.TASK)
        self._frame_live = self._frame_cell_fixpoint()
        self._task_live = self._task_cell_fixpoint() if self.task_storages else {}
        self._cache: dict = {}

    def _frame_cell_fixpoint(self) -> dict:
        """Live frame cells per frame code: what the code the frame has still to run reads before writing.

        A frame of kind K in phase p next runs one of the templates that act on its top frame (the rest of
        its entry after a window, the start of an exit that has windows, the exit) and moves to the phase
        that template leaves it in, or is closed."""
        layout, table, storages = self.layout, self.system.table, self.strategy.storages
        frame = lambda slot: storages[slot.storage].place.is_frame  # noqa: E731
        edges: dict = {}  # code -> [(gen, kill, next code or None)]
        for template in table.templates:
            if template.action not in (ev.Action.CONTINUE, ev.Action.EXIT):
                continue
            gen, kill = effects(template.ops, frame)
            phases = [op.phase for op in template.ops if isinstance(op, ev.SetPhase)]
            for condition in template.guard:
                if isinstance(condition, ev.Top):
                    for kind, phase in condition.frames:
                        after = None if template.action is ev.Action.EXIT else layout.code(kind, phases[-1])
                        edges.setdefault(layout.code(kind, phase), []).append((gen, kill, after))
        for kind in self.kinds:  # a frame in its body may be preempted: it then runs what a preempted one does
            body, preempted = layout.code(kind.index, ev.BODY), layout.code(kind.index, ev.PREEMPTED)
            edges.setdefault(body, []).append((frozenset(), frozenset(), preempted))
        live = {code: frozenset() for code in edges}
        changed = True
        while changed:
            changed = False
            for code, out in edges.items():
                new = frozenset().union(*[gen | ((live.get(after, frozenset()) if after is not None else frozenset())
                                                 - kill) for gen, kill, after in out])
                if new != live[code]:
                    live[code] = new
                    changed = True
        return live

    def _task_cell_fixpoint(self) -> dict:
        """Live task cells per abstract node (top frame code, running), from the table's templates.

        A task's node changes by its own events (the templates of a running task, whose guards are
        taken as holding whenever the top frame allows them: the abstraction forgets what lies
        below the top) and by being switched in (the templates that resume a task)."""
        kinds, table, storages, layout = self.kinds, self.system.table, self.strategy.storages, self.layout
        mine = lambda whose: (lambda slot: slot.whose is whose and storages[slot.storage].place is ir.Place.TASK)  # noqa: E731
        edges: dict = {}  # node -> [(gen, kill, next node)]
        resume = [t for t in table.templates if any(isinstance(op, ev.Resume) for op in t.ops)]
        switch_in = [effects(t.ops, mine(ev.Whose.INCOMING)) for t in resume]
        for kind in kinds:
            for phase in range(layout.phases):
                code = layout.code(kind.index, phase)
                edges[code, False] = [(*effect, (code, True)) for effect in switch_in]
                out = edges[code, True] = []
                for template in table.task_templates:
                    if not _may_hold(template.guard, kind, phase):
                        continue
                    gen, kill = effects(template.ops, mine(ev.Whose.TASK))
                    out += [(gen, kill, node) for node in _next_nodes(template, code, table, layout)]
        live = {node: frozenset() for node in edges}
        changed = True
        while changed:
            changed = False
            for node, out in edges.items():
                new = frozenset().union(*[gen | (live[target] - kill) for gen, kill, target in out])
                if new != live[node]:
                    live[node] = new
                    changed = True
        return live

    def dead(self, t: int, key: bytes, running: bool) -> tuple[int, ...]:
        """Positions of task t's cells that are dead, given its frame key (count, codes) and status."""
        cached = self._cache.get((t, key, running))
        if cached is None:
            cached = self._cache[t, key, running] = self._dead(t, key, running)
        return cached

    def _dead(self, t: int, key: bytes, running: bool) -> tuple[int, ...]:
        task = self.layout.tasks[t]
        kinds, layout = self.kinds, self.layout
        n = key[0]
        codes = key[1:1 + n]
        top = codes[-1]
        dead = []
        live_cells = self._task_live.get((top, running), frozenset())
        dead += [task.cells[s] for s in self.task_storages if s not in live_cells]
        in_body = layout.phase_of(top) == ev.BODY
        user = kinds[layout.kind_of(top)].user_mode
        for r, position in enumerate(task.left_with):
            observes = in_body and not (user and self.supervisor[r])
            if running or not (self.stale_read[r] and observes):
                dead.append(position)
        for j in range(1, n):
            below_user = kinds[layout.kind_of(codes[j - 1])].user_mode
            for r, position in enumerate(task.interrupted[j]):
                if not (self.lost_read[r] and not (below_user and self.supervisor[r])):
                    dead.append(position)
            dead += [position for r, position in task.delivered[j].items() if not self.delivered_read[r]]
            reads = self._frame_live.get(codes[j], frozenset())
            dead += [position for s, position in task.frame_cells[j].items() if s not in reads]
        return tuple(sorted(dead))


def _may_hold(guard, top: ir.FrameKind, phase: int) -> bool:
    """Can the guard hold for some stack with this top frame? (Exact for what the top decides.)"""
    return all((top.index, phase) in condition.frames for condition in guard if isinstance(condition, ev.Top))


def _next_nodes(template: ev.Template, code: int, table: ev.Table, layout) -> list[tuple[int, bool]]:
    """Where a template takes the task's abstract node: a new top, a popped one (any frame the exited
    kind may have nested on), or the same top in another phase or switched out."""
    nodes = [(code, True)]
    for op in template.ops:
        if isinstance(op, ev.OpenFrame):
            nodes = [(layout.code(op.kind, ev.BODY), True)]
        elif isinstance(op, ev.CloseFrame):
            enter = table.template(ev.Event(ev.Action.ENTER, 0, 0, layout.kind_of(code)))
            below = next(c for c in enter.guard if isinstance(c, ev.Top))
            nodes = [(layout.code(kind, phase), True) for kind, phase in sorted(below.frames)]
        elif isinstance(op, ev.SetPhase):
            nodes = [(layout.code(layout.kind_of(c), op.phase), r) for c, r in nodes]
        elif isinstance(op, ev.Leave):
            nodes = [(c, False) for c, _ in nodes]
    return nodes
