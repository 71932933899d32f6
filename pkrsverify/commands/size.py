"""`pkrsverify size FILE...`: how many entries each stack of a spec can actually need.

For every `task stack N` / `cpu stack N`: the most entries any reachable
state holds, a shortest path that gets there, and, when N is too small, the
shortest path that overflows it ("x86_64 needs 8; stack7 overflows after
syscall, page_fault, irq, irq, page_fault, nmi, page_fault, mce").
Exit codes: 0 every stack is large enough, 1 one can overflow, 3 a limit
was hit before an answer, 4 the engines disagree (a bug).
"""
from __future__ import annotations

import argparse
import json

from rich.text import Text

from ..analyses.agreement import EXIT_DISAGREE
from ..front.diagnostics import Code, Diagnostic, InputError
from ..symbolic.engine import MAX_STEPS
from ..analyses.sizing import Sizing, describe_path, size_explicit, size_z3, stacks_of
from ..semantics.system import System
from .common import EXIT_HOLDS, EXIT_LIMIT, EXIT_VIOLATED, UNBOUNDED, Terminal, add_bound_arguments, load_all, seconds, whole_number

HELP = "size the stacks of strategy specs: the entries each can need, and a shortest path to them"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="strategy spec(s)")
    add_bound_arguments(parser, unbounded_depth=True)
    parser.add_argument("--engine", choices=("explicit", "z3", "both"), default="z3",
                        help="z3 (default): BMC and a Houdini bound; explicit: every reachable state; "
                             f"both: compare them (a disagreement is a bug: exit {EXIT_DISAGREE})")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--max-states", type=whole_number, default=5_000_000, metavar="N",
                        help="explicit: stop after N states")
    parser.add_argument("--max-steps", type=whole_number, default=MAX_STEPS, metavar="N",
                        help=f"z3: unroll BMC at most N events (default {MAX_STEPS})")
    parser.add_argument("--timeout", type=seconds, metavar="SECONDS", help="stop after this long")


def run(args, terminal: Terminal) -> int:
    strategies = load_all(args.files, args)
    unbounded = args.depth == UNBOUNDED
    if unbounded and args.engine != "z3":
        raise InputError([Diagnostic(Code.BAD_OPTION, "--depth unbounded needs --engine z3: only a proof covers "
                                     "every depth", None)])
    engines = ("explicit", "z3") if args.engine == "both" else (args.engine,)
    results, disagree = [], False
    for path, strategy in strategies:
        pair = []
        for engine in engines:
            if engine == "z3":
                sizing = size_z3(strategy, path, unbounded, max_steps=args.max_steps, timeout=args.timeout)
            else:
                sizing = size_explicit(strategy, path, max_states=args.max_states or None, timeout=args.timeout)
            pair.append(sizing)
            if args.format == "text":
                terminal.out.print(Text(render(sizing, System(strategy))))
        if len(pair) == 2:
            problems = disagreements(*pair)
            disagree |= bool(problems)
            for problem in problems:
                terminal.err.print(Text(f"pkrsverify: INTERNAL ERROR: the engines disagree on {path}: {problem}",
                                        style="bold red"))
        results += pair
    if args.format == "json":
        terminal.out.file.write(json.dumps([as_json(s) for s in results], indent=2) + "\n")
    if disagree:
        return EXIT_DISAGREE
    needs = [need for sizing in results for need in sizing.stacks]
    if any(need.enough is False for need in needs):
        return EXIT_VIOLATED
    if any(need.enough is None for need in needs):
        return EXIT_LIMIT
    return EXIT_HOLDS


def render(sizing: Sizing, system: System) -> str:
    depth = "depth=unbounded" if sizing.unbounded_depth else f"depth={sizing.bounds.depth}"
    bounds = sizing.bounds.describe().replace(f"depth={sizing.bounds.depth}", depth)
    lines = [f"{sizing.strategy} ({sizing.spec}): model {sizing.model}, {bounds}, {sizing.engine} engine"]
    if not sizing.stacks:
        lines.append("  no stacks to size")
    for need in sizing.stacks:
        head = f"  {need.storage} ({need.place} {need.declared}): {sizing.model} needs "
        head += str(need.needed) if need.needed is not None else f"at least {need.reached}"
        if need.enough is False:
            head += f"; {need.declared} is not enough"
        elif need.enough:
            head += f"; {need.declared} is enough ({need.declared - need.needed} to spare)"
        lines.append(head)
        if need.overflow:
            lines.append(f"    {sizing.strategy} overflows after {describe_path(system, need.overflow)}")
        if need.reach and need.reach != need.overflow:
            lines.append(f"    {need.reached} entries after {describe_path(system, need.reach)}")
        lines.append(f"    ({need.how}; {sizing.seconds:.2f} s)")
    return "\n".join(lines) + "\n"


def disagreements(explicit: Sizing, z3: Sizing) -> list[str]:
    out = []
    for mine, theirs in zip(explicit.stacks, z3.stacks):
        if mine.needed is not None and theirs.needed is not None and mine.needed != theirs.needed:
            out.append(f"{mine.storage}: explicit says {mine.needed} entries, z3 says {theirs.needed}")
        elif mine.needed is not None and theirs.reached > mine.needed:
            out.append(f"{mine.storage}: explicit says at most {mine.needed}, z3 reached {theirs.reached}")
        elif theirs.upper is not None and mine.reached > theirs.upper:
            out.append(f"{mine.storage}: z3 proved at most {theirs.upper}, explicit reached {mine.reached}")
        elif mine.needed is not None and theirs.needed is not None and len(mine.reach) != len(theirs.reach):
            out.append(f"{mine.storage}: shortest path to {mine.needed} entries: explicit {len(mine.reach)} events, "
                       f"z3 {len(theirs.reach)}")
        if mine.overflow and theirs.overflow and len(mine.overflow) != len(theirs.overflow):
            out.append(f"{mine.storage}: shortest overflow: explicit {len(mine.overflow)} events, "
                       f"z3 {len(theirs.overflow)}")
    return out


def as_json(sizing: Sizing) -> dict:
    system_free = {"spec": sizing.spec, "strategy": sizing.strategy, "model": sizing.model, "engine": sizing.engine,
                   "depth": "unbounded" if sizing.unbounded_depth else sizing.bounds.depth,
                   "seconds": round(sizing.seconds, 3)}
    system_free["stacks"] = [{"storage": n.storage, "place": n.place, "declared": n.declared, "needed": n.needed,
                              "reached": n.reached, "proved_at_most": n.upper, "enough": n.enough,
                              "reach_length": len(n.reach), "overflow_length": len(n.overflow) or None,
                              "how": n.how} for n in sizing.stacks]
    return system_free


__all__ = ["add_arguments", "run", "HELP", "render", "disagreements", "stacks_of"]
