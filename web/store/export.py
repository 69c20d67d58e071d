"""This file defines the self-contained export of one decision: a JSON record and a printable HTML page.

The record holds everything an auditor needs without access to the service: the inputs (profile,
dates), the rules used with their sources (and the full RuleSet snapshot, whose SHA-256 is the RuleSet
hash), the decision with its traces, the reviews, and the record's place on the hash chain. People's ID
numbers are masked in the exported profile (the stored profile keeps them, for replay).
The HTML has inline CSS only, no scripts or external assets, and one language (Chinese by default, English on
request): the decision is the reading of engine.reading, rebuilt from the record's own RuleSet snapshot.
"""

from __future__ import annotations

import copy
import json
from html import escape
from typing import Any

from engine.decision import Decision
from engine.loader import load_from_snapshot
from engine.reading import Card, Reading, TraceView, read
from engine.reading.labels import CONFIDENCE
from engine.standards.idcard import mask_id
from web.masking import mask_document
from web.store.queries import DecisionBundle

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
table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border:1px solid #999;padding:.25em .5em;text-align:left;vertical-align:top}th{background:#eee;width:28%}
code,pre{font-family:"DejaVu Sans Mono",monospace;font-size:.85em;word-break:break-all;white-space:pre-wrap}
.eligible,.true{color:#064}.ineligible,.false{color:#a00}.undetermined,.unknown,.nearly{color:#a60}
.not_applicable{color:#666}ul.trace{list-style:none;padding-left:1.2em;border-left:1px dotted #999}
.measure{page-break-inside:avoid;margin-bottom:1em}.small{font-size:.9em;color:#444}
@media print{body{margin:0;max-width:none;font-size:10pt}a{color:inherit}h2{page-break-after:avoid}}
"""

WORDS = {
    "title": ("资助资格决策记录", "Subsidy eligibility decision record"), "applicant": ("申请人", "Applicant"),
    "application": ("申请", "Application"), "as_of": ("评价日期", "As of"),
    "checked_on": ("资料核验日期", "Profile checked on"), "engine": ("引擎版本", "Engine version"),
    "ruleset": ("规则集哈希", "RuleSet hash"), "profile_hash": ("资料哈希", "Profile hash"),
    "decision_hash": ("决策哈希", "Decision hash"), "chain": ("审计链位置", "Chain position"),
    "prev": ("前序哈希", "Previous hash"), "hash": ("本记录哈希", "Record hash"), "results": ("评价结果", "Results"),
    "pays": ("可获", "Pays"), "failing": ("不满足的条件", "Conditions not met"),
    "missing": ("待回答的问题", "Questions to answer"), "sources": ("所用规则及依据", "Rules used and their sources"),
    "measure": ("措施", "Measure"), "source": ("依据", "Source"), "confidence": ("可信度", "Confidence"),
    "warnings": ("数据提示", "Data warnings"), "reviews": ("审核记录", "Reviews"), "when": ("时间", "When"),
    "who": ("审核人", "Who"), "action": ("操作", "Action"), "reason": ("理由", "Reason"), "inputs": ("输入资料", "Inputs"),
    "verify": ("核验方法", "How to verify"), "read": ("读取的数据", "Values read"), "threshold": ("现行标准", "Threshold"),
    "yours": ("您的数据", "Your figure"), "required": ("要求", "Required"), "lacking": ("缺少", "Missing"),
    "headline": ("现在可获（现金，按权利发放）", "Receivable now (cash paid as of right)"), "none": ("暂无", "none"),
    "seq": ("第{seq}条，链头第{head}条", "record {seq} of {head}"),
}


def _w(key: str, lang: str) -> str:
    zh, en = WORDS[key]
    return escape(en if lang == "en" else zh)


def _rows(pairs: list[tuple[str, str]], lang: str) -> str:
    return "".join(f"<tr><th>{_w(key, lang)}</th><td>{cell}</td></tr>" for key, cell in pairs)


def record_reading(record: dict[str, Any], lang: str = "zh") -> Reading:
    """The reading of an exported record's decision, against the RuleSet snapshot stored in the record."""
    return read(Decision.from_json(record["decision"]), load_from_snapshot(record["rules"]["snapshot"]), lang)


def render_html(record: dict[str, Any], lang: str = "zh") -> str:
    """A printable, self-contained HTML page of an exported decision record, in one language."""
    chain, inputs = record["chain"], record["inputs"]
    reading = record_reading(record, lang)
    summary = _rows([
        ("applicant", escape(record["applicant"]["name"])),
        ("application", f"#{record['application']['id']}"),
        ("as_of", escape(inputs["as_of"])), ("checked_on", escape(inputs["checked_on"])),
        ("engine", escape(record["rules"]["engine_version"])),
        ("ruleset", f"<code>{escape(record['rules']['ruleset_hash'])}</code>"),
        ("profile_hash", f"<code>{escape(inputs['profile_hash'])}</code>"),
        ("decision_hash", f"<code>{escape(record['decision_hash'])}</code>"),
        ("chain", escape(WORDS["seq"][1 if lang == "en" else 0].format(seq=chain["seq"], head=chain["head_seq"]))),
        ("prev", f"<code>{escape(chain['prev_hash'])}</code>"), ("hash", f"<code>{escape(chain['hash'])}</code>"),
    ], lang)
    total = reading.headline.total or WORDS["none"][1 if lang == "en" else 0]
    parts = [f"<h1>{_w('title', lang)} #{record['decision_id']}</h1>", f"<table>{summary}</table>",
             f"<p><b>{_w('headline', lang)}</b>{'：' if lang != 'en' else ': '}{escape(total)}</p>",
             _results_html(reading, lang), _sources_html(reading, lang), _warnings_html(reading, lang),
             _reviews_html(record["reviews"], lang),
             _inputs_html(inputs["profile"], lang),
             f"<p class=\"small\">{_w('verify', lang)}{'：' if lang != 'en' else ': '}"
             f"<code>{escape(record['verify']['replay'])}</code>, <code>{escape(record['verify']['chain'])}</code></p>"]
    html_lang = "en" if lang == "en" else "zh-CN"
    return (f"<!DOCTYPE html>\n<html lang=\"{html_lang}\"><head><meta charset=\"utf-8\">"
            f"<title>{_w('title', lang)} #{record['decision_id']}</title><style>{CSS}</style></head>"
            f"<body>{''.join(parts)}</body></html>\n")


def _inputs_html(profile: dict[str, Any], lang: str) -> str:
    """The inputs as labelled rows (the record's JSON keeps them as data)."""
    from web.bureau.stored import profile_rows  # one flattening of a stored profile, by field label

    rows = "".join(f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>"
                   for label, value in profile_rows(json.dumps(profile), lang))
    return f"<h2>{_w('inputs', lang)}</h2><table>{rows}</table>"


def _card_html(c: Card, lang: str) -> str:
    lines = [f"<h3>{escape(c.title)}</h3>",
             f"<p class=\"{escape(c.category)}\"><b>{escape(c.category_label)}</b> · {escape(c.verdict)}</p>"]
    if c.pays:
        lines.append(f"<p>{_w('pays', lang)}{'：' if lang != 'en' else ': '}{escape(c.pays)}</p>")
    if c.failing:
        items = "".join(f"<li>{escape(f.sentence(lang))}</li>" for f in c.failing)
        lines.append(f"<p>{_w('failing', lang)}</p><ul>{items}</ul>")
    if c.missing:
        items = "".join(f"<li>{escape(q.label)}</li>" for q in c.missing)
        lines.append(f"<p>{_w('missing', lang)}</p><ul>{items}</ul>")
    if c.score is not None:
        lines.append(f"<p>{escape(c.score.status)}</p><ul>" + "".join(
            f"<li>{escape(i.name)}: {escape(i.points)} / {escape(i.maximum)}</li>" for i in c.score.indicators) +
            "".join(f"<li>{escape(ch)}</li>" for ch in c.score.changes) + "</ul>")
    if c.trace is not None:
        lines.append(f"<ul class=\"trace\">{_trace_html(c.trace, lang)}</ul>")
    return f"<div class=\"measure\">{''.join(lines)}</div>"


def _results_html(reading: Reading, lang: str) -> str:
    out = [f"<h2>{_w('results', lang)}</h2>"]
    for key, cards in reading.groups.items():
        if cards and key != "not_applicable":
            out += [_card_html(c, lang) for c in cards]
    rest = reading.groups.get("not_applicable", [])
    if rest:
        out.append(f"<p class=\"not_applicable\"><b>{escape(reading.titles['not_applicable'])}</b>"
                   f"{'：' if lang != 'en' else ': '}" + escape(("; " if lang == "en" else "；").join(
                       f"{c.title}（{c.reason}）" if lang != "en" else f"{c.title} ({c.reason})" for c in rest)) + "</p>")
    return "".join(out)


def _trace_html(node: TraceView, lang: str) -> str:
    colon = "：" if lang != "en" else ": "
    bits = [f"<li><span class=\"{escape(node.result)}\">[{escape(node.result_label)}]</span> {escape(node.text)}"]
    if node.yours:
        bits.append(f"<br>{_w('yours', lang)}{colon}{escape(node.yours)}")
    if node.required:
        bits.append(f"<br>{_w('required', lang)}{colon}{escape(node.required)}")
    if node.reads:
        bits.append(f"<br>{_w('read', lang)}{colon}" + escape(("; " if lang == "en" else "；").join(
            f"{r.label}{colon}{r.value}" for r in node.reads)))
    for p in node.thresholds:
        bits.append(f"<br>{_w('threshold', lang)}{colon}{escape(p.label)}{colon}{escape(p.value)}"
                    + (f" ({escape(p.source)})" if lang == "en" else f"（{escape(p.source)}）") if p.source else "")
    if node.missing:
        bits.append(f"<br>{_w('lacking', lang)}{colon}{escape(('; ' if lang == 'en' else '、').join(node.missing))}")
    if node.children:
        bits.append(f"<ul class=\"trace\">{''.join(_trace_html(c, lang) for c in node.children)}</ul>")
    return "".join(bits) + "</li>"


def _sources_html(reading: Reading, lang: str) -> str:
    rows = [f"<tr><td>{escape(c.title)}</td><td>{escape(c.source)}</td><td>{escape(c.confidence)} · "
            f"{escape(CONFIDENCE[c.confidence].get(lang) if c.confidence in CONFIDENCE else '')}</td></tr>"
            for c in reading.cards if c.category != "not_applicable"]
    head = f"<tr><th>{_w('measure', lang)}</th><th>{_w('source', lang)}</th><th>{_w('confidence', lang)}</th></tr>"
    return f"<h2>{_w('sources', lang)}</h2><table>{head}{''.join(rows)}</table>"


def _warnings_html(reading: Reading, lang: str) -> str:
    if not reading.warnings:
        return ""
    items = "".join(f"<li>{escape(w.text)}</li>" for w in reading.warnings)
    return f"<h2>{_w('warnings', lang)}</h2><ul>{items}</ul>"


def _reviews_html(reviews: list[dict[str, Any]], lang: str) -> str:
    if not reviews:
        return ""
    from web.bureau.stored import ACTION_LABELS  # the bureau's labels of review actions

    head = (f"<tr><th>{_w('when', lang)}</th><th>{_w('who', lang)}</th><th>{_w('action', lang)}</th>"
            f"<th>{_w('reason', lang)}</th></tr>")
    rows = "".join(f"<tr><td>{escape(str(r['created_at']))}</td><td>{escape(r['user'])}</td>"
                   f"<td>{escape(ACTION_LABELS[r['action']].get(lang) if r['action'] in ACTION_LABELS else r['action'])}"
                   f"</td><td>{escape(r['reason'])}</td></tr>" for r in reviews)
    return f"<h2>{_w('reviews', lang)}</h2><table>{head}{rows}</table>"
