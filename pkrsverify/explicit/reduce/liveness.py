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
from ...semantics.system import System

P = ir.Property


def effects(body, place) -> tuple[frozenset, frozenset]:
    """(read before written on some path, written on every path) for the cells of `place(storage)`."""
    gen: set = set()
    kill: set = set()
    for statement in body:
        g, k = _effect(statement, place)
        gen |= g - kill
        kill |= k
    return frozenset(gen), frozenset(kill)


def _reads(value, place) -> set:
    return {value.storage} if isinstance(value, ir.Cell) and place(value.storage) else set()


def _effect(statement, place) -> tuple[set, set]:
    if isinstance(statement, ir.Assign):
        kill = _reads(statement.target, place)
        return _reads(statement.value, place), kill
    if isinstance(statement, ir.Push):
        return _reads(statement.value, place), set()
    if isinstance(statement, ir.Pop):
        return set(), _reads(statement.target, place)
    then_gen, then_kill = effects(statement.then, place)
    else_gen, else_kill = effects(statement.otherwise, place)
    gen = _reads(statement.left, place) | _reads(statement.right, place) | then_gen | else_gen
    return gen, set(then_kill & else_kill)


class Liveness:
    """Dead positions of each task's cells as a function of its frames and whether it runs."""

    def __init__(self, system: System, wanted):
        self.system = system
        self.layout = system.layout
        self.strategy = system.strategy
        self.kinds = system.kinds
        wanted = set(wanted)
        self.lost_read = P.NO_LOST in wanted
        self.stale_read = P.NO_STALE in wanted
        storages = self.strategy.storages
        is_task = lambda i: storages[i].place is ir.Place.TASK  # noqa: E731
        is_frame = lambda i: storages[i].place.is_frame  # noqa: E731
        self.task_storages = tuple(s.index for s in storages if s.place is ir.Place.TASK)
        self.frame_storages = tuple(s.index for s in storages if s.place.is_frame)
        self._exit_reads = {k.index: effects(self._body(ir.Hook.EXIT, k.index), is_frame)[0]
                            for k in system.entry_kinds}
        self._task_live = self._task_cell_fixpoint(is_task) if self.task_storages else {}
        self._cache: dict = {}

    def _body(self, hook: ir.Hook, kind: int | None):
        handler = self.strategy.handler_for(hook, kind)
        return handler.body if handler else ()

    def _task_cell_fixpoint(self, is_task) -> dict:
        kinds = self.kinds
        effect = {}
        for hook in ir.Hook:
            for kind in [None] + [k.index for k in kinds]:
                effect[hook, kind] = effects(self._body(hook, kind), is_task)
        edges: dict = {}  # node -> [(gen, kill, next node)]
        nodes = [(k.index * 2 + e, r) for k in kinds for e in (0, 1) for r in (True, False)]
        for code, running in nodes:
            kind = kinds[code >> 1]
            body = not code & 1
            out = edges.setdefault((code, running), [])
            if not running:
                out.append((*effect[ir.Hook.SWITCH_IN, None], (code, True)))
                continue
            if body:
                for entry in self.system.entry_kinds:
                    if kind.index in entry.interrupts:
                        out.append((*effect[ir.Hook.ENTRY, entry.index], (entry.index * 2, True)))
                if kind.writes:
                    out.append((*effect[ir.Hook.WRITE, None], (code, True)))
                if kind.sleeps:
                    out.append((*effect[ir.Hook.SWITCH_OUT, None], (code, False)))
                if kind.preempt_on_exit:
                    out.append((*effect[ir.Hook.SWITCH_OUT, None], (code | 1, False)))
            if not kind.is_base:
                for below in kind.interrupts:
                    out.append((*effect[ir.Hook.EXIT, kind.index], (below * 2, True)))
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
