"""A counterexample as a picture: swim lanes in plain SVG (no script), for a browser, a Markdown preview
and paper.

One lane per CPU, time left to right, a column per event (its left edge is the event, the column the
state after it). A task's frames are nested boxes on the lane of the CPU it runs on: an entry is drawn
inside the frame it interrupted, so depth shows as boxes within boxes (and, for grey-scale print, as
darker fills). PKRS is written inside the box that runs. A context switch is an arrow: the task leaves its
lane for the "ready" lane (off every CPU) and comes back on the lane of the CPU that picks it up. Below the
lanes, the storage cells the trace changes, as a timing diagram. The culprit statements (Trace.blame:
saved, overwrote, restored, ...) are numbered markers on the events that ran them, repeated in the
legend with their spec lines; the place the property breaks is cross-hatched and marked with a cross.
Nothing depends on colour alone: markers carry numbers and words, states carry patterns and labels, and
the palette (Okabe-Ito blue and vermillion, a grey-blue ramp) survives a grey-scale print and
colour-blind readers.
"""
from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from ..result import Blame, CheckResult, PropertyResult
from . import boxes
from .canvas import BLUE, CHAR, COL, FONT, H, INK, MARGIN, ROW, Canvas, fit, short, wrap
from .lanes import target, timeline

KEY = ("Each box is a frame of its task, drawn inside the frame it interrupted (deeper is darker). "
       "PKRS=x: the CPU's register while that frame runs. A dashed edge: the frame goes on (its task was "
       "switched out, or the trace ends there). Diagonal lines: exiting (preempted on its way out). "
       "Arrows: a task leaving a CPU for the ready lane, or picked up by a CPU. Numbered markers: the "
       "culprit statements, listed here with their spec lines. Cross-hatched with a cross: where the "
       "property breaks.")


@dataclass(frozen=True, slots=True)
class Picture:
    """One counterexample drawn: the SVG's content, its size, and the id prefix of its definitions
    (pictures inlined in one HTML page need ids of their own)."""

    body: str
    width: int
    height: int
    ident: str
    title: str

    def svg(self, standalone: bool = True, y: int | None = None) -> str:
        """The <svg> element; `standalone` adds the XML declaration a file needs."""
        place = f' x="0" y="{y}"' if y is not None else ""
        head = ('<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else "")
        return (f'{head}<svg xmlns="http://www.w3.org/2000/svg" version="1.1"{place} width="{self.width}" '
                f'height="{self.height}" viewBox="0 0 {self.width} {self.height}" role="img" '
                f'aria-labelledby="{self.ident}-title {self.ident}-desc" class="pkrs-trace" '
                f'font-family={quoteattr(FONT)} font-size="11">\n{self.body}</svg>\n')


def document(pictures: list[Picture]) -> str:
    """A file of one picture, or of several stacked (each an <svg> of its own inside the file's)."""
    if len(pictures) == 1:
        return pictures[0].svg()
    width = max(p.width for p in pictures)
    parts, y = [], 0
    for p in pictures:
        parts.append(p.svg(standalone=False, y=y))
        y += p.height + 16
    title = "; ".join(p.title for p in pictures)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" version="1.1" '
            f'width="{width}" height="{y - 16}" viewBox="0 0 {width} {y - 16}">\n<title>{escape(title)}</title>\n'
            + "".join(parts) + "</svg>\n")


def numbered(blame: tuple[Blame, ...]) -> list[tuple[int, Blame]]:
    """The culprit story in time order, numbered as the markers are (what no step did comes last)."""
    return list(enumerate(sorted(blame, key=lambda b: (b.step == 0, b.step)), start=1))


