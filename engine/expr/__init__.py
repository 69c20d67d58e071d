"""The condition language: a small, safe expression language parsed once per RuleSet (no eval)."""

from engine.expr.parser import parse
from engine.expr.values import Interval, Unknown, is_unknown

__all__ = ["Interval", "Unknown", "is_unknown", "parse"]
