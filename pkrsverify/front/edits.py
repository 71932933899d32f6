"""Edits of a spec's text, placed by the spans of its syntax tree.

The mutants of `check --mutations`, the candidates of `repair` and the
completions of a sketch are all new texts of one spec: each is loaded like
the spec itself (so a mutant that is no longer a valid spec is told so by
the analysis, not guessed at), and what is checked is exactly what a
reviewer is shown, as a unified diff.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable, Iterator

from . import syntax as ast
from .source import SourceFile, Span


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text from offset `start` to `end` by `text` (an insertion when start == end)."""

    start: int
    end: int
    text: str

    def overlaps(self, other: Edit) -> bool:
        return self.start < other.end and other.start < self.end or (
            self.start == self.end == other.start == other.end)


def replace(span: Span, text: str) -> Edit:
    return Edit(span.start, span.end, text)


def apply(source: SourceFile, edits: Iterable[Edit]) -> SourceFile:
    """The text with every edit made; edits must not overlap (ValueError)."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    for a, b in zip(ordered, ordered[1:]):
        if a.overlaps(b):
            raise ValueError(f"overlapping edits at offsets {a.start} and {b.start}")
    text = source.text
    for edit in reversed(ordered):
        text = text[:edit.start] + edit.text + text[edit.end:]
    return SourceFile(source.path, text)


def unified_diff(before: SourceFile, after: SourceFile) -> str:
    """`diff -u` of two texts of one spec, as `git apply` and `patch -p1` take it."""
    return "".join(difflib.unified_diff(before.text.splitlines(keepends=True), after.text.splitlines(keepends=True),
                                        f"a/{before.path}", f"b/{after.path}"))


# ---- statements -----------------------------------------------------------------------------

def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    head = text.rfind("\n", 0, start) + 1
    tail = text.find("\n", end)
    return head, len(text) if tail < 0 else tail


def _alone_on_line(text: str, span: Span) -> tuple[int, int] | None:
    """The line's bounds (with its newline) when the statement is the only thing on it but a comment."""
    head, tail = _line_bounds(text, span.start, span.end)
    after = text[span.end:tail].split("#", 1)[0]
    if text[head:span.start].strip() or after.strip():
        return None
    return head, min(tail + 1, len(text))


def delete(span: Span) -> Edit:
    """Delete a statement (or a declaration): its whole line when it stands alone on it, else the statement
    and one `;` beside it, so that `{ a; b }` becomes `{ b }` and not `{ ; b }`."""
    text = span.source.text
    line = _alone_on_line(text, span)
    if line is not None:
        return Edit(*line, "")
    end = span.end
    rest = text[end:]
    stripped = rest.lstrip(" \t")
    if stripped.startswith(";"):
        return Edit(span.start, end + len(rest) - len(stripped) + 1 + _spaces(stripped[1:]), "")
    before = text[:span.start].rstrip(" \t")
    if before.endswith(";"):
        return Edit(len(before) - 1, end, "")
    return Edit(span.start, end, "")


def delete_line(span: Span) -> Edit:
    """Delete the whole line (or lines) a node is written on, with its newline."""
    text = span.source.text
    head, tail = _line_bounds(text, span.start, span.end)
    return Edit(head, min(tail + 1, len(text)), "")


def _spaces(text: str) -> int:
    return len(text) - len(text.lstrip(" \t"))


def indentation(text: str, offset: int) -> str:
    head = text.rfind("\n", 0, offset) + 1
    line = text[head:]
    return line[:len(line) - len(line.lstrip(" \t"))]


def append_statement(handler: ast.HandlerDecl, statement: str) -> Edit:
    """Add a statement at the end of a handler's block: on its own line when the block is written over
    several lines, after a `;` when it is written on one."""
    text = handler.span.source.text
    close = handler.span.end - 1  # the block's `}`
    if not handler.body:
        open_ = text.rfind("{", handler.span.start, close)
        return Edit(open_ + 1, close, f" {statement} ")
    last = handler.body[-1].span
    if "\n" not in text[last.end:close]:
        return Edit(last.end, last.end, f"; {statement}")
    tail = text.find("\n", last.end)
    return Edit(tail, tail, "\n" + indentation(text, last.start) + statement)


def insert_item_after(span: Span, item: str) -> Edit:
    """A new line with `item` (a storage, a handler) after the line that ends `span`, indented alike."""
    text = span.source.text
    tail = text.find("\n", span.end)
    tail = len(text) if tail < 0 else tail
    return Edit(tail, tail, "\n" + indentation(text, span.start) + item)


def statements(body: tuple[ast.Statement, ...]) -> Iterator[ast.Statement]:
    """Every statement of a block, those inside `if` blocks too, in the order written."""
    for statement in body:
        yield statement
        if isinstance(statement, ast.If):
            yield from statements(statement.then)
            yield from statements(statement.otherwise)


def block_text(body: tuple[ast.Statement, ...]) -> str:
    """The statements of a block as written, joined by `; `: what an `if` becomes without its guard."""
    return "; ".join(s.span.text for s in body)


def one_line(span: Span) -> str:
    """A node's text on one line, for a table."""
    return " ".join(span.text.split())


def item_line(item) -> str:
    """A declaration or a handler on one line, its statements joined by `; ` (where the text may have put
    them on lines of their own): `on entry { saved.pkrs = PKRS; PKRS = INIT }`."""
    if isinstance(item, ast.HandlerDecl):
        text = item.span.source.text
        head = text[item.span.start:text.index("{", (item.kinds[-1].span if item.kinds else item.hook.span).end)]
        return f"{one_line(Span(item.span.source, item.span.start, item.span.start + len(head.rstrip())))} " \
               f"{_block_line(item.body)}"
    return one_line(item.span)


def _block_line(body) -> str:
    return "{ " + "; ".join(_statement_line(s) for s in body) + " }" if body else "{}"


def _statement_line(statement) -> str:
    if isinstance(statement, ast.If):
        compare = "==" if statement.equal else "!="
        line = f"if {one_line(statement.left.span)} {compare} {one_line(statement.right.span)} " \
               f"{_block_line(statement.then)}"
        return line + (f" else {_block_line(statement.otherwise)}" if statement.otherwise else "")
    return one_line(statement.span)


__all__ = ["Edit", "replace", "apply", "unified_diff", "delete", "delete_line", "append_statement", "insert_item_after",
           "statements", "block_text", "one_line", "item_line", "indentation"]
