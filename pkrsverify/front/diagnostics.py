"""Diagnostics: what is wrong with an input, where, and how to fix it.

A diagnostic is a stable code, a one-line message, the span it is about, and
optional notes and help (the shape of codespan's and rustc's). Stages collect
all of them and raise one `InputError`; only the CLI turns them into text
and an exit code.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import Enum

from .source import Span


class Code(Enum):
    """The catalogue. Codes are stable: tests and users refer to them."""

    SYNTAX = ("E001", "syntax error")
    UNKNOWN_KIND = ("E101", "unknown entry kind")
    UNKNOWN_STORAGE = ("E102", "unknown storage")
    STORAGE_NOT_IN_FRAME = ("E103", "storage not available on this event")
    KIND_IN_TWO_HANDLERS = ("E104", "kind named in two handlers of one event")
    UNKNOWN_FROM_KIND = ("E105", "`from` or `masks` names an unknown kind")
    OUT_OF_RANGE = ("E106", "value out of range")
    EMPTY_STACK_SIZE = ("E107", "stack of size 0")
    DUPLICATE = ("E108", "duplicate declaration")
    MODEL_NOT_FOUND = ("E109", "model not found")
    BAD_MODEL_FILE = ("E110", "model file has errors")
    UNKNOWN_PROPERTY = ("E111", "unknown property")
    WRONG_STORAGE_USE = ("E112", "storage used the wrong way")
    MISSING_MODEL = ("E113", "spec names no model")
    NOT_AN_ENTRY = ("E114", "not an entry kind")
    MISSING_BASE = ("E115", "model lacks a base kind the bounds need")
    WRONG_FILE_KIND = ("E116", "wrong kind of file")
    BAD_ATTRIBUTE = ("E117", "attribute not allowed here")
    MISSING_FROM = ("E118", "entry kind without `from`")
    UNREADABLE = ("E119", "file cannot be read")
    BAD_OPTION = ("E120", "bad command-line value")
    TOO_DEEP = ("E121", "statements nested too deeply")
    NOT_UTF8 = ("E122", "file is not UTF-8")
    UNKNOWN_REGISTER = ("E123", "unknown register")
    MISPLACED_STATEMENT = ("E124", "statement not allowed here")
    SKETCH = ("E125", "a sketch has holes to fill")
    BAD_CHOICE = ("E126", "`choose` written wrongly")

    @property
    def id(self) -> str:
        return self.value[0]

    @property
    def title(self) -> str:
        return self.value[1]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: Code
    message: str
    span: Span | None  # None only for errors about a file as a whole
    notes: tuple[str, ...] = ()
    help: str | None = None

    def render(self) -> str:
        """Lark/rustc style: location, message, the line with a caret, help."""
        where = self.span.location() if self.span else "<command line>"
        lines = [f"{where}: error[{self.code.id}]: {self.message}"]
        if self.span is not None:
            line, column = self.span.source.position(self.span.start)
            text = self.span.source.line_text(line)
            width = max(1, min(len(self.span.text.split("\n")[0]), len(text) - column + 1))
            gutter = f"{line:>4} | "
            lines.append(f"{gutter}{text}")
            lines.append(" " * (len(gutter) + column - 1) + "^" * width)
        lines.extend(f"  note: {note}" for note in self.notes)
        if self.help:
            lines.append(f"  help: {self.help}")
        return "\n".join(lines)


class InputError(Exception):
    """All the diagnostics of one stage; the input cannot go further."""

    def __init__(self, diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]):
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(d.render() for d in self.diagnostics))


def did_you_mean(word: str, choices) -> str | None:
    """A help line for a misspelt name, or None when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None
