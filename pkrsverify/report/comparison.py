"""`compare`: designs side by side, the thread's argument at a glance.

Two tables with a row per design: the verdicts (a column per property:
`ok`, `FAIL n` with the shortest counterexample's length, or `ok<=n` when a
limit stopped the search after every scenario of up to n events), and the
static review figures of review.py. Below them the notes the cells point
at, then each violated design's shortest counterexample.

Plain text keeps to 72 columns: a table that would not fit becomes one
paragraph per design instead.
"""
from __future__ import annotations

from dataclasses import dataclass

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..front import ir
from ..result import CheckResult, PropertyResult, Verdict
from ..result import ReviewFigures
from . import markdown, plain
from .text import Fitted, violation
from .common import unloaded_lines
from .plain import WIDTH, unbroken, wrap

def columns(results: list[CheckResult]) -> tuple[ir.Property, ...]:
    """A column per property any of the designs was checked for, in their order (PKRS's six when none)."""
    out = {p.property: True for r in results for p in r.properties}
    return tuple(out) or ir.DEFAULTS


def legend(results: list[CheckResult]) -> str:
    proofs = {(p.scope.words(), proved_cell(p.scope)) for r in results for p in r.properties
              if p.verdict is Verdict.PROVED}
    said = "".join(f"{cell}: proved {words}; " for words, cell in sorted(proofs, key=lambda x: x[1]))
    return ("ok: holds, every reachable state explored; " + said + "FAIL n: violated, the shortest "
            "counterexample has n events; ok<=n: no violation within n events (a search limit was hit: not a "
            "proof); -: not checked. Columns: " + ", ".join(p.value for p in columns(results)) + ".")


def proved_cell(scope) -> str:
    """`proved` (any number of steps at the bounds), `proved-d` (every depth), `proved-N` (every number of
    tasks or CPUs too)."""
    if scope.every - {"depth"}:
        return "proved-N"
    return "proved-d" if scope.every else "proved"
PER_REGISTER = "MSR accesses per register (worst kind):"
REVIEW_LEGEND = ("Bytes as the thread counts them (32-bit values, a 32-bit stack index). MSR accesses per "
                 "event as reads r and writes w, a range where a write is under `if PKRS != X`; "
                 "`switch` is one task's switch_out plus the next one's switch_in.")


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    style: str = ""


def verdict_cell(result: CheckResult, prop: ir.Property) -> Cell:
    found = result.result_for(prop)
    if found is None:
        return Cell("-", "dim")
    if found.verdict is Verdict.VIOLATED:
        return Cell(f"FAIL {found.length}", "bold red")
    if found.verdict is Verdict.UNKNOWN:
        return Cell(f"ok<={result.statistics.levels}", "yellow")
    if found.verdict is Verdict.PROVED:
        return Cell(proved_cell(found.scope), "bold green")
    return Cell("ok", "green")


def review_cells(figures: ReviewFigures) -> list[Cell]:
    star = lambda uniform: "" if uniform else "*"  # noqa: E731
    return [Cell(str(figures.bytes_per_task)), Cell(str(figures.bytes_per_cpu)),
            Cell(f"{figures.bytes_per_frame}{star(figures.bytes_per_frame_uniform)}"),
            Cell(figures.entry.worst.describe() + star(figures.entry.uniform)),
            Cell(figures.exit.worst.describe() + star(figures.exit.uniform)),
            Cell(figures.switch.worst.describe()),
            Cell("grows" if figures.pt_regs_layout_changes else "same",
                 "yellow" if figures.pt_regs_layout_changes else ""),
            Cell("yes" if figures.findable else "no", "green" if figures.findable else "")]


def verdict_head(results: list[CheckResult]) -> list[str]:
    return ["design", *(p.short for p in columns(results))]


REVIEW_HEAD = ["design", "B/task", "B/cpu", "B/frame", "entry", "exit", "switch", "pt_regs", "found"]


def rows(results: list[CheckResult]) -> tuple[list[list[Cell]], list[list[Cell]]]:
    shown = columns(results)
    verdicts = [[Cell(r.strategy, "bold"), *(verdict_cell(r, p) for p in shown)] for r in results]
    reviews = [[Cell(r.strategy, "bold"), *review_cells(r.review)] for r in results if r.review is not None]
    return verdicts, reviews


def notes(results: list[CheckResult]) -> list[str]:
    """What a `*` stands for."""
    out = []
    for r in results:
        figures = r.review
        if figures is None:
            continue
        for hook in (figures.entry, figures.exit):
            if not hook.uniform:
                out.append(f"* {r.strategy}: {hook.event} {hook.describe()}")
        if not figures.bytes_per_frame_uniform:
            kinds = [f"{f.name} ({f.place})" for f in figures.storages if f.per == "frame"]
            out.append(f"* {r.strategy}: frame storage only on some entries: {', '.join(kinds)}")
    return out


