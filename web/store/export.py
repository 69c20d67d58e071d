"""This file defines the self-contained export of one decision: a JSON record and a printable HTML page.

The record holds everything an auditor needs without access to the service: the inputs (profile,
dates), the rules used with their sources (and the full RuleSet snapshot, whose SHA-256 is the RuleSet
hash), the decision with its traces, the reviews, and the record's place on the hash chain. People's ID
numbers are masked in the exported profile (the stored profile keeps them, for replay).
The HTML has inline CSS only, no scripts or external assets, Chinese first with English beside it.
"""

from __future__ import annotations

import copy
import json
from html import escape
from typing import Any

from engine.decision import OUTCOME_LABELS
from engine.standards.idcard import mask_id
from web.masking import mask_document
from web.store.queries import DecisionBundle

OUTCOMES = {o.value: (label.zh, label.en) for o, label in OUTCOME_LABELS.items()}  # the engine's one table
RESULTS = {"true": ("满足", "met"), "false": ("不满足", "not met"), "unknown": ("未知", "unknown")}
GROUPS = {"all": ("以下全部满足", "all of"), "any": ("满足其一", "any of"), "not": ("不得满足", "none of")}
PERSON_PATHS = (("person", "id_number"), ("leader", "id_number"))


def build_record(bundle: DecisionBundle) -> dict[str, Any]:
    """The export of one decision as plain JSON-ready data (deterministic: no export timestamp)."""
    row, decision = bundle.decision, json.loads(bundle.decision.decision_json)
    profile, masked = _masked_profile(json.loads(row.profile_json))
    used = {r["measure_id"] for r in decision["results"]}
    return {
        "record": "subsidy-decision", "format": 1, "decision_id": row.id,
        "applicant": {"id": bundle.applicant.id, "kind": bundle.applicant.kind, "party": bundle.applicant.party,
                      "name": bundle.applicant.name, "code": bundle.applicant.display_code},
        "application": {"id": bundle.application.id, "status": bundle.application.status,
                        "measures": bundle.application.measures, "priority": bundle.application.priority,
                        "submitted_at": _iso(bundle.application.submitted_at)},
        "inputs": {"profile": profile, "masked_fields": masked, "profile_hash": row.profile_hash,
                   "as_of": row.as_of.isoformat(), "checked_on": row.checked_on.isoformat()},
        "rules": {"ruleset_hash": row.ruleset_hash, "engine_version": row.engine_version,
                  "measures": _measures_used(bundle.snapshot, used), "snapshot": bundle.snapshot},
        "decision": decision, "decision_hash": row.decision_hash, "created_at": _iso(row.created_at),
        "chain": {"seq": row.chain_seq, "prev_hash": row.prev_hash, "hash": row.hash,
                  "link": None if bundle.link is None else {"seq": bundle.link.seq, "hash": bundle.link.hash,
                                                            "prev_hash": bundle.link.prev_hash},
                  "head_seq": bundle.head[0], "head_hash": bundle.head[1]},
        "reviews": [{"id": r.id, "action": r.action, "reason": r.reason, "user": r.user.username,
                     "role": r.user.role, "decision_id": r.decision_id, "created_at": _iso(r.created_at),
                     "chain_seq": r.chain_seq, "hash": r.hash} for r in bundle.reviews],
        "verify": {"replay": f"subsidy replay {row.id}", "chain": "subsidy audit verify"},
    }


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat() + "Z"


