"""One entry point for every format and every command: a document, rendered as asked.

A command hands over what it found as one of four documents (`Checked`,
`Compared`, `Tested`, `Sized`); `render(fmt, document)` picks the renderer
from one table, so every command takes the same `--format` list (FORMATS)
and a new format is one module plus one row here.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..analyses.judge import SpecOutcome
from ..analyses.sizing import Sizing
from ..result import CheckResult, Unloaded
from . import comparison, html, json_format, junit, markdown, plain, sarif, sizing, suite
from .common import SpecText

FORMATS = ("text", "markdown", "json", "sarif", "junit", "html")


@dataclass(frozen=True, slots=True)
class Checked:
    """`check`: each spec's verdicts and counterexamples."""

    results: tuple[CheckResult, ...]
    unloaded: tuple[Unloaded, ...] = ()   # specs that could not be checked, with their diagnostics
    sources: tuple[SpecText, ...] = ()    # the specs' text as read, for the formats that show it (html)


@dataclass(frozen=True, slots=True)
class Compared:
    """`compare`: the designs side by side."""

    results: tuple[CheckResult, ...]
    all_traces: bool = False
    unloaded: tuple[Unloaded, ...] = ()
    sources: tuple[SpecText, ...] = ()


@dataclass(frozen=True, slots=True)
class Tested:
    """`test`: every spec's expectations judged."""

    specs: tuple[SpecOutcome, ...]
    unloaded: tuple[Unloaded, ...] = ()
    sources: tuple[SpecText, ...] = ()


@dataclass(frozen=True, slots=True)
class Sized:
    """`size`: every stack's need."""

    sizings: tuple[Sizing, ...]
    unloaded: tuple[Unloaded, ...] = ()
    sources: tuple[SpecText, ...] = ()


def _of(field: str, function):
    """A renderer of a document: `function` renders the list in the document's `field`, and the specs
    that could not be checked; a SARIF renderer also gets the root its URIs are relative to, an HTML one
    the specs' text."""
    rooted = function.__name__.endswith("_sarif")
    sourced = "html" in function.__name__

    def render(document, timings: bool, root: str | None) -> str:
        extra = ({"root": root} if rooted else {}) | ({"sources": document.sources} if sourced else {})
        return function(list(getattr(document, field)), timings=timings, unloaded=document.unloaded, **extra)
    return render


def _compared(function):
    sourced = "html" in function.__name__

    def render(document: Compared, timings: bool, root: str | None) -> str:
        extra = {"sources": document.sources} if sourced else {}
        return function(list(document.results), all_traces=document.all_traces, unloaded=document.unloaded,
                        **extra)
    return render


RENDERERS = {
    Checked: {"text": _of("results", plain.render_plain), "markdown": _of("results", markdown.render_markdown),
              "json": _of("results", json_format.render_json), "sarif": _of("results", sarif.render_sarif),
              "junit": _of("results", junit.render_junit), "html": _of("results", html.render_html)},
    Compared: {"text": _compared(comparison.render_plain_comparison),
               "markdown": _compared(comparison.render_markdown_comparison),
               "json": _of("results", json_format.render_json), "sarif": _of("results", sarif.render_sarif),
               "junit": _of("results", junit.render_junit), "html": _compared(html.render_html_comparison)},
    Tested: {fmt: _of("specs", getattr(suite, f"render_{fmt}")) for fmt in FORMATS},
    Sized: {fmt: _of("sizings", getattr(sizing, f"render_{fmt}")) for fmt in FORMATS},
}
assert all(set(table) == set(FORMATS) for table in RENDERERS.values()), "every command renders every format"


def render(fmt: str, document, *, timings: bool = True, root: str | None = None) -> str:
    """`text` here is the plain rendering (a file or a pipe); the terminal gets rich renderables.
    `root`: the directory SARIF URIs are relative to (the repository's top level)."""
    return RENDERERS[type(document)][fmt](document, timings, root)


__all__ = ["FORMATS", "Checked", "Compared", "Tested", "Sized", "SpecText", "render"]
