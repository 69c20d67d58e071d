"""Tokenizer of the condition language: numbers with units, names, strings, operators."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from engine.errors import ExprError

KEYWORDS = {"and", "or", "not", "in", "true", "false", "null"}

# Units a number literal may carry; each maps to (unit kind, multiplier).
UNITS: dict[str, tuple[str, int | Fraction]] = {
    "%": ("ratio", Fraction(1, 100)),
    "亿元": ("money", 100_000_000),
    "万元": ("money", 10_000),
    "元": ("money", 1),
    "㎡": ("area", 1),
    "m2": ("area", 1),
    "人": ("count", 1),
    "天": ("days", 1),
    "个月": ("months", 1),
    "年": ("years", 1),
    "分": ("points", 1),
}

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<number>\d+(?:,\d{3})*(?:\.\d+)?)(?P<unit>%|亿元|万元|元|㎡|m2|人|天|个月|年|分)?
  | (?P<string>"[^"]*"|'[^']*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|\(|\)|\[|\]|,|\.)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str  # number | string | name | op | keyword | end
    text: str
    offset: int
    value: object = None
    unit: str | None = None


def tokenize(source: str) -> list[Token]:
    """Split `source` into tokens; raise ExprError naming the offset of any unknown character."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if not match:
            raise ExprError("bad-character", f"unexpected character {source[pos]!r}", offset=pos)
        pos = match.end()
        if match.lastgroup == "ws":
            continue
        tokens.append(_token_of(match))
    tokens.append(Token("end", "", len(source)))
    return tokens


def _token_of(match: re.Match[str]) -> Token:
    text, start = match.group(0), match.start()
    if match.group("number") is not None:
        number = Fraction(Decimal(match.group("number").replace(",", "")))
        unit = match.group("unit")
        kind, factor = UNITS[unit] if unit else ("number", 1)
        value = number * factor
        value = value.numerator if value.denominator == 1 else value
        return Token("number", text, start, value, kind)
    if match.group("string") is not None:
        return Token("string", text, start, text[1:-1])
    if match.group("name") is not None:
        return Token("keyword" if text in KEYWORDS else "name", text, start)
    return Token("op", text, start)
