"""Where a report goes: `--format`, `--output FILE`, `--graph FILE.dot`, `--picture FILE.svg`, `--no-timings`.

The terminal always gets the text report (rich, or plain when piped); a
machine format goes to stdout instead of it, or to `--output FILE` beside it.
An HTML report shows the specs' text and names its SHA-256: the files are
read here, since reports read none.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
from dataclasses import replace
from pathlib import Path

from rich.text import Text

from ..front.diagnostics import Code, Diagnostic, InputError
from ..explicit.graph import state_graph
from ..report import svg
from ..report.common import SpecText
from ..report.dot import GRAPH_LIMIT, StateGraph, render_dot
from ..report.render import FORMATS, Checked, Compared, Tested, render
from ..result import CheckResult, PropertyResult, StopReason
from ..analyses.review import review
from ..semantics import events
from ..semantics.system import System
from ..explain.words import describe_event, storage_values, value_name
from .common import Terminal


def add_report_arguments(parser: argparse.ArgumentParser, formats=FORMATS, graph: bool = True,
                         picture: bool = False) -> None:
    parser.add_argument("--format", choices=formats, default="text",
                        help="text (a terminal, or 72-column plain text when piped), markdown (tables, Mermaid "
                             "diagrams and pictures), json (docs/json.md), sarif (SARIF 2.1.0), junit (JUnit XML), "
                             "html (one standalone page: pictures, step-through, the specs' text)")
    parser.add_argument("--output", metavar="FILE", help="write the report in --format to FILE; "
                        "the terminal still gets the text report")
    if graph:
        parser.add_argument("--graph", metavar="FILE.dot", help="write the counterexamples (and, for a state "
                            f"space of at most {GRAPH_LIMIT} states, the state graph) in Graphviz DOT")
    if picture:
        parser.add_argument("--picture", metavar="FILE.svg", help="draw the counterexamples as swim lanes in SVG: "
                            "FILE for one design, FILE-<design>.svg for each violated design of several")
    parser.add_argument("--no-timings", action="store_true",
                        help="leave times out of reports, so that two runs compare equal")


def shows_text(args) -> bool:
    """Does the terminal get the text report? Unless a machine format goes to stdout."""
    return args.format == "text" or args.output is not None


def timings(args) -> bool:
    return not args.no_timings


def check_paths(args) -> None:
    """Fail before any search when a report could not be written."""
    problems = []
    for option in ("output", "graph", "picture", "certificate"):
        path = getattr(args, option, None)
        if path is None:
            continue
        if Path(path).is_dir():
            problems.append(Diagnostic(Code.BAD_OPTION, f"--{option} {path}: is a directory, not a file", None,
                                       help=f"name a file in it, e.g. --{option} {Path(path) / 'report'}"))
        elif not Path(path).resolve().parent.is_dir():
            problems.append(Diagnostic(Code.BAD_OPTION, f"--{option} {path}: no such directory "
                                       f"{Path(path).parent}", None))
    if problems:
        raise InputError(problems)


def with_reviews(results: list[CheckResult], strategies) -> list[CheckResult]:
    """Each result with the static review figures of its strategy."""
    return [replace(r, review=review(strategy)) for r, (_, strategy) in zip(results, strategies)]


def emit(args, terminal: Terminal, document) -> None:
    """Write a machine format where the arguments say: to --output, or to stdout instead of the text."""
    if args.output is None and args.format == "text":
        return
    text = render(args.format, with_sources(args, document), timings=timings(args), root=repository_root())
    if args.output is not None:
        write(args.output, text)
    else:
        terminal.out.file.write(text)


def with_sources(args, document):
    """The document with the text of every spec it speaks of, when the format shows it (html)."""
    if args.format != "html":
        return document
    if isinstance(document, (Checked, Compared)):
        paths = [r.spec for r in document.results]
    elif isinstance(document, Tested):
        paths = [o.path for o in document.specs]
    else:
        paths = [s.spec for s in document.sizings]
    return replace(document, sources=spec_texts(paths + [u.path for u in document.unloaded]))


def spec_texts(paths) -> tuple[SpecText, ...]:
    """Each readable spec once: its text and the SHA-256 of its bytes (what `sha256sum` prints)."""
    out, seen = [], set()
    for path in paths:
        key = os.path.normpath(path)
        if key in seen or path.startswith("<"):
            continue
        seen.add(key)
        try:
            data = Path(path).read_bytes()
        except OSError:
            continue
        out.append(SpecText(path, data.decode("utf-8", errors="replace"), hashlib.sha256(data).hexdigest()))
    return tuple(out)


def write_pictures(args, terminal: Terminal, drawn: list[tuple[CheckResult, list[PropertyResult]]]) -> None:
    """`--picture FILE.svg`: FILE for one design, else FILE-<design>.svg for each design with a counterexample
    (the names said on stderr). A design drawn twice (`--engine both`) is drawn from its first result."""
    if not getattr(args, "picture", None):
        return
    firsts: dict[str, tuple[CheckResult, list[PropertyResult]]] = {}
    for result, props in drawn:
        firsts.setdefault(os.path.normpath(result.spec), (result, props))
    several = len(firsts) > 1
    target, names, written = Path(args.picture), {}, []
    for result, props in firsts.values():
        if not props:
            continue
        name = result.strategy
        names[name] = names.get(name, 0) + 1
        name += f"-{names[name]}" if names[name] > 1 else ""
        path = target.with_name(f"{target.stem}-{name}{target.suffix or '.svg'}") if several else target
        pictures = [svg.picture(result, prop, ident=f"p{k + 1}") for k, prop in enumerate(props)]
        write(str(path), svg.document(pictures))
        written.append(str(path))
    if not written:
        terminal.err.print(Text("pkrsverify: --picture: no counterexample to draw, no picture written", style="dim"))
    elif several:
        terminal.err.print(Text(f"pkrsverify: --picture: wrote {', '.join(written)}", style="dim"))


def repository_root() -> str:
    """What SARIF URIs are relative to: git's top level of the working directory, else the directory."""
    try:
        done = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return os.getcwd()
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else os.getcwd()


