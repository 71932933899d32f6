"""`repair` as text and JSON: the search's figures, then each repair with its verdicts, costs and diff."""
from __future__ import annotations

import json

from ..analyses.repair import Repair, RepairRun
from ..result import ReviewFigures, Verdict


def _violations(run: RepairRun) -> str:
    return ", ".join(f"{p.property.value} in {p.length}" if p.verdict is Verdict.VIOLATED
                     else f"{p.property.value} {p.verdict.value}"
                     for p in run.original.properties if p.verdict is not Verdict.HOLDS)


def search_line(run: RepairRun, timings: bool = True) -> str:
    time = f", {run.seconds:.1f} s" if timings else ""
    return (f"{run.candidates} candidates ({run.pruned} ruled out by replaying a known counterexample, "
            f"{run.searched} searched), {run.invalid} edits not valid specs{time}")


def verdicts(repair: Repair) -> str:
    states = repair.explicit.statistics.states
    text = f"explicit: every property holds, all {states:,} reachable states ({repair.explicit.bounds.describe()})"
    return text + "; " + z3_words(repair.z3)


def z3_words(result) -> str:
    """What Z3 said of a design checked for every nesting depth (None: not asked)."""
    if result is None:
        return "z3: not asked (--no-proof)"
    if result.proved:
        return "z3: proved for every nesting depth"
    open_ = [f"{p.property.value} {p.verdict.value}" for p in result.properties if p.verdict is not Verdict.PROVED]
    return f"z3: not proved ({', '.join(open_)})"


def costs(f: ReviewFigures) -> str:
    """The review figures `compare` shows, in one line."""
    return (f"{f.bytes_per_task} bytes per task, {f.bytes_per_cpu} per CPU, {f.bytes_per_frame} per entry frame; "
            f"MSR on entry {f.entry.worst.describe()}, exit {f.exit.worst.describe()}, context switch "
            f"{f.switch.worst.describe()}; struct pt_regs {'grows' if f.pt_regs_layout_changes else 'unchanged'}")


def render_text(runs: list[RepairRun], timings: bool = True) -> str:
    out = []
    for run in runs:
        out.append(f"{run.strategy} ({run.spec}): model {run.model}, {run.bounds.describe()}")
        if run.size == 0:
            out += ["  every property holds: nothing to repair", ""]
            continue
        out.append(f"  violates {_violations(run)}")
        out += [f"  stack size: {said}" for said in run.sizes]
        out.append("  searched " + search_line(run, timings))
        if run.size < 0:
            out += ["  no repair of that many edits (more with --max-edits)", ""]
            continue
        out.append(f"  smallest repair: {run.size} edit{'s' if run.size > 1 else ''}, "
                   f"{len(run.repairs)} way{'s' if len(run.repairs) > 1 else ''}, cheapest first")
        for number, repair in enumerate(run.repairs, 1):
            out.append(f"  repair {number}: " + "; and ".join(c.says for c in repair.changes))
            out.append(f"    {verdicts(repair)}")
            out.append(f"    review: {costs(repair.figures)}")
            if number == 1:
                out += ["    " + line for line in repair.diff.rstrip("\n").splitlines()]
        out.append("")
    return "\n".join(out)


def render_json(runs: list[RepairRun], timings: bool = True) -> str:
    """docs/json.md, "Repairs"."""
    def one(repair: Repair) -> dict:
        return {"changes": [c.says for c in repair.changes], "diff": repair.diff,
                "explicit": "holds", "states": repair.explicit.statistics.states,
                "z3": None if repair.z3 is None else ("proved" if repair.proved else "not proved"),
                "review": costs(repair.figures)}
    document = {"repairs": [{
        "spec": run.spec, "strategy": run.strategy, "model": run.model,
        "bounds": {"tasks": run.bounds.tasks, "kthreads": run.bounds.kthreads, "cpus": run.bounds.cpus,
                   "depth": run.bounds.depth},
        "violated": [{"property": p.property.value, "verdict": p.verdict.value, "length": p.length}
                     for p in run.original.properties if p.verdict is not Verdict.HOLDS],
        "edits": run.size if run.size >= 0 else None, "stack_sizes": list(run.sizes),
        "candidates": run.candidates, "pruned": run.pruned, "searched": run.searched, "invalid": run.invalid,
        "repairs": [one(r) for r in run.repairs]} | ({"seconds": round(run.seconds, 3)} if timings else {})
        for run in runs]}
    return json.dumps(document, indent=2) + "\n"


__all__ = ["render_text", "render_json"]