def picture(result: CheckResult, prop: PropertyResult, ident: str = "pk") -> Picture:
    trace = prop.trace
    line = timeline(trace, result.bounds)
    tasks = sorted({s.task for s in trace.steps} | {target(s) for s in trace.steps} - {None})
    ready = [t for t in tasks if any(s.task == t and s.cpu is None for s in line.stays)]
    marks = numbered(trace.blame)
    labels = [f"cpu {c}" for c in line.cpus] + [f"ready: task {t}" for t in ready] + [c.name for c in line.cells]
    c = Canvas(result, prop, line, ident, left=max(84, int(14 + CHAR * max(map(len, labels)))))
    heading(c)
    steps(c)
    culprit_row(c, marks)
    lanes = {cpu: boxes.lane(c, cpu) for cpu in line.cpus}
    rows = boxes.ready(c, ready)
    storage(c)
    boxes.switches(c, tasks, lanes, rows)
    culprit_marks(c, marks, lanes)
    legend(c, marks)
    cursor(c)
    return finish(c)


def heading(c: Canvas) -> None:
    r, p = c.result, c.prop
    c.text(12, 20, f"{r.strategy}: {p.property.value} violated in {c.trace.length} events", "title",
           ' font-size="14" font-weight="bold"')
    c.text(12, 37, f"{p.property.meaning} ({r.spec}, {r.bounds.describe()})", "meaning", f' fill="{INK}"')
    c.y = 50


def steps(c: Canvas) -> None:
    c.top_of_columns = c.y
    several = len(c.line.cpus) > 1
    c.out.append('<g class="steps">')
    c.text(c.x(0) + 6, c.y + 26, "start", "step", ' data-step="0" fill="#555555"')
    for step in c.trace.steps:
        x = c.x(step.number) + 6
        where = f" · cpu {step.cpu}" if several else ""
        c.text(x, c.y + 12, f"{step.number}{where}", "step-number", f' data-step="{step.number}" '
               'font-weight="bold"')
        c.text(x, c.y + 26, fit(step.event.replace("->", "→"), COL - 8), "step",
               f' data-step="{step.number}"')
    c.out.append("</g>")
    c.y += 34


def culprit_row(c: Canvas, marks) -> None:
    """Above the lanes, at each event that ran a culprit statement: its number, role and line."""
    c.culprit_y = c.y
    per_step: dict[int, list] = {}
    for number, blame in marks:
        if blame.step:
            per_step.setdefault(blame.step, []).append((number, blame))
    last = c.trace.length
    rows = max([len(v) + (k == last) for k, v in per_step.items()] + [1])
    c.out.append('<g class="culprits">')
    for step, items in per_step.items():
        for row, (number, blame) in enumerate(items):
            x, y = c.x(step) + 4, c.y + row * 32
            c.marker(x + 9, y + 12, number, f' data-role="{blame.role}" data-step="{step}"')
            c.text(x + 22, y + 16, blame.role, "role", ' font-weight="bold"')
            where = f"line {blame.location.line}" if blame.location else ""
            c.text(x + 22, y + 29, where, "line")
    x, y = c.x(last) + 4, c.y + 32 * len(per_step.get(last, []))
    c.text(x + 2, y + 16, f"✗ {c.prop.property.value}", "broken", f' font-weight="bold" fill="{INK}"')
    c.out.append("</g>")
    c.y += rows * 32 + 4


def storage(c: Canvas) -> None:
    """A timing diagram of the cells the trace changes: a box per value, a new box where it changes."""
    if not c.line.cells:
        c.bottom_of_columns = c.y - 10
        return
    c.out.append('<g class="storage">')
    for cell in c.line.cells:
        top = c.y
        c.text(10, top + 16, cell.name, "cell-name", f' fill="{INK}"')
        runs, start = [], 0
        for column in range(1, c.line.columns + 1):
            if column == c.line.columns or cell.values[column] != cell.values[start]:
                runs.append((start, column))
                start = column
        for a, b in runs:
            value = cell.values[a]
            if not value:
                continue
            x0, x1 = c.x(a) + 2, c.x(b) - 2
            weight = ' font-weight="bold"' if a in cell.changed else ""
            c.out.append(f'<g class="value" data-cell={quoteattr(cell.name)} data-from="{a}" data-to="{b}">'
                         f'<title>{escape(f"{cell.name} = {value}, columns {a} to {b - 1}")}</title>')
            c.out.append(f'<path d="M{x0 + 4:g},{top + 2} H{x1 - 4:g} L{x1:g},{top + ROW / 2:g} L{x1 - 4:g},'
                         f'{top + ROW - 2} H{x0 + 4:g} L{x0:g},{top + ROW / 2:g} Z" fill="#ffffff" '
                         f'stroke="{INK}"/>')
            c.text(x0 + 8, top + 16, fit(short(value, x1 - x0 - 14), x1 - x0 - 14), "cell-value", weight)
            c.out.append("</g>")
        c.y += ROW
    c.out.append("</g>")
    c.bottom_of_columns = c.y
    c.y += 10


