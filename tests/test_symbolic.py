"""The Z3 engine against ground truth: hand-worked cases, the explicit engine, the designs' table.

Every verdict here comes from running an engine: the hand-worked `expect`
lines of tests/cases/, the explicit engine at bounds it explores completely,
and the table of docs/kernel-facts.md at the default bounds.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CASES, KERNEL_FACTS_TABLE as TABLE, ROOT, SPECS, run_cli
from pkrsverify.front import ir
from pkrsverify.analyses.agreement import disagreements
from pkrsverify.outcome import ExitCode
from pkrsverify.explicit import engine as explicit
from pkrsverify.symbolic import engine as symbolic
from pkrsverify.symbolic.encoding import Encoding
from pkrsverify.analyses.judge import Outcome, judge
from pkrsverify.front.loader import load_strategy, with_bounds
from pkrsverify.result import PropertyResult, StopReason, Verdict
from pkrsverify.semantics.system import System

QUICK = symbolic.Limits(explain=False, spacer_timeout=20)


def _system(name: str, **bounds) -> System:
    return System(with_bounds(load_strategy(SPECS / f"{name}.spec"), **bounds))


@pytest.mark.parametrize("spec", sorted(CASES.glob("*.spec")), ids=lambda p: p.stem)
def test_hand_worked_cases_on_z3_and_both_engines_agree(spec: Path):
    strategy = load_strategy(spec)
    system = System(strategy)
    z3_result = symbolic.check(system, limits=QUICK)
    problems = [j for j in judge(z3_result, strategy.expectations, strategy.bounds) if j.outcome is not Outcome.MET]
    assert not problems, "\n".join(p.describe() for p in problems)
    # every property the hand-worked comment says holds is proved, not merely unknown
    assert not z3_result.unknown
    explicit_result = explicit.check(system, limits=explicit.Limits(max_states=500_000))
    assert not disagreements(explicit_result, z3_result)


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=() if name in ("idtentry_state", "pt_regs_switch") else pytest.mark.slow)
    for name in TABLE])
def test_specs_at_small_bounds_both_engines_agree_exactly(name):
    """(2 tasks, depth 2): the explicit engine explores everything; z3 must prove what holds."""
    system = _system(name, tasks=2, depth=2)
    explicit_result = explicit.check(system)
    assert explicit_result.stop in (StopReason.COMPLETE, StopReason.ALL_VIOLATED)
    z3_result = symbolic.check(system, limits=QUICK)
    assert not disagreements(explicit_result, z3_result)
    for mine in explicit_result.properties:
        theirs = z3_result.result_for(mine.property)
        if mine.verdict is Verdict.HOLDS:
            assert theirs.verdict is Verdict.PROVED, theirs.note
        else:
            assert theirs.verdict is Verdict.VIOLATED and theirs.length == mine.length


def test_pt_regs_switch_is_proved_at_the_defaults_with_a_readable_invariant():
    result = symbolic.check(_system("pt_regs_switch"))
    assert result.bounds == ir.Bounds(tasks=2, kthreads=0, cpus=1, depth=8)
    assert {p.verdict for p in result.properties} == {Verdict.PROVED}
    assert result.stop is StopReason.COMPLETE
    lost, stale = result.result_for(ir.Property.NO_LOST), result.result_for(ir.Property.NO_STALE)
    assert "Houdini" in lost.note
    assert "for every entry frame: regs.pkrs == the PKRS it interrupted" in lost.invariant
    assert "a ready task whose top frame observes: thread.pkrs == the value it left with" in stale.invariant


@pytest.mark.slow
def test_pt_regs_no_stale_is_violated_and_the_rest_proved_at_the_defaults():
    result = symbolic.check(_system("pt_regs"), limits=QUICK)
    stale = result.result_for(ir.Property.NO_STALE)
    assert stale.verdict is Verdict.VIOLATED and stale.length == 5
    assert all(p.verdict is Verdict.PROVED for p in result.properties if p.property != ir.Property.NO_STALE)


@pytest.mark.slow
def test_unbounded_depth_proves_for_every_nesting_depth():
    result = symbolic.check(_system("real_pt_regs"), unbounded_depth=True, limits=QUICK)
    assert {p.verdict for p in result.properties} == {Verdict.PROVED}
    assert all("for every nesting depth" in p.note for p in result.properties)


@pytest.mark.slow
@pytest.mark.parametrize("name", TABLE)
def test_designs_at_the_defaults_match_the_table(name):
    result = symbolic.check(_system(name), limits=QUICK)
    found = {p.property.value: p.length for p in result.properties if p.verdict is Verdict.VIOLATED}
    assert found == TABLE[name]
    assert all(p.verdict is Verdict.PROVED for p in result.properties if p.property.value not in TABLE[name])


@pytest.mark.slow
@pytest.mark.parametrize("name", TABLE)
def test_designs_for_every_nesting_depth(name):
    """With no depth bound the x86 model still nests at most 8 deep, so the verdicts are the table's."""
    result = symbolic.check(_system(name), unbounded_depth=True, limits=QUICK)
    found = {p.property.value: p.length for p in result.properties if p.verdict is Verdict.VIOLATED}
    assert found == TABLE[name]
    assert not result.unknown


