"""The subsidy eligibility engine: load rules, evaluate profiles, explain and replay decisions.

Pure library: no Flask, no database, no clock. Everything a decision depends on is its three
inputs — a RuleSet, a profile and an as-of date.

The public names below are imported on first use (PEP 562 `__getattr__`), so `import engine.io` or
`from engine import parse_profile` loads only what that needs: a command's start-up costs what it uses.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

import engine.expr  # noqa: F401 - first: engine.logic and engine.expr.nodes import each other, and only this order works
from engine.version import __version__

if TYPE_CHECKING:
    from engine.decision import Decision, MeasureResult, Outcome
    from engine.errors import ProfileError, RuleLoadError
    from engine.evaluate import evaluate
    from engine.loader import load_from_snapshot, load_ruleset
    from engine.profile import parse_profile
    from engine.replay import compare_with_current, replay

_SOURCES = {"Decision": "engine.decision", "MeasureResult": "engine.decision", "Outcome": "engine.decision",
            "ProfileError": "engine.errors", "RuleLoadError": "engine.errors", "evaluate": "engine.evaluate",
            "load_from_snapshot": "engine.loader", "load_ruleset": "engine.loader", "parse_profile": "engine.profile",
            "compare_with_current": "engine.replay", "replay": "engine.replay"}

__all__ = ["Decision", "MeasureResult", "Outcome", "ProfileError", "RuleLoadError", "__version__",
           "compare_with_current", "evaluate", "load_from_snapshot", "load_ruleset", "parse_profile", "replay"]


def __getattr__(name: str) -> Any:
    source = _SOURCES.get(name)
    if source is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(source), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """`engine.evaluate` and `engine.replay` name the functions, as they always have, although modules of those
    names exist: importing such a module does not rebind the package's attribute to it."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SOURCES and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
