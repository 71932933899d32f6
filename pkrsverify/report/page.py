"""The standalone HTML page every `--format html` report is: one file that needs no network (its CSS,
pictures and script are inline, and its Content-Security-Policy forbids anything else), the specs'
text with the culprit lines marked, and a footer naming the pkrsverify version and each spec's SHA-256,
so that a report pasted into a review says which text it checked.

The small script only steps through a counterexample with the keyboard; the page says everything
without it.
"""
from __future__ import annotations

import os
from html import escape

from .. import __version__
from .common import SpecText, unloaded_lines

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

STYLE = """
:root { color-scheme: light; --ink: #1d1d1d; --rule: #c8c8c8; --blue: #0072b2; --vermillion: #d55e00; }
body { font: 15px/1.45 system-ui, "DejaVu Sans", sans-serif; color: var(--ink); margin: 0 auto; padding: 1em 2em;
       max-width: 1400px; }
h1 { font-size: 1.5em; margin: .2em 0; } h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.05em; margin-top: 1.4em; }
code, pre, .mono, table.steps td { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
table { border-collapse: collapse; margin: .6em 0; }
th, td { border: 1px solid var(--rule); padding: .2em .55em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.fail { font-weight: bold; } td.fail::before { content: "\\2717\\00a0"; }
td.ok::before { content: "\\2713\\00a0"; }
.note, .legend, .stats { color: #444; font-size: .92em; }
.warning { font-weight: bold; } .warning::before { content: "warning: "; }
figure { margin: .6em 0; overflow-x: auto; } figure svg { display: block; max-width: none; }
figcaption { font-size: .92em; color: #333; }
table.steps tr.culprit td:first-child { border-left: 5px solid var(--blue); }
table.steps tr.broken td { border-bottom: 3px double var(--vermillion); font-weight: bold; }
.badge { display: inline-block; min-width: 1.3em; padding: 0 .25em; border-radius: 1em; background: var(--blue);
         color: #fff; font-weight: bold; text-align: center; margin-right: .25em; }
.keys, .status { display: none; } html.js .keys { display: block; } html.js .status { display: block; min-height: 1.4em; }
.status { font-family: "DejaVu Sans Mono", monospace; font-weight: bold; }
section.trace { padding: .2em .6em .6em; border: 1px solid transparent; }
section.trace:focus, section.trace:focus-within { outline: 2px dashed #666; }
tr.now td { background: #fff0a8; outline: 2px solid #000; }
svg .col.now { fill: #ffd400; fill-opacity: .22; stroke: #000; stroke-width: 2; stroke-dasharray: 5 3; }
pre.source { border: 1px solid var(--rule); padding: .4em 0; overflow-x: auto; background: #fbfbfb; }
pre.source .line { display: block; padding: 0 .6em; white-space: pre; }
pre.source .ln { display: inline-block; width: 3.2em; color: #777; user-select: none; }
pre.source .culprit { background: #e3eef8; border-left: 4px solid var(--blue); font-weight: bold; }
pre.source .why { font-weight: normal; font-style: italic; color: #123f66; margin-left: 2em; white-space: normal; }
footer { margin-top: 3em; border-top: 1px solid var(--rule); font-size: .85em; color: #333; }
footer code { font-size: 12px; word-break: break-all; }
@media print { .keys, .status { display: none !important; } section.trace { break-inside: avoid-page; } }
"""

# Keyboard step-through: j/→ and k/← move through the current counterexample's steps (its table row and
# its column in the picture light up), n/p go to the next or previous counterexample, Escape clears.
SCRIPT = """
(function () {
  "use strict";
  var root = document.documentElement;
  var traces = Array.prototype.slice.call(document.querySelectorAll("section.trace"));
  var at = {trace: 0, step: 0};
  root.classList.add("js");
  function each(list, f) { Array.prototype.forEach.call(list, f); }
  function show(k, n) {
    var trace = traces[k];
    if (!trace) { return; }
    var rows = trace.querySelectorAll("tbody tr[data-step]");
    n = Math.max(0, Math.min(n, rows.length));
    each(document.querySelectorAll(".now"), function (e) { e.classList.remove("now"); });
    at.trace = k; at.step = n;
    var status = trace.querySelector(".status");
    if (n > 0) {
      each(trace.querySelectorAll('tr[data-step="' + n + '"], rect.col[data-step="' + n + '"]'),
           function (e) { e.classList.add("now"); });
      if (status) { status.textContent = "step " + n + " of " + rows.length + ": " + rows[n - 1].getAttribute("data-event"); }
    } else if (status) {
      status.textContent = "";
    }
    root.setAttribute("data-at", k + ":" + n);
  }
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || !traces.length) { return; }
    var key = e.key;
    if (key === "j" || key === "ArrowRight") { show(at.trace, at.step + 1); }
    else if (key === "k" || key === "ArrowLeft") { show(at.trace, at.step - 1); }
    else if (key === "Escape") { show(at.trace, 0); }
    else if (key === "n" || key === "p") {
      var k = at.trace + (key === "n" ? 1 : -1);
      if (!traces[k]) { return; }
      show(k, 0);
      traces[k].focus();
      if (traces[k].scrollIntoView) { traces[k].scrollIntoView(); }
    } else { return; }
    e.preventDefault();
  });
  traces.forEach(function (trace, k) {
    trace.addEventListener("focus", function () { if (at.trace !== k) { show(k, 0); } });
    trace.addEventListener("click", function (e) {
      var row = e.target.closest ? e.target.closest("tr[data-step]") : null;
      show(k, row ? Number(row.getAttribute("data-step")) : (at.trace === k ? at.step : 0));
    });
  });
  root.setAttribute("data-stepper", "ready");
})();
"""

