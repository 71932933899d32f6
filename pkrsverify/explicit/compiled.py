"""A successor function generated for one System: the explicit engine's hot loop.

`System.successors` interprets the table of events on every step; here each
event of each task on each CPU becomes a small Python function with the
state positions of layout.py written in as constants (generate.py
translates the table; each function is compiled once, on first use). It
computes exactly what `System.successors` computes (tests/test_fast_successors.py
compares the two on reachable states of every spec), on the bytes encoding
of states.py. A step is `(event id, next state or None, violated properties
as bits)`, event ids indexing `Compiled.events` (the table's order), the bits
those of `Compiled.bits`.
"""
from __future__ import annotations

from ..semantics import events as ev
from ..semantics.events import Action, Event
from ..semantics.layout import canonical as canonical_tuple
from ..semantics.system import System
from .generate import Generator
from .states import FROZEN, NONE, Bits, decode, encode


class Node:
    """What task t may do given its frames (the bytes key s[frame_count : frame_count + slots + 1]).

    `enabled` are the indices (into the table's task templates) of the templates whose guard
    holds; the guard reads only the frames, so it is decided once per key."""

    __slots__ = ("kinds", "n", "top", "phase", "has_atomic", "enabled", "first_atomic", "below_observes",
                 "capped", "per_cpu", "switches", "switches_in_excursion")

    def __init__(self, compiled: "Compiled", key: bytes):
        system = compiled.system
        layout = system.layout
        n = key[0]
        codes = key[1:1 + n]
        frames = tuple(system.kinds[layout.kind_of(code)] for code in codes)
        self.kinds = tuple(k.index for k in frames)
        self.n = n
        self.top = frames[-1]
        self.phase = layout.phase_of(codes[-1])
        self.has_atomic = any(f.atomic for f in frames)
        self.enabled = tuple(i for i, template in enumerate(compiled.templates)
                             if ev.enabled(template, frames, self.phase, system.bounds.depth))
        # enters that start an atomic excursion (no atomic frame yet): summaries replace them
        self.first_atomic = tuple(compiled.templates[i].kind for i in self.enabled
                                  if compiled.templates[i].action is Action.ENTER
                                  and system.kinds[compiled.templates[i].kind].atomic and not self.has_atomic)
        self.below_observes = n > 1 and not frames[-2].user_mode
        # may the task leave the CPU here (schedule, preempt), or at the atomic frame of an excursion it
        # starts here? Every other event of a running task touches its own CPU and task only (reduce/por.py)
        self.switches = any(compiled.templates[i].target is not ev.Target.NONE for i in self.enabled)
        self.switches_in_excursion = any(
            ev.enabled(t, (*frames, system.kinds[kind]), ev.BODY, None)
            for kind in self.first_atomic for t in compiled.templates if t.target is not ev.Target.NONE)
        # the model would nest deeper here than the depth bound lets it: a "holds" is only within the bound
        self.capped = n - 1 == system.bounds.depth and any(
            ev.enabled(t, frames, self.phase, None) for t in compiled.templates if t.action is Action.ENTER)
        self.per_cpu: list = [None] * len(system.layout.cpus)


class CpuFns:
    """The generated functions of one Node on one CPU, grouped as the hot loop runs them."""

    __slots__ = ("pre", "outer", "exit", "switches")

    def __init__(self, pre, outer, exit_, switches):
        self.pre = pre          # the events with no target (enters, write), in table order
        self.outer = outer      # the same without the enters that start an atomic excursion
        self.exit = exit_       # None for the base frame
        self.switches = switches  # per switching action: target task (IDLE last) -> function


