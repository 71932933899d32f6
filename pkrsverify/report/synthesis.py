"""`synthesize` as text and JSON: the search's figures, the Pareto front, the families no completion saves."""
from __future__ import annotations

import json

from ..analyses.candidates import Invalid, Refuted, Undecided
from ..analyses.synthesis import Candidate, Family, Proof, SynthesisRun, dominates, objectives
from ..front import edits
from ..front import syntax as ast
from ..front.holes import tidy
from ..front.parser import parse
from .repairs import costs, z3_words


def search_line(run: SynthesisRun, timings: bool = True) -> str:
    time = f"; {run.seconds:.1f} s" if timings else ""
    return (f"{len(run.candidates)} completions, {run.distinct} distinct; {run.pruned} ruled out by replaying a "
            f"known counterexample, {run.searched} searched; {run.invalid} not valid specs{time}")


def design_lines(candidate: Candidate) -> list[str]:
    """A completion's declarations and handlers, one line each, as the sketch writes them."""
    tree = parse(candidate.completion.text)
    assert isinstance(tree, ast.StrategyFile)
    items = sorted([*tree.registers, *tree.storages, *tree.handlers], key=lambda item: item.span.start)
    return [edits.item_line(item) for item in items]


def proof_text(candidate: Candidate, proof: Proof) -> str:
    states = candidate.verdict.result.statistics.states
    text = f"explicit: every property holds, all {states:,} reachable states"
    if proof.disagreement:
        return text + f"; ENGINES DISAGREE: {proof.disagreement}"
    return text + "; " + z3_words(proof.result)


def _beaten_by(run: SynthesisRun, index: int) -> int | None:
    """The number (from 1) of a design on the front that beats this correct one on the figures."""
    mine = objectives(run.candidates[index].figures)
    for number, (i, _) in enumerate(run.front, 1):
        if dominates(objectives(run.candidates[i].figures), mine):
            return number
    return None


def family_lines(run: SynthesisRun, family: Family) -> list[str]:
    count = ", ".join(f"{prop} {n}" for prop, n in family.ruled_out_by)
    nearest = run.candidates[family.nearest]
    steps = "; ".join(step.event for step in family.trace.steps)
    members = "its one completion is not" if family.members == 1 else f"none of its {family.members} completions is"
    return [f"    {family.hole}={family.label}: {members} correct (ruled out by {count})",
            f"      e.g. {nearest.completion.says()}: {family.shortest.property.value} violated in "
            f"{family.shortest.length} events: {steps}",
            f"      {family.trace.explanation}"]


def render_text(runs: list[SynthesisRun], timings: bool = True) -> str:
    out = []
    for run in runs:
        bounds = f", {run.bounds.describe()}" if run.bounds else ""
        out.append(f"{run.strategy or run.sketch} ({run.sketch}): model {run.model or '?'}{bounds}")
        out.append("  holes: " + "; ".join(f"{name} ({', '.join(labels)})" for name, labels in run.holes))
        out.append("  " + search_line(run, timings))
        out += _unusual(run)
        correct = run.correct
        if not correct:
            out.append("  no completion is correct" if not run.undecided else
                       "  no completion is correct within the limits: the undecided ones may be")
        else:
            out.append(f"  {len(correct)} correct; on the Pareto front (no other correct design is as cheap on every "
                       f"review figure and cheaper on one): {len(run.front)}, cheapest first")
            for number, (i, proof) in enumerate(run.front, 1):
                candidate = run.candidates[i]
                out.append(f"  {number}. {candidate.completion.says()}")
                out += ["       " + line for line in design_lines(candidate)]
                out.append(f"       review: {costs(candidate.figures)}; "
                           f"found from pt_regs: {'yes' if candidate.figures.findable else 'no'}")
                out.append(f"       {proof_text(candidate, proof)}")
            on_front = {i for i, _ in run.front}
            beaten = [i for i in correct if i not in on_front and run.candidates[i].same_as is None]
            if beaten:
                out.append("  also correct, but beaten on the figures:")
                out += [f"    {run.candidates[i].completion.says()} (by {_beaten_by(run, i)})" for i in beaten]
        if run.families:
            out.append("  ruled out, whatever the other holes hold:")
            for family in run.families:
                out += family_lines(run, family)
        out.append("")
    return "\n".join(out)


def _unusual(run: SynthesisRun) -> list[str]:
    out = []
    invalid = [c for c in run.candidates if isinstance(c.verdict, Invalid)]
    if invalid:
        out.append(f"  not valid specs: {len(invalid)}, e.g. {invalid[0].completion.says()}: {invalid[0].verdict.error}")
    undecided = [c for c in run.candidates if isinstance(c.verdict, Undecided)]
    if undecided:
        out.append(f"  undecided (a limit was hit; the front may lack them): {len(undecided)}: "
                   + "; ".join(c.completion.says() for c in undecided[:5]) + ("; ..." if len(undecided) > 5 else ""))
    return out


def render_json(runs: list[SynthesisRun], timings: bool = True) -> str:
    """docs/json.md, "Synthesis"."""
    def choices(candidate: Candidate) -> dict:
        return dict(candidate.completion.choices)

    def design(candidate: Candidate, proof: Proof) -> dict:
        z3 = None if proof.result is None else ("proved" if proof.proved else "not proved")
        return {"choices": choices(candidate), "spec": tidy(candidate.completion.text.text),
                "review": costs(candidate.figures), "objectives": list(objectives(candidate.figures)),
                "findable": candidate.figures.findable, "states": candidate.verdict.result.statistics.states,
                "explicit": "holds", "z3": z3, "disagreement": proof.disagreement}

    def verdict(candidate: Candidate) -> dict:
        v = candidate.verdict
        if isinstance(v, Refuted):
            return {"verdict": "violated", "property": v.property.value, "length": v.length, "replayed": v.replayed}
        if isinstance(v, Invalid):
            return {"verdict": "invalid", "error": v.error}
        if isinstance(v, Undecided):
            return {"verdict": "unknown"}
        return {"verdict": "holds"}

    def family(run: SynthesisRun, f: Family) -> dict:
        return {"hole": f.hole, "label": f.label, "completions": f.members, "ruled_out_by": dict(f.ruled_out_by),
                "example": choices(run.candidates[f.nearest]),
                "counterexample": {"property": f.shortest.property.value, "length": f.shortest.length,
                                   "events": [step.event for step in f.trace.steps], "why": f.trace.explanation}}

    document = {"synthesis": [{
        "sketch": run.sketch, "strategy": run.strategy, "model": run.model,
        "bounds": None if run.bounds is None else {"tasks": run.bounds.tasks, "kthreads": run.bounds.kthreads,
                                                    "cpus": run.bounds.cpus, "depth": run.bounds.depth},
        "holes": [{"name": name, "labels": list(labels)} for name, labels in run.holes],
        "completions": len(run.candidates), "distinct": run.distinct, "invalid": run.invalid, "pruned": run.pruned,
        "searched": run.searched, "undecided": run.undecided, "correct": len(run.correct),
        "front": [design(run.candidates[i], proof) for i, proof in run.front],
        "candidates": [{"choices": choices(c)} | verdict(c) for c in run.candidates],
        "families": [family(run, f) for f in run.families]} | ({"seconds": round(run.seconds, 3)} if timings else {})
        for run in runs]}
    return json.dumps(document, indent=2) + "\n"


__all__ = ["render_text", "render_json", "design_lines"]