KEYS = ("Keys: <kbd>j</kbd> or <kbd>→</kbd> next step, <kbd>k</kbd> or <kbd>←</kbd> previous step, "
        "<kbd>n</kbd>/<kbd>p</kbd> next/previous counterexample, <kbd>Esc</kbd> clear; or click a row.")


def page(title: str, body: list[str], sources: tuple[SpecText, ...] = (), *,
         culprits: dict[tuple[str, int], list[str]] | None = None) -> str:
    """The whole document: `body` (HTML fragments) then each spec's text, the footer and the script.
    `culprits`: (spec path, line) -> why that line is marked."""
    specs = [spec_section(k, source, culprits or {}) for k, source in enumerate(sources)]
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>",
        f'<p class="keys note">{KEYS}</p>', *body, *specs, footer(sources), f"<script>{SCRIPT}</script>",
        "</body>", "</html>", ""])


def same_file(a: str, b: str) -> bool:
    """Two spellings of one spec path (`./specs/x.spec`, `specs/x.spec`), compared as strings."""
    return os.path.normpath(a) == os.path.normpath(b)


def spec_id(sources: tuple[SpecText, ...], path: str) -> str | None:
    """The anchor of a spec's text in the page, if the page carries it."""
    return next((f"spec-{k}" for k, s in enumerate(sources) if same_file(s.path, path)), None)


def spec_section(k: int, source: SpecText, culprits: dict[tuple[str, int], list[str]]) -> str:
    lines = []
    for number, text in enumerate(source.text.split("\n"), start=1):
        if number == len(source.text.split("\n")) and not text:
            break  # the file's last newline
        why = next((w for (path, line), w in culprits.items() if line == number and same_file(path, source.path)), None)
        cls = "line culprit" if why else "line"
        note = f'<span class="why">{escape("; ".join(why))}</span>' if why else ""
        lines.append(f'<span class="{cls}" id="spec-{k}-L{number}"><span class="ln">{number}</span>'
                     f"{escape(text)}{note}</span>")
    return (f'<section class="spec" id="spec-{k}"><h2>Spec <code>{escape(source.path)}</code></h2>'
            f'<p class="note">SHA-256 <code>{source.sha256}</code>; the lines a counterexample blames are marked.</p>'
            f'<pre class="source"><code>{"".join(lines)}</code></pre></section>')


def footer(sources: tuple[SpecText, ...]) -> str:
    items = "".join(f"<li><code>{escape(s.path)}</code> SHA-256 <code>{s.sha256}</code></li>" for s in sources)
    return (f'<footer><p>Made by pkrsverify {escape(__version__)}.</p>'
            + (f"<p>The specs checked, as read:</p><ul>{items}</ul>" if items else "") + "</footer>")


def table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    """A table of HTML cells (already escaped); a cell may be (html, css class)."""
    def cell(tag: str, content) -> str:
        text, style = content if isinstance(content, tuple) else (content, "")
        return f'<{tag} class="{style}">{text}</{tag}>' if style else f"<{tag}>{text}</{tag}>"
    head_html = "".join(cell("th", h) for h in head)
    body = "".join("<tr>" + "".join(cell("td", c) for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{head_html}</tr></thead><tbody>{body}</tbody></table>'


def unloaded_section(unloaded) -> list[str]:
    """The specs that could not be checked, their diagnostics as a terminal shows them."""
    if not unloaded:
        return []
    return ['<section class="unloaded"><h2>Not checked</h2>',
            f"<pre>{escape(chr(10).join(unloaded_lines(unloaded)))}</pre></section>"]
