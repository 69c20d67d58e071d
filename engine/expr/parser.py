"""Parser of the condition language: text → AST with source offsets (a Pratt parser, no eval).

Grammar, loosest binding first::

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := sum (("=="|"!="|"<"|"<="|">"|">="|"in"|"not in") sum)?
    sum     := term (("+"|"-") term)*
    term    := unary (("*"|"/") unary)*
    unary   := "-" unary | postfix
    postfix := atom ("(" args ")" | "." NAME | "[" expr "]")*
    atom    := NUMBER[unit] | STRING | true | false | NAME("." NAME)* | "(" expr ")" | "[" args "]"
"""

from __future__ import annotations

from engine.errors import ExprError
from engine.expr.lexer import Token, tokenize
from engine.expr.nodes import (
    Attr,
    Binary,
    BoolOp,
    Call,
    Coalesce,
    Compare,
    IfCall,
    Index,
    ListLit,
    Literal,
    Name,
    Node,
    Param,
    Unary,
)

COMPARISON_OPS = {"==", "!=", "<", "<=", ">", ">="}


class _Parser:
    def __init__(self, source: str):
        self.source = source
        self.tokens = tokenize(source)
        self.pos = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        tok = self.tok
        self.pos += 1
        return tok

    def accept(self, text: str) -> bool:
        if self.tok.kind in ("op", "keyword") and self.tok.text == text:
            self.pos += 1
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.accept(text):
            raise ExprError("syntax", f"expected '{text}', got '{self.tok.text or 'end of text'}'",
                            offset=self.tok.offset)

    def parse(self) -> Node:
        node = self.parse_or()
        if self.tok.kind != "end":
            raise ExprError("syntax", f"unexpected '{self.tok.text}'", offset=self.tok.offset)
        return node

    def parse_or(self) -> Node:
        return self._bool("or", self.parse_and)

    def parse_and(self) -> Node:
        return self._bool("and", self.parse_not)

    def _bool(self, op: str, sub) -> Node:  # type: ignore[no-untyped-def]
        start = self.tok.offset
        items = [sub()]
        while self.accept(op):
            items.append(sub())
        return items[0] if len(items) == 1 else BoolOp(op, items, offset=start)

    def parse_not(self) -> Node:
        start = self.tok.offset
        if self.accept("not"):
            return Unary("not", self.parse_not(), offset=start)
        return self.parse_compare()

    def parse_compare(self) -> Node:
        left = self.parse_sum()
        tok = self.tok
        if tok.kind == "op" and tok.text in COMPARISON_OPS:
            self.advance()
            return Compare(tok.text, left, self.parse_sum(), offset=tok.offset)
        if tok.kind == "keyword" and tok.text == "in":
            self.advance()
            return Compare("in", left, self.parse_sum(), offset=tok.offset)
        if tok.kind == "keyword" and tok.text == "not" and self.tokens[self.pos + 1].text == "in":
            self.pos += 2
            return Compare("in", left, self.parse_sum(), negate=True, offset=tok.offset)
        return left

    def parse_sum(self) -> Node:
        node = self.parse_term()
        while self.tok.kind == "op" and self.tok.text in ("+", "-"):
            tok = self.advance()
            node = Binary(tok.text, node, self.parse_term(), offset=tok.offset)
        return node

    def parse_term(self) -> Node:
        node = self.parse_unary()
        while self.tok.kind == "op" and self.tok.text in ("*", "/"):
            tok = self.advance()
            node = Binary(tok.text, node, self.parse_unary(), offset=tok.offset)
        return node

    def parse_unary(self) -> Node:
        start = self.tok.offset
        if self.accept("-"):
            return Unary("-", self.parse_unary(), offset=start)
        return self.parse_postfix()

    def parse_postfix(self) -> Node:
        node = self.parse_atom()
        while True:
            start = self.tok.offset
            if self.accept("."):
                name = self.advance()
                if name.kind != "name":
                    raise ExprError("syntax", "expected a field name after '.'", offset=name.offset)
                node = Attr(node, name.text, offset=start)
            elif self.accept("["):
                key = self.parse_or()
                self.expect("]")
                node = Index(node, key, offset=start)
            else:
                return node

    def parse_atom(self) -> Node:
        tok = self.advance()
        if tok.kind == "number":
            return Literal(tok.value, offset=tok.offset, unit=tok.unit or "number")
        if tok.kind == "string":
            return Literal(tok.value, offset=tok.offset, unit="text")
        if tok.kind == "keyword" and tok.text in ("true", "false"):
            return Literal(tok.text == "true", offset=tok.offset, unit="bool")
        if tok.kind == "name":
            return self._name_or_call(tok)
        if tok.kind == "op" and tok.text == "(":
            node = self.parse_or()
            self.expect(")")
            return node
        if tok.kind == "op" and tok.text == "[":
            return ListLit(self._args("]"), offset=tok.offset, unit="list")
        raise ExprError("syntax", f"unexpected '{tok.text or 'end of text'}'", offset=tok.offset)

    def _name_or_call(self, tok: Token) -> Node:
        if self.accept("("):
            args = self._args(")")
            if tok.text == "if":
                if len(args) != 3:
                    raise ExprError("arity", "if() takes 3 arguments: if(condition, then, else)",
                                    offset=tok.offset)
                return IfCall(args[0], args[1], args[2], offset=tok.offset)
            if tok.text == "coalesce":
                return Coalesce(args, offset=tok.offset)
            return Call(tok.text, args, offset=tok.offset)
        parts = [tok.text]
        while self.tok.text == "." and self.tokens[self.pos + 1].kind == "name" \
                and self.tokens[self.pos + 2].text != "(":
            self.pos += 1
            parts.append(self.advance().text)
        if parts[0] == "param" and len(parts) >= 2:
            node: Node = Param(parts[1], offset=tok.offset)
            for extra in parts[2:]:
                node = Attr(node, extra, offset=tok.offset)
            return node
        return Name(".".join(parts), offset=tok.offset)

    def _args(self, closer: str) -> list[Node]:
        args: list[Node] = []
        if self.accept(closer):
            return args
        while True:
            args.append(self.parse_or())
            if self.accept(closer):
                return args
            self.expect(",")


def parse(source: str) -> Node:
    """Parse a condition or value expression.

    >>> type(parse("staff.sci_tech / staff.total >= 10%")).__name__
    'Compare'
    """
    if not isinstance(source, str) or not source.strip():
        raise ExprError("empty", "the expression is empty")
    return _Parser(source).parse()
