"""`check --mutations` as text and JSON: each mutant, what it breaks, and the review comments they make.

A statement whose deletion breaks nothing is worth a review comment ("this
line is not needed, and it costs a WRMSR per exit"), and so is a guard whose
removal breaks nothing: those come after the table.
"""
from __future__ import annotations

import json

from ..result import Broken, MutantOutcome, MutantResult, MutationRun

O = MutantOutcome


def _broken(items: tuple[Broken, ...]) -> str:
    return ", ".join(f"{b.property.value} in {b.length}" for b in items)


def outcome(run: MutationRun, m: MutantResult) -> str:
    """The result column: `breaks no_lost in 4`, `nothing breaks: unnecessary (saves ...)`, ..."""
    if m.outcome is O.BREAKS:
        return "breaks " + _broken(m.broken)
    if m.outcome is O.INVALID:
        return f"not a valid spec ({m.detail})"
    if m.outcome is O.EQUIVALENT:
        return "the same spec"
    if m.outcome is O.UNKNOWN:
        return f"unknown: {m.detail}"
    text = "breaks nothing that held" if run.violated else "nothing breaks"
    if not run.violated and m.operator == "delete":
        text += ": unnecessary" + (f" (costs {', '.join(m.saves)})" if m.saves else "")
    news = ([f"fixes {', '.join(p.value for p in m.fixed)}"] if m.fixed else []) + (
        [f"{b.property.value} sooner, in {b.length}" for b in m.sooner])
    return text + ("; " + "; ".join(news) if news else "")


def comments(run: MutationRun) -> list[str]:
    """The review comments: unneeded statements, guards that do nothing, and (for a broken design) the
    changes that fix one of its violations."""
    out = []
    for m in run.mutants:
        survived = m.outcome is O.SURVIVES
        where = f"{run.spec}:{m.location.line}: `{m.location.text}`"
        if survived and not run.violated and m.operator == "delete":
            cost = f"; it costs {', '.join(m.saves)}" if m.saves else ""
            out.append(f"{where} can go: deleting it breaks nothing{cost}")
        elif survived and not run.violated and m.operator == "guard":
            out.append(f"{where}: {m.mutation}, and nothing breaks")
        elif survived and m.fixed:
            out.append(f"{where}: {m.mutation} fixes {', '.join(p.value for p in m.fixed)} and breaks nothing "
                       "that held")
    return out


def summary(run: MutationRun, timings: bool = True) -> str:
    counts = {o: sum(1 for m in run.mutants if m.outcome is o) for o in O}
    parts = [f"{counts[O.BREAKS]} break a property", f"{counts[O.SURVIVES]} survive"]
    parts += [f"{counts[o]} {words}" for o, words in ((O.INVALID, "are not valid specs"),
                                                       (O.EQUIVALENT, "are the same spec"),
                                                       (O.UNKNOWN, "unknown")) if counts[o]]
    reused = sum(1 for m in run.mutants if m.reused)
    searched = f"{run.searches} searched" + (f", {reused} the same as another mutant" if reused else "")
    time = f", {run.seconds:.2f} s" if timings else ""
    return f"{len(run.mutants)} mutants: {', '.join(parts)} ({searched}{time})"


def render_text(runs: list[MutationRun], timings: bool = True) -> str:
    out = []
    for run in runs:
        out.append(f"{run.strategy} ({run.spec}): mutations of {run.statements} statements and {run.storages} "
                   f"storage declarations, model {run.model}, {run.bounds.describe()}")
        judged = ", ".join(p.value for p in run.held) or "nothing (every property is violated)"
        out.append(f"  judged on what holds for the design: {judged}")
        if run.violated:
            out.append(f"  the design already violates {_broken(run.violated)}: a mutant that fixes one says so")
        rows = [(str(m.location.line), m.location.text, m.mutation, outcome(run, m)) for m in run.mutants]
        head = ("line", "statement", "mutation", "result")
        widths = [min(max(len(r[i]) for r in rows + [head]), 34) for i in range(3)]
        for row in [head] + rows:
            cells = [c if len(c) <= w else c[:w - 3] + "..." for c, w in zip(row[:3], widths)]
            out.append("  " + "  ".join(c.ljust(w) for c, w in zip(cells, widths)) + "  " + row[3])
        out.append("  " + summary(run, timings))
        notes = comments(run)
        if notes:
            out.append("  review comments:")
            out += [f"  - {note}" for note in notes]
        out.append("")
    return "\n".join(out)


def _broken_json(items: tuple[Broken, ...]) -> list[dict]:
    return [{"property": b.property.value, "length": b.length} for b in items]


def render_json(runs: list[MutationRun], timings: bool = True) -> str:
    """docs/json.md, "Mutations"."""
    def mutant(run: MutationRun, m: MutantResult) -> dict:
        return {"line": m.location.line, "column": m.location.column, "statement": m.location.text,
                "mutation": m.mutation, "operator": m.operator, "outcome": m.outcome.value,
                "breaks": _broken_json(m.broken), "fixes": [p.value for p in m.fixed],
                "sooner": _broken_json(m.sooner), "saves": list(m.saves), "detail": m.detail,
                "reused": m.reused, "result": outcome(run, m)}
    document = {"mutations": [{
        "spec": run.spec, "strategy": run.strategy, "model": run.model,
        "bounds": {"tasks": run.bounds.tasks, "kthreads": run.bounds.kthreads, "cpus": run.bounds.cpus,
                   "depth": run.bounds.depth},
        "judged_on": [p.value for p in run.held], "violated": _broken_json(run.violated),
        "mutants": [mutant(run, m) for m in run.mutants], "comments": comments(run),
        "searches": run.searches} | ({"seconds": round(run.seconds, 3)} if timings else {}) for run in runs]}
    return json.dumps(document, indent=2) + "\n"


__all__ = ["render_text", "render_json", "outcome", "comments", "summary"]