def culprit_marks(c: Canvas, marks, lanes: dict) -> None:
    """Each culprit's marker again on the box its event opened, closed or ran in, and a line joining
    it to its tag above the lanes and the storage below."""
    c.out.append('<g class="marks">')
    steps = {s.number: s for s in c.trace.steps}
    for number, blame in marks:
        if not blame.step:
            continue
        step = steps[blame.step]
        top, _ = lanes[step.cpu]
        x = c.x(step.number)
        y = top + MARGIN + c.line.acting[step.number] * H  # on the top edge of the box it acts on
        c.out.append(f'<path class="culprit-line" d="M{x:g},{c.culprit_y + 24} V{c.bottom_of_columns}" '
                     f'stroke="{BLUE}" stroke-width="1.5" stroke-dasharray="6 3"/>')
        c.marker(x, y, number, f' data-role="{blame.role}" data-step="{step.number}"')
    c.out.append("</g>")


def legend(c: Canvas, marks) -> None:
    chars = int((c.width - 44) / CHAR)
    c.out.append('<g class="legend">')
    c.y += 6
    for line in wrap(f"✗ {c.trace.explanation}", chars):
        c.text(12, c.y + 12, line, "explanation", ' font-weight="bold"')
        c.y += 16
    for number, blame in marks:
        step = f"step {blame.step}: " if blame.step else ""
        where = f"; line {blame.location.line}: {blame.location.text}" if blame.location else ""
        c.marker(21, c.y + 8, number, f' data-role="{blame.role}"')
        for line in wrap(f"{blame.role}, {step}{blame.message}{where}", chars - 3):
            c.text(36, c.y + 12, line, "blame")
            c.y += 16
        c.y += 2
    c.y += 4
    for line in wrap(KEY, int((c.width - 24) / (CHAR * 10 / 11))):
        c.text(12, c.y + 11, line, "key", ' font-size="10" fill="#444444"')
        c.y += 14
    c.out.append("</g>")
    c.y += 8


def cursor(c: Canvas) -> None:
    """Invisible column outlines that the HTML report's step-through lights up (nothing without it)."""
    c.out.append('<g class="cursor">')
    for column in range(1, c.line.columns):
        c.out.append(f'<rect class="col" data-step="{column}" x="{c.x(column):g}" y="{c.top_of_columns}" '
                     f'width="{COL}" height="{c.bottom_of_columns - c.top_of_columns}" fill="none" '
                     'stroke="none" pointer-events="none"/>')
    c.out.append("</g>")


def finish(c: Canvas) -> Picture:
    title = f"{c.result.strategy}: {c.prop.property.value} violated in {c.trace.length} events"
    desc = c.trace.explanation + (f". Culprit: {c.trace.culprit}" if c.trace.culprit else "")
    head = [f'<title id="{c.ident}-title">{escape(title)}</title>',
            f'<desc id="{c.ident}-desc">{escape(desc)}</desc>', c.defs(),
            f'<rect class="paper" width="{c.width}" height="{c.y}" fill="#ffffff"/>']
    return Picture("\n".join(head + c.out) + "\n", c.width, c.y, c.ident, title)