TRACES_TITLE = "The shortest counterexample of each violated design"
FOUND = "found: can the unwinder and the #PF handler find the saved value from pt_regs?"


def register_notes(results: list[CheckResult]) -> list[str]:
    """For a design about several registers, each one's MSR figures: `dr7_spec: PKRS: entry 1r 1w, ...`."""
    return [f"{r.strategy}: " + "; ".join(c.describe() for c in r.review.per_register)
            for r in results if r.review is not None and r.review.per_register]


def found_notes(results: list[CheckResult]) -> list[str]:
    return [f"{r.strategy}: {r.review.findable_why}" for r in results if r.review is not None]


def bounds_line(results: list[CheckResult]) -> list[str]:
    """The bounds every design was checked at, grouped."""
    groups: dict[str, list[str]] = {}
    for r in results:
        groups.setdefault(r.bounds.describe(), []).append(r.strategy)
    if len(groups) == 1:
        return [f"bounds: {next(iter(groups))}"]
    return [f"bounds {bounds}: {', '.join(names)}" for bounds, names in groups.items()]


def shortest(result: CheckResult) -> PropertyResult | None:
    """The design's shortest counterexample (the first property on a tie)."""
    violated = [p for p in result.properties if p.trace is not None]
    return min(violated, key=lambda p: p.length) if violated else None


# ---- plain ------------------------------------------------------------------------------

