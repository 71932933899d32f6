"""Text -> AST. Lark parses; a Transformer only builds syntax nodes.

Lark's own errors become diagnostics with the expected tokens spelt the way
the user writes them, and a did-you-mean when the offending word is close to
an expected keyword (`writes` for `write`).
"""
from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr

from . import syntax as ast
from .diagnostics import Code, Diagnostic, InputError, did_you_mean
from .source import SourceFile, Span

_READABLE = {"NAME": "a name", "REG": "a register (upper case: `PKRS`, `CR2`)", "INT": "a number", "STRING": "a quoted string", "_NEWLINE": "end of line", "$END": "end of file"}


@cache
def _lark() -> Lark:
    grammar = files("pkrsverify.front").joinpath("grammar.lark").read_text()
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=False)


MAX_NESTING = 32  # `if` blocks inside `if` blocks: far more than any entry code needs


def parse(source: SourceFile) -> ast.File:
    """Parse a model or a strategy spec; raise InputError on a syntax error."""
    try:
        tree = _lark().parse(source.text)
    except UnexpectedInput as error:
        raise InputError([_syntax_diagnostic(source, error)]) from None
    _check_nesting(source, tree)
    return _ToAst(source).transform(tree)


def _check_nesting(source: SourceFile, tree: Tree) -> None:
    """Refuse `if`s nested deeper than MAX_NESTING, before anything recursive (the Transformer, the
    analysis, the engines' translators) walks them. The walk itself keeps its own stack."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if node.data == "if_":
            depth += 1
            if depth > MAX_NESTING:
                span = Span(source, node.meta.start_pos, node.meta.start_pos + 2)
                raise InputError([Diagnostic(Code.TOO_DEEP, f"`if` nested {MAX_NESTING + 1} deep: at most "
                                             f"{MAX_NESTING} are allowed", span,
                                             help="flatten the conditions, or split the handler by kind")])
        stack.extend((child, depth) for child in node.children if isinstance(child, Tree))


# ---- errors -----------------------------------------------------------------

def _describe(terminal: str) -> str:
    if terminal in _READABLE:
        return _READABLE[terminal]
    try:
        pattern = _lark().get_terminal(terminal).pattern
    except KeyError:
        return terminal.lower()
    return f"`{pattern.value}`" if isinstance(pattern, PatternStr) else terminal.lower()


def _keywords(expected) -> list[str]:
    words = []
    for terminal in expected:
        try:
            pattern = _lark().get_terminal(terminal).pattern
        except KeyError:
            continue
        if isinstance(pattern, PatternStr) and pattern.value.replace("_", "").isalpha():
            words.append(pattern.value)
    return words


def _syntax_diagnostic(source: SourceFile, error: UnexpectedInput) -> Diagnostic:
    if isinstance(error, UnexpectedToken) and error.token.type == "$END":
        error = UnexpectedEOF(error.expected)
    if isinstance(error, UnexpectedEOF):
        end = len(source.text)
        if not _meaningful(source.text):
            return Diagnostic(Code.SYNTAX, "empty file: expected a `model` or a `strategy`", Span(source, end, end),
                              help="a spec starts `strategy NAME {`, a model `model NAME {`")
        return Diagnostic(Code.SYNTAX, "unexpected end of file (a `}` missing?)", Span(source, end, end),
                          notes=(_expected_note(error.expected),))
    if isinstance(error, UnexpectedCharacters):
        offset = error.pos_in_stream
        char = source.text[offset]
        return Diagnostic(Code.SYNTAX, f"unexpected character {char!r}", Span(source, offset, offset + 1),
                          help="names are lower case letters, digits, `_` and `.`; comments start with `#`")
    assert isinstance(error, UnexpectedToken)
    token = error.token
    start = token.start_pos if token.start_pos is not None else 0
    shown = "end of line" if token.type == "_NEWLINE" else f"`{token.value}`"
    word = str(token.value)
    help_line = did_you_mean(word, _keywords(error.expected)) if word.replace("_", "").isalnum() else None
    if token.type == "REG" and "NAME" in error.expected and help_line is None:
        whole = re.match(r"[A-Za-z0-9_.]+", source.text[start:]).group(0)
        span = Span(source, start, start + len(whole))
        return Diagnostic(Code.SYNTAX, f"unexpected `{whole}`: names are lower case", span,
                          notes=(_expected_note(error.expected), "upper case names a register (`PKRS`, `CR2`)"),
                          help=f"write `{whole.lower()}`")
    elif token.type == "NAME" and "REG" in error.expected and help_line is None:
        help_line = f"registers are upper case: `{word.upper()}`?"
    elif token.type in ("REG", "NAME") and "STORAGE" in error.expected and help_line is None:
        # a statement where the strategy's items stand (at its top, or in a `choose` among items)
        help_line = ("statements stand inside a handler (`on entry { ... }`); a `choose` among statements "
                     "goes inside the handler too")
    return Diagnostic(Code.SYNTAX, f"unexpected {shown}", Span(source, start, start + max(1, len(token.value))),
                      notes=(_expected_note(error.expected),), help=help_line)


def _meaningful(text: str) -> bool:
    """Anything besides blanks and comments?"""
    return any(line.split("#", 1)[0].strip() for line in text.splitlines())


def _expected_note(expected) -> str:
    shown = sorted({_describe(t) for t in expected if t not in ("SEMICOLON",)} | ({"`;`"} if "SEMICOLON" in expected else set()))
    return "expected " + (shown[0] if len(shown) == 1 else "one of: " + ", ".join(shown))


# ---- the tree -> AST --------------------------------------------------------

@v_args(meta=True)
class _ToAst(Transformer):
    """Builds AST nodes; raises nothing a user can trigger (Lark would wrap it)."""

    def __init__(self, source: SourceFile):
        super().__init__()
        self.source = source

    def _span(self, meta) -> Span:
        return Span(self.source, meta.start_pos, meta.end_pos)

    def _name(self, token: Token) -> ast.Name:
        return ast.Name(str(token), Span(self.source, token.start_pos, token.end_pos))

    def _number(self, token: Token) -> ast.Number:
        return ast.Number(int(token), Span(self.source, token.start_pos, token.end_pos))

    def start(self, meta, children):
        return children[0]

    # models
    def model(self, meta, children):
        name, *rest = children
        description = rest.pop(0) if rest and isinstance(rest[0], str) else None
        bounds = tuple(c for c in rest if isinstance(c, ast.Bound))
        kinds = tuple(c for c in rest if isinstance(c, ast.KindDecl))
        registers = tuple(c for c in rest if isinstance(c, ast.RegisterDecl))
        return ast.ModelFile(self._name(name), description, bounds, kinds, self._span(meta), registers)

    def description(self, meta, children):
        return str(children[0])[1:-1]

    def bound(self, meta, children):
        name_tree, number = children
        token = name_tree.children[0]
        return ast.Bound(self._name(token), self._number(number), self._span(meta))

    def base(self, meta, children):
        attributes = children[1] if len(children) > 1 else ()
        return ast.KindDecl(self._name(children[0]), True, attributes, self._span(meta))

    def entry(self, meta, children):
        return ast.KindDecl(self._name(children[0]), False, children[1], self._span(meta))

    def attributes(self, meta, children):
        return tuple(children)

    def nests_in(self, meta, children):
        return ast.Attribute("from", self._span(meta), kinds=children[0])

    def masks(self, meta, children):
        return ast.Attribute("masks", self._span(meta), kinds=children[0])

    def max_frames(self, meta, children):
        return ast.Attribute("max", self._span(meta), number=self._number(children[0]))

    def _flag(name):  # noqa: N805 - builds the four flag methods below
        def build(self, meta, children):
            return ast.Attribute(name, self._span(meta))
        return build

    writes = _flag("writes")
    sleeps = _flag("sleeps")
    atomic = _flag("atomic")
    preempt_on_exit = _flag("preempt_on_exit")
    in_windows = _flag("in_windows")

    def delivers(self, meta, children):
        return ast.Attribute("delivers", self._span(meta), register=self._name(children[0]))

    def reads(self, meta, children):
        return ast.Attribute("reads", self._span(meta), register=self._name(children[0]))

    # registers
    def register(self, meta, children):
        name, *block = children
        items = block[0] if block else ()
        supervisor = [span for kind, span, _ in items if kind == "supervisor"]
        fresh = [names for kind, _, names in items if kind == "fresh"]
        seen, repeated = set(), []
        for kind, span, _ in items:
            if kind in seen:
                repeated.append(span)
            seen.add(kind)
        return ast.RegisterDecl(self._name(name), bool(block), supervisor[0] if supervisor else None,
                                fresh[0] if fresh else None, self._span(meta), tuple(repeated))

    def register_attributes(self, meta, children):
        return tuple(children)

    def supervisor(self, meta, children):
        return ("supervisor", self._span(meta), None)

    def fresh_in(self, meta, children):
        return ("fresh", self._span(meta), children[0])

    def name_list(self, meta, children):
        return tuple(self._name(t) for t in children)

    # strategies
    def strategy(self, meta, children):
        name, *rest = children
        description = rest.pop(0) if rest and isinstance(rest[0], str) else None
        pick = lambda cls: tuple(c for c in rest if isinstance(c, cls))  # noqa: E731
        return ast.StrategyFile(self._name(name), description, pick(ast.ModelRef), pick(ast.StorageDecl),
                                pick(ast.HandlerDecl), pick(ast.CheckBlock), self._span(meta),
                                pick(ast.RegisterDecl), pick(ast.Choice))

    def model_ref(self, meta, children):
        token = children[0]
        if token.type == "STRING":
            return ast.ModelRef(str(token)[1:-1], True, self._span(meta))
        return ast.ModelRef(str(token), False, self._span(meta))

    def storage(self, meta, children):
        return ast.StorageDecl(self._name(children[0]), children[1], self._span(meta))

    def _place(where, sized=False, listed=False):  # noqa: N805
        def build(self, meta, children):
            size = self._number(children[0]) if sized else None
            kinds = children[0] if listed else ()
            return ast.Place(where, self._span(meta), size, kinds)
        return build

    per_task = _place("task")
    per_task_stack = _place("task_stack", sized=True)
    per_cpu = _place("cpu")
    per_cpu_stack = _place("cpu_stack", sized=True)
    per_system = _place("global")
    in_pt_regs = _place("pt_regs")
    beside_pt_regs = _place("beside_pt_regs")
    in_idtentry_state = _place("idtentry_state", listed=True)
    frame_local = _place("local")

    def cpu_shadows(self, meta, children):
        return ast.Place("cpu", self._span(meta), shadows=self._name(children[0]))

    def handler(self, meta, children):
        hook = self._name(children[0].children[0])
        kinds = children[1] if len(children) == 3 else None
        return ast.HandlerDecl(hook, kinds, children[-1], self._span(meta))

    def kind_list(self, meta, children):
        return children[0]

    def register_list(self, meta, children):
        return tuple(self._name(t) for t in children)

    def block(self, meta, children):
        return tuple(children)

    def reg(self, meta, children):
        return ast.Reg(self._name(children[0]))

    def read(self, meta, children):
        return ast.Read(self._name(children[0]), self._span(meta))

    def window(self, meta, children):
        return ast.Window(children[0] if children else (), self._span(meta))

    def init(self, meta, children):
        return ast.Init(self._span(meta))

    def cell(self, meta, children):
        return ast.CellRef(self._name(children[0]))

    def assign(self, meta, children):
        return ast.Assign(children[0], children[1], self._span(meta))

    def pop(self, meta, children):
        return ast.Pop(children[0], self._name(children[1]), self._span(meta))

    def push(self, meta, children):
        return ast.Push(self._name(children[0]), children[1], self._span(meta))

    def if_(self, meta, children):
        left, compare, right, then, *otherwise = children
        equal = str(compare.children[0]) == "=="
        return ast.If(left, equal, right, then, otherwise[0] if otherwise else (), self._span(meta))

    def choose_items(self, meta, children):
        return ast.Choice(self._name(children[0]), tuple(children[1:]), self._span(meta))

    choose_statements = choose_items

    def item_alternative(self, meta, children):
        labels, *body = children
        return self._alternative(meta, labels, tuple(body))

    def statement_alternative(self, meta, children):
        return self._alternative(meta, children[0], children[1])

    def _alternative(self, meta, labels, body) -> ast.Alternative:
        opening = self.source.text.index("{", labels[-1].span.end) + 1
        inner = Span(self.source, opening, meta.end_pos - 1)
        return ast.Alternative(labels, body, inner, self._span(meta))

    def check(self, meta, children):
        bounds = tuple(c for c in children if isinstance(c, ast.Bound))
        lists = [c for c in children if isinstance(c, tuple)]
        properties = tuple(n for names in lists for n in names) if lists else None
        expectations = tuple(c for c in children if isinstance(c, ast.Expectation))
        return ast.CheckBlock(bounds, properties, expectations, self._span(meta))

    def properties(self, meta, children):
        return tuple(children)

    def property(self, meta, children):
        subject = self._name(children[1]) if len(children) > 1 else None
        return ast.PropertyRef(self._name(children[0]), subject, self._span(meta))

    def expect(self, meta, children):
        return children[0]

    def expect_all_hold(self, meta, children):
        return ast.Expectation(None, False, None, self._span(meta))

    def expect_holds(self, meta, children):
        return ast.Expectation(children[0], False, None, self._span(meta))

    def expect_vacuous(self, meta, children):
        return ast.Expectation(children[0], False, None, self._span(meta), vacuous=True)

    def expect_violated(self, meta, children):
        length = self._number(children[1]) if len(children) > 1 else None
        return ast.Expectation(children[0], True, length, self._span(meta))


__all__ = ["parse"]
_ = Tree  # re-exported for type checkers of transformer callbacks
