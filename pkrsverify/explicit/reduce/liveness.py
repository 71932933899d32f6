"""Dead values: which of a task's cells no future step reads before writing.

Two states that differ only in such cells have the same futures (the same
events are enabled, since enabledness depends on structure only, and every
check and every handler that reads such a cell reads a value written after
the states split), so the engine resets them to INIT before storing a state.
Only the cells of one task are analysed, because only that task's own
events and its switch-in run in its scope:

- `interrupted` ghost of frame j: read once, by the no_lost check at the
  exit of frame j, which is made only when the frame below observes PKRS.
  Live while frame j exists and the frame below it is kernel code (and
  no_lost is asked for); otherwise dead.
- a frame cell of frame j: only the handlers of frame j's entry and exit
  name it, and the entry has run. Live while frame j exists if its exit
  handler reads it before writing it.
- `left_with` ghost: read by the no_stale check at a switch in, and only
  when the resumed frame observes. A running task's value is dead: before
  its next switch in the task must switch out, which either records the
  value anew (schedule from an observing frame) or resumes somewhere not
  checked (a preempted frame is `exiting`, a user-mode frame does not
  observe). Live only while the task is ready at an observing frame.
- `task` cells: a backward liveness fixpoint over an abstraction of the
  task's control, nodes (top frame code, running or ready) and edges for
  every event the task may take (entering any kind its top allows, writing,
  exiting to any kind it may have interrupted, switching out and in). The
  abstraction allows more paths than any real stack (it forgets what lies
  below the top), so what it calls dead is dead on every real path.

Stack entries, PKRS, per-CPU and global cells are always treated as live.
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
        self.lost_read = ev.Interrupted in ghosts   # some asked-for check reads a frame's interrupted value
        self.stale_read = ev.LeftWith in ghosts     # ... or the value a task left with
        storages = self.strategy.storages
        self.task_storages = tuple(s.index for s in storages if s.place is ir.Place.TASK)
        frame = lambda slot: storages[slot.storage].place.is_frame  # noqa: E731
        self._exit_reads = {t.kind: effects(t.ops, frame)[0] for t in table.by_action(ev.Action.EXIT)}
        self._task_live = self._task_cell_fixpoint() if self.task_storages else {}
        self._cache: dict = {}

    def _task_cell_fixpoint(self) -> dict:
        """Live task cells per abstract node (top frame code, running), from the table's templates.

        A task's node changes by its own events (the templates of a running task, whose guards are
        taken as holding whenever the top frame allows them: the abstraction forgets what lies
        below the top) and by being switched in (the templates that resume a task)."""
        kinds, table, storages = self.kinds, self.system.table, self.strategy.storages
        mine = lambda whose: (lambda slot: slot.whose is whose and storages[slot.storage].place is ir.Place.TASK)  # noqa: E731
        edges: dict = {}  # node -> [(gen, kill, next node)]
        resume = [t for t in table.templates if any(isinstance(op, ev.Resume) for op in t.ops)]
        switch_in = [effects(t.ops, mine(ev.Whose.INCOMING)) for t in resume]
        for kind in kinds:
            for code in (kind.index * 2, kind.index * 2 + 1):
                edges[code, False] = [(*effect, (code, True)) for effect in switch_in]
                out = edges[code, True] = []
                for template in table.task_templates:
                    if not _may_hold(template.guard, kind, bool(code & 1)):
                        continue
                    gen, kill = effects(template.ops, mine(ev.Whose.TASK))
                    out += [(gen, kill, node) for node in _next_nodes(template, code, kinds)]
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
        kinds = self.kinds
        n = key[0]
        codes = key[1:1 + n]
        top = codes[-1]
        dead = []
        live_cells = self._task_live.get((top, running), frozenset())
        dead += [task.cells[s] for s in self.task_storages if s not in live_cells]
        observes = not top & 1 and not kinds[top >> 1].user_mode
        if running or not (self.stale_read and observes):
            dead.append(task.left_with)
        for j in range(1, n):
            if not (self.lost_read and not kinds[codes[j - 1] >> 1].user_mode):
                dead.append(task.interrupted[j])
            reads = self._exit_reads[codes[j] >> 1]
            dead += [position for s, position in task.frame_cells[j].items() if s not in reads]
        return tuple(sorted(dead))


def _may_hold(guard, top: ir.FrameKind, exiting: bool) -> bool:
    """Can the guard hold for some stack with this top frame? (Exact for what the top decides.)"""
    for condition in guard:
        if isinstance(condition, ev.InBody) and exiting:
            return False
        if isinstance(condition, ev.TopIn) and top.index not in condition.kinds:
            return False
    return True


def _next_nodes(template: ev.Template, code: int, kinds) -> list[tuple[int, bool]]:
    """Where a template takes the task's abstract node: a new top, a popped one (any kind below it
    may be), or the same top switched out (exiting when it was preempted)."""
    node = (code, True)
    nodes = [node]
    for op in template.ops:
        if isinstance(op, ev.OpenFrame):
            nodes = [(op.kind * 2, True)]
        elif isinstance(op, ev.CloseFrame):
            nodes = [(below * 2, True) for below in kinds[code >> 1].interrupts]
        elif isinstance(op, ev.MarkExiting):
            nodes = [(c | 1, r) for c, r in nodes]
        elif isinstance(op, ev.Leave):
            nodes = [(c, False) for c, _ in nodes]
    return nodes
