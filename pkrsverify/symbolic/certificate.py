"""A Houdini proof as plain SMT-LIB 2: the obligations anyone can recheck with `z3 FILE.smt2`.

The proof that induction.py finds rests on three kinds of fact, each an
unsatisfiable query over the encoding (encoding.py, effects.py):

1. initiation: the initial state satisfies every fact of the invariant;
2. consecution: from any state that satisfies every fact, every step that
   does not end the path (a fatal push or pop halts the kernel) leads to a
   state that satisfies each fact again;
3. the property: from any state that satisfies every fact, no step violates
   it.

Together they say the property holds after every step of every path, for
paths of any length (and, with `--depth unbounded`, at every nesting
depth). A frame fact is assumed at the slots a step touches (the top frame,
the one below it and one more, arbitrary) and proved at an arbitrary one:
assuming it at three slots is weaker than assuming it at all, so a query
that is unsatisfiable so is the one that assumes it everywhere.

Each query is a separate block of the file: the declarations and the
transition once, then one `(push)`, the goal, `(check-sat)`, `(pop)` per
fact and per property, each after a comment naming it in the spec's words.
Every `(check-sat)` must answer `unsat`. What the certificate does not
certify is that the encoding is the semantics: that is held by the tests
that run the Z3 engine against the reference interpreter and the explicit
engine (tests/test_symbolic.py, tests/test_agreement.py).
"""
from __future__ import annotations

import z3

from ..front import ir


def certificate(houdini, alive: set[int], proved: list[ir.Property], title: str) -> str:
    """The SMT-LIB 2 text of the proof obligations of `proved` from the facts `alive` (module comment)."""
    facts = sorted(alive)
    lines = [f"; pkrsverify proof certificate: {title}",
             "; Recheck with `z3 FILE.smt2`: every (check-sat) below must answer unsat.",
             f"; The invariant: {len(facts)} facts, each for every task (or CPU) it names, and for frame facts",
             "; every entry frame of that task; [n] numbers them below.",
             *(f";   [{n}] {houdini.cands[i].text}" for n, i in enumerate(facts, 1)), ""]
    lines += ["; ---- 1. initiation: the initial state satisfies every fact", *_initiation(houdini, facts), "(reset)", ""]
    lines += ["; ---- 2 and 3. from a state that satisfies every fact, one step of any event"]
    base, goals = _step_base(houdini, facts, proved)
    lines.append(base)
    for n, i in enumerate(facts, 1):
        lines += [f"; 2.{n} consecution of [{n}] {houdini.cands[i].text}",
                  "(push)", "(assert step_is_not_fatal)", f"(assert (not after_{n}))", "(check-sat)", "(pop)"]
    for prop in proved:
        lines += [f"; 3. the property {prop.value}: no step from an invariant state violates it",
                  "(push)", f"(assert {goals[prop]})", "(check-sat)", "(pop)"]
    return "\n".join(lines) + "\n"


def _smt(solver: z3.Solver) -> str:
    """The solver's declarations and assertions, without the (check-sat) Z3 appends."""
    text = solver.to_smt2()
    head = "; benchmark generated from python API\n"
    text = text[len(head):] if text.startswith(head) else text
    return text[:text.rindex("(check-sat)")].rstrip("\n")


def _initiation(houdini, facts: list[int]) -> list[str]:
    enc = houdini.enc
    init = enc.initial_terms()
    slots = [z3.Int(f"Frame@init[{t}]") for t in range(enc.ntasks)]
    every = [c.build(init, slots[c.task]) if c.frame else c.build(init)
             for i in facts for c in houdini.cands[i].members]
    solver = z3.Solver()
    solver.add(z3.Not(z3.And(every)))
    return [_smt(solver), "(check-sat)"]


def _step_base(houdini, facts: list[int], proved: list[ir.Property]) -> tuple[str, dict]:
    """One step from a state that satisfies every fact: Houdini's own terms, each fact's claim after the
    step, whether it was fatal and what it violates named by a Boolean the queries assert."""
    solver = z3.Solver()
    solver.add(*houdini.assumed)
    solver.add(z3.Bool("step_is_not_fatal") == houdini.step.nonfatal)
    for n, i in enumerate(facts, 1):
        solver.add(houdini.pres[i])
        solver.add(z3.Bool(f"after_{n}") == houdini.posts[i])
    goals = {}
    for prop in proved:
        name = "violates_" + "".join(ch if ch.isalnum() else "_" for ch in prop.value)
        solver.add(z3.Bool(name) == houdini.step.violated[prop])
        goals[prop] = name
    return _smt(solver), goals


__all__ = ["certificate"]
