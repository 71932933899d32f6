"""`check --mutations`: every mutant's verdict against a plain, complete check of the mutant's text.

The mutation run stops each search at its first counterexample (`Limits.first_violation`) and reuses
the verdict of a mutant whose text is the same; the ground truth here is the explicit engine run to
completion on the mutated file, and, for the cases below, the semantics worked by hand.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import strategies
from conftest import run_cli
from pkrsverify.analyses.mutations import MAX_STATES, mutants, mutate
from pkrsverify.explicit.engine import check
from pkrsverify.explicit.reduce import Reductions
from pkrsverify.explicit.search import Limits
from pkrsverify.front import edits
from pkrsverify.front.diagnostics import InputError
from pkrsverify.front.loader import load_strategy, read_source, strategy_of
from pkrsverify.front.parser import parse
from pkrsverify.result import MutantOutcome, StopReason, Verdict
from pkrsverify.semantics.system import System

QUICK = 2_000  # states in a random spec the default run checks every variant of (one once took 169 s at 20,000)
ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.spec"))
O = MutantOutcome


def _run(path: Path):
    source = read_source(path)
    strategy = load_strategy(path)
    return source, strategy, mutate(source, parse(source), strategy, check(System(strategy), spec=str(path)))


def _complete(system: System, properties, max_states: int = 100_000):
    """A complete check; where a summary is too large, a search without summaries (BFS, whose violations are
    shortest even when a limit stops it)."""
    full = check(system, properties=properties, limits=Limits(max_states=max_states))
    if full.unknown:
        full = check(system, properties=properties, limits=Limits(max_states=max_states),
                     reductions=Reductions.without(["summaries"]))
    return full


def _against_complete_checks(path: Path, max_states: int = 100_000) -> int:
    """Each mutant's outcome equals what a complete check of its text says (where one within `max_states`
    settles it); the number of mutants."""
    source, strategy, run = _run(path)
    generated = list(mutants(parse(source)))
    assert len(generated) == len(run.mutants)
    for mutant, result in zip(generated, run.mutants):
        text = edits.apply(source, [mutant.edit])
        try:
            changed = strategy_of(text)
        except InputError:
            assert result.outcome in (O.INVALID, O.EQUIVALENT), result
            continue
        full = _complete(System(changed), run.held, max_states) if run.held else None
        lengths = [p.length for p in full.properties if p.verdict is Verdict.VIOLATED] if full else []
        if full is not None and full.unknown and not lengths:
            continue  # too large to settle here
        if result.outcome is O.BREAKS:
            assert lengths and min(lengths) == min(b.length for b in result.broken), (mutant, result, lengths)
            for b in result.broken:  # each one reported is a shortest one of its property
                assert next(p for p in full.properties if p.property == b.property).length in (b.length, None)
        elif result.outcome is O.SURVIVES:
            assert not lengths and (full is None or full.stop is StopReason.COMPLETE), (mutant, result)
        elif result.outcome is O.UNKNOWN:  # honest only where the mutant needs more states than a mutant gets
            assert full is not None and full.statistics.states >= MAX_STATES, (mutant, result, full.statistics)
        else:  # the original's text once comments and spaces are set aside: it breaks nothing
            assert result.outcome is O.EQUIVALENT and not lengths, (mutant, result)
    return len(run.mutants)


# stack15 is stack7 with more slots: its mutants break the same way, at twice the cost; real_pt_regs
# is pt_regs_switch with the slot beside pt_regs (slow run only, 7 s)
@pytest.mark.parametrize("spec", [pytest.param(s, marks=pytest.mark.slow) if s.stem in ("stack15", "real_pt_regs")
                                  else s for s in SPECS], ids=lambda p: p.stem)
def test_every_mutant_of_the_seed_specs_against_a_complete_check(spec):
    assert _against_complete_checks(spec) >= 5


def test_first_violation_is_a_shortest_counterexample_over_every_property():
    for spec in SPECS + sorted((ROOT / "specs" / "bugs").glob("*.spec")):
        system = System(load_strategy(spec))
        full = check(system)
        first = check(system, limits=Limits(first_violation=True))
        lengths = [p.length for p in full.properties if p.verdict is Verdict.VIOLATED]
        if not lengths:
            assert first.stop is StopReason.COMPLETE and not first.violated, spec
            continue
        assert first.stop is StopReason.FIRST_VIOLATION, spec
        found = [p for p in first.properties if p.verdict is Verdict.VIOLATED]
        assert found and min(p.length for p in found) == min(lengths), spec
        assert all(p.verdict in (Verdict.VIOLATED, Verdict.UNKNOWN) for p in first.properties)  # never HOLDS


def test_first_violation_of_some_properties_searches_the_others_until_then():
    """`first_violation` as a set: a violation of a property outside it does not stop the search; when no
    property in it is violated the search is complete, with every verdict the full check has."""
    for spec in SPECS + sorted((ROOT / "specs" / "bugs").glob("*.spec")):
        system = System(load_strategy(spec))
        full = check(system)
        for stop_on in ({p.property for p in full.properties if p.verdict is Verdict.HOLDS},
                        {p.property for p in full.properties if p.verdict is Verdict.VIOLATED}):
            some = check(system, limits=Limits(first_violation=frozenset(stop_on)))
            in_set = [p.length for p in full.properties if p.verdict is Verdict.VIOLATED and p.property in stop_on]
            if not in_set:
                assert some.stop in (StopReason.COMPLETE, StopReason.ALL_VIOLATED), spec
                assert [(p.property, p.verdict, p.length) for p in some.properties] == \
                       [(p.property, p.verdict, p.length) for p in full.properties], spec
                continue
            assert some.stop is StopReason.FIRST_VIOLATION, spec
            found = [p for p in some.properties if p.verdict is Verdict.VIOLATED]
            assert min(p.length for p in found if p.property in stop_on) == min(in_set), spec
            for p in found:  # whatever it found on the way is a shortest counterexample of its property
                assert p.length == full.result_for(p.property).length, spec


@pytest.mark.slow
def test_first_counterexample_tries_agree_with_a_complete_search():
    """Each try of first_counterexample is exact: the stack mutants whose summaries explode (a push never
    popped) and the survivors that must be searched to the end get the verdicts of a complete search."""
    from pkrsverify.analyses.mutations import at_bounds_of, first_counterexample
    spec = ROOT / "specs" / "stack7.spec"
    original = load_strategy(spec)
    source = read_source(spec)
    for mutant in mutants(parse(source)):
        try:
            changed = at_bounds_of(strategy_of(edits.apply(source, [mutant.edit])), original)
        except InputError:
            continue
        system = System(changed)
        first = first_counterexample(system, str(spec), changed.properties, Limits(max_states=300_000))
        full = check(system, limits=Limits(max_states=300_000), reductions=Reductions.without(["summaries"]))
        shortest = min((p.length for p in full.properties if p.verdict is Verdict.VIOLATED), default=None)
        found = [p.length for p in first.properties if p.verdict is Verdict.VIOLATED]
        assert (min(found) if found else None) == shortest, mutant.mutation


def test_pt_regs_switch_every_statement_carries_the_design():
    """Worked by hand: without the entry save, the exit restores a value no entry saved (no_lost); without
    the reset, a nested entry starts with the interrupted value (fresh); without either switch handler, a
    task switched back in finds the other task's value (no_stale)."""
    _, _, run = _run(ROOT / "specs" / "pt_regs_switch.spec")
    deleted = {m.location.text: m for m in run.mutants if m.operator == "delete"}
    assert deleted["regs.pkrs = PKRS"].broken[0].property.value == "no_lost"
    assert deleted["PKRS = INIT"].broken[0].property.value == "fresh"
    assert deleted["thread.pkrs = PKRS"].broken[0].property.value == "no_stale"
    assert deleted["PKRS = thread.pkrs"].broken[0].property.value == "no_stale"
    assert all(m.outcome is O.BREAKS for m in deleted.values())
    moved = {m.mutation: m.outcome for m in run.mutants if m.operator == "place" and "regs.pkrs" in m.location.text}
    assert moved["frame beside pt_regs"] is O.SURVIVES and moved["task"] is O.BREAKS


