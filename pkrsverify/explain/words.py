"""The vocabulary of explanations: values, events, storage cells and spec lines, named as a kernel
developer reads them (`v1`, `enter page_fault`, `thread.pkrs[task 0]`, "the nmi entry")."""
from __future__ import annotations

from ..front import ir
from ..front.source import Span
from ..result import SourceRef
from ..semantics.events import Action, Event
from ..semantics.layout import NO_FRAME
from ..semantics.system import Replayed, System


def value_name(value: int) -> str:
    return "INIT" if value == 0 else f"v{value}"


def describe_event(system: System, event: Event, fresh: int | None = None) -> str:
    kinds = system.kinds
    match event.action:
        case Action.ENTER:
            delivered = [r.name for r in system.strategy.registers if event.kind in r.delivered_by]
            given = f" ({delivered[0]} = {value_name(fresh)})" if delivered and fresh else ""
            return f"enter {kinds[event.kind].name}{given}"
        case Action.EXIT:
            return f"exit {kinds[event.kind].name}"
        case Action.CONTINUE:
            return f"{kinds[event.kind].name} {_part(system, event)}"
        case Action.WRITE:
            software = [r for r in system.strategy.registers if r.software]
            which = f"{system.strategy.registers[event.register].name} " if len(software) > 1 else ""
            return f"write {which}{value_name(fresh)}" if fresh else f"write {which}".rstrip()
        case Action.DISPATCH:
            return f"dispatch task {event.target}"
        case _:
            where = "idle" if event.target < 0 else f"task {event.target}"
            return f"{event.action.value} -> {where}"


def _part(system: System, event: Event) -> str:
    """Where a `continue` event takes the frame's code: past an entry window, or into (or on in) its exit."""
    entry = system.table.phases.entry_windows[event.kind]
    if event.part <= entry:
        return f"entry goes on after window {event.part}"
    j = event.part - entry - 1
    return "exit begins, up to window 1" if j == 0 else f"exit goes on after window {j}"


def storage_values(system: System, state) -> dict[str, str]:
    """Every storage instance that exists in `state`, rendered: slots as a value, stacks as a list."""
    layout, storages = system.layout, system.strategy.storages
    out: dict[str, str] = {}

    def stack(index: int, first: int) -> str:
        return "[" + ", ".join(value_name(state[first + i]) for i in range(state[index])) + "]"

    for c, cpu in enumerate(layout.cpus):
        out.update((f"{storages[i].name}[cpu {c}]", value_name(state[p])) for i, p in cpu.cells.items())
        out.update((f"{storages[i].name}[cpu {c}]", stack(*where)) for i, where in cpu.stacks.items())
    out.update((storages[i].name, value_name(state[p])) for i, p in layout.globals.items())
    for t, task in enumerate(layout.tasks):
        out.update((f"{storages[i].name}[task {t}]", value_name(state[p])) for i, p in task.cells.items())
        out.update((f"{storages[i].name}[task {t}]", stack(*where)) for i, where in task.stacks.items())
        for slot in range(1, state[task.frame_count]):
            kind = system.kinds[layout.kind_of(state[task.frames[slot]])]
            for i, p in task.frame_cells[slot].items():
                if storages[i].kinds is None or kind.index in storages[i].kinds:
                    out[f"{storages[i].name}[task {t} {kind.name}]"] = value_name(state[p])
    return out


def top_kind(system: System, state, task: int) -> ir.FrameKind:
    layout = system.layout.tasks[task]
    code = state[layout.frames[state[layout.frame_count] - 1]]
    assert code != NO_FRAME
    return system.kinds[system.layout.kind_of(code)]


def event_phrase(system: System, path: list[Replayed], number: int) -> str:
    """Step `number`'s event as the subject of a sentence: "the nmi entry", "task 1's schedule"."""
    replayed = path[number - 1]
    event = replayed.step.event
    kinds = system.kinds
    who = f"task {event.task}'s " if system.layout.task_count > 1 else "the "
    match event.action:
        case Action.ENTER:
            return f"{who}{kinds[event.kind].name} entry"
        case Action.EXIT:
            return f"{who}{kinds[event.kind].name} exit"
        case Action.WRITE:
            return f"{who}write in the {top_kind(system, replayed.before, event.task).name}"
        case Action.CONTINUE:
            return f"{who}{kinds[event.kind].name} code after its window"
        case Action.DISPATCH:
            return f"the dispatch of task {event.target}"
        case Action.PREEMPT:
            return f"the preemption of task {event.task}"
        case _:
            return f"task {event.task}'s schedule" if system.layout.task_count > 1 else "the schedule"


def source_ref(span: Span, first_line_only: bool = False) -> SourceRef:
    """A span as reports point at it; `first_line_only` for a whole block (a handler, the strategy)."""
    line, column = span.source.position(span.start)
    end_line, end_column = span.source.position(span.end)
    if first_line_only and end_line != line:
        text = span.source.line_text(line)
        end_line, end_column = line, len(text) + 1
    text = span.source.text[span.start:span.end] if not first_line_only else span.source.line_text(line).strip()
    return SourceRef(span.source.path, line, column, end_line, end_column, text)
