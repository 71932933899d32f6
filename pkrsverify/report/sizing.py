"""`size` in every format: each stack, what the model needs, whether the declared size is enough."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html import escape

from ..analyses.sizing import Sizing, StackNeed
from .plain import wrap
from .common import unloaded_json, unloaded_lines
from .junit import add_unloaded, finish
from .markdown import cell, unloaded_section
from .page import page, table
from .page import unloaded_section as unloaded_html
from .sarif import Artifacts, diagnostic_results, diagnostic_rules, sarif_location, sarif_log


def _bounds(sizing: Sizing) -> str:
    depth = "depth=unbounded" if sizing.unbounded_depth else f"depth={sizing.bounds.depth}"
    return sizing.bounds.describe().replace(f"depth={sizing.bounds.depth}", depth)


def headline(sizing: Sizing, need: StackNeed) -> str:
    """`thread.pkrs_stack (task stack 7): x86_64 needs 8; 7 is not enough`."""
    text = f"{need.storage} ({need.place} {need.declared}): {sizing.model} needs "
    if need.needed is not None:
        text += str(need.needed)
    elif need.at_most is not None:
        text += f"{need.at_least} to {need.at_most}"
    else:
        text += f"at least {need.at_least}"
    if need.enough is False:
        text += f"; {need.declared} is not enough"
    elif need.enough and need.needed is not None:
        text += f"; {need.declared} is enough ({need.declared - need.needed} to spare)"
    elif need.enough:
        text += f"; {need.declared} is enough"
    return text


def lines(sizing: Sizing, *, timings: bool = True) -> list[str]:
    out = wrap(f"{sizing.strategy} ({sizing.spec}): model {sizing.model}, {_bounds(sizing)}, "
               f"{sizing.engine} engine")
    if not sizing.stacks:
        out += wrap("no stacks to size", "  ")
    for need in sizing.stacks:
        out += wrap(headline(sizing, need), "  ", "      ")
        if need.overflow is not None:
            out += wrap(f"{sizing.strategy} overflows after {need.overflow_path}", "    ", "      ")
        if need.deepest is not None and need.deepest_path != need.overflow_path:
            out += wrap(f"{need.at_least} entries after {need.deepest_path}", "    ", "      ")
        seconds = f"; {sizing.checks} checks, {sizing.seconds:.2f} s" if timings else ""
        out += wrap(f"({need.how}{seconds})", "    ", "      ")
    return out


def render_text(sizings: list[Sizing], *, timings: bool = True, unloaded=()) -> str:
    text = "".join("\n".join(lines(s, timings=timings)) + "\n" for s in sizings)
    return text + ("\n" + "\n".join(unloaded_lines(unloaded)) if unloaded else "")


def as_json(sizing: Sizing, timings: bool = True) -> dict:
    out = {"spec": sizing.spec, "strategy": sizing.strategy, "model": sizing.model, "engine": sizing.engine,
           "depth": "unbounded" if sizing.unbounded_depth else sizing.bounds.depth, "checks": sizing.checks}
    if timings:
        out["seconds"] = round(sizing.seconds, 3)
    out["stacks"] = [{"storage": n.storage, "place": n.place, "declared": n.declared, "needed": n.needed,
                      "at_least": n.at_least, "at_most": n.at_most, "enough": n.enough,
                      "overflow_length": n.overflow.length if n.overflow else None,
                      "deepest_length": n.deepest.length if n.deepest else None, "how": n.how}
                     for n in sizing.stacks]
    return out


def render_json(sizings: list[Sizing], *, timings: bool = True, unloaded=()) -> str:
    return json.dumps({"schema": "pkrsverify-sizing", "version": 1, "sizings": [as_json(s, timings) for s in sizings],
                       "unloaded": unloaded_json(unloaded)}, indent=2) + "\n"


def render_markdown(sizings: list[Sizing], *, timings: bool = True, unloaded=()) -> str:
    rows = ["| design | stack | declared | needed | enough | shortest overflow |", "|---|---|---|---|---|---|"]
    for sizing in sizings:
        for need in sizing.stacks:
            needed = str(need.needed) if need.needed is not None else f">= {need.at_least}"
            enough = {True: "yes", False: "**no**", None: "unknown"}[need.enough]
            rows.append(f"| `{sizing.strategy}` | `{need.storage}` ({cell(need.place)}) | {need.declared} | {needed} "
                        f"| {enough} | {cell(need.overflow_path) or '-'} |")
    notes = [f"- `{s.strategy}` `{n.storage}`: {cell(n.how)}" for s in sizings for n in s.stacks]
    return "\n".join(["## Stack sizes", "", *rows, "", *notes]) + "\n" + unloaded_section(unloaded)


def render_junit(sizings: list[Sizing], *, timings: bool = True, unloaded=()) -> str:
    root = ET.Element("testsuites", name="pkrsverify size")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    add_unloaded(root, unloaded, totals)
    for sizing in sizings:
        suite = ET.SubElement(root, "testsuite", name=sizing.strategy, tests=str(len(sizing.stacks)))
        if timings:
            suite.set("time", f"{sizing.seconds:.3f}")
        for need in sizing.stacks:
            case = ET.SubElement(suite, "testcase", name=need.storage, classname=f"pkrsverify.{sizing.strategy}",
                                 file=sizing.spec)
            totals["tests"] += 1
            if need.enough is False:
                totals["failures"] += 1
                ET.SubElement(case, "failure", message=headline(sizing, need), type="overflow").text = \
                    f"overflows after {need.overflow_path}\n({need.how})"
            elif need.enough is None:
                totals["skipped"] += 1
                ET.SubElement(case, "skipped", message=f"{headline(sizing, need)} ({need.how})")
    return finish(root, totals)


def render_sarif(sizings: list[Sizing], *, timings: bool = True, unloaded=(), root: str | None = None) -> str:
    artifacts = Artifacts(root)
    results = []
    for sizing in sizings:
        for need in sizing.stacks:
            if need.enough is False:
                results.append({"ruleId": "stack-size", "level": "error",
                                "message": {"text": f"{sizing.strategy}: {headline(sizing, need)}: overflows after "
                                                    f"{need.overflow_path}"},
                                "locations": [sarif_location(need.location, artifacts)]})
            elif need.enough is None:
                results.append({"ruleId": "stack-size", "kind": "open", "level": "none",
                                "message": {"text": f"{sizing.strategy}: {headline(sizing, need)} ({need.how})"},
                                "locations": [sarif_location(need.location, artifacts)]})
    results += diagnostic_results(unloaded, artifacts)
    rules = [{"id": "stack-size", "shortDescription": {"text": "a stack is large enough for the model"}}]
    return sarif_log(rules + diagnostic_rules(unloaded), results, artifacts)


def render_html(sizings: list[Sizing], *, timings: bool = True, unloaded=(), sources=()) -> str:
    """The markdown table as a page, each stack's whole finding below it, and the specs' text."""
    rows = []
    for sizing in sizings:
        for need in sizing.stacks:
            needed = str(need.needed) if need.needed is not None else f">= {need.at_least}"
            enough = {True: ("yes", "ok"), False: ("no", "fail"), None: ("unknown", "")}[need.enough]
            rows.append([f"<code>{escape(sizing.strategy)}</code>", f"<code>{escape(need.storage)}</code> "
                         f"({escape(need.place)})", str(need.declared), escape(needed), enough,
                         escape(need.overflow_path or "-")])
    findings = "".join(f"<li>{escape(headline(s, n))}" + (f"; overflows after {escape(n.overflow_path)}"
                                                             if n.overflow is not None else "")
                       + f" <span class=\"note\">({escape(n.how)})</span></li>" for s in sizings for n in s.stacks)
    body = ["<h1>pkrsverify size</h1>",
            table(["design", "stack", "declared", "needed", "enough", "shortest overflow"], rows, "verdicts"),
            f"<ul>{findings}</ul>", *unloaded_html(unloaded)]
    return page("pkrsverify size", body, tuple(sources))