def test_unneeded_statements_and_guards_are_review_comments(tmp_path):
    spec = tmp_path / "redundant.spec"
    spec.write_text("""strategy redundant "pt_regs_switch with a second reset and a guarded restore" {
    model x86_64
    storage regs.pkrs   : frame in pt_regs
    storage thread.pkrs : task
    on entry      { regs.pkrs = PKRS; PKRS = INIT; PKRS = INIT }
    on exit       { if PKRS != regs.pkrs { PKRS = regs.pkrs } }
    on switch_out { thread.pkrs = PKRS }
    on switch_in  { PKRS = thread.pkrs }
}
""")
    code, out, err = run_cli("check", "--mutations", "--no-timings", str(spec))
    assert code == 0, err
    assert f"{spec}:5: `PKRS = INIT` can go: deleting it breaks nothing; it costs 1 MSR write per entry" in out
    assert "without its guard: always the then block, and nothing breaks" in out
    _, _, run = _run(spec)
    resets = [m for m in run.mutants if m.operator == "delete" and m.location.text == "PKRS = INIT"]
    assert [m.outcome for m in resets] == [O.SURVIVES, O.SURVIVES] and resets[1].reused


def test_a_broken_design_says_which_change_fixes_what():
    _, _, run = _run(ROOT / "specs" / "thread_struct.spec")
    assert {b.property.value for b in run.violated} == {"no_lost", "no_stale"}
    to_frame = next(m for m in run.mutants if m.mutation == "frame in pt_regs")
    assert [p.value for p in to_frame.fixed] == ["no_lost"]
    _, _, run = _run(ROOT / "specs" / "stack7.spec")
    smaller = next(m for m in run.mutants if m.mutation == "task stack 6")
    assert [(b.property.value, b.length) for b in smaller.sooner] == [("no_overflow", 7)]


