"""A sketch's holes and its completions: every way to fill each `choose`, as spec texts.

A sketch (docs/language.md section 9) is a spec whose items or statements
may be `choose NAME { LABEL { ... } ... }`. Every `choose` of one name takes
the same label, so that one choice can place a storage and write the
statements that use it. A completion gives each name one of its labels and
keeps, of each `choose`, only the text between the braces of the alternative
that carries the label: the rest of the `choose` becomes blanks (its line
breaks kept), so that every line and column of a completion is the sketch's
own, and a diagnostic or a counterexample's statement points into the
sketch. Completing is text editing (front/edits.py, as for mutants and
repairs), so that each completion is loaded and analysed like any spec, and
what is verified is what is shown (`tidy` takes the blanks out).

A `choose` inside an alternative is a hole only when that alternative is
taken: the completions are enumerated outermost hole first, and a name that
a completion never meets gets no label in it (so no two completions differ
only in a choice that does not appear in either).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from . import edits
from . import syntax as ast
from .diagnostics import Code, Diagnostic, InputError, did_you_mean
from .parser import parse
from .source import SourceFile

MAX_COMPLETIONS = 100_000  # far past what a sketch of a few holes makes; past it the sketch is refused (E126)


@dataclass(frozen=True, slots=True)
class Completion:
    """One way to fill the holes: the label each name met took, in the order met, and the text."""

    choices: tuple[tuple[str, str], ...]
    text: SourceFile

    def says(self) -> str:
        return ", ".join(f"{name}={label}" for name, label in self.choices) or "(no holes)"


def outermost(tree: ast.StrategyFile) -> list[ast.Choice]:
    """The holes not inside another hole's alternative, in the order written."""
    found = list(tree.choices)
    for handler in tree.handlers:
        found.extend(_in_statements(handler.body))
    return sorted(found, key=lambda c: c.span.start)


def _in_statements(body) -> Iterator[ast.Choice]:
    for statement in body:
        if isinstance(statement, ast.Choice):
            yield statement
        elif isinstance(statement, ast.If):
            yield from _in_statements(statement.then)
            yield from _in_statements(statement.otherwise)


def every_hole(tree: ast.StrategyFile) -> list[ast.Choice]:
    """Every hole, those inside alternatives too, in the order written."""
    out, work = [], outermost(tree)
    while work:
        choice = work.pop(0)
        out.append(choice)
        for alternative in choice.alternatives:
            for item in alternative.body:
                if isinstance(item, ast.Choice):
                    work.append(item)
                elif isinstance(item, ast.HandlerDecl):
                    work.extend(_in_statements(item.body))
                elif isinstance(item, ast.If):
                    work.extend(_in_statements((item,)))
    return sorted(out, key=lambda c: c.span.start)


def check_sketch(tree: ast.StrategyFile) -> None:
    """Raise the problems of `sketch_problems`, if any."""
    problems = sketch_problems(tree)
    if problems:
        raise InputError(problems)


def sketch_problems(tree: ast.StrategyFile) -> list[Diagnostic]:
    """The holes are well formed: no label twice in one `choose`, and every `choose` of a name offers the
    labels its first one does (else a label misspelt in one place would quietly fill it with nothing)."""
    problems: list[Diagnostic] = []
    first: dict[str, ast.Choice] = {}
    for choice in every_hole(tree):
        labels = choice.labels
        seen: set[str] = set()
        for alternative in choice.alternatives:
            for label in alternative.labels:
                if label.text in seen:
                    problems.append(Diagnostic(Code.BAD_CHOICE, f"label `{label.text}` twice in `choose "
                                               f"{choice.name.text}`", label.span,
                                               help="list a label once; alternatives may share a body: "
                                                    "`a, b { ... }`"))
                seen.add(label.text)
        if not labels:
            problems.append(Diagnostic(Code.BAD_CHOICE, f"`choose {choice.name.text}` offers nothing", choice.span,
                                       help="give it alternatives: `choose NAME { yes { ... } no {} }`"))
            continue
        earlier = first.setdefault(choice.name.text, choice)
        if earlier is not choice and set(labels) != set(earlier.labels):
            missing = [label for label in earlier.labels if label not in labels]
            extra = [label for label in labels if label not in earlier.labels]
            said = "; ".join(part for part in (f"lacks {', '.join(missing)}" if missing else "",
                                               f"adds {', '.join(extra)}" if extra else "") if part)
            problems.append(Diagnostic(Code.BAD_CHOICE, f"`choose {choice.name.text}` here {said}", choice.name.span,
                                       notes=(f"the first `choose {choice.name.text}` (at "
                                              f"{earlier.name.span.location()}) offers "
                                              f"{', '.join(earlier.labels)}",),
                                       help=(did_you_mean(extra[0], missing) if extra and missing else None)
                                       or "every `choose` of one name takes the same label, so each must offer "
                                          "them all (an empty `{}` where a label adds nothing)"))
    return problems


