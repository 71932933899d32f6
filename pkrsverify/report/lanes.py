"""A counterexample as a timeline: which task runs on which CPU, which frames it has, and what PKRS and the
storage hold, column by column. The picture (svg.py) draws this; the HTML report steps through it.

Column 0 is the state before the first event, column i the state after event i: event i happens at the
left edge of its column. A frame opened by event a and closed by event b is live in columns a .. b-1.
Everything here is read off the trace's steps (their event words, PKRS and nesting), the way a reader of
the step table would reconstruct it; the nesting each step reports is checked against the reconstruction,
so a picture never draws a stack the engine did not have.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..front import ir
from ..result import Trace, TraceStep

FATAL = "-"  # TraceStep.pkrs after a push onto a full stack or a pop from an empty one


@dataclass(frozen=True, slots=True)
class Frame:
    """One frame of a task: its base (level 0) or an entry (level 1 is the outermost entry)."""

    task: int
    kind: str
    level: int
    start: int              # the first column it is live in
    end: int                # one past the last (the number of columns when it is still live at the end)
    exiting: int | None     # the column from which it is exiting (preempted on its way out)


@dataclass(frozen=True, slots=True)
class Stay:
    """A task on one CPU (cpu None: off every CPU, ready to run) for columns start .. end-1."""

    task: int
    cpu: int | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Cell:
    """A storage cell the trace changes, with its value in every column ("" where it does not exist)."""

    name: str
    values: tuple[str, ...]
    changed: tuple[int, ...]   # the columns whose event changed it


@dataclass(frozen=True, slots=True)
class Timeline:
    columns: int                         # events + 1
    cpus: tuple[int, ...]                # the CPUs the trace acts on, each a lane
    frames: tuple[Frame, ...]
    stays: tuple[Stay, ...]
    pkrs: dict[int, tuple[str, ...]]     # per CPU, its PKRS in every column
    cells: tuple[Cell, ...]
    levels: dict[int, int]               # per CPU lane: the most frames any task there has at once, base included
    acting: dict[int, int]               # per event: the level it acts at (the frame an entry opens or an exit
                                         # closes, else the top frame)
    wrong: tuple[int, int, int]          # (cpu, task, level) of the frame the last event leaves wrong, or of the
                                         # frame a fatal entry would have opened
    fatal: bool                          # the last event is a BUG(): a push onto a full stack, a pop from an empty one


def base_kind(bounds: ir.Bounds, task: int) -> str:
    """User tasks are numbered first, then kernel threads (docs/semantics.md §2)."""
    return "user" if task < bounds.tasks else "kthread"


def target(step: TraceStep) -> int | None:
    """The task a schedule, preempt or dispatch switches in, if any."""
    words = step.event.split()
    if words[0] in ("schedule", "preempt", "dispatch") and words[-2] == "task":
        return int(words[-1])
    return None


def timeline(trace: Trace, bounds: ir.Bounds) -> Timeline:
    n, tasks = len(trace.steps), bounds.tasks + bounds.kthreads
    columns = n + 1
    where: dict[int, int | None] = {t: (t if t < bounds.cpus else None) for t in range(tasks)}  # task i on CPU i
    since = {t: 0 for t in range(tasks)}
    stacks = {t: [[base_kind(bounds, t), 0, None]] for t in range(tasks)}
    frames, stays, levels_at = [], [], {}
    pkrs = {c: ["INIT"] for c in range(bounds.cpus)}
    deepest = {c: 1 for c in range(bounds.cpus)}

    def move(task: int, cpu: int | None, column: int) -> None:
        if where[task] != cpu:
            stays.append(Stay(task, where[task], since[task], column))
            where[task], since[task] = cpu, column

    for step in trace.steps:
        i, words, stack = step.number, step.event.split(), stacks[step.task]
        fatal = step.pkrs == FATAL
        levels_at[i] = len(stack) - 1 if words[0] != "enter" else len(stack)
        if words[0] == "enter" and not fatal:
            stack.append([words[1], i, None])
        elif words[0] == "exit" and not fatal:
            kind, start, exiting = stack.pop()
            frames.append(Frame(step.task, kind, len(stack), start, i, exiting))
        elif words[0] in ("schedule", "preempt"):
            if words[0] == "preempt":
                stack[-1][2] = i
            move(step.task, None, i)
            if target(step) is not None:
                move(target(step), step.cpu, i)
        elif words[0] == "dispatch":
            move(step.task, step.cpu, i)
        for c in pkrs:
            pkrs[c].append(step.pkrs if c == step.cpu and not fatal else pkrs[c][-1])
        if len(stacks[step.task]) - 1 != step.nesting:
            raise ValueError(f"step {i} ({step.event}): the trace says nesting {step.nesting}, "
                             f"the events give {len(stacks[step.task]) - 1}")
        for t, cpu in where.items():
            if cpu is not None:
                deepest[cpu] = max(deepest[cpu], len(stacks[t]))
    last = trace.steps[-1]
    fatal = last.pkrs == FATAL
    victim = last.task if target(last) is None else target(last)  # a switch is wrong for the task it resumes
    wrong = (last.cpu, victim, levels_at[n] if fatal else len(stacks[victim]) - 1)
    deepest[last.cpu] = max(deepest[last.cpu], wrong[2] + 1)  # a fatal entry is drawn where it would have gone
    for t in range(tasks):
        stays.append(Stay(t, where[t], since[t], columns))
        for level, (kind, start, exiting) in enumerate(stacks[t]):
            frames.append(Frame(t, kind, level, start, columns, exiting))
    shown = sorted({s.cpu for s in trace.steps})
    out = Timeline(columns, tuple(shown), tuple(sorted(frames, key=lambda f: (f.task, f.level, f.start))),
                   tuple(s for s in stays if s.start < s.end), {c: tuple(v) for c, v in pkrs.items()},
                   cells(trace), {c: deepest[c] for c in shown}, levels_at, wrong, fatal)
    return out


def cells(trace: Trace) -> tuple[Cell, ...]:
    """Every storage cell some event of the trace changes, in order of first change, valued per column:
    from each step's recorded state where provenance filled it, else carried from change to change."""
    names = list(dict.fromkeys(name for step in trace.steps for name, _ in step.changes))
    out = []
    for name in names:
        changed = tuple(s.number for s in trace.steps if any(c == name for c, _ in s.changes))
        first = next(s for s in trace.steps if s.number == changed[0])
        k = [c for c, _ in first.changes].index(name)
        values = [first.previous[k] if first.previous else "?"]
        for step in trace.steps:
            state = dict(step.state)
            new = dict(step.changes)
            if state:
                values.append(state.get(name, ""))
            else:
                values.append(new.get(name, values[-1]))
        out.append(Cell(name, tuple(values), changed))
    return tuple(out)


def chain(timeline: Timeline, task: int, column: int) -> list[Frame]:
    """The task's frames live in `column`, base first."""
    return sorted((f for f in timeline.frames if f.task == task and f.start <= column < f.end),
                  key=lambda f: f.level)
