"""Both engines agree on random small strategies (tests/strategies.py generates them as text).

This is the safety net against the Z3 encoding drifting from system.py:
random models and specs cover every storage place, statement form, handler
hook (with and without kind lists), `atomic`, `sleeps`, `preempt_on_exit`,
`max`, kthreads, 1-2 CPUs, 1-2 tasks and depth 1-3.

- BMC against the explicit engine: on a model the explicit engine explores
  completely, an unrolling one step longer than its deepest state finds
  every violation there is, so BMC must find exactly the explicit verdicts
  with exactly their lengths (and every trace it reports replays through
  semantics/system.py, or `confirm` raises).
- The whole z3 engine (Houdini, BMC, Spacer) against the explicit engine:
  a proof of a property the explicit engine finds violated is unsound, a
  violation of one it finds holding is a bug (agreement.py lists the cases).

The default run keeps the cases tiny so that at least 200 of them fit; the
`slow` tests run more and larger ones (`pytest -m slow`).
"""
from __future__ import annotations

from hypothesis import HealthCheck, assume, event, example, given, settings

import pytest

from pkrsverify.analyses.agreement import disagreements
from pkrsverify.explicit import engine as explicit
from pkrsverify.explicit.reduce import Reductions
from pkrsverify.symbolic import engine as symbolic
from pkrsverify.symbolic.bmc import bmc
from pkrsverify.symbolic.encoding import Encoding
from pkrsverify.result import StopReason, Verdict
from pkrsverify.semantics.system import System
from strategies import Case, cases, load

SETTINGS = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TINY = dict(max_depth=2, max_kinds=2, max_storages=2)
QUICK = 10_000  # states: the default run's cases for z3 and BMC stay below this (the slow run's go to 50,000)


def _explored(case, max_states: int = 50_000):
    """The case's system and its complete explicit result (cases it cannot finish are skipped)."""
    system = System(load(case))
    result = explicit.check(system, limits=explicit.Limits(max_states=max_states))
    assume(result.stop in (StopReason.COMPLETE, StopReason.ALL_VIOLATED))
    return system, result


def _bmc_agrees(case, shallow: int | None = None, max_states: int = 50_000, max_length: int | None = None) -> None:
    """`shallow`: unroll only as far as the longest violation, or `shallow` steps if more (cheaper: a
    too-permissive encoding still shows up there as a trace that does not replay). `max_length`: skip
    cases whose longest violation is longer (BMC's cost grows fast with the steps it unrolls: one
    default run spent 40 s in one test)."""
    system, result = _explored(case, max_states)
    # The reduced search's levels are not the depth of its deepest state (a summary takes a whole nested
    # entry in one step): the literal search's are.
    literal = explicit.check(system, limits=explicit.Limits(max_states=max_states), reductions=Reductions.none())
    assume(literal.stop in (StopReason.COMPLETE, StopReason.ALL_VIOLATED))
    longest = max((p.length for p in result.properties if p.counterexample), default=0)
    assume(max_length is None or longest <= max_length)
    steps = max(literal.statistics.levels + 1, longest)
    if shallow is not None:
        steps = max(longest, min(steps, shallow))
    outcome = bmc(Encoding(system), list(system.strategy.properties), steps)
    for mine in result.properties:
        found = outcome.found.get(mine.property)
        if mine.verdict is Verdict.VIOLATED:
            assert found is not None, f"{mine.property.value}: explicit finds it in {mine.length}, BMC not"
            assert found.length == mine.length, mine.property.value
        else:
            assert found is None, f"{mine.property.value}: explicit says holds, BMC finds {found.events}"


def _engines_agree(case, limits: symbolic.Limits, max_states: int = 50_000) -> None:
    system, result = _explored(case, max_states)
    z3_result = symbolic.check(system, limits=limits)
    problems = disagreements(result, z3_result)
    assert not problems, "\n".join(p.describe() for p in problems)
    for mine in result.properties:
        if mine.verdict is Verdict.HOLDS:  # z3 may fail to prove, never disprove
            assert z3_result.result_for(mine.property).verdict in (Verdict.PROVED, Verdict.UNKNOWN)


@settings(max_examples=60, **SETTINGS)  # more and larger: test_bmc_agrees_on_more_and_larger_cases (slow)
@given(cases(**TINY))
def test_bmc_finds_exactly_the_explicit_engines_violations(case):
    _bmc_agrees(case, shallow=6, max_states=QUICK, max_length=8)


