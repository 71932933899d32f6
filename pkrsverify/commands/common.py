"""What every subcommand shares: the terminal, argument types, loading. (Exit codes: outcome.py.)"""
from __future__ import annotations

import argparse
from dataclasses import dataclass, replace
from pathlib import Path

from rich.console import Console

from ..front import ir
from ..front.diagnostics import Code, Diagnostic, InputError, did_you_mean
from ..front.loader import load_strategy, with_bounds
from ..result import Unloaded


@dataclass
class Terminal:
    """Where output goes: rich on a terminal, plain text otherwise."""

    out: Console
    err: Console
    plain: bool


def whole_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, not {value}")
    return value


def positive(text: str) -> int:
    """A limit: a whole number of at least 1 (0 would silently mean no limit, or no search at all)."""
    value = whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError("expected a number >= 1")
    return value


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, not {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("expected a positive number of seconds")
    return value


def property_name(text: str) -> ir.Property:
    """`--property no_lost`, `--property 'no_corrupt[CR2]'`: whether the spec has it is `asked_of`'s."""
    try:
        return ir.Property(text)
    except ValueError:
        names = [p.value for p in ir.DEFAULTS] + ["no_corrupt", "shadow[STORAGE]", "no_lost[REGISTER]"]
        hint = did_you_mean(text, names)
        raise argparse.ArgumentTypeError(f"no property named {text!r}" + (f" ({hint})" if hint else "")
                                         + "; properties: " + ", ".join(names)) from None


def asked_of(strategy: ir.Strategy, asked: tuple[ir.Property, ...] | None, path: str) -> tuple[ir.Property, ...] | None:
    """The `--property` list for one spec; E120 for a property of a register (or shadow) it is not about."""
    if not asked:
        return None
    registers = {r.name for r in strategy.registers}
    shadows = {s.name for s in strategy.storages if s.shadows is not None}
    foreign = [p for p in asked if (p.register is not None and p.register not in registers)
               or (p.storage is not None and p.storage not in shadows)]
    if foreign:
        known = [p.value for p in ir.applicable_properties(strategy.model, strategy.registers, strategy.storages)]
        raise InputError([Diagnostic(Code.BAD_OPTION, f"--property {foreign[0].value}: {path} is not about "
                                     f"{foreign[0].register or foreign[0].storage}", None,
                                     help=did_you_mean(foreign[0].value, known),
                                     notes=("its properties: " + ", ".join(known),))])
    return tuple(asked)


UNBOUNDED = "unbounded"


def depth_bound(text: str) -> int | str:
    """A depth, or `unbounded` (a proof for every nesting depth: z3 only)."""
    return UNBOUNDED if text == UNBOUNDED else whole_number(text)


ANY = "any"


def count_bound(text: str) -> int | str:
    """A number of tasks, kernel threads or CPUs, or `any` (a proof for every number: z3 only)."""
    return ANY if text == ANY else whole_number(text)


def add_bound_arguments(parser: argparse.ArgumentParser, unbounded_depth: bool = False,
                        any_count: bool = False) -> None:
    """--tasks, --kthreads, --cpus, --depth; `unbounded_depth`: --depth may be `unbounded`, `any_count`: the
    counts may be `any` (proofs for every value, docs/semantics.md section 5)."""
    for bound in ("tasks", "kthreads", "cpus", "depth"):
        if bound == "depth" and unbounded_depth:
            parser.add_argument("--depth", type=depth_bound, metavar="N|unbounded",
                                help="override the depth bound; `unbounded` proves for every nesting depth (z3)")
        elif bound != "depth" and any_count:
            parser.add_argument(f"--{bound}", type=count_bound, metavar="N|any",
                                help=f"override the {bound} bound; `any` proves for every number of {bound} (z3; "
                                     "a violation is still searched for at the spec's own bound)")
        else:
            parser.add_argument(f"--{bound}", type=whole_number, metavar="N", help=f"override the {bound} bound")


def for_every(args) -> frozenset[str]:
    """The counts the command line asks a proof for every value of (`--tasks any`, ...)."""
    return frozenset(b for b in ("tasks", "kthreads", "cpus") if getattr(args, b, None) == ANY)


def asks_for_proof(args) -> str:
    """The options that only a proof answers (`--tasks any`, `--depth unbounded`), as given; "" for none."""
    asked = [f"--{b} any" for b in sorted(for_every(args))]
    return " ".join(asked + (["--depth unbounded"] if getattr(args, "depth", None) == UNBOUNDED else []))


def _number(value):
    return None if value == ANY else value  # `any`: the spec's own bound is where violations are sought


def load_all(paths, args) -> list:
    """Every spec with the command-line bounds, or one InputError with all their diagnostics."""
    strategies, unloaded = load_each(paths, args)
    if unloaded:
        raise InputError([d for u in unloaded for d in u.diagnostics])
    return strategies


def load_each(paths, args, terminal: Terminal | None = None) -> tuple[list, list[Unloaded]]:
    """(path, strategy) for every spec that loads, and the diagnostics of those that do not, so that one
    bad spec does not stop the others (printed on `terminal`'s stderr). A wrong command line, or no spec
    left to check, is still one InputError."""
    strategies, unloaded = [], []
    for path, strategy_or_errors in _load_each(paths, args):
        if isinstance(strategy_or_errors, tuple):
            unloaded.append(Unloaded(path, strategy_or_errors))
        else:
            strategies.append((path, strategy_or_errors))
    wrong_options = [d for u in unloaded for d in u.diagnostics if d.span is None and d.code is Code.BAD_OPTION]
    if wrong_options:
        raise InputError(list(dict.fromkeys(wrong_options)))
    if unloaded and not strategies:
        raise InputError([d for u in unloaded for d in u.diagnostics])
    if terminal is not None:
        for failure in unloaded:
            for diagnostic in failure.diagnostics:
                terminal.err.file.write(diagnostic.render() + "\n")
        if unloaded:
            count = sum(len(u.diagnostics) for u in unloaded)
            terminal.err.file.write(f"pkrsverify: {count} error{'s' if count != 1 else ''} in "
                                    f"{len(unloaded)} spec{'s' if len(unloaded) != 1 else ''}, not checked; "
                                    "checking the others\n")
    return strategies, unloaded


def _load_each(paths, args):
    models = getattr(args, "model", None) or [None]  # compare --model: each spec under each model
    for path in paths:
        for model in models:
            try:
                strategy = load_strategy(path, model)
                if model is not None:  # the design's name says which model it ran under
                    strategy = replace(strategy, name=f"{strategy.name}@{strategy.model.name}")
                depth = None if args.depth == UNBOUNDED else args.depth  # the caller drops the depth bound
                yield path, with_bounds(strategy, tasks=_number(args.tasks), kthreads=_number(args.kthreads),
                                        cpus=_number(args.cpus), depth=depth)
            except InputError as error:
                yield path, error.diagnostics


# ---- commands that judge many texts of a design (repair, synthesize) ------------------------------

def add_search_report_arguments(parser: argparse.ArgumentParser, one: str, default_states: int,
                                section: str, text_help: str = "text") -> None:
    """--format text|json, --output, --no-timings, and each `one` search's --max-states and --timeout."""
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help=f"{text_help} or json (docs/json.md, \"{section}\")")
    parser.add_argument("--output", metavar="FILE", help="write the report in --format to FILE")
    parser.add_argument("--no-timings", action="store_true", help="leave times out of the report")
    parser.add_argument("--max-states", type=positive, default=default_states, metavar="N",
                        help=f"states per {one}'s search (default 200,000)")
    parser.add_argument("--timeout", type=seconds, metavar="SECONDS", help=f"per {one}'s search")


def emit_document(args, terminal: Terminal, runs: list, render_text, render_json) -> None:
    """The whole report in --format, to --output or stdout (text was printed run by run already)."""
    if args.format != "json" and not args.output:
        return
    text = (render_json if args.format == "json" else render_text)(runs, not args.no_timings)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        terminal.out.file.write(text)
