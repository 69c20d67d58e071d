"""Reviewer triage: flags raised over many applications at once, by rules declared in rules/triage/.

The public API and nothing else. durable-rules runs the rules where it imports (only
engine.triage.durable_adapter imports it); the pure-Python reference evaluator runs elsewhere, and
every TriageResult says which engine ran. Flags are advice for reviewers, never a decision of record.
"""

from engine.lifecycle import IllegalTransition, LifecycleError, State, advance, allowed_next
from engine.triage.facts import (
    ApplicationFacts,
    Declared,
    Exclusions,
    Figures,
    FiscalYear,
    GapSummary,
    MeasureSummary,
    Register,
    RegisterEntry,
    Staff,
)
from engine.triage.from_engine import application_facts
from engine.triage.loader import load_triage_from_texts, load_triage_rules
from engine.triage.model import Flag, TriageResult, TriageRule, TriageRuleSet
from engine.triage.register import load_register, register_from_csv
from engine.triage.run import TriageInputError, durable_engine, triage

__all__ = [
    "ApplicationFacts", "Declared", "Exclusions", "Figures", "FiscalYear", "Flag", "GapSummary",
    "IllegalTransition", "LifecycleError", "MeasureSummary", "Register", "RegisterEntry", "Staff", "State",
    "TriageInputError", "TriageResult", "TriageRule", "TriageRuleSet", "advance", "allowed_next",
    "application_facts", "durable_engine", "load_register", "load_triage_from_texts", "load_triage_rules",
    "register_from_csv", "triage",
]