@settings(max_examples=12, **SETTINGS)  # more and larger: test_z3_with_spacer_agrees_on_more_and_larger_cases (slow)
@given(cases(**TINY))
def test_z3_proofs_and_violations_agree_with_the_explicit_engine(case):
    # a time limit: now and then a random case makes one BMC query hard; UNKNOWN is no disagreement (at 30 s
    # one CI run spent 55 s here; the slow suite's Spacer test gives the hard ones their time)
    _engines_agree(case, symbolic.Limits(timeout=8, max_steps=12, spacer=False, explain=False), QUICK)


# A read early in a handler, then a fatal pop in the same step: the step reports the underflow alone
# (BMC once reported the corrupt read too; found by CI's hypothesis run).
FATAL_AFTER_READ = Case(
    model='model random {\n    tasks 1\n    kthreads 1\n    cpus 2\n    depth 2\n    base user\n'
          '    base kthread { sleeps }\n    entry syscall { from any; delivers R2; reads R2 }\n'
          '    register R1\n    register R2\n}\n',
    spec='strategy random {\n    model "random.model"\n    register PKRS\n    register R3 {  }\n'
         '    register R2\n    storage s0.stack : task stack 2\n'
         '    on entry(syscall) { window(syscall); window; read R2; PKRS = pop s0.stack }\n'
         '    on switch_in { push s0.stack, PKRS }\n}\n')


@settings(max_examples=3, **SETTINGS)
@given(case=cases(**TINY, registers=True))
def test_certificates_of_random_proofs_are_rechecked_by_z3_alone(case, tmp_path_factory):
    """Every Houdini proof of a random spec comes with a certificate that the z3 executable answers unsat
    to, query by query; and what it proves holds in the explicit engine's complete search."""
    import shutil
    import subprocess
    binary = shutil.which("z3")
    if binary is None:
        pytest.skip("no z3 executable on PATH")
    system, result = _explored(case)
    z3_result = symbolic.check(system, limits=symbolic.Limits(timeout=30, max_steps=6, spacer=False, explain=False,
                                                               certificate=True))
    proved = [p for p in z3_result.properties if p.verdict is Verdict.PROVED]
    for p in proved:
        assert result.result_for(p.property).verdict is Verdict.HOLDS, p.property.value
    if not proved:
        assert z3_result.certificate is None
        return
    event("a certificate")
    path = tmp_path_factory.mktemp("certificate") / "proof.smt2"
    path.write_text(z3_result.certificate)
    answers = subprocess.run([binary, str(path)], capture_output=True, text=True, timeout=120).stdout.split()
    assert answers and set(answers) == {"unsat"}, answers
    assert z3_result.certificate.count("; 3. the property") == len(proved)


@settings(max_examples=25, **SETTINGS)  # more and larger: test_bmc_agrees_with_registers_on_larger_cases (slow)
@given(cases(**TINY, registers=True))
@example(FATAL_AFTER_READ)
def test_bmc_agrees_with_registers_windows_and_reads(case):
    _bmc_agrees(case, shallow=6, max_states=QUICK, max_length=8)


@settings(max_examples=5, **SETTINGS)
@given(cases(**TINY, registers=True))
def test_z3_agrees_with_registers_windows_and_reads(case):
    # 6 s: the default run's budget (UNKNOWN is no disagreement); the slow suite gives larger cases more
    _engines_agree(case, symbolic.Limits(timeout=6, max_steps=12, spacer=False, explain=False), QUICK)


@pytest.mark.slow
@settings(max_examples=400, **SETTINGS)
@given(cases(registers=True))
def test_bmc_agrees_with_registers_on_larger_cases(case):
    _bmc_agrees(case)


@pytest.mark.slow
@settings(max_examples=1000, **SETTINGS)
@given(cases())
def test_bmc_agrees_on_more_and_larger_cases(case):
    _bmc_agrees(case)


@pytest.mark.slow
@settings(max_examples=400, **SETTINGS)
@given(cases())
def test_z3_with_spacer_agrees_on_more_and_larger_cases(case):
    _engines_agree(case, symbolic.Limits(max_steps=20, spacer_timeout=5, explain=True))
