"""`pkrsverify export --promela FILE.spec`: the spec as a model for another checker.

The Promela model follows docs/semantics.md step for step (export/promela.py),
so that a verdict can be checked again by SPIN, or on more cores than one
machine has (SPIN's multi-core and swarm modes).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from ..front.diagnostics import Code, Diagnostic, InputError
from ..export import ExportError, promela
from ..export.spin import commands
from ..outcome import Outcome
from . import COMMANDS
from .common import Terminal, add_bound_arguments, asked_of, load_all, property_name

HELP = COMMANDS["export"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    formats = parser.add_mutually_exclusive_group(required=True)
    formats.add_argument("--promela", action="store_true",
                         help="a Promela model: one d_step per event, one assertion per property")
    parser.add_argument("file", metavar="FILE", help="strategy spec")
    add_bound_arguments(parser)
    parser.add_argument("--property", action="append", type=property_name, metavar="P",
                        help="assert only this property (repeatable; default: the spec's properties)")
    parser.add_argument("-o", "--output", metavar="OUT",
                        help="write the model to OUT (default: standard output)")


def run(args, terminal: Terminal) -> Outcome:
    [(path, strategy)] = load_all([args.file], args)
    properties = asked_of(strategy, args.property, path)
    try:
        text = promela(strategy, properties=properties, source=path)
    except ExportError as error:
        raise InputError([Diagnostic(Code.BAD_OPTION, str(error), None,
                                     help="lower --tasks, --kthreads or --depth")]) from None
    if args.output is None or args.output == "-":
        terminal.out.file.write(text)
        return Outcome()
    out = Path(args.output)
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputError([Diagnostic(Code.BAD_OPTION, f"cannot write {out}: {error.strerror or error}",
                                     None)]) from None
    spin, gcc, pan = commands(out.name)
    terminal.out.print(f"wrote {out} ({strategy.name}, {strategy.bounds.describe()}); to check it with SPIN:")
    terminal.out.print(f"  cd {out.parent} && {' '.join(spin)} && {' '.join(gcc)} && {' '.join(pan)}",
                       soft_wrap=True)
    return Outcome()
