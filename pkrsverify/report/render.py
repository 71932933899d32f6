"""One entry point for every format: the same CheckResults, rendered as asked."""
from __future__ import annotations

from ..result import CheckResult
from .json_format import render_json
from .junit import render_junit
from .markdown import render_markdown
from .plain import render_plain
from .sarif import render_sarif

FORMATS = ("text", "markdown", "json", "sarif", "junit")
SUFFIXES = {"text": ".txt", "markdown": ".md", "json": ".json", "sarif": ".sarif", "junit": ".xml"}


def render(fmt: str, results: list[CheckResult], *, timings: bool = True) -> str:
    """`text` here is the plain rendering (a file or a pipe); the terminal gets rich renderables."""
    renderer = {"text": render_plain, "markdown": render_markdown, "json": render_json,
                "sarif": render_sarif, "junit": render_junit}[fmt]
    return renderer(results, timings=timings)