class Compiled:
    """The generated successor function of one System, on the bytes encoding."""

    def __init__(self, system: System):
        layout = system.layout
        # frame codes (kind * phases + phase), frame counts and stack depths fit a byte by analyze.py's
        # ranges; values are renamed to 0, 1, 2, ... in each state, and `fits` checks that they fit
        assert len(system.kinds) * layout.phases < 255 and system.bounds.depth < 254 and layout.task_count < FROZEN
        self.system = system
        self.bits = Bits(system.strategy.properties + ev.checked_properties(system.table))
        self.layout = layout
        self.size = layout.size
        self.values_start = layout.values_start
        self.cpus = len(layout.cpus)
        self.tasks = layout.task_count
        self.slots = system.bounds.depth + 1
        for task in layout.tasks:  # Node keys are one slice: frame count, then the frame codes
            assert task.frames == tuple(range(task.frame_count + 1, task.frame_count + 1 + self.slots))
        assert [cpu.running for cpu in layout.cpus] == list(range(self.cpus))
        self.key_ranges = tuple((task.frame_count, task.frame_count + 1 + self.slots) for task in layout.tasks)
        self.templates = system.table.task_templates
        self.dispatch_template = system.table.by_action(Action.DISPATCH)[0]
        _check_groups(self.templates)
        # what a template's code depends on besides CPU, task and target: the frame count when it
        # touches frames, the kind of the frame below the top when a check asks whether it observes
        storages = system.strategy.storages
        self._needs = tuple((_touches_frames(t, storages), any(c.when is ev.When.BELOW for c in t.checks()))
                            for t in self.templates)
        self.events: tuple[Event, ...] = system.events()
        self.event_ids: dict[Event, int] = {event: i for i, event in enumerate(self.events)}
        self._nodes: list[dict[bytes, Node]] = [{} for _ in range(self.tasks)]
        self._fns: dict = {}
        self._ready: dict[bytes, tuple[int, ...]] = {}
        self._dispatch = [[None] * self.tasks for _ in range(self.cpus)]
        self.generator = Generator(self)
        self.successors = self._make_successors()

    # ---- encoding ----------------------------------------------------------------

    def encode(self, state: tuple[int, ...]) -> bytes:
        return encode(state)

    def decode(self, s: bytes) -> tuple[int, ...]:
        return decode(s, self.values_start)

    def initial(self) -> bytes:
        return self.encode(canonical_tuple(self.system.initial(), self.values_start))

    def task_positions(self, t: int) -> list[int]:
        """Every position of task t, in an order common to all tasks."""
        task = self.layout.tasks[t]
        storages = self.system.strategy.storages
        block = [task.frame_count, *task.frames]
        block += [index for index, _ in task.stacks.values()]
        block += [*task.left_with, *task.cells.values()]
        for storage, (_, first) in task.stacks.items():
            block += range(first, first + storages[storage].size)
        block += [p for slot in range(1, len(task.interrupted)) for p in task.ghosts(slot)]
        for cells in task.frame_cells:
            block += cells.values()
        return block

    def cpu_positions(self, c: int) -> list[int]:
        """Every position of CPU c, in an order common to all CPUs."""
        cpu = self.layout.cpus[c]
        block = [cpu.running, *(index for index, _ in cpu.stacks.values()), *cpu.registers, *cpu.cells.values()]
        for storage, (_, first) in cpu.stacks.items():
            block += range(first, first + self.system.strategy.storages[storage].size)
        return block

    # ---- successors --------------------------------------------------------------

    def node(self, s: bytes, t: int) -> Node:
        low, high = self.key_ranges[t]
        key = s[low:high]
        node = self._nodes[t].get(key)
        if node is None:
            node = self._nodes[t][key] = Node(self, key)
        return node

    def ready(self, s: bytes) -> tuple[int, ...]:
        running = s[:self.cpus]
        ready = self._ready.get(running)
        if ready is None:
            if FROZEN in running:  # the task of a frozen CPU is gone: no frames, never ready (reduce/por.py)
                return tuple(t for t in range(self.tasks) if t not in running and s[self.key_ranges[t][0]])
            ready = self._ready[running] = tuple(t for t in range(self.tasks) if t not in running)
        return ready

    def fns(self, node: Node, c: int, t: int) -> CpuFns:
        fns = node.per_cpu[c]
        if fns is None:
            fns = node.per_cpu[c] = self._cpu_fns(node, c, t)
        return fns

    def _make_successors(self):
        """`successors(s)`: every step from s, in the order of System.successors.

        A closure over the tables it consults, so that the hot loop looks
        nothing up on `self`.
        """
        cpus, nodes, make_node, make_fns = self.cpus, self._nodes, self.node, self.fns
        keys = tuple(slice(low, high) for low, high in self.key_ranges)
        ready_of, dispatch = self.ready, self.dispatch_fn

        def successors(s: bytes) -> list:
            out = []
            ready = None
            for c in range(cpus):
                t = s[c]
                if t >= FROZEN:
                    if t == NONE:
                        if ready is None:
                            ready = ready_of(s)
                        out += [dispatch(c, u)(s) for u in ready]
                    continue
                node = nodes[t].get(s[keys[t]])
                if node is None:
                    node = make_node(s, t)
                fns = node.per_cpu[c]
                if fns is None:
                    fns = make_fns(node, c, t)
                out += [f(s) for f in fns.pre]
                if fns.switches:
                    if ready is None:
                        ready = ready_of(s)
                    for table in fns.switches:
                        out += [table[u](s) for u in ready]
                        out.append(table[-1](s))
                if fns.exit is not None:
                    out.append(fns.exit(s))
            return out
        return successors

    def capped(self) -> bool:
        """Did some state the search expanded sit at the depth bound with an entry the bound alone kept out?"""
        return any(node.capped for nodes in self._nodes for node in nodes.values())

    def step(self, s: bytes, event_id: int):
        """The one step of s with this event (None if it is not enabled)."""
        return next((step for step in self.successors(s) if step[0] == event_id), None)

    # ---- the functions of one node --------------------------------------------------

    def _cpu_fns(self, node: Node, c: int, t: int) -> CpuFns:
        pre, outer, switches, exit_ = [], [], [], None
        templates = self.templates
        by_action: dict[Action, list] = {}
        for i in node.enabled:
            template = templates[i]
            if template.target is ev.Target.NONE:
                f = self._fn(("task", i, c, t, -1, node))
                if template.action is Action.EXIT:
                    exit_ = f
                    continue
                pre.append(f)
                if template.kind not in node.first_atomic or template.action is not Action.ENTER:
                    outer.append(f)
            else:
                table = by_action.setdefault(template.action, [None] * (self.tasks + 1))
                if template.target is ev.Target.TASK:
                    for u in range(self.tasks):
                        if u != t:
                            table[u] = self._fn(("task", i, c, t, u, node))
                else:
                    table[-1] = self._fn(("task", i, c, t, -1, node))
        switches = [table for table in by_action.values()]
        return CpuFns(tuple(pre), tuple(outer), exit_, tuple(switches))

    def dispatch_fn(self, c: int, u: int):
        fn = self._dispatch[c][u]
        if fn is None:
            fn = self._dispatch[c][u] = self.generator.function(self.dispatch_template, c, -1, u, None)
        return fn

    def _fn(self, key):
        """The generated function of a task template; nodes with the same frame count share it
        where the code is the same (it depends on the count and the frame below only)."""
        _, i, c, t, u, node = key
        needs_n, needs_below = self._needs[i]
        code_key = (i, c, t, u, node.n if needs_n else -1, node.below_observes if needs_below else None)
        fn = self._fns.get(code_key)
        if fn is None:
            fn = self._fns[code_key] = self.generator.function(self.templates[i], c, t, u, node)
        return fn


