"""The parser on every construct of docs/language.md, and its syntax errors."""
from __future__ import annotations

import pytest

from pkrsverify.front import syntax as ast
from pkrsverify.front.diagnostics import Code, InputError
from pkrsverify.front.parser import parse
from pkrsverify.front.source import SourceFile


def _parse(text: str):
    return parse(SourceFile("t.spec", text))


def test_model_with_every_construct():
    model = _parse('''
        # a comment
        model m "a description" {
            tasks 2; kthreads 1
            cpus 2
            depth 4    # trailing comment
            base user
            base kthread { writes; sleeps }
            entry syscall { from user; writes; sleeps; preempt_on_exit }
            entry nmi { from any; max 1; writes; atomic }
        }
    ''')
    assert isinstance(model, ast.ModelFile)
    assert model.name.text == "m" and model.description == "a description"
    assert [(b.name.text, b.value.value) for b in model.bounds] == [("tasks", 2), ("kthreads", 1), ("cpus", 2), ("depth", 4)]
    user, kthread, syscall, nmi = model.kinds
    assert user.is_base and user.attributes == ()
    assert [a.name for a in kthread.attributes] == ["writes", "sleeps"]
    assert [a.name for a in syscall.attributes] == ["from", "writes", "sleeps", "preempt_on_exit"]
    assert [k.text for k in syscall.attributes[0].kinds] == ["user"]
    assert nmi.attributes[1].number.value == 1


def test_strategy_with_every_construct():
    spec = _parse('''strategy s "d" {
        model x86_64
        storage a : task
        storage b : task stack 7
        storage c : cpu
        storage d : cpu stack 3
        storage e : global
        storage f : frame in pt_regs
        storage g : frame beside pt_regs
        storage h : frame in idtentry_state only(page_fault, irq)
        on entry { push b, PKRS; PKRS = INIT; f = PKRS }
        on entry(irq, nmi) { a = PKRS }
        on exit  { PKRS = pop b
                   if PKRS != a { PKRS = a } else { a = INIT }
                   if c == e { e = c } }
        on switch_out { c = PKRS }
        on switch_in  { PKRS = c }
        on write { a = PKRS }
        check { tasks 3; cpus 2; depth 5; kthreads 1
                properties fresh, no_lost
                expect holds
                expect no_lost violated length 6
                expect fresh violated
                expect no_stale holds }
    }''')
    assert isinstance(spec, ast.StrategyFile)
    assert spec.models[0].name == "x86_64" and not spec.models[0].is_path
    assert [s.place.where for s in spec.storages] == ["task", "task_stack", "cpu", "cpu_stack", "global", "pt_regs",
                                                      "beside_pt_regs", "idtentry_state"]
    assert spec.storages[1].place.size.value == 7
    assert [k.text for k in spec.storages[7].place.kinds] == ["page_fault", "irq"]
    hooks = [(h.hook.text, h.kinds and [k.text for k in h.kinds]) for h in spec.handlers]
    assert hooks == [("entry", None), ("entry", ["irq", "nmi"]), ("exit", None), ("switch_out", None),
                     ("switch_in", None), ("write", None)]
    push, assign, frame = spec.handlers[0].body
    assert isinstance(push, ast.Push) and isinstance(push.value, ast.Reg) and push.value.name.text == "PKRS"
    assert isinstance(assign.value, ast.Init)
    pop, if_ne, if_eq = spec.handlers[2].body
    assert isinstance(pop, ast.Pop) and pop.stack.text == "b"
    assert not if_ne.equal and len(if_ne.otherwise) == 1 and if_eq.equal and if_eq.otherwise == ()
    check = spec.checks[0]
    assert [p.text for p in check.properties] == ["fresh", "no_lost"]
    assert [(e.property and e.property.text, e.violated, e.length and e.length.value) for e in check.expectations] == [
        (None, False, None), ("no_lost", True, 6), ("fresh", True, None), ("no_stale", False, None)]


def test_quoted_model_path_and_spans():
    spec = _parse('strategy s {\n  model "../m/x.model"\n}')
    ref = spec.models[0]
    assert ref.is_path and ref.name == "../m/x.model"
    assert (ref.span.line, ref.span.column) == (2, 3)


@pytest.mark.parametrize("text,line,column,fragment", [
    ("strategy s { on exti { } }", 1, 17, "did you mean `exit`?"),
    ("model m { base user { write } }", 1, 23, "did you mean `writes`?"),
    ("strategy s { storage a : tsk }", 1, 26, "did you mean `task`?"),
    ("strategy s {\n  on entry { PKRS = }\n}", 2, 21, "expected one of"),
    ("strategy s { storage A : task }", 1, 22, "names are lower case"),
        ("model m { register CR2\n entry pf { from any; delivers cr2 } }", 2, 32, "registers are upper case: `CR2`?"),
    ("strategy s {", 1, 13, "unexpected end of file"),
])
def test_syntax_errors_say_where_and_what(text, line, column, fragment):
    with pytest.raises(InputError) as caught:
        _parse(text)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code is Code.SYNTAX
    assert (diagnostic.span.line, diagnostic.span.column) == (line, column)
    assert fragment in diagnostic.render()


def test_statements_end_at_newline_or_semicolon():
    with pytest.raises(InputError):
        _parse("strategy s { model m\n storage a : task\n on entry { a = PKRS PKRS = INIT } }")


def test_a_statement_among_items_says_where_statements_go():
    """At the top of a strategy, or in a `choose` among items, a statement gets a hint to move into a handler."""
    from pkrsverify.front.diagnostics import InputError
    from pkrsverify.front.parser import parse
    from pkrsverify.front.source import SourceFile
    for text in ("strategy s {\n  model x86_64\n  PKRS = INIT\n}\n",
                 "strategy s {\n  model x86_64\n  choose a { x { saved = PKRS } y {} }\n}\n"):
        try:
            parse(SourceFile("x.sketch", text))
        except InputError as error:
            assert "statements stand inside a handler" in error.diagnostics[0].help
        else:
            raise AssertionError("parsed")
