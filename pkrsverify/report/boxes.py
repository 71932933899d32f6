"""The lanes of the swim-lane picture: one per CPU, with the frames of whichever task runs there as boxes
inside boxes; the ready lane, for tasks off every CPU; and the arrows of the context switches between them.

A frame is drawn once per stay of its task on a CPU: a task switched out mid-entry has its boxes cut there,
their edges dashed, and continued on the lane of the CPU that picks it up. PKRS is written in the box that
runs (the top frame), column by column; the last event's damage is cross-hatched.
"""
from __future__ import annotations

from xml.sax.saxutils import escape

from .canvas import COL, GUIDE, FILLS, H, INK, MARGIN, INSET, ROW, SIDE, VERMILLION, Canvas, fit
from .lanes import Frame, Timeline, chain


def lane(c: Canvas, cpu: int) -> tuple[float, float]:
    """A CPU's lane: the frames of whichever task runs there, column by column; (top, height)."""
    levels = c.line.levels[cpu]
    top, height = c.y, 2 * MARGIN + levels * H + (levels - 1) * INSET
    c.out.append(f'<g class="lane" data-cpu="{cpu}">')
    c.out.append(f'<rect class="lane-ground" x="{c.x(0):g}" y="{top}" width="{c.line.columns * COL}" '
                 f'height="{height}" fill="#f7f7f7" stroke="#bbbbbb"/>')
    c.text(10, top + 18, f"cpu {cpu}", "lane-name", ' font-weight="bold"')
    for column in range(c.line.columns):
        _guide(c, column, top, height)
    for stay in sorted((s for s in c.line.stays if s.cpu == cpu), key=lambda s: s.start):
        for frame in chain_of_stay(c.line, stay.task, stay.start, stay.end):
            _frame(c, frame, cpu, stay.start, stay.end, top, height)
    _idle(c, cpu, top, height)
    _wrong(c, cpu, top, height)
    for step in c.trace.steps:
        if step.cpu == cpu:
            x = c.x(step.number)
            c.out.append(f'<path class="event" data-step="{step.number}" d="M{x - 5:g},{top} h10 l-5,7 z" '
                         f'fill="{INK}"/>')
    c.out.append("</g>")
    c.y += height + 10
    return top, height


def ready(c: Canvas, tasks: list[int]) -> dict[int, float]:
    """A row per task that is ever off every CPU: the frame it waits in, and the PKRS it left with;
    {task: the row's middle}."""
    rows = {}
    if not tasks:
        return rows
    c.out.append('<g class="ready">')
    for task in tasks:
        top = c.y
        rows[task] = top + ROW / 2
        c.text(10, top + 16, f"ready: task {task}", "lane-name", f' fill="{INK}"')
        for stay in (s for s in c.line.stays if s.task == task and s.cpu is None):
            frames = chain(c.line, task, stay.start)
            x0, x1 = c.x(stay.start) + SIDE, c.x(stay.end) - SIDE
            exiting = " exiting" if frames[-1].exiting is not None and frames[-1].exiting <= stay.start else ""
            words = frames[-1].kind + exiting  # the frame it will resume in: its top
            came = next((s.cpu for s in c.line.stays if s.task == task and s.end == stay.start), None)
            if came is not None:  # and the PKRS it switched out with
                words += f", left {c.line.pkrs[came][stay.start - 1]}"
            whole = " › ".join(f.kind for f in frames) + exiting
            c.out.append(f'<g class="waiting" data-task="{task}" data-from="{stay.start}" data-to="{stay.end}">'
                         f'<title>{escape(f"task {task}, off every CPU, in {whole}: {words}")}</title>')
            c.out.append(f'<rect x="{x0:g}" y="{top + 2}" width="{x1 - x0:g}" height="{ROW - 4}" fill="#ffffff" '
                         f'stroke="{INK}" stroke-dasharray="2 2"/>')
            c.text(x0 + 5, top + 16, fit(words, x1 - x0 - 10), "chain")
            c.out.append("</g>")
        c.y += ROW
    c.out.append("</g>")
    c.y += 10
    return rows