def _check_groups(templates) -> None:
    """The hot loop runs a node's events as: no-target ones, switches (each with its targets, IDLE last),
    the exit. That is the table's order only while the table keeps that shape: say so if it does not."""
    groups = [0 if t.target is ev.Target.NONE and t.action is not Action.EXIT else
              2 if t.action is Action.EXIT else 1 for t in templates]
    assert groups == sorted(groups), "events.table: plain events, then switches, then exits"
    switches = [t for t in templates if t.target is not ev.Target.NONE]
    for task_template, idle_template in zip(switches[::2], switches[1::2]):
        assert (task_template.action, task_template.target, idle_template.target) == \
            (idle_template.action, ev.Target.TASK, ev.Target.IDLE), "a switch to a task, then to idle"


def _touches_frames(template: ev.Template, storages) -> bool:
    """Does the template's code name a frame slot (so depend on the frame count)?"""
    for op in ev.walk(template.ops):
        if isinstance(op, (ev.OpenFrame, ev.CloseFrame, ev.SetPhase)):
            return True
        for value in (getattr(op, name, None) for name in ("dst", "src", "left", "right")):
            if isinstance(value, (ev.Interrupted, ev.Delivered)) or (isinstance(value, ev.Slot)
                                                                    and storages[value.storage].place.is_frame):
                return True
    return False