def test_variable_names_and_runs_repeat():
    """Names are `name@step[index]`, and with a fixed seed two runs of the tool print the same.
    (Within one process Z3's shared term table differs between runs, so runs are compared as the
    user makes them: two processes.)"""
    encoding = Encoding(_system("pt_regs_switch", depth=2))
    state = encoding.state(3)
    assert str(state["PKRS", 0]) == "PKRS@3[0]"
    assert str(state["thread.pkrs", 1]) == "thread.pkrs@3[1]"
    argv = [sys.executable, "-m", "pkrsverify", "check", str(CASES / "idtentry_state_irq_only.spec"),
            "--engine", "z3", "--format", "json", "--no-timings"]
    first, again = (subprocess.run(argv, capture_output=True, text=True, cwd=ROOT) for _ in range(2))
    assert first.returncode == 1, first.stderr
    assert first.stdout == again.stdout


def test_a_step_limit_gives_unknown_never_holds():
    system = System(load_strategy(CASES / "thread_slot_nested_lost.spec"))  # lost in 6 events
    result = symbolic.check(system, properties=(ir.Property.NO_LOST,),
                            limits=symbolic.Limits(max_steps=4, spacer=False, explain=False))
    (lost,) = result.properties
    assert lost.verdict is Verdict.UNKNOWN
    assert "no violation within 4 events" in lost.note
    assert result.stop is StopReason.STEP_LIMIT


# ---- the command line ----------------------------------------------------------------------

def test_check_with_both_engines_says_they_agree():
    code, out, err = run_cli("check", str(SPECS / "pt_regs.spec"), "--engine", "both", "--depth", "2", "--plain")
    assert code == 1, err
    assert "the explicit and z3 engines agree" in out
    assert "no_stale      VIOLATED in 5 events" in out.replace("  VIOLATED", "  VIOLATED")


def test_show_invariant_prints_the_proof_in_the_specs_names():
    code, out, _ = run_cli("check", str(SPECS / "pt_regs_switch.spec"), "--engine", "z3", "--depth", "unbounded",
                           "--show-invariant", "--property", "no_stale", "--plain")
    assert code == 0
    assert "depth=unbounded" in out
    assert "a ready task whose top frame observes: thread.pkrs == the value it left with" in " ".join(out.split())
    assert max(map(len, out.splitlines())) <= 72  # plain text keeps the 72-column promise


def test_unbounded_depth_needs_the_z3_engine():
    code, _, err = run_cli("check", str(SPECS / "pt_regs_switch.spec"), "--depth", "unbounded")
    assert code == 2
    assert "--depth unbounded needs --engine z3" in err


