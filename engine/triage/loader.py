"""Load rules/triage/*.yaml into a TriageRuleSet: YAML → schema → kind checks, all errors, all or nothing.

Same discipline as the measure loader (engine.loader): line marks for every value, duplicate keys
rejected, every error of every file collected with file:line:col, a stable code and a closest-name
hint, then raised once as RuleLoadError. The hash is the SHA-256 of the canonical content of the files.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from engine.canonical import plain, sha256_of
from engine.errors import ExprError, Message, RuleFileError, RuleLoadError
from engine.lifecycle import State
from engine.parameters import ParameterSeries, ParameterValue, literal_value
from engine.suggest import hint_for
from engine.triage.facts import ApplicationFacts, RegisterEntry
from engine.triage.kinds import CONTACT_FIELDS, FIELD_UNITS, KINDS, KindSpec, details_for
from engine.triage.model import TriageRule, TriageRuleSet
from engine.triage.schema import TriageRuleFile
from engine.yamlmarks import Marks, load_yaml, mark_of

Path_ = tuple[Any, ...]


def read_triage_texts(directory: Path | str) -> dict[str, str]:
    """'triage/<file>.yaml' → text, for every rule file in the triage directory."""
    root = Path(directory)
    return {f"triage/{p.name}": p.read_text(encoding="utf-8") for p in sorted(root.glob("*.yaml"))}


def load_triage_rules(directory: Path | str) -> TriageRuleSet:
    """Load every rule file in `directory` (normally rules/triage); RuleLoadError lists every error."""
    return load_triage_from_texts(read_triage_texts(directory))


def load_triage_from_texts(texts: dict[str, str]) -> TriageRuleSet:
    errs = _Errors()
    rules: dict[str, TriageRule] = {}
    snapshot: dict[str, Any] = {}
    for rel, text in sorted(texts.items()):
        data, marks, yaml_errors = load_yaml(text, rel)
        errs.errors += yaml_errors
        if data is None:
            continue
        snapshot[rel] = plain(data)
        rule = _build_rule(errs, rel, data, marks)
        if rule is not None:
            if rule.id in rules:
                errs.err(rel, marks, ("id",), "duplicate-rule",
                         f"triage rule id '{rule.id}' is defined twice")
            rules[rule.id] = rule
    if errs.errors:
        raise RuleLoadError(errs.errors)
    return TriageRuleSet(rules, sha256_of(snapshot), snapshot)


class _Errors:
    def __init__(self) -> None:
        self.errors: list[RuleFileError] = []

    def err(self, rel: str, marks: Marks, path: Path_, code: str, message: str, hint: str = "") -> None:
        line, col = mark_of(marks, path)
        self.errors.append(RuleFileError(rel, line, col, code, message, hint))

    def validate(self, model: type[BaseModel], data: Any, rel: str, marks: Marks, prefix: Path_ = ()) -> Any:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for e in exc.errors(include_url=False):
                loc = (*prefix, *e["loc"])
                code = "unknown-key" if e["type"] == "extra_forbidden" else e["type"].replace("_", "-")
                known = _keys_at(model, tuple(e["loc"][:-1])) if code == "unknown-key" else []
                self.err(rel, marks, loc, code, f"{'.'.join(map(str, loc))}: {e['msg']}",
                         hint_for(str(loc[-1]), known) if known else "")
            return None


def _keys_at(model: Any, path: Path_) -> list[str]:
    """Field names of the (sub)model at `path`, for hints; list indexes and dict keys are skipped."""
    fields, skip_key = getattr(model, "model_fields", {}), False
    for part in path:
        if isinstance(part, int) or skip_key:
            skip_key = False
            continue
        info = fields.get(part)
        if info is None:
            return []
        skip_key = get_origin(info.annotation) is dict
        stack, sub = [info.annotation], None
        while stack and sub is None:
            ann = stack.pop()
            sub = ann if hasattr(ann, "model_fields") else None
            stack.extend(get_args(ann))
        fields = sub.model_fields if sub else {}
    return list(fields)


def _build_rule(errs: _Errors, rel: str, data: Any, marks: Marks) -> TriageRule | None:
    schema: TriageRuleFile | None = errs.validate(TriageRuleFile, data, rel, marks)
    if schema is None:
        return None
    stem = Path(rel).stem
    if schema.id != stem:
        errs.err(rel, marks, ("id",), "id-mismatch", f"id '{schema.id}' must be the file name '{stem}'")
    spec = KINDS[schema.kind]
    _check_options(errs, rel, marks, schema, spec)
    params = _parameters(errs, rel, marks, schema, spec)
    _check_message(errs, rel, marks, schema)
    if schema.route is None and schema.priority == 0:
        errs.err(rel, marks, ("severity",), "no-effect", "a triage rule needs a route or a non-zero priority",
                 "add e.g. route: verify, or priority: 5")
    _check_tests(errs, rel, marks, data.get("tests") or [])
    return TriageRule(schema.id, rel, schema.kind, Message(schema.title.zh, schema.title.en),
                      Message(schema.message.zh, schema.message.en), schema.severity, schema.priority,
                      schema.route, dict(schema.match), params, tuple(data.get("tests") or []))


def _check_options(errs: _Errors, rel: str, marks: Marks, schema: TriageRuleFile, spec: KindSpec) -> None:
    for key in schema.match:
        if key not in spec.options:
            errs.err(rel, marks, ("match", key), "unknown-option",
                     f"kind '{schema.kind}' takes no option '{key}'", hint_for(key, spec.options))
    for key, what in spec.options.items():
        if key not in schema.match:
            errs.err(rel, marks, ("match",), "missing-option",
                     f"kind '{schema.kind}' needs match.{key} ({what})")
            continue
        _check_option_value(errs, rel, marks, key, what, schema.match[key])
    left, right = str(schema.match.get("left", "")), str(schema.match.get("right", ""))
    if schema.kind == "field_exceeds" and left in FIELD_UNITS and right in FIELD_UNITS \
            and (left.split(".")[0] != right.split(".")[0] or left == right):
        errs.err(rel, marks, ("match", "right"), "bad-comparison",
                 f"'{left}' and '{right}' must be two different fields of one section (staff or finance)")


def _check_option_value(errs: _Errors, rel: str, marks: Marks, key: str, what: str, value: Any) -> None:
    where = ("match", key)
    if what == "statuses":
        if not isinstance(value, list) or not value:
            errs.err(rel, marks, where, "bad-option",
                     "statuses must be a non-empty list of application states")
            return
        known = [s.value for s in State]
        for i, status in enumerate(value):
            if status not in known:
                errs.err(rel, marks, (*where, i), "unknown-status", f"'{status}' is not an application state",
                         hint_for(str(status), known))
        return
    known = {"field": list(FIELD_UNITS), "contact": list(CONTACT_FIELDS),
             "finance_field": [f for f in FIELD_UNITS if f.startswith("finance.")]}[what]
    if value not in known:
        errs.err(rel, marks, where, "unknown-field",
                 f"'{value}' is not a {what.replace('_', ' ')} triage can read", hint_for(str(value), known))


def _parameters(errs: _Errors, rel: str, marks: Marks, schema: TriageRuleFile,
                spec: KindSpec) -> dict[str, ParameterSeries]:
    out: dict[str, ParameterSeries] = {}
    for name in spec.parameters:
        if name not in schema.parameters:
            errs.err(rel, marks, ("parameters",), "missing-parameter",
                     f"kind '{schema.kind}' needs the dated parameter '{name}'")
    for name, param in schema.parameters.items():
        if name not in spec.parameters:
            errs.err(rel, marks, ("parameters", name), "unknown-parameter",
                     f"kind '{schema.kind}' has no parameter '{name}'", hint_for(name, spec.parameters))
            continue
        if param.unit != spec.parameters[name]:
            errs.err(rel, marks, ("parameters", name, "unit"), "unit-mismatch",
                     f"parameter '{name}' is in {spec.parameters[name]}, not {param.unit}")
        dated_values = (_dated(errs, rel, marks, (name, start), param.unit, dated.value, dated.source)
                        for start, dated in sorted(param.values.items()))
        values = [v for v in dated_values if v is not None]
        out[name] = ParameterSeries(name, param.unit, tuple(values))
    return out


def _dated(errs: _Errors, rel: str, marks: Marks, key: tuple[str, Any], unit: str, raw: Any,
           source: str | None) -> ParameterValue | None:
    where = ("parameters", key[0], "values", key[1])
    try:
        value = literal_value(raw, unit)
    except ExprError as exc:
        errs.err(rel, marks, where, exc.code, exc.message)
        return None
    whole = isinstance(value, int) and not isinstance(value, bool)
    if not (whole or type(value).__name__ == "Fraction") or value <= 0 or (unit == "days" and not whole):
        errs.err(rel, marks, where, "bad-parameter",
                 f"expected a positive {'whole number of days' if unit == 'days' else 'number'}, got {raw!r}")
        return None
    return ParameterValue(value, key[1], source or "")


def _check_message(errs: _Errors, rel: str, marks: Marks, schema: TriageRuleFile) -> None:
    allowed = details_for(schema.kind, schema.match)
    for lang in ("zh", "en"):
        text = getattr(schema.message, lang)
        try:
            parts = list(string.Formatter().parse(text))
        except ValueError as exc:
            errs.err(rel, marks, ("message", lang), "bad-message", f"message.{lang}: {exc}")
            continue
        for _, name, spec, conversion in parts:
            if name is None:
                continue
            if name not in allowed or spec or conversion:
                errs.err(rel, marks, ("message", lang), "unknown-placeholder",
                         f"message.{lang}: '{{{name}}}' is not a detail of kind '{schema.kind}' "
                         f"(available: {', '.join(allowed)})", hint_for(name, allowed))


def _check_tests(errs: _Errors, rel: str, marks: Marks, cases: list[Any]) -> None:
    for i, case in enumerate(cases):
        if not isinstance(case, dict):
            continue
        ids: list[str] = []
        for j, app in enumerate(case.get("applications") or []):
            merged = {**(case.get("defaults") or {}), **(app if isinstance(app, dict) else {})}
            errs.validate(ApplicationFacts, merged, rel, marks, ("tests", i, "applications", j))
            app_id = str(merged.get("application_id", ""))
            if app_id in ids:
                errs.err(rel, marks, ("tests", i, "applications", j), "duplicate-application",
                         f"application id '{app_id}' appears twice in this test")
            ids.append(app_id)
        for j, entry in enumerate(case.get("register") or []):
            errs.validate(RegisterEntry, entry, rel, marks, ("tests", i, "register", j))
        for j, flagged in enumerate(case.get("flagged") or []):
            if ids and str(flagged) not in ids:
                errs.err(rel, marks, ("tests", i, "flagged", j), "unknown-application",
                         f"flagged '{flagged}' is not an application of this test "
                         f"(applications: {', '.join(ids)})",
                         hint_for(str(flagged), ids))