def _plain_table(head: list[str], body: list[list[Cell]], right: set[int], limit: int = WIDTH) -> list[str] | None:
    widths = [max(len(head[i]), *(len(row[i].text) for row in body)) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    lines = [line(head).rstrip()] + [line([c.text for c in row]).rstrip() for row in body]
    return lines if max(map(len, lines)) <= limit else None


def _plain_review_table(body: list[list[Cell]], limit: int = WIDTH) -> list[str] | None:
    """The review figures under group headings, so that they fit in 72 columns (or `limit`)."""
    width = max(len("design"), *(len(row[0].text) for row in body))
    groups = ((("task", 4), ("cpu", 3), ("frame", 5)), (("entry", 6), ("exit", 6), ("switch", 6)),
              (("layout", 7),), (("found", 5),))
    titles = ("bytes per", "MSR r/w on", "pt_regs", "")
    gaps = (" ", "  ", "", "")
    widths = [max(w, *(len(row[1 + i].text) for row in body))
              for i, (_, w) in enumerate(column for group in groups for column in group)]

    def line(first: str, cells: list[str], right: bool) -> str:
        out, i = [first.ljust(width)], 0
        for group, gap in zip(groups, gaps):
            parts = []
            for _ in group:
                cell = cells[i]
                parts.append(cell.rjust(widths[i]) if right and i < 3 else cell.ljust(widths[i]))
                i += 1
            out.append(gap.join(parts))
        return "  ".join(out).rstrip()

    group_widths = [sum(widths[i] for i in range(start, start + len(g))) + len(gap) * (len(g) - 1)
                    for start, g, gap in zip((0, 3, 6, 7), groups, gaps)]
    top = " " * width + "".join("  " + title.ljust(w) for title, w in zip(titles, group_widths))
    lines = [top.rstrip(), line("design", [name for group in groups for name, _ in group], False)]
    lines += [line(row[0].text, [c.text for c in row[1:]], True) for row in body]
    return lines if max(map(len, lines)) <= limit else None


def _plain_paragraphs(head: list[str], body: list[list[Cell]], width: int = WIDTH) -> list[str]:
    out = []
    for row in body:
        pairs = ", ".join(unbroken(f"{h} {c.text}") for h, c in zip(head[1:], row[1:]))
        out += wrap(f"{row[0].text}: {pairs}", "", "    ", width)
    return out


def render_plain_comparison(results: list[CheckResult], *, all_traces: bool = False, width: int = WIDTH,
                            unloaded=()) -> str:
    """The comparison in `width` columns (72 for mail): a table that would not fit becomes a paragraph
    per design."""
    verdicts, reviews = rows(results)
    lines = ["Verdicts", ""]
    head = verdict_head(results)
    lines += _plain_table(head, verdicts, set(), width) or _plain_paragraphs(head, verdicts, width)
    lines += ["", *wrap(legend(results), "", "", width)]
    for line in bounds_line(results):
        lines += wrap(line, width=width)
    if reviews:
        lines += ["", "Review figures", ""]
        lines += _plain_review_table(reviews, width) or _plain_paragraphs(REVIEW_HEAD, reviews, width)
        lines += ["", *wrap(REVIEW_LEGEND, "", "", width)]
        for note in notes(results):
            lines += wrap(note, "", "    ", width)
        lines += ["", *wrap(FOUND, "", "", width)]
        for note in found_notes(results):
            lines += wrap(note, "  ", "      ", width)
        if register_notes(results):
            lines += ["", PER_REGISTER]
            for note in register_notes(results):
                lines += wrap(note, "  ", "      ", width)
    lines.append("")
    if any(shown_traces(r, all_traces) for r in results):
        lines += [TRACES_TITLE if not all_traces else "Counterexamples", ""]
    for result in results:
        for prop in shown_traces(result, all_traces):
            lines += wrap(f"{result.strategy} ({result.spec}):", width=width)
            lines += plain.violation(prop, width).rstrip("\n").split("\n")
            lines.append("")
    lines += unloaded_lines(unloaded)
    return "\n".join(lines).rstrip("\n") + "\n"


def shown_traces(result: CheckResult, all_traces: bool) -> list[PropertyResult]:
    """The counterexamples `compare` shows of a design: its shortest, or with --all-traces all of them."""
    if all_traces:
        return [p for p in result.properties if p.trace is not None]
    found = shortest(result)
    return [found] if found else []


# ---- rich (a terminal) --------------------------------------------------------------------

def render_rich_comparison(results: list[CheckResult], *, all_traces: bool = False) -> Fitted:
    """The tables in colour where they fit, else the plain comparison (never a truncated design name)."""
    verdicts, reviews = rows(results)
    widest = _rich_table("Review figures", REVIEW_HEAD, reviews, {1, 2, 3}) if reviews else \
        _rich_table("Verdicts", verdict_head(results), verdicts, set())
    return Fitted(_rich_comparison(results, all_traces),
                  lambda width: render_plain_comparison(results, all_traces=all_traces, width=width), widest)


def _rich_comparison(results: list[CheckResult], all_traces: bool) -> Group:
    verdicts, reviews = rows(results)
    parts = [_rich_table("Verdicts", verdict_head(results), verdicts, set()), Text(legend(results), style="dim")]
    parts += [Text(line, style="dim") for line in bounds_line(results)]
    if reviews:
        parts += [Text(""), _rich_table("Review figures", REVIEW_HEAD, reviews, {1, 2, 3}),
                  Text(REVIEW_LEGEND, style="dim")]
        parts += [Text(note) for note in notes(results)]
        parts += [Text(FOUND, style="bold")] + [Text("  " + note) for note in found_notes(results)]
        if register_notes(results):
            parts += [Text(PER_REGISTER, style="bold")] + [Text("  " + note) for note in register_notes(results)]
    parts.append(Text(""))
    for result in results:
        for prop in shown_traces(result, all_traces):
            parts.append(Text(f"{result.strategy} ({result.spec}):", style="bold"))
            parts.append(violation(prop, False))
    return Group(*parts)


def _rich_table(title: str, head: list[str], body: list[list[Cell]], right: set[int]) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", title_style="bold")
    for i, name in enumerate(head):
        table.add_column(name, justify="right" if i in right else "left", no_wrap=True)
    for row in body:
        table.add_row(*(Text(c.text, style=c.style) for c in row))
    return table


# ---- markdown -------------------------------------------------------------------------------

def render_markdown_comparison(results: list[CheckResult], *, all_traces: bool = False, unloaded=()) -> str:
    head = ["design", *(p.value for p in columns(results)), "bytes/task", "bytes/CPU", "bytes/frame", "MSR on entry",
            "MSR on exit", "MSR on switch", "pt_regs layout", "found from pt_regs"]
    lines = ["## Designs compared", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for result in results:
        cells = [f"`{result.strategy}`"]
        for prop in columns(results):
            cell = verdict_cell(result, prop).text
            cells.append(f"**{cell}**" if cell.startswith("FAIL") else cell)
        if result.review is not None:
            cells += [markdown.cell(c.text) for c in review_cells(result.review)]
        else:
            cells += [""] * 8
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", legend(results), "", REVIEW_LEGEND, ""]
    lines += [f"- {b}" for b in bounds_line(results)]
    lines += [f"- {markdown.cell(n)}" for n in notes(results)]
    lines += ["", f"**{FOUND}**", ""] + [f"- {markdown.cell(n)}" for n in found_notes(results)]
    if register_notes(results):
        lines += ["", f"**{PER_REGISTER}**", ""] + [f"- {markdown.cell(n)}" for n in register_notes(results)]
    lines.append("")
    for result in results:
        for prop in shown_traces(result, all_traces):
            lines += [f"## `{result.strategy}` (`{result.spec}`)", ""]
            lines += markdown.counterexample(prop, result)
    return "\n".join(lines).rstrip("\n") + "\n" + markdown.unloaded_section(unloaded)