def _masked_profile(profile: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    out, masked = copy.deepcopy(profile), []
    for section, key in PERSON_PATHS:
        person = out.get(section)
        if isinstance(person, dict) and person.get(key):
            person[key] = mask_id(str(person[key]))
            masked.append(f"{section}.{key}")
    return mask_document(out, None), masked  # and any other ID number, phone or e-mail (web.masking)


def _measures_used(snapshot: dict[str, Any], used: set[str]) -> list[dict[str, Any]]:
    out = []
    for path, content in sorted(snapshot.items()):
        if isinstance(content, dict) and content.get("id") in used:
            out.append({"id": content["id"], "path": path, "title": content.get("title"),
                        "source": content.get("source"), "also": content.get("also", []),
                        "effective": content.get("effective")})
    return out


# -- HTML ---------------------------------------------------------------------------------------------

CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;
 margin:2em auto;max-width:60em;color:#111;line-height:1.45;font-size:11pt}
h1{font-size:1.5em;border-bottom:2px solid #333;padding-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em}
.en{color:#555;font-size:.9em}table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border:1px solid #999;padding:.25em .5em;text-align:left;vertical-align:top}th{background:#eee;width:28%}
code,pre{font-family:"DejaVu Sans Mono",monospace;font-size:.85em;word-break:break-all;white-space:pre-wrap}
.eligible,.true{color:#064}.ineligible,.false{color:#a00}.undetermined,.unknown{color:#a60}
.not_applicable{color:#666}ul.trace{list-style:none;padding-left:1.2em;border-left:1px dotted #999}
.measure{page-break-inside:avoid;margin-bottom:1em}
@media print{body{margin:0;max-width:none;font-size:10pt}a{color:inherit}h2{page-break-after:avoid}}
"""


def _pair(zh: str, en: str) -> str:
    return f'{escape(zh)} <span class="en">/ {escape(en)}</span>'


def _text(message: Any) -> str:
    if isinstance(message, dict):
        return _pair(str(message.get("zh", "")), str(message.get("en", "")))
    return escape("" if message is None else str(message))


def _value(value: Any) -> str:
    return escape(json.dumps(value, ensure_ascii=False, sort_keys=True))


def _rows(pairs: list[tuple[str, str, str]]) -> str:
    return "".join(f"<tr><th>{_pair(zh, en)}</th><td>{cell}</td></tr>" for zh, en, cell in pairs)


def render_html(record: dict[str, Any]) -> str:
    """A printable, self-contained HTML page of an exported decision record."""
    d, chain, inputs = record["decision"], record["chain"], record["inputs"]
    summary = _rows([
        ("申请人", "Applicant", f"{escape(record['applicant']['name'])} ({escape(record['applicant']['code'])})"),
        ("申请", "Application", f"#{record['application']['id']} · {escape(record['application']['status'])}"),
        ("评价日期", "As of", escape(inputs["as_of"])), ("资料核验日期", "Profile checked on", escape(inputs["checked_on"])),
        ("引擎版本", "Engine version", escape(record["rules"]["engine_version"])),
        ("规则集哈希", "RuleSet hash", f"<code>{escape(record['rules']['ruleset_hash'])}</code>"),
        ("资料哈希", "Profile hash", f"<code>{escape(inputs['profile_hash'])}</code>"),
        ("决策哈希", "Decision hash", f"<code>{escape(record['decision_hash'])}</code>"),
        ("审计链位置", "Chain position", f"seq {chain['seq']} / head {chain['head_seq']}"),
        ("前序哈希", "Previous hash", f"<code>{escape(chain['prev_hash'])}</code>"),
        ("本记录哈希", "Record hash", f"<code>{escape(chain['hash'])}</code>"),
    ])
    parts = [f"<h1>{_pair('资助资格决策记录', 'Subsidy eligibility decision record')} #{record['decision_id']}</h1>",
             f"<table>{summary}</table>", _results_html(d, record["rules"]["measures"]), _sources_html(record),
             _warnings_html(d), _reviews_html(record["reviews"]),
             f"<h2>{_pair('输入资料', 'Inputs')}</h2><pre>{_value_block(inputs['profile'])}</pre>",
             f"<p class=\"en\">{_pair('核验方法', 'How to verify')}: <code>{escape(record['verify']['replay'])}</code>, "
             f"<code>{escape(record['verify']['chain'])}</code></p>"]
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>决策记录 / Decision record #{record['decision_id']}</title><style>{CSS}</style></head>"
            f"<body>{''.join(parts)}</body></html>\n")


def _value_block(value: Any) -> str:
    return escape(json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2))


def _results_html(d: dict[str, Any], measures: list[dict[str, Any]]) -> str:
    titles = {m["id"]: m.get("title") for m in measures}
    out = [f"<h2>{_pair('评价结果', 'Results')}</h2>"]
    for r in d["results"]:
        zh, en = OUTCOMES.get(r["outcome"], (r["outcome"], r["outcome"]))
        lines = [f"<h3>{_text(titles.get(r['measure_id']))} <code>{escape(r['measure_id'])}</code></h3>",
                 f"<p class=\"{escape(r['outcome'])}\"><b>{_pair(zh, en)}</b>"
                 f"{' · ' + escape(r['reason']) if r.get('reason') else ''} · {_pair('金额', 'amount')}: "
                 f"{_amount_html(r.get('amount') or {})}</p>"]
        if r.get("failing"):
            lines.append(f"<p>{_pair('未满足条件', 'failing')}: <code>{escape(', '.join(r['failing']))}</code></p>")
        if r.get("missing"):
            lines.append(f"<p>{_pair('缺少资料', 'missing')}: <code>{escape(', '.join(r['missing']))}</code></p>")
        if r.get("trace"):
            lines.append(f"<ul class=\"trace\">{_trace_html(r['trace'])}</ul>")
        out.append(f"<div class=\"measure\">{''.join(lines)}</div>")
    return "".join(out)


def _amount_html(amount: dict[str, Any]) -> str:
    kind, value = amount.get("kind"), amount.get("value")
    if kind == "exact":
        return f"¥{_money(value)}"
    if kind == "up_to":
        return f"{_pair('最高', 'up to')} ¥{_money(value)}"
    if kind == "rate":
        return f"{_pair('税率/比例', 'rate')} {escape(str(value))}"
    labels = {"unpublished": ("金额未公布", "amount not published"), "unknown": ("待定", "unknown")}
    return _pair(*labels[kind]) if kind in labels else "—"


def _money(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else escape(str(value))


def _trace_html(node: dict[str, Any]) -> str:
    zh, en = RESULTS.get(node.get("result", ""), ("?", "?"))
    group = GROUPS.get(node.get("kind", ""))
    label = _text(node.get("text")) if node.get("text") else (_pair(*group) if group else escape(str(node.get("id"))))
    bits = [f"<li><span class=\"{escape(node.get('result', ''))}\">[{_pair(zh, en)}]</span> {label}"]
    if node.get("expr"):
        bits.append(f"<br><code>{escape(node['expr'])}</code>")
    if node.get("reads"):
        bits.append(f"<br>{_pair('读取', 'read')}: <code>{_value(node['reads'])}</code>")
    for p in node.get("params") or []:
        bits.append(f"<br>{_pair('参数', 'parameter')} <code>{escape(p['name'])} = {_value(p['value'])}</code> "
                    f"({_pair('自', 'from')} {escape(p['effective_from'])}; {escape(p['source'])})")
    if node.get("missing"):
        bits.append(f"<br>{_pair('缺少', 'missing')}: <code>{escape(', '.join(node['missing']))}</code>")
    if node.get("children"):
        bits.append(f"<ul class=\"trace\">{''.join(_trace_html(c) for c in node['children'])}</ul>")
    return "".join(bits) + "</li>"


def _sources_html(record: dict[str, Any]) -> str:
    rows = []
    for m in record["rules"]["measures"]:
        for src in [m.get("source") or {}, *(m.get("also") or [])]:
            rows.append(f"<tr><td><code>{escape(m['id'])}</code><br><span class=\"en\">rules/{escape(m['path'])}</span>"
                        f"</td><td>{escape(str(src.get('document', '')))} {escape(str(src.get('number', '') or ''))} "
                        f"{escape(str(src.get('article', '') or ''))}</td><td>{escape(str(src.get('confidence', '')))}"
                        "</td></tr>")
    head = f"<tr><th>{_pair('措施', 'Measure')}</th><th>{_pair('依据', 'Source')}</th><th>{_pair('可信度', 'Confidence')}</th></tr>"
    return f"<h2>{_pair('所用规则及依据', 'Rules used and their sources')}</h2><table>{head}{''.join(rows)}</table>"


def _warnings_html(d: dict[str, Any]) -> str:
    if not d.get("warnings"):
        return ""
    items = "".join(f"<li><code>{escape(str(w.get('path')))}</code> {_pair(str(w.get('zh', '')), str(w.get('en', '')))}</li>" for w in d["warnings"])
    return f"<h2>{_pair('数据提示', 'Data warnings')}</h2><ul>{items}</ul>"


def _reviews_html(reviews: list[dict[str, Any]]) -> str:
    if not reviews:
        return ""
    head = (f"<tr><th>{_pair('时间', 'When')}</th><th>{_pair('审核人', 'Who')}</th><th>{_pair('操作', 'Action')}</th>"
            f"<th>{_pair('理由', 'Reason')}</th></tr>")
    rows = "".join(f"<tr><td>{escape(str(r['created_at']))}</td><td>{escape(r['user'])} ({escape(r['role'])})</td>"
                   f"<td>{escape(r['action'])}</td><td>{escape(r['reason'])}</td></tr>" for r in reviews)
    return f"<h2>{_pair('审核记录', 'Reviews')}</h2><table>{head}{rows}</table>"