def test_command_line_and_json():
    code, out, _ = run_cli("check", "--mutations", "--format", "json", "--no-timings", str(SPECS[0]))
    document = json.loads(out)
    assert code == 1 and document["mutations"][0]["strategy"] == "idtentry_state"
    assert {m["outcome"] for m in document["mutations"][0]["mutants"]} <= {o.value for o in O}
    for argv in (["--engine", "z3"], ["--format", "sarif"], ["--picture", "x.svg"]):
        code, _, err = run_cli("check", "--mutations", *argv, str(SPECS[0]))
        assert code == 2 and "--mutations" in err


def test_edits_keep_the_text_tidy():
    source = read_source(ROOT / "specs" / "pt_regs.spec")
    entry = parse(source).handlers[0]
    line = lambda s: next(x for x in s.text.splitlines() if x.strip().startswith("on entry")).strip()  # noqa: E731
    assert line(edits.apply(source, [edits.delete(entry.body[0].span)])) == "on entry { PKRS = INIT }"
    assert line(edits.apply(source, [edits.delete(entry.body[1].span)])) == "on entry { regs.pkrs = PKRS }"
    assert line(edits.apply(source, [edits.append_statement(entry, "PKRS = INIT")])) == \
        "on entry { regs.pkrs = PKRS; PKRS = INIT; PKRS = INIT }"
    source = read_source(ROOT / "specs" / "thread_struct.spec")
    first = parse(source).handlers[0].body[0]
    assert first.span.text not in edits.apply(source, [edits.delete(first.span)]).text.split("\n")[first.span.line - 1]
    assert len(edits.apply(source, [edits.delete(first.span)]).text.splitlines()) == len(source.text.splitlines()) - 1
    with pytest.raises(ValueError):
        edits.apply(source, [edits.Edit(3, 9, ""), edits.Edit(5, 12, "")])


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.cases(max_tasks=2, max_cpus=2, max_depth=2, registers=True))
def test_random_specs_every_mutant_against_a_complete_check(case):
    with strategies.written(case, max_states=QUICK) as spec:
        if spec is not None:  # else too large to check every variant quickly
            _against_complete_checks(spec, max_states=20 * QUICK)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.cases(max_tasks=2, max_cpus=2, max_depth=2, registers=True))
def test_more_random_specs_every_mutant_against_a_complete_check(case):
    with strategies.written(case) as spec:
        if spec is not None:
            _against_complete_checks(spec)
