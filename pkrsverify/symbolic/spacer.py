"""The fallback proof: Spacer, Z3's PDR engine, on constrained Horn clauses.

When no template invariant closes a proof, Spacer searches for an
invariant of its own: an unknown relation `Inv` over the state with

    Inv(initial state)
    Inv(s) and a non-fatal step s -> s'  =>  Inv(s')
    Inv(s) and a step from s that violates the property  =>  false

Satisfiable clauses mean an inductive invariant exists (the property holds
for any number of steps); unsatisfiable ones mean a violation is reachable
(BMC then finds the shortest one). Whatever Houdini proved inductive is
conjoined to every step, which is sound (it holds in every reachable state)
and saves Spacer from rediscovering it: on the cpu stack of
tests/cases/cpu_stack_two_sleepers_overflow.spec that took a bound proof from
4-24 s (varying run to run) to 0.3-0.4 s. Measured on pt_regs_switch with a
hand-written encoding and no such help it took 98-218 s, so it runs last and
under a limit.
"""
from __future__ import annotations

import time

import z3

from ..front import ir
from .effects import transition
from .encoding import DEPTH, Encoding, SEED, check


def spacer(enc: Encoding, prop: ir.Property | None, strengthen=(), timeout: float | None = None,
           bad=None) -> bool | None:
    """True: proved; False: a violation is reachable; None: Spacer gave up or ran out of time.

    `bad` (a predicate on a state) asks instead that no reachable state satisfies it."""
    pre, post = enc.state("pre"), enc.state("post")
    keys = list(pre)
    relation = z3.Function("Inv", *[pre[k].sort() for k in keys], z3.BoolSort())

    def inv(s):
        return relation(*[s[k] for k in keys])

    choice, fresh = z3.Int("event@pre"), z3.Int("fresh@pre")
    step = transition(enc, pre, post, choice, fresh)
    facts = [_instance(cand, pre) for cand in strengthen]
    variables = [pre[k] for k in keys] + [post[k] for k in keys] + [choice, fresh]
    body = [inv(pre), *facts, *step.constraints, *enc.fresh_constraints(pre, fresh)]
    started = time.perf_counter()
    clauses = z3.SolverFor("HORN")
    clauses.set("fp.spacer.random_seed", SEED)
    if timeout is not None:
        clauses.set("timeout", max(1, int(timeout * 1000)))
    clauses.add(inv(enc.initial_terms()))
    clauses.add(z3.ForAll(variables, z3.Implies(z3.And(*body, step.nonfatal), inv(post))))
    if bad is None:
        clauses.add(z3.ForAll(variables, z3.Implies(z3.And(*body, step.violated[prop]), False)))
    else:
        state = [pre[k] for k in keys]
        clauses.add(z3.ForAll(state, z3.Implies(z3.And(inv(pre), bad(pre)), False)))
    answer = check(clauses, until=None if timeout is None else started + timeout)
    if answer == z3.sat:
        return True
    if answer == z3.unsat:
        return False
    return None


def _instance(cand, s):
    if cand.frame:
        d = s[DEPTH, cand.task]
        return z3.And(cand.build(s, d), cand.build(s, d - 1))
    return cand.build(s)


__all__ = ["spacer"]