def switches(c: Canvas, tasks: list[int], lanes: dict, rows: dict) -> None:
    """A task leaving one lane and entering another, at the event that moved it."""
    def y_of(task: int, cpu: int | None) -> float:
        return rows[task] if cpu is None else lanes[cpu][0] + MARGIN + 8

    c.out.append('<g class="switches">')
    for task in tasks:
        stays = sorted((s for s in c.line.stays if s.task == task), key=lambda s: s.start)
        for before, after in zip(stays, stays[1:]):
            y0, y1 = y_of(task, before.cpu), y_of(task, after.cpu)
            x = c.x(after.start) + (7 if y1 > y0 else 16)
            where = "ready" if after.cpu is None else f"cpu {after.cpu}"
            c.out.append(f'<g class="switch" data-task="{task}" data-step="{after.start}">'
                         f'<title>{escape(f"step {after.start}: task {task} to {where}")}</title>'
                         f'<path d="M{x:g},{y0:g} V{y1:g}" stroke="#ffffff" stroke-width="5"/>'
                         f'<path d="M{x:g},{y0:g} V{y1 - (6 if y1 > y0 else -6):g}" stroke="{INK}" '
                         f'stroke-width="1.6" marker-end="url(#{c.ident}-arrow)"/></g>')
    c.out.append("</g>")


def _guide(c: Canvas, column: int, top: float, height: float) -> None:
    if column:
        x = c.x(column)
        c.out.append(f'<path class="guide" d="M{x:g},{top} v{height}" stroke="{GUIDE}" '
                     'stroke-dasharray="1 3"/>')


def _frame(c: Canvas, frame: Frame, cpu: int, stay_start: int, stay_end: int, top: float, height: float) -> None:
    """One frame while its task is on this lane: open (dashed) where it goes on beyond the lane's
    piece of it, its name, PKRS in every column where it is the running frame."""
    start, end = max(frame.start, stay_start), min(frame.end, stay_end)
    x0, y0, x1, y1 = c.box(frame.level, top, height, start, end)
    open_left = frame.start < stay_start
    open_right = frame.end > stay_end or frame.end == c.line.columns
    task, name = frame.task, frame.kind
    what = f"task {task} ({name})" if frame.level == 0 else name
    span = f"columns {start} to {end - 1}" if frame.level == 0 else \
        f"entered at step {frame.start}" + (f", exits at step {frame.end}" if frame.end < c.line.columns else "")
    c.out.append(f'<g class="frame" data-task="{task}" data-kind="{name}" data-level="{frame.level}" '
                 f'data-from="{start}" data-to="{end}"><title>{escape(f"task {task}: {what}, {span}")}</title>')
    c.out.append(f'<rect class="box" x="{x0:g}" y="{y0:g}" width="{x1 - x0:g}" height="{y1 - y0:g}" '
                 f'fill="{FILLS[min(frame.level, len(FILLS) - 1)]}"/>')
    if frame.exiting is not None and frame.exiting < end:
        ex = max(x0, c.x(frame.exiting))
        c.out.append(f'<rect class="exiting" x="{ex:g}" y="{y0:g}" width="{x1 - ex:g}" height="{y1 - y0:g}" '
                     f'fill="url(#{c.ident}-exiting)"/>')
    solid = [f"M{x0:g},{y0:g} H{x1:g}", f"M{x0:g},{y1:g} H{x1:g}"]
    dashed = []
    (dashed if open_left else solid).append(f"M{x0:g},{y0:g} V{y1:g}")
    (dashed if open_right else solid).append(f"M{x1:g},{y0:g} V{y1:g}")
    c.out.append(f'<path class="edge" d="{" ".join(solid)}" fill="none" stroke="{INK}"/>')
    if dashed:
        c.out.append(f'<path class="edge open" d="{" ".join(dashed)}" fill="none" stroke="{INK}" '
                     'stroke-width="1.6" stroke-dasharray="5 3"/>')
    indent = 22 if open_left else 5  # clear of the switch arrows at the lane's left edge
    c.text(x0 + indent, y0 + 13, fit(what, x1 - x0 - indent - 3), "kind", ' font-weight="bold"')
    for column in range(start, end):
        wrong = column == c.line.columns - 1 and c.line.wrong == (cpu, task, frame.level)
        if chain(c.line, task, column)[-1].level == frame.level and not wrong:  # _wrong writes that one
            c.text(c.x(column) + COL / 2, y0 + 28, f"PKRS={c.line.pkrs[cpu][column]}", "pkrs",
                   f' data-step="{column}" text-anchor="middle"')
    c.out.append("</g>")


