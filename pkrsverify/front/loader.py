"""Files -> IR: read a spec, find its model, run parse and analyze on both.

The one place (besides the CLI) that touches the file system. A model named
`NAME` is `NAME.model` in a `models/` folder beside the spec or in one of its
parent folders, else a built-in model shipped with the package; a quoted
path is relative to the spec.
"""
from __future__ import annotations

import os
from dataclasses import replace
from importlib.resources import files
from pathlib import Path

from . import ir
from . import syntax as ast
from .analyze import RANGES, analyze_model, analyze_strategy
from .diagnostics import Code, Diagnostic, InputError, did_you_mean
from .parser import parse
from .source import SourceFile, Span


def read_source(path: str | Path) -> SourceFile:
    try:
        data = Path(path).read_bytes()
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise InputError([Diagnostic(Code.UNREADABLE, f"cannot read {path}: {reason}", None)]) from None
    try:
        return SourceFile(str(path), data.decode("utf-8"))
    except UnicodeDecodeError as error:
        # point at the first byte that is not UTF-8, in the text as far as it reads
        shown = SourceFile(str(path), data.decode("utf-8", errors="replace"))
        offset = len(data[:error.start].decode("utf-8"))
        raise InputError([Diagnostic(Code.NOT_UTF8, f"not UTF-8: byte 0x{data[error.start]:02x} cannot start a "
                                     "character here", Span(shown, offset, offset + 1),
                                     help="save the file as UTF-8 (specs and models are UTF-8 text)")]) from None


def load_strategy(path: str | Path, model: str | None = None) -> ir.Strategy:
    """A checked spec; `model` (a model's name, or a path to a .model file) replaces the model it names, so
    that one design can be checked under several (`compare --model x86_64 --model x86_64_fred`)."""
    return strategy_of(read_source(path), model)


def strategy_of(source: SourceFile, model: str | None = None) -> ir.Strategy:
    """`load_strategy` for a text already in hand: a mutant or a candidate repair of a spec keeps the spec's
    path, so that its model is found where the spec's is and its diagnostics point into it."""
    tree = parse(source)
    if isinstance(tree, ast.ModelFile):
        raise InputError([Diagnostic(Code.WRONG_FILE_KIND, f"`{tree.name.text}` is a model, not a strategy spec",
                                     tree.name.span, help="check a spec that names this model: `model " + tree.name.text + "`")])
    if not tree.models:
        raise InputError([Diagnostic(Code.MISSING_MODEL, f"strategy `{tree.name.text}` names no model", tree.name.span,
                                     help="add a line `model x86_64` (or a quoted path to a .model file)")])
    ref = tree.models[0]
    if model is not None:
        as_path = model.endswith(".model") or "/" in model
        ref = ast.ModelRef(str(Path(model).resolve()) if as_path else model, as_path, ref.span)
    return analyze_strategy(tree, load_model(ref, source))


def load_model(ref: ast.ModelRef, spec: SourceFile) -> ir.Model:
    path = _resolve(ref, spec)
    if path is None:
        known = sorted(available_models(spec))
        raise InputError([Diagnostic(Code.MODEL_NOT_FOUND, f"no model `{ref.name}`", ref.span,
                                     notes=(f"looked in models/ beside {spec.path} and its parents, and among the "
                                            f"built-in models ({', '.join(known) or 'none'})",),
                                     help=did_you_mean(ref.name, known))])
    try:
        source = path if isinstance(path, SourceFile) else read_source(path)
        tree = parse(source)
        if not isinstance(tree, ast.ModelFile):
            raise InputError([Diagnostic(Code.WRONG_FILE_KIND, "this file is a strategy spec, not a model", tree.name.span)])
        return analyze_model(tree)
    except InputError as error:
        head = Diagnostic(Code.BAD_MODEL_FILE, f"model `{ref.name}` has errors (below)", ref.span)
        raise InputError((head,) + error.diagnostics) from None


def _resolve(ref: ast.ModelRef, spec: SourceFile) -> Path | SourceFile | None:
    here = Path(spec.path).parent
    if ref.is_path:
        candidate = here / ref.name
        return candidate if _is_file(candidate) else None
    for folder in (here, *here.resolve().parents):
        candidate = folder / "models" / f"{ref.name}.model"
        if _is_file(candidate):
            return _shortest(candidate)
    builtin = files("pkrsverify").joinpath("models", f"{ref.name}.model")
    if _is_file(builtin):
        return SourceFile(f"<built-in>/{ref.name}.model", builtin.read_text(encoding="utf-8"))
    return None


def _is_file(path) -> bool:
    """Is there a file here? A name the file system cannot even hold (too long, a NUL) is no file."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _shortest(path: Path) -> Path:
    """The path as a user would write it from here: relative when that is shorter."""
    try:
        relative = Path(os.path.relpath(path))
    except ValueError:  # another drive
        return path
    return relative if len(str(relative)) < len(str(path.resolve())) else path.resolve()


def available_models(spec: SourceFile) -> set[str]:
    names = {p.name.removesuffix(".model") for p in files("pkrsverify").joinpath("models").iterdir()
             if p.name.endswith(".model")}
    here = Path(spec.path).resolve().parent
    for folder in (here, *here.parents):
        if (folder / "models").is_dir():
            names.update(p.stem for p in (folder / "models").glob("*.model"))
    return names


def with_bounds(strategy: ir.Strategy, *, tasks=None, kthreads=None, cpus=None, depth=None) -> ir.Strategy:
    """The strategy with command-line bounds applied and checked."""
    bounds = strategy.bounds
    given = {"tasks": tasks, "kthreads": kthreads, "cpus": cpus, "depth": depth}
    problems = []
    for name, value in given.items():
        if value is None:
            continue
        low, high = RANGES[name]
        if not low <= value <= high:
            problems.append(Diagnostic(Code.BAD_OPTION, f"--{name} must be between {low} and {high}, not {value}", None))
        else:
            bounds = replace(bounds, **{name: value})
    problems.extend(_bound_problems(strategy, bounds, {name for name, value in given.items() if value is not None}))
    if problems:
        raise InputError(problems)
    return replace(strategy, bounds=bounds, declared=strategy.spec_bounds)


def _bound_problems(strategy: ir.Strategy, bounds: ir.Bounds, from_command_line=frozenset()) -> list[Diagnostic]:
    """What the final bounds leave impossible; blamed on the command line when it set the bound."""
    model = strategy.model
    problems = []
    if bounds.tasks + bounds.kthreads == 0:
        if from_command_line & {"tasks", "kthreads"}:
            problems.append(Diagnostic(Code.BAD_OPTION, "no task to run: --tasks and --kthreads leave both 0", None,
                                       help="give --tasks 1 or more (or --kthreads, where the model has them)"))
        else:
            problems.append(Diagnostic(Code.OUT_OF_RANGE, "no task to run: tasks and kthreads are both 0",
                                       strategy.span))
    for base, count in (("user", bounds.tasks), ("kthread", bounds.kthreads)):
        kind = model.kind(base)
        if count and (kind is None or not kind.is_base):
            problems.append(Diagnostic(Code.MISSING_BASE, f"{count} {base} task(s) asked for, but model `{model.name}` "
                                       f"declares no `base {base}`", strategy.span,
                                       help=f"add `base {base}` to the model, or set the bound to 0"))
    return problems


__all__ = ["load_strategy", "strategy_of", "load_model", "read_source", "with_bounds", "available_models", "Span"]
