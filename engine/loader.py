"""Load a rule directory into an immutable RuleSet: YAML → schema → compiled model, all or nothing.

Every error of every file is collected (file, line, column, code, hint) and raised once as a
RuleLoadError; a caller that already holds a good RuleSet keeps it. The RuleSet hash is the SHA-256
of the canonical content of all files, so a snapshot of that content reloads to the same hash.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from engine.canonical import plain, sha256_of
from engine.criteria import CriteriaParser
from engine.errors import ExprError, Message, RuleFileError, RuleLoadError
from engine.expr.nodes import Node
from engine.expr.parser import parse
from engine.expr.typecheck import Scope, check
from engine.model import Benefit, Condition, Criterion, Fact, Group, HowToApply, Measure, RuleSet
from engine.names import SPECIAL_NAMES, all_profile_names, profile_names
from engine.parameters import ParameterSeries, ParameterValue, literal_value
from engine.schema import FactsFile, MeasureFile
from engine.suggest import hint_for
from engine.yamlmarks import Marks, load_yaml, mark_of

MEASURE_DIRS = ("national", "guangdong", "qingyuan", "qingcheng", "shaoguan")
DEFAULT_JURISDICTION = {"national": (), "guangdong": ("44",), "qingyuan": ("4418",),
                        "qingcheng": ("441802",), "shaoguan": ("4402",)}


def read_rule_texts(root: Path, errors: list[RuleFileError] | None = None) -> dict[str, str]:
    """Relative path → text of every measure and fact file under `root` (triage rules excluded).

    A file that is not UTF-8 is reported in `errors` (when given) instead of raising.
    """
    texts: dict[str, str] = {}
    for sub in (*MEASURE_DIRS, "facts"):
        for path in sorted((root / sub).glob("*.yaml")):
            rel = path.relative_to(root).as_posix()
            try:
                texts[rel] = path.read_bytes().decode("utf-8")
            except UnicodeDecodeError as exc:
                if errors is None:
                    raise
                errors.append(RuleFileError(rel, 0, 0, "encoding", f"the file is not UTF-8 (byte {exc.start}); "
                                                                   "save it as UTF-8"))
    return texts


def load_ruleset(root: Path | str) -> RuleSet:
    """Load every rule file under `root`; raise RuleLoadError with all errors if any file is bad."""
    errors: list[RuleFileError] = []
    texts = read_rule_texts(Path(root), errors)
    return load_from_texts(texts, errors)


def load_from_texts(texts: dict[str, str], errors: list[RuleFileError] | None = None) -> RuleSet:
    errors = list(errors or [])
    return build_ruleset(parse_texts(texts, errors), errors)


def parse_texts(texts: dict[str, str], errors: list[RuleFileError]) -> dict[str, tuple[Any, Marks]]:
    """Relative path → (data as YAML gives it, line marks) of every file that parses; YAML errors go to `errors`."""
    parsed: dict[str, tuple[Any, Marks]] = {}
    for rel, text in sorted(texts.items()):
        data, marks, yaml_errors = load_yaml(text, rel)
        errors += yaml_errors
        if data is not None:
            parsed[rel] = (data, marks)
    return parsed


def load_from_snapshot(snapshot: dict[str, Any]) -> RuleSet:
    """Rebuild a RuleSet from its stored snapshot (path → canonical content); same hash as the original."""
    return build_ruleset({rel: (data, {}) for rel, data in snapshot.items()}, [])


def load_from_data(data: dict[str, Any]) -> RuleSet:
    """The RuleSet of rule files whose YAML was read before (path → data as `parse_texts` gave it, e.g. kept by a
    cache of those bytes): equal to `load_from_texts` of the same texts, its rule tests included. An error is
    reported without a line (there are no marks): reload the texts to locate it."""
    return build_ruleset({rel: (value, {}) for rel, value in sorted(data.items())}, [])


class _Builder:
    def __init__(self) -> None:
        self.errors: list[RuleFileError] = []

    def err(self, rel: str, marks: Marks, path: tuple[Any, ...], code: str, message: str, hint: str = "") -> None:
        line, col = mark_of(marks, path)
        self.errors.append(RuleFileError(rel, line, col, code, message, hint))

    def schema(self, model: Any, data: Any, rel: str, marks: Marks) -> Any:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for e in exc.errors(include_url=False):
                loc = tuple(e["loc"])
                key_path = tuple("from" if p == "from_" else p for p in loc)
                code = "unknown-key" if e["type"] == "extra_forbidden" else e["type"].replace("_", "-")
                known = _schema_keys(model, key_path[:-1]) if code == "unknown-key" else []
                self.err(rel, marks, key_path, code, f"{'.'.join(map(str, loc))}: {e['msg']}",
                         hint_for(str(loc[-1]), known) if known else "")
            return None

    def parameters(self, raw: dict[str, Any], rel: str, marks: Marks) -> dict[str, ParameterSeries]:
        out: dict[str, ParameterSeries] = {}
        for name, param in raw.items():
            values = []
            for start, dated in sorted(param.values.items()):
                try:
                    value = literal_value(dated.value, param.unit)
                except ExprError as exc:
                    self.err(rel, marks, ("parameters", name, "values", start), exc.code, exc.message)
                    continue
                values.append(ParameterValue(value, start, dated.source or ""))
            out[name] = ParameterSeries(name, param.unit, tuple(values),
                                        param.confirmed.date if param.confirmed else None)
        return out

    def expr(self, text: str, rel: str, marks: Marks, path: tuple[Any, ...], scope: Scope) -> Node | None:
        try:
            node = parse(text)
        except ExprError as exc:
            self.err(rel, marks, path, exc.code, f"{exc.message} in: {text}")
            return None
        self.typecheck(node, text, rel, marks, path, scope)
        return node

    def typecheck(self, node: Node, text: str, rel: str, marks: Marks, path: tuple[Any, ...], scope: Scope) -> None:
        for exc in check(node, scope):
            self.err(rel, marks, path, exc.code, f"{exc.message} in: {text}", exc.hint)


def _schema_keys(model: Any, path: tuple[Any, ...]) -> list[str]:
    fields = getattr(model, "model_fields", {})
    for part in path:
        info = fields.get("from_" if part == "from" else part) if isinstance(part, str) else None
        if info is None:
            return []
        sub = next((a for a in (info.annotation, *getattr(info.annotation, "__args__", ()))
                    if hasattr(a, "model_fields")), None)
        fields = sub.model_fields if sub else {}
    return [("from" if k == "from_" else k) for k in fields]


def build_ruleset(parsed: dict[str, tuple[Any, Marks]], errors: list[RuleFileError]) -> RuleSet:
    """Validate, compile and type-check parsed files (`parse_texts`); raise RuleLoadError with every error."""
    builder = _Builder()
    builder.errors.extend(errors)
    facts = _build_facts(builder, {r: v for r, v in parsed.items() if r.startswith("facts/")})
    fact_units = {fid: f.unit for fid, f in facts.items()}
    measures = {}
    for rel, (data, marks) in parsed.items():
        if rel.startswith("facts/"):
            continue
        measure = _build_measure(builder, rel, data, marks, fact_units)
        if measure is not None:
            if measure.id in measures:
                builder.err(rel, marks, ("id",), "duplicate-measure", f"measure id '{measure.id}' is defined twice")
            measures[measure.id] = measure
    order = _dependency_order(builder, measures, parsed)
    _check_references(builder, measures, parsed)
    if builder.errors:
        raise RuleLoadError(builder.errors)
    snapshot = {rel: plain(data) for rel, (data, _) in parsed.items()}
    fact_tests = tuple(t for rel, (data, _) in parsed.items() if rel.startswith("facts/")
                       for t in [dict(test, __file__=rel) for test in (data.get("tests") or [])])
    fact_equivalents = {rel: {str(e["mutant"]): Message(e["reason"]["zh"], e["reason"]["en"])
                              for e in data.get("equivalent_mutants") or []}
                        for rel, (data, _) in parsed.items() if rel.startswith("facts/")}
    return RuleSet(measures, facts, order, sha256_of(snapshot), snapshot, fact_tests, fact_equivalents)


def _build_facts(builder: _Builder, files: dict[str, tuple[Any, Marks]]) -> dict[str, Fact]:
    schemas = {rel: builder.schema(FactsFile, data, rel, marks) for rel, (data, marks) in files.items()}
    declared = {f.id: f.unit for s in schemas.values() if s for f in s.facts}
    names = {**all_profile_names(), **SPECIAL_NAMES, **declared}
    facts: dict[str, Fact] = {}
    for rel, schema in schemas.items():
        if schema is None:
            continue
        marks = files[rel][1]
        params = builder.parameters(schema.parameters, rel, marks)
        scope = Scope(names, {n: p.unit for n, p in params.items()})
        for i, fact in enumerate(schema.facts):
            if fact.id in facts or fact.id in all_profile_names():
                builder.err(rel, marks, ("facts", i, "id"), "duplicate-fact",
                            f"fact '{fact.id}' is already defined (or is a profile field)")
            node = builder.expr(fact.value, rel, marks, ("facts", i, "value"), scope)
            if node is not None:
                facts[fact.id] = Fact(fact.id, rel, Message(fact.text.zh, fact.text.en), fact.unit, node,
                                      fact.value, params,
                                      Message(fact.warning.zh, fact.warning.en) if fact.warning else None)
    return facts


def _build_measure(builder: _Builder, rel: str, data: Any, marks: Marks,
                   fact_units: dict[str, str]) -> Measure | None:
    schema: MeasureFile | None = builder.schema(MeasureFile, data, rel, marks)
    if schema is None:
        return None
    issuer_dir, stem = rel.split("/", 1)[0], Path(rel).stem
    if schema.id != f"{issuer_dir}.{stem}":
        builder.err(rel, marks, ("id",), "id-mismatch",
                    f"id '{schema.id}' must be '{issuer_dir}.{stem}' (issuer directory + file name)")
    if schema.issuer != issuer_dir:
        builder.err(rel, marks, ("issuer",), "issuer-mismatch",
                    f"issuer '{schema.issuer}' does not match the directory '{issuer_dir}'")
    params = builder.parameters(schema.parameters, rel, marks)
    names: dict[str, str] = {**SPECIAL_NAMES, **fact_units}
    for kind in schema.applicant:
        names.update(profile_names(kind))
    scope = Scope(names, {n: p.unit for n, p in params.items()})
    parser = CriteriaParser(rel, marks)
    criteria = parser.parse(data.get("criteria"), ("criteria",))
    builder.errors.extend(parser.errors)
    if criteria is not None:
        _typecheck_tree(builder, criteria, rel, marks, scope, parser.leaf_paths)
    benefit = _build_benefit(builder, schema, rel, marks, scope)
    if criteria is None or benefit is None:
        return None
    if schema.effective.status == "draft":
        criteria = draft_criteria(criteria)
    b = schema.benefit
    return Measure(
        id=schema.id, path=rel, title=Message(schema.title.zh, schema.title.en), issuer=schema.issuer,
        jurisdiction=tuple(schema.jurisdiction) if schema.jurisdiction is not None
        else DEFAULT_JURISDICTION[schema.issuer],
        applicant=tuple(schema.applicant), source=plain(schema.source),
        also=tuple(plain(s) for s in schema.also), seeds=tuple(schema.seeds),
        effective_from=schema.effective.from_, effective_until=schema.effective.until,
        status=schema.effective.status,
        status_note=Message(schema.effective.note.zh, schema.effective.note.en) if schema.effective.note else None,
        parameters=params, criteria=criteria, benefit=benefit, excludes=tuple(schema.excludes),
        documents=tuple(Message(d.zh, d.en) for d in schema.documents), tags=tuple(schema.tags),
        tests=tuple(data.get("tests") or []), depends_on=tuple(sorted(scope.measure_refs)),
        how_to_apply=_how_to_apply(schema),
        jurisdiction_explicit=schema.jurisdiction is not None and
        tuple(schema.jurisdiction) != DEFAULT_JURISDICTION[schema.issuer],
        jurisdiction_source=schema.jurisdiction_source,
        equivalent_mutants={e.mutant: Message(e.reason.zh, e.reason.en) for e in schema.equivalent_mutants},
    ) if b is not None else None


DRAFT_CONDITION_ID = "draft_not_enacted"
DRAFT_REASON = "draft"


def draft_criteria(criteria: Criterion) -> Criterion:
    """A draft measure's criteria: its own, and a condition that is always unknown (not enacted).

    So every backend (reference, compiled, columnar) gives a draft at best *undetermined* — never
    eligible, never counted — while a failed condition still shows ineligible; the undetermined
    result's `reason` includes "draft" (the reading layer words it 草案，尚未施行).
    """
    text = f'unknown("{DRAFT_REASON}")'
    leaf = Condition(DRAFT_CONDITION_ID, Message("该措施为草案，尚未施行", "a draft, not yet in force"),
                     Message("草案，尚未施行：无正式文本，不能据此申请", "a draft with no enacted text: not applicable yet"),
                     parse(text), text, None, "none")
    return Group("draft", "all", None, (criteria, leaf))


def _how_to_apply(schema: MeasureFile) -> HowToApply | None:
    """The file's `how_to_apply:` block; its url defaults to the source's address when that names a page.

    The address is written once, in `source.url`; a bare site (https://example.gov.cn, no path) is not a
    document's address and is not offered as one.
    """
    h = schema.how_to_apply
    url = h.url if h is not None and h.url else _document_address(schema.source.url)
    if h is None and url is None:
        return None
    return HowToApply(body=Message(h.body.zh, h.body.en) if h and h.body else None,
                      period=Message(h.period.zh, h.period.en) if h and h.period else None, url=url)


def _document_address(url: str | None) -> str | None:
    if not url or not re.fullmatch(r"https?://[^\s/?#]+\.[^\s/?#]+[/?][^\s]*\S", url):
        return None
    return url


def _typecheck_tree(builder: _Builder, node: Criterion, rel: str, marks: Marks, scope: Scope,
                    paths: dict[str, tuple[Any, ...]]) -> None:
    if isinstance(node, Condition):
        builder.typecheck(node.expr, node.source_text, rel, marks, paths.get(node.id, ("criteria",)), scope)
        return
    for child in node.children:
        _typecheck_tree(builder, child, rel, marks, scope, paths)


def _build_benefit(builder: _Builder, schema: MeasureFile, rel: str, marks: Marks, scope: Scope) -> Benefit | None:
    b = schema.benefit
    amount = builder.expr(b.amount, rel, marks, ("benefit", "amount"), scope) if b.amount else None
    rate = builder.expr(b.rate, rel, marks, ("benefit", "rate"), scope) if b.rate else None
    if b.kind == "cash" and amount is None and not any(e.file == rel for e in builder.errors):
        builder.err(rel, marks, ("benefit",), "benefit-amount", "a cash benefit needs an amount expression",
                    "if the amount is not published, use kind: unpublished")
    if b.kind == "unpublished" and b.amount:
        builder.err(rel, marks, ("benefit", "amount"), "unpublished-amount",
                    "an unpublished benefit must not carry an amount")
    return Benefit(b.kind, Message(b.text.zh, b.text.en), amount, rate, b.up_to,
                   Message(b.note.zh, b.note.en) if b.note else None, b.payee, b.basis)


def _dependency_order(builder: _Builder, measures: dict[str, Measure],
                      parsed: dict[str, tuple[Any, Marks]]) -> tuple[str, ...]:
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(mid: str, chain: tuple[str, ...]) -> None:
        if state.get(mid) == "done" or mid not in measures:
            return
        if state.get(mid) == "active":
            m = measures[mid]
            builder.err(m.path, parsed[m.path][1], ("criteria",), "dependency-cycle",
                        "measures depend on each other: " + " → ".join((*chain, mid)))
            return
        state[mid] = "active"
        for dep in measures[mid].depends_on:
            visit(dep, (*chain, mid))
        state[mid] = "done"
        order.append(mid)

    for mid in sorted(measures):
        visit(mid, ())
    return tuple(order)


def _check_references(builder: _Builder, measures: dict[str, Measure],
                      parsed: dict[str, tuple[Any, Marks]]) -> None:
    for m in measures.values():
        marks = parsed[m.path][1]
        for i, other in enumerate(m.excludes):
            if other not in measures:
                builder.err(m.path, marks, ("excludes", i), "unknown-measure", f"excludes unknown measure '{other}'",
                            hint_for(other, measures))
        for dep in m.depends_on:
            if dep not in measures:
                builder.err(m.path, marks, ("criteria",), "unknown-measure", f"eligible('{dep}') names no measure",
                            hint_for(dep, measures))
