"""Proofs for every number of tasks and CPUs (symbolic/parameterized.py, docs/semantics.md section 5).

Ground truth is the explicit engine's complete search at several sizes: a
property proved for every number of tasks and CPUs must hold at each, and a
property the search breaks must never be proved. The two reductions the
proof rests on are held to the literal queries: the cutoff by the tests
that compare with bigger machines, the canonical events by running Houdini
with every event and with the canonical ones alone.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace

import jsonschema
import pytest
from hypothesis import HealthCheck, assume, event, given, settings

from conftest import ROOT, run_cli
from pkrsverify.explicit import engine as explicit
from pkrsverify.front.loader import load_strategy, with_bounds
from pkrsverify.result import Scope, StopReason, Verdict
from pkrsverify.semantics.system import System
from pkrsverify.symbolic import engine as symbolic
from pkrsverify.symbolic.candidates import candidates, domain_facts
from pkrsverify.symbolic.encoding import Encoding
from pkrsverify.symbolic.induction import Houdini
from pkrsverify.symbolic.parameterized import canonical_events, instances
from strategies import cases, load

SPECS = ROOT / "specs"
TGLX = ROOT / "examples" / "tglx_2020_07_24.spec"
EVERY = frozenset({"tasks", "cpus"})
LIMITS = symbolic.Limits(timeout=120, max_steps=12, spacer=False)
SETTINGS = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _for_every(strategy, every=EVERY, limits=LIMITS):
    return symbolic.check(System(strategy), limits=limits, unbounded_depth=True, for_every=every)


def _holds_explicitly(strategy, tasks: int, cpus: int, depth: int = 8, kthreads: int | None = None):
    sized = with_bounds(strategy, tasks=tasks, cpus=cpus, depth=depth, kthreads=kthreads)
    result = explicit.check(System(sized), limits=explicit.Limits(max_states=3_000_000))
    assert result.stop in (StopReason.COMPLETE, StopReason.ALL_VIOLATED), result.stop
    return result


# ---- the instances and the events asked about --------------------------------------------------------

def test_the_instances_are_every_closed_machine_up_to_3_tasks_on_2_cpus():
    strategy = load_strategy(SPECS / "pt_regs_switch.spec")  # tasks=2 kthreads=0 cpus=1
    sizes = {(b.tasks, b.kthreads, b.cpus) for b in instances(strategy, strategy.bounds, Scope(EVERY))}
    assert sizes == {(u, 0, c) for u in (1, 2, 3) for c in (1, 2)}
    with_kthreads = {(b.tasks, b.kthreads, b.cpus)
                     for b in instances(strategy, strategy.bounds, Scope(EVERY | {"kthreads"}))}
    assert with_kthreads == {(u, k, c) for u in range(4) for k in range(4) for c in (1, 2) if 1 <= u + k <= 3}
    only_tasks = {(b.tasks, b.kthreads, b.cpus) for b in instances(strategy, strategy.bounds, Scope({"tasks"}))}
    assert only_tasks == {(1, 0, 1), (2, 0, 1), (3, 0, 1)}  # cpus stays the spec's 1


def test_canonical_events_are_one_per_renaming_class():
    strategy = load_strategy(SPECS / "pt_regs_switch.spec")
    enc = Encoding(System(strategy, replace(strategy.bounds, tasks=3, cpus=2)), unbounded_depth=True,
                   prefix_counts=True)
    chosen = canonical_events(enc)
    # task 0 switching in task 1 or nothing; an idle CPU dispatching task 0
    assert all(e.cpu == 0 and (e.task, e.target) in {(0, -1), (0, 1), (-1, 0)} for e in chosen)
    assert {e.action for e in chosen} == {e.action for e in enc.events}
    assert len(chosen) < len(enc.events) / 4


def _survivors(strategy, bounds, canonical: bool):
    enc = Encoding(System(strategy, bounds), unbounded_depth=True, prefix_counts=True)
    houdini = Houdini(enc, domain_facts(enc), candidates(enc), canonical_events(enc) if canonical else None)
    alive, _ = houdini.run(None)
    kept = {houdini.cands[i].text for i in alive}
    proved = {p for p in enc.properties if houdini.prove(p, alive, None, explain=False)[0]}
    return kept, proved


@pytest.mark.slow  # the default run compares on random specs
@pytest.mark.parametrize("spec", ["thread_struct.spec", "real_pt_regs.spec"])
def test_houdini_keeps_the_same_facts_with_the_canonical_events_alone(spec):
    strategy = load_strategy(SPECS / spec)
    bounds = replace(strategy.bounds, tasks=2, cpus=2)
    assert _survivors(strategy, bounds, canonical=True) == _survivors(strategy, bounds, canonical=False)


@settings(max_examples=4, **SETTINGS)  # more: test_random_canonical_events_on_more_cases (slow)
@given(cases(max_depth=2, max_kinds=2, max_storages=2))
def test_random_specs_keep_the_same_facts_with_the_canonical_events_alone(case):
    strategy = load(case)
    assert _survivors(strategy, strategy.bounds, True) == _survivors(strategy, strategy.bounds, False)


@pytest.mark.slow
@settings(max_examples=60, **SETTINGS)
@given(cases(registers=True))
def test_random_canonical_events_on_more_cases(case):
    strategy = load(case)
    assert _survivors(strategy, strategy.bounds, True) == _survivors(strategy, strategy.bounds, False)


# ---- the designs of the thread -------------------------------------------------------------------------

@pytest.mark.parametrize("path", [TGLX, SPECS / "pt_regs_switch.spec",
                                  pytest.param(SPECS / "real_pt_regs.spec", marks=pytest.mark.slow)])
def test_the_correct_designs_are_proved_for_every_number_of_tasks_and_cpus(path):
    strategy = load_strategy(path)
    result = _for_every(strategy)
    assert result.proved, [(p.property.value, p.note) for p in result.properties]
    assert all(p.scope == Scope(EVERY | {"depth"}) for p in result.properties)
    if path == TGLX:  # cheap enough for the default run at more sizes (the slow test does the rest)
        for tasks, cpus in ((3, 1), (2, 2)):
            found = _holds_explicitly(strategy, tasks, cpus)
            assert all(p.verdict is Verdict.HOLDS for p in found.properties), (tasks, cpus)


SEEDS = sorted(p.name for p in SPECS.glob("*.spec"))
CORRECT = ("pt_regs_switch.spec", "real_pt_regs.spec", "tglx")


@pytest.mark.parametrize("spec", ["thread_struct.spec", pytest.param("stack7.spec", marks=pytest.mark.slow)])
def test_a_broken_design_is_never_proved_and_still_refuted(spec):
    strategy = load_strategy(SPECS / spec)
    searched = explicit.check(System(strategy))
    result = _for_every(strategy)
    for mine in searched.properties:
        theirs = result.result_for(mine.property)
        if mine.verdict is Verdict.VIOLATED:
            assert theirs.verdict is Verdict.VIOLATED and theirs.length == mine.length, mine.property.value
        else:
            assert theirs.verdict in (Verdict.PROVED, Verdict.UNKNOWN)


@pytest.mark.slow
@pytest.mark.parametrize("spec", SEEDS + ["users/percpu_slot.spec", "users/nmi_cpu_stack.spec", "tglx"])
def test_every_seed_design_proved_for_every_number_holds_at_each_size(spec):
    strategy = load_strategy(TGLX if spec == "tglx" else SPECS / spec)
    result = _for_every(strategy, EVERY | {"kthreads"})
    proved = {p.property for p in result.properties if p.verdict is Verdict.PROVED}
    sizes = [(2, 1, 0), (3, 1, 0), (2, 2, 0), (1, 1, 1), (2, 2, 1)]
    if spec in CORRECT:  # (3,2,8) takes minutes where a design breaks: the correct ones, where it matters
        sizes.append((3, 2, 0))
    for tasks, cpus, kthreads in sizes:
        searched = _holds_explicitly(strategy, tasks, cpus, kthreads=kthreads)
        for mine in searched.properties:
            if mine.verdict is Verdict.VIOLATED:
                assert mine.property not in proved, (mine.property.value, tasks, cpus, kthreads)


def test_a_design_correct_for_one_task_only_is_unknown_with_the_bigger_violation(tmp_path):
    text = (SPECS / "pt_regs.spec").read_text().replace("expect no_stale violated length 5", "tasks 1")
    spec = tmp_path / "one_task.spec"
    spec.write_text(text)
    assert all(p.verdict is Verdict.HOLDS for p in explicit.check(System(load_strategy(spec))).properties)
    two = _holds_explicitly(load_strategy(spec), 2, 1)
    assert two.result_for(next(p.property for p in two.properties if p.property.value == "no_stale")).length == 5
    code, out, _ = run_cli("check", "--engine", "z3", "--depth", "unbounded", "--tasks", "any", "--cpus", "any",
                           "--format", "json", str(spec))
    assert code == 3
    verdicts = {p["property"]: p for p in json.loads(out)["results"][0]["properties"]}
    assert verdicts["no_stale"]["verdict"] == "unknown"
    assert "violated with 2 tasks on 1 CPU in 5 events" in verdicts["no_stale"]["note"]
    assert verdicts["no_lost"]["verdict"] == "proved"


# ---- the command line, the reports and the certificate ----------------------------------------------

def test_any_needs_the_z3_engine_and_a_number_otherwise():
    code, _, err = run_cli("check", "--tasks", "any", str(TGLX))
    assert code == 2 and "--tasks any needs --engine z3" in err
    code, _, err = run_cli("check", "--engine", "z3", "--cpus", "many", str(TGLX))
    assert code == 2 and "many" in err


def test_the_reports_and_the_certificate_of_a_proof_for_every_number(tmp_path):
    target, report = tmp_path / "tglx.smt2", tmp_path / "tglx.json"
    code, out, err = run_cli("check", "--engine", "z3", "--depth", "unbounded", "--tasks", "any", "--cpus", "any",
                             "--plain", "--show-invariant", "--certificate", str(target), "--format", "json",
                             "--output", str(report), str(TGLX))
    assert code == 0, err
    assert "tasks=any kthreads=0 cpus=any depth=unbounded" in out
    assert "no_lost       proved for every number of tasks, CPUs and nesting depth" in out
    assert "- every CPU: PKRS == pkrs_cache" in out
    document = json.loads(report.read_text())
    schema = json.loads((ROOT / "pkrsverify" / "report" / "result.schema.json").read_text())
    jsonschema.validate(document, schema)
    scopes = {p["property"]: p["scope"] for p in document["results"][0]["properties"]}
    assert scopes["no_stale"] == {"tasks": "every", "kthreads": 0, "cpus": "every", "depth": "every"}
    code, out, _ = run_cli("check", "--format", "json", str(TGLX))  # a search covers its bounds
    assert json.loads(out)["results"][0]["properties"][0]["scope"] == {"tasks": 2, "kthreads": 0, "cpus": 1,
                                                                         "depth": 8}
    binary = shutil.which("z3")
    if binary is None:
        pytest.skip("no z3 executable on PATH")
    text = target.read_text()
    assert text.count("; ==== instance ") == 6 and "docs/semantics.md, section 5" in text
    answers = subprocess.run([binary, str(target)], capture_output=True, text=True, timeout=120).stdout.split()
    assert answers and set(answers) == {"unsat"}, answers
    assert len(answers) == text.splitlines().count("(check-sat)")


# ---- random strategies: both directions -------------------------------------------------------------

def _random_both_ways(case, limits):
    strategy = load(case)
    every = frozenset({"tasks", "cpus", "kthreads"})  # a base the model lacks stays at 0
    result = _for_every(strategy, every, limits)
    proved = {p.property for p in result.properties if p.verdict is Verdict.PROVED}
    if proved:
        event("something proved for every number")
    b = strategy.bounds
    sizes = {(b.tasks, b.kthreads, b.cpus), (b.tasks, b.kthreads, 2)}
    if strategy.model.kind("user"):
        sizes.add((b.tasks + 1, b.kthreads, b.cpus))
    if strategy.model.kind("kthread"):
        sizes.add((b.tasks, b.kthreads + 1, b.cpus))
    for tasks, kthreads, cpus in sorted(sizes):
        sized = with_bounds(strategy, tasks=tasks, kthreads=kthreads, cpus=cpus)
        searched = explicit.check(System(sized), limits=explicit.Limits(max_states=50_000))
        assume(searched.stop in (StopReason.COMPLETE, StopReason.ALL_VIOLATED))
        for mine in searched.properties:
            if mine.verdict is Verdict.VIOLATED:
                assert mine.property not in proved, (mine.property.value, tasks, kthreads, cpus)
            theirs = result.result_for(mine.property)
            if (tasks, kthreads, cpus) == (b.tasks, b.kthreads, b.cpus) and mine.verdict is Verdict.VIOLATED:
                # BMC searches the same machine at every depth: as short or shorter (its path replayed)
                assert theirs.verdict is Verdict.UNKNOWN or (theirs.verdict is Verdict.VIOLATED
                                                             and theirs.length <= mine.length), mine.property.value


@settings(max_examples=3, **SETTINGS)  # more and larger: test_random_proofs_for_every_number_on_more_cases
@given(cases(max_depth=1, max_kinds=2, max_storages=2))
def test_random_proofs_for_every_number_never_contradict_a_bigger_search(case):
    _random_both_ways(case, symbolic.Limits(timeout=10, max_steps=6, spacer=False, explain=False))


@pytest.mark.slow
@settings(max_examples=60, **SETTINGS)
@given(cases(registers=True))
def test_random_proofs_for_every_number_on_more_cases(case):
    _random_both_ways(case, symbolic.Limits(timeout=60, max_steps=8, spacer=False, explain=False))


def test_compare_shows_what_each_design_is_proved_for():
    code, out, _ = run_cli("compare", "--engine", "z3", "--depth", "unbounded", "--tasks", "any", "--cpus", "any",
                           "--plain", str(SPECS / "thread_struct.spec"))
    assert code == 1
    row = next(line.split() for line in out.splitlines() if line.startswith("thread_struct "))
    assert row == ["thread_struct", "proved-N", "FAIL", "6", "FAIL", "5", "proved-N", "proved-N", "proved-N"]
    assert "proved-N: proved for every number of tasks, CPUs and nesting depth" in " ".join(out.split())
    code, _, err = run_cli("compare", "--tasks", "any", str(SPECS / "thread_struct.spec"))
    assert code == 2 and "--tasks any needs --engine z3" in err
