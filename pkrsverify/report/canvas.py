"""What the swim-lane picture is drawn with: its geometry, its palette, and a Canvas that collects SVG
elements top to bottom (svg.py draws the bands on it, boxes.py the lanes).

Nothing depends on colour alone: markers carry numbers and words, states carry patterns and labels, and
the palette (Okabe-Ito blue and vermillion, a grey-blue ramp from light to dark) survives a grey-scale
print and colour-blind readers.
"""
from __future__ import annotations

from xml.sax.saxutils import escape

from ..result import CheckResult, PropertyResult
from .lanes import Timeline

COL = 124        # one event's column
H = 34           # a frame's head: its name on one line, PKRS on the next
INSET = 5        # how much each nested box is smaller than its parent at the bottom
SIDE = 3         # ... and at each side
MARGIN = 6
ROW = 24         # a ready task, a storage cell
CHAR = 6.6       # the advance of an 11px monospace character
FONT = "DejaVu Sans Mono, Menlo, Consolas, monospace"
INK, GUIDE, BLUE, VERMILLION = "#222222", "#9a9a9a", "#0072B2", "#D55E00"
# deeper = darker, so that nesting reads in grey scale too; text stays black on every step
FILLS = ("#ffffff", "#e9eef5", "#d6e0ec", "#c4d3e3", "#b2c5da", "#a1b8d1", "#90abc8", "#809ebf", "#7192b6")


class Canvas:
    """One picture being drawn: the elements so far (`out`), and `y`, where the next band starts."""

    def __init__(self, result: CheckResult, prop: PropertyResult, line: Timeline, ident: str, left: int):
        self.result, self.prop, self.trace, self.line, self.ident = result, prop, prop.trace, line, ident
        self.left = left
        self.width = max(left + line.columns * COL + 12, 760)  # room for the heading and the legend
        self.out: list[str] = []
        self.y = 0
        self.top_of_columns = 0      # where the event columns start (the step labels) ...
        self.bottom_of_columns = 0   # ... and end (below the storage)
        self.culprit_y = 0           # the top of the row of culprit tags

    def x(self, column: int) -> float:
        """The left edge of a column: where its event happens."""
        return self.left + column * COL

    def text(self, x: float, y: float, words: str, cls: str, extra: str = "") -> None:
        self.out.append(f'<text class="{cls}" x="{x:g}" y="{y:g}"{extra}>{escape(words)}</text>')

    def marker(self, x: float, y: float, number: int, extra: str = "") -> None:
        """A culprit's number in a circle: the same mark on its tag, its box and its legend line."""
        self.out.append(f'<g class="marker"{extra}><circle cx="{x:g}" cy="{y:g}" r="8" fill="{BLUE}" '
                        f'stroke="#ffffff" stroke-width="1.5"/><text x="{x:g}" y="{y + 4:g}" text-anchor="middle" '
                        f'fill="#ffffff" font-weight="bold">{number}</text></g>')

    def box(self, level: int, top: float, height: float, start: int, end: int) -> tuple[float, float, float, float]:
        """The rectangle of a frame at `level` in a lane, from column `start` to the edge of `end`: each level
        inside the one below it."""
        x0, x1 = self.x(start) + SIDE * level, self.x(end) - SIDE * level
        y0, y1 = top + MARGIN + level * H, top + height - MARGIN - level * INSET
        return x0, y0, x1, y1

    def defs(self) -> str:
        """The patterns (exiting, wrong) and the arrowhead, with ids of this picture's own."""
        i = self.ident
        return (f'<defs><pattern id="{i}-exiting" width="7" height="7" patternUnits="userSpaceOnUse" '
                f'patternTransform="rotate(45)"><rect width="7" height="7" fill="none"/>'
                f'<line x1="0" y1="0" x2="0" y2="7" stroke="{INK}" stroke-width="1.2" stroke-opacity="0.45"/></pattern>'
                f'<pattern id="{i}-wrong" width="8" height="8" patternUnits="userSpaceOnUse" '
                f'patternTransform="rotate(45)"><rect width="8" height="8" fill="#ffffff"/>'
                f'<path d="M0,0 V8 M0,0 H8" stroke="{VERMILLION}" stroke-width="1.6"/></pattern>'
                f'<marker id="{i}-arrow" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="7" markerHeight="7" '
                f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{INK}"/></marker></defs>')


def fit(words: str, width: float) -> str:
    """`words`, cut with an ellipsis to what `width` pixels of monospace hold."""
    room = max(int(width / CHAR), 1)
    return words if len(words) <= room else words[:room - 1] + "…"


def short(value: str, width: float) -> str:
    """A stack too long for its box as its depth and its top entry: `7 deep, top INIT`."""
    if len(value) * CHAR <= width or not value.startswith("["):
        return value
    items = [v.strip() for v in value[1:-1].split(",") if v.strip()]
    return f"{len(items)} deep, top {items[-1]}" if items else value


def wrap(text: str, chars: int) -> list[str]:
    """`text` in lines of at most `chars` characters, broken between words (SVG text does not wrap)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > chars:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + ([line] if line else [])