def completions(source: SourceFile, tree: ast.StrategyFile | None = None) -> Iterator[Completion]:
    """Every completion of a sketch, the first hole's first label first. Raises InputError for a sketch that
    is not well formed (check_sketch), or that has more than MAX_COMPLETIONS completions."""
    tree = tree if tree is not None else parse(source)
    if not isinstance(tree, ast.StrategyFile):
        raise InputError([Diagnostic(Code.WRONG_FILE_KIND, "a model has no holes to fill: synthesize takes a "
                                     "sketch of a strategy spec", tree.name.span)])
    check_sketch(tree)
    count = 0
    for completion in _complete(source, tree, ()):
        count += 1
        if count > MAX_COMPLETIONS:
            raise InputError([Diagnostic(Code.BAD_CHOICE, f"more than {MAX_COMPLETIONS:,} completions",
                                         tree.name.span, help="fewer holes, or fewer labels in each")])
        yield completion


def _complete(source: SourceFile, tree: ast.StrategyFile, chosen: tuple) -> Iterator[Completion]:
    holes = outermost(tree)
    if not holes:
        yield Completion(chosen, source)
        return
    labels = dict(chosen)
    decided = [h for h in holes if h.name.text in labels]
    if decided:  # fill every hole whose name has a label, then look again (they may hold holes)
        filled = edits.apply(source, [edit for h in decided for edit in _keep(h, labels[h.name.text])])
        yield from _complete(filled, parse(filled), chosen)
        return
    first = holes[0]
    for label in first.labels:
        yield from _complete(source, tree, chosen + ((first.name.text, label),))


def _keep(choice: ast.Choice, label: str) -> tuple[edits.Edit, edits.Edit]:
    """Blank out the `choose` around the inner text of the alternative that carries `label`."""
    inner = next(a for a in choice.alternatives if any(n.text == label for n in a.labels)).inner
    text = choice.span.source.text
    return (edits.Edit(choice.span.start, inner.start, _blank(text[choice.span.start:inner.start])),
            edits.Edit(inner.end, choice.span.end, _blank(text[inner.end:choice.span.end])))


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def tidy(text: str) -> str:
    """A completion as a reviewer reads it: each line indented by the braces around it, with the blank
    lines and stray `;` that filled holes leave taken out (a blank line is kept before a comment)."""
    lines, depth = [], 0
    for line in text.splitlines():
        code, hash_, comment = line.partition("#")
        code = " ".join(code.split()).replace(" ;", ";")
        while True:  # `{ ; a }`, `a ; }`, `a ; ; b`: what an empty alternative leaves
            cleaner = code.replace("{;", "{").replace("; }", " }").replace(";;", ";").strip(" ;")
            if cleaner == code:
                break
            code = cleaner
        written = " ".join(part for part in (code, (hash_ + comment.rstrip()) if hash_ else "") if part)
        if not written:
            if lines and lines[-1]:
                lines.append("")
            continue
        level = depth - 1 if code.startswith("}") else depth
        lines.append("    " * max(level, 0) + written)
        depth += code.count("{") - code.count("}")
    kept = [line for i, line in enumerate(lines)
            if line or (i + 1 < len(lines) and lines[i + 1].lstrip().startswith("#"))]
    return "\n".join(kept).strip("\n") + "\n"


__all__ = ["Completion", "completions", "check_sketch", "sketch_problems", "outermost", "every_hole", "tidy", "MAX_COMPLETIONS"]
