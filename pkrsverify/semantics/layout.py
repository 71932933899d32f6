"""Where each piece of a state lives in the flat tuple that encodes it.

A state is one tuple of ints: first the structure (who runs where, each
task's frames and stack indices), then the values (the registers, every
storage cell, the ghosts). Values are 0 for INIT and other small ints for fresh values;
only equality between values matters, so the value part can be renamed
canonically (see `canonical`). Keeping the encoding here, apart from the
successor function and the engines, lets it change in one place.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..front import ir

IDLE = -1        # running[c] when CPU c runs nothing
NO_FRAME = -1    # frame slot above a task's top frame


@dataclass(frozen=True, slots=True)
class TaskLayout:
    frame_count: int                       # position: number of frames (base included)
    frames: tuple[int, ...]                # position of frame slot j's code: kind * phases + phase
    left_with: tuple[int, ...]             # ghost per register: the value the task left with
    cells: dict                            # storage index -> position of the task's slot
    stacks: dict                           # storage index -> (index position, first entry position)
    interrupted: tuple[tuple[int, ...], ...]  # frame slot j: ghost per register (slot 0, the base, has none)
    frame_cells: tuple[dict, ...]          # frame slot j: storage index -> position
    delivered: tuple[dict, ...] = ()       # frame slot j: register index -> ghost (registers some entry reads)

    def ghosts(self, slot: int) -> tuple[int, ...]:
        """Every ghost of frame slot j (what closing the frame clears, with its cells)."""
        return (*self.interrupted[slot], *self.delivered[slot].values())


@dataclass(frozen=True, slots=True)
class CpuLayout:
    running: int
    registers: tuple[int, ...]             # position of each register of the strategy, in order
    cells: dict
    stacks: dict


@dataclass(frozen=True, slots=True)
class Layout:
    bounds: ir.Bounds
    cpus: tuple[CpuLayout, ...]
    tasks: tuple[TaskLayout, ...]
    globals: dict            # storage index -> position
    values_start: int        # positions >= this hold values
    size: int
    names: tuple[str, ...]   # what each position is, for traces and debugging
    phases: int = 2          # a frame's code is kind * phases + phase (events.Phases)

    @property
    def task_count(self) -> int:
        return len(self.tasks)

    def code(self, kind: int, phase: int) -> int:
        return kind * self.phases + phase

    def kind_of(self, code: int) -> int:
        return code // self.phases

    def phase_of(self, code: int) -> int:
        return code % self.phases

    def cell(self, storage: ir.Storage, task: int, cpu: int, slot: int) -> int:
        """The position of a one-value storage cell of `task` / `cpu` / the system / frame `slot` of `task`."""
        place = storage.place
        if place is ir.Place.TASK:
            return self.tasks[task].cells[storage.index]
        if place is ir.Place.CPU:
            return self.cpus[cpu].cells[storage.index]
        if place is ir.Place.GLOBAL:
            return self.globals[storage.index]
        assert place.is_frame and slot > 0, "frame storage is named only in entry and exit handlers (analyze.py)"
        return self.tasks[task].frame_cells[slot][storage.index]

    def stack(self, storage: ir.Storage, task: int, cpu: int) -> tuple[int, int]:
        """(position of the index, position of entry 0) of a `task stack` of `task` or this `cpu stack`."""
        owner = self.tasks[task] if storage.place is ir.Place.TASK_STACK else self.cpus[cpu]
        return owner.stacks[storage.index]


def build_layout(strategy: ir.Strategy, bounds: ir.Bounds, phases: int = 2) -> Layout:
    names: list[str] = []

    def allot(name: str, count: int = 1) -> int:
        names.extend([name] if count == 1 else [f"{name}[{i}]" for i in range(count)])
        return len(names) - count

    storages = strategy.storages
    registers = strategy.registers
    read = [r for r in registers if r.read_by]
    several = len(registers) > 1
    suffix = (lambda r: f" {r.name}") if several else (lambda r: "")  # noqa: E731
    ntasks = bounds.tasks + bounds.kthreads
    slots = bounds.depth + 1
    # structure
    running = [allot(f"cpu{c}.running") for c in range(bounds.cpus)]
    frame_count, frames = [], []
    for t in range(ntasks):
        frame_count.append(allot(f"task{t}.frames"))
        frames.append(tuple(allot(f"task{t}.frame{j}.kind") for j in range(slots)))
    stack_index = lambda owner, place: {  # noqa: E731
        s.index: allot(f"{owner}.{s.name}.index") for s in storages if s.place is place}
    cpu_stack_index = [stack_index(f"cpu{c}", ir.Place.CPU_STACK) for c in range(bounds.cpus)]
    task_stack_index = [stack_index(f"task{t}", ir.Place.TASK_STACK) for t in range(ntasks)]
    values_start = len(names)
    # values
    cpus = []
    for c in range(bounds.cpus):
        regs = tuple(allot(f"{r.name}[cpu {c}]") for r in registers)
        cells = {s.index: allot(f"{s.name}[cpu {c}]") for s in storages if s.place is ir.Place.CPU}
        stacks = {s.index: (cpu_stack_index[c][s.index], allot(f"{s.name}[cpu {c}]", s.size))
                  for s in storages if s.place is ir.Place.CPU_STACK}
        cpus.append(CpuLayout(running[c], regs, cells, stacks))
    globals_ = {s.index: allot(s.name) for s in storages if s.place is ir.Place.GLOBAL}
    tasks = []
    for t in range(ntasks):
        left_with = tuple(allot(f"task {t} left with{suffix(r)}") for r in registers)
        cells = {s.index: allot(f"{s.name}[task {t}]") for s in storages if s.place is ir.Place.TASK}
        stacks = {s.index: (task_stack_index[t][s.index], allot(f"{s.name}[task {t}]", s.size))
                  for s in storages if s.place is ir.Place.TASK_STACK}
        interrupted, delivered, frame_cells = [()], [{}], [{}]
        for j in range(1, slots):
            interrupted.append(tuple(allot(f"task {t} frame {j} interrupted{suffix(r)}") for r in registers))
            delivered.append({r.index: allot(f"task {t} frame {j} delivered {r.name}") for r in read})
            frame_cells.append({s.index: allot(f"{s.name}[task {t} frame {j}]") for s in storages if s.place.is_frame})
        tasks.append(TaskLayout(frame_count[t], frames[t], left_with, cells, stacks, tuple(interrupted),
                                tuple(frame_cells), tuple(delivered)))
    return Layout(bounds, tuple(cpus), tuple(tasks), globals_, values_start, len(names), tuple(names), phases)


def initial_state(layout: Layout, model: ir.Model) -> tuple[int, ...]:
    """Task i < cpus runs on CPU i in its base frame; every value is INIT."""
    state = [0] * layout.size
    bounds = layout.bounds
    user, kthread = model.kind("user"), model.kind("kthread")
    for t, task in enumerate(layout.tasks):
        base = user if t < bounds.tasks else kthread
        state[task.frame_count] = 1
        state[task.frames[0]] = layout.code(base.index, 0)
        for position in task.frames[1:]:
            state[position] = NO_FRAME
    for c, cpu in enumerate(layout.cpus):
        state[cpu.running] = c if c < layout.task_count else IDLE
    return tuple(state)


def canonical(state: tuple[int, ...], values_start: int) -> tuple[int, ...]:
    """Rename values in order of first appearance, INIT staying 0.

    Two states that differ only by a renaming of fresh values behave alike
    (only equality is ever tested), so one representative suffices.
    """
    values = state[values_start:]
    order = dict.fromkeys((0,) + values)
    if len(order) == 1 or tuple(order) == tuple(range(len(order))):
        return state
    rename = dict(zip(order, range(len(order))))
    return state[:values_start] + tuple(map(rename.__getitem__, values))