def test_a_disagreement_fails_loudly_with_its_own_exit_code(monkeypatch):
    real = symbolic.check

    def wrong(system, **options):  # a z3 engine that "proves" everything: a planted bug
        result = real(system, **options)
        proved = tuple(PropertyResult(p.property, Verdict.PROVED, note="planted") for p in result.properties)
        return type(result)(result.spec, result.strategy, result.model, result.bounds, result.engine, proved,
                            result.statistics, StopReason.COMPLETE)

    monkeypatch.setattr(symbolic, "check", wrong)
    code, _, err = run_cli("check", str(SPECS / "pt_regs.spec"), "--engine", "both", "--depth", "1",
                           "--tasks", "2", "--property", "no_stale")
    assert code == ExitCode.DISAGREE
    assert "INTERNAL ERROR: the engines disagree" in err
    assert "no_stale: explicit engine says violated in 5 events, z3 says proved" in err


# ---- certificates: the proofs' obligations rechecked by z3 alone -------------------------------------

def _z3_answers(path: Path) -> list[str]:
    """What the z3 executable answers to every (check-sat) of an SMT-LIB file, pkrsverify not involved."""
    found = subprocess.run([_z3_binary(), str(path)], capture_output=True, text=True, timeout=60)
    return found.stdout.split()


def _z3_binary() -> str:
    import shutil
    found = shutil.which("z3")
    if found is None:
        pytest.skip("no z3 executable on PATH (pip's z3-solver installs one)")
    return found


@pytest.mark.parametrize("name", ["pt_regs_switch", pytest.param("real_pt_regs", marks=pytest.mark.slow),
                                  pytest.param("thread_struct", marks=pytest.mark.slow)])
def test_a_certificate_is_rechecked_by_z3_alone(name, tmp_path):
    certificate = tmp_path / f"{name}.smt2"
    code, _, err = run_cli("check", str(SPECS / f"{name}.spec"), "--engine", "z3", "--depth", "unbounded",
                           "--certificate", str(certificate))
    assert code in (0, 1), err
    text = certificate.read_text()
    facts = text.count("; 2.")
    proved = text.count("; 3. the property")
    answers = _z3_answers(certificate)
    assert answers == ["unsat"] * (1 + facts + proved)
    result = symbolic.check(System(load_strategy(SPECS / f"{name}.spec")), unbounded_depth=True)
    assert proved == sum(p.verdict is Verdict.PROVED for p in result.properties) > 0
    assert facts > 0 and "every nesting depth" in text


def test_a_certificate_with_a_fact_houdini_dropped_is_refuted(tmp_path):
    """The certificate is no rubber stamp: add to the invariant a fact Houdini dropped (true initially, not
    inductive) and z3 answers sat to its consecution."""
    from pkrsverify.symbolic.candidates import candidates, domain_facts
    from pkrsverify.symbolic.certificate import certificate
    from pkrsverify.symbolic.induction import Houdini
    strategy = load_strategy(SPECS / "pt_regs_switch.spec")
    enc = Encoding(System(strategy), unbounded_depth=True, prefix_counts=True)
    houdini = Houdini(enc, domain_facts(enc), candidates(enc))
    alive, _ = houdini.run(None)
    dropped = next(i for i, ok in enumerate(houdini.initially) if ok and i not in alive)
    path = tmp_path / "wrong.smt2"
    path.write_text(certificate(houdini, alive | {dropped}, list(strategy.properties), "wrong on purpose"))
    assert "sat" in _z3_answers(path)
    path.write_text(certificate(houdini, alive, list(strategy.properties), "right"))
    assert set(_z3_answers(path)) == {"unsat"}


def test_a_certificate_needs_the_z3_engine(tmp_path):
    code, _, err = run_cli("check", str(SPECS / "pt_regs.spec"), "--certificate", str(tmp_path / "c.smt2"))
    assert code == 2 and "--certificate needs --engine z3" in err