def _idle(c: Canvas, cpu: int, top: float, height: float) -> None:
    """Columns where no task runs on this CPU."""
    busy = {c for s in c.line.stays if s.cpu == cpu for c in range(s.start, s.end)}
    idle = [c for c in range(c.line.columns) if c not in busy]
    runs = [c for c in idle if c - 1 not in idle]
    for start in runs:
        end = next(c for c in range(start, c.line.columns + 1) if c not in idle)
        x0, y0, x1, y1 = c.box(0, top, height, start, end)
        c.out.append(f'<g class="idle" data-cpu="{cpu}" data-from="{start}" data-to="{end}">'
                     f'<rect x="{x0 + 2:g}" y="{y0:g}" width="{x1 - x0 - 4:g}" height="{y1 - y0:g}" '
                     f'fill="none" stroke="{GUIDE}" stroke-dasharray="2 3"/>')
        c.text(x0 + 22, y0 + 13, "idle", "kind", ' font-style="italic" fill="#555555"')
        for column in range(start, end):
            c.text(c.x(column) + COL / 2, y0 + 28, f"PKRS={c.line.pkrs[cpu][column]}", "pkrs",
                   f' data-step="{column}" text-anchor="middle"')
        c.out.append("</g>")


def _wrong(c: Canvas, cpu: int, top: float, height: float) -> None:
    """Cross-hatch where the last event breaks the property: the frame it leaves wrong, or the frame a
    fatal entry could not push."""
    where, task, level = c.line.wrong
    if where != cpu:
        return
    last = c.line.columns - 1
    step = c.trace.steps[-1]
    x0, y0, x1, y1 = c.box(level, top, height, last, last + 1)
    y1 = min(y1, y0 + H)
    c.out.append(f'<g class="wrong" data-step="{last}"><title>{escape(c.trace.explanation)}</title>'
                 f'<rect x="{x0 + 1:g}" y="{y0 + 16:g}" width="{x1 - x0 - 2:g}" height="{y1 - y0 - 17:g}" '
                 f'fill="url(#{c.ident}-wrong)" stroke="{VERMILLION}" stroke-width="2.5"/>')
    fatal_entry = c.line.fatal and step.event.startswith("enter")
    if fatal_entry:  # the frame never opened: draw where it would have been, its name and the crash
        c.out.append(f'<path d="M{x0:g},{y0:g} H{x1:g} V{y1:g} H{x0:g} Z" fill="none" stroke="{INK}" '
                     'stroke-dasharray="5 3"/>')
        c.text(x0 + 5, y0 + 13, f"{step.event.split()[1]}?", "kind", ' font-weight="bold"')
    words = "BUG()" if c.line.fatal else f"PKRS={c.line.pkrs[cpu][last]} ✗"
    c.text(c.x(last) + COL / 2, y0 + 28, words, "pkrs", f' data-step="{last}" text-anchor="middle" '
           'font-weight="bold" stroke="#ffffff" stroke-width="3" paint-order="stroke"')
    c.out.append("</g>")


def chain_of_stay(line: Timeline, task: int, start: int, end: int) -> list[Frame]:
    """Every frame of `task` live at some column of [start, end), outer first (so inner ones draw on top)."""
    return sorted((f for f in line.frames if f.task == task and f.start < end and f.end > start),
                  key=lambda f: (f.level, f.start))
