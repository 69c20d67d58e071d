"""The subsidy eligibility engine: load rules, evaluate profiles, explain and replay decisions.

Pure library: no Flask, no database, no clock. Everything a decision depends on is its three
inputs — a RuleSet, a profile and an as-of date.
"""

from engine.decision import Decision, MeasureResult, Outcome
from engine.errors import ProfileError, RuleLoadError
from engine.evaluate import evaluate
from engine.loader import load_from_snapshot, load_ruleset
from engine.profile import parse_profile
from engine.replay import compare_with_current, replay
from engine.version import __version__

__all__ = ["Decision", "MeasureResult", "Outcome", "ProfileError", "RuleLoadError", "__version__",
           "compare_with_current", "evaluate", "load_from_snapshot", "load_ruleset", "parse_profile", "replay"]
