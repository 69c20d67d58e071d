"""The subsidy eligibility engine: load rules, evaluate profiles, explain and replay decisions.

Pure library: no Flask, no database, no clock. Everything a decision depends on is its three
inputs — a RuleSet, a profile and an as-of date.
"""

__version__ = "0.1.0"

from engine.decision import Decision, MeasureResult, Outcome  # noqa: E402
from engine.errors import ProfileError, RuleLoadError  # noqa: E402
from engine.evaluate import evaluate  # noqa: E402
from engine.loader import load_from_snapshot, load_ruleset  # noqa: E402
from engine.profile import parse_profile  # noqa: E402
from engine.replay import compare_with_current, replay  # noqa: E402

__all__ = ["Decision", "MeasureResult", "Outcome", "ProfileError", "RuleLoadError", "__version__",
           "compare_with_current", "evaluate", "load_from_snapshot", "load_ruleset", "parse_profile", "replay"]