def emit_checked(args, terminal: Terminal, results: list[CheckResult], strategies, unloaded=()) -> None:
    """`check`'s report (and the graph) where the arguments say."""
    results = with_reviews(results, strategies)
    emit(args, terminal, Checked(tuple(results), tuple(unloaded)))
    write_pictures(args, terminal, [(r, [p for p in r.properties if p.trace is not None]) for r in results])
    if getattr(args, "graph", None):
        graphs, left_out = [], []
        for (path, strategy), result in zip(strategies, results):
            graph = small_state_graph(path, strategy, result)
            if isinstance(graph, str):
                left_out.append(graph)
                terminal.err.print(Text(f"pkrsverify: {graph}", style="dim"))
            else:
                graphs.append(graph)
        write(args.graph, render_dot(results, graphs, left_out))


def write(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputError([Diagnostic(Code.BAD_OPTION, f"cannot write {path}: {error.strerror}", None)]) from None


# ---- the state graph, in words ----------------------------------------------------------

def small_state_graph(path: str, strategy, result: CheckResult) -> StateGraph | str:
    """The reachable graph, when the search saw all of it and it is small enough to draw; else why not."""
    why = f"--graph: the state graph of {result.strategy} ({path}) is left out"
    if result.engine != "explicit" or result.stop is not StopReason.COMPLETE:
        return f"{why}: the search did not see all of it ({result.stop.value})"
    if result.statistics.states > GRAPH_LIMIT:
        return f"{why}: {result.statistics.states:,} states, more than {GRAPH_LIMIT} can be drawn"
    system = System(strategy, result.bounds)
    try:  # the engine may have searched a reduced space; the drawn one is the plain canonical one
        graph = state_graph(system, max_states=GRAPH_LIMIT)
    except OverflowError:
        return f"{why}: without the reductions it has more than {GRAPH_LIMIT} states"
    ids = {node: str(i) for i, node in enumerate(graph.nodes)}
    nodes = tuple((ids[n], "BUG() (fatal push or pop)" if n == "fatal" else describe_state(system, n),
                   bool(data.get("initial"))) for n, data in graph.nodes(data=True))
    edges = tuple((ids[u], ids[v], "\n".join(describe_event(system, e) for e in data["events"]),
                   tuple(p.value for p in sorted(data["violated"], key=lambda p: p.value)))
                  for u, v, data in graph.edges(data=True))
    return StateGraph(path, nodes, edges)


def frame_name(system: System, code: int) -> str:
    """A frame as the state graph writes it: its kind, `*` when preempted, `@window` where its code stopped."""
    kind, phase = system.layout.kind_of(code), system.layout.phase_of(code)
    name = system.kinds[kind].name
    if phase == events.PREEMPTED:
        return name + "*"
    return name if phase == events.BODY else f"{name}@{system.table.phases.name(kind, phase)}"


def describe_state(system: System, state) -> str:
    layout = system.layout
    lines = []
    for c, cpu in enumerate(layout.cpus):
        running = state[cpu.running]
        who = "idle" if running < 0 else f"task {running}"
        held = ", ".join(f"{r.name} {value_name(state[at])}" for r, at in zip(system.strategy.registers, cpu.registers))
        lines.append(f"cpu {c}: {who}, {held}")
    for t, task in enumerate(layout.tasks):
        frames = [frame_name(system, state[task.frames[j]]) for j in range(state[task.frame_count])]
        lines.append(f"task {t}: {' > '.join(frames)}")
    lines += [f"{name} = {value}" for name, value in storage_values(system, state).items()]
    return "\n".join(lines)
