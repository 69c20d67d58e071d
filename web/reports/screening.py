"""Register screening (免申即享): decide a chunk of profiles column-wise, format its rows, add up a summary.

`screen_chunk` is what one worker does with one chunk: validate, evaluate on the compiled catalogue
(engine.fast.columnar), and return the CSV and JSONL text of its results, its rejects and its part of
the summary — plain data, so chunks can be screened in other processes and merged in order.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from engine.canonical import fraction_text
from engine.decision import Amount
from engine.fast.batch import ELIGIBLE, INELIGIBLE, UNDETERMINED
from engine.fast.columnar import Columnar
from engine.fast.result import Result
from engine.gaps import conditions_of
from engine.register import safe_cell
from web.reports.registers import Chunk, RawChunk, raw_absent, validate

RESULT_COLUMNS = ["row", "credit_code", "name", "region_code", "measure", "outcome", "amount", "amount_kind",
                  "first_failing", "first_failing_text", "missing"]
REJECT_COLUMNS = ["row", "credit_code", "name", "path", "code", "message_zh", "message_en"]
OUTCOMES = ("eligible", "undetermined", "ineligible", "not_applicable")


def _no_outcomes() -> dict[str, int]:
    return dict.fromkeys(OUTCOMES, 0)


def _no_budget() -> dict[str, Any]:
    return {"exact": 0, "up_to": 0, "unpublished": 0, "unknown": 0, "rate": 0}


@dataclass
class Summary:
    """Counts and budgets per measure and per district (region_code); merged across chunks."""

    read: int = 0
    accepted: int = 0
    rejected: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(_no_outcomes))
    budget: dict[str, dict[str, Any]] = field(default_factory=lambda: defaultdict(_no_budget))
    districts: dict[str, dict[str, list[Any]]] = field(default_factory=lambda: defaultdict(dict))

    def merge(self, other: Summary) -> None:
        self.read += other.read
        self.accepted += other.accepted
        self.rejected += other.rejected
        for mid, counts in other.counts.items():
            for key, value in counts.items():
                self.counts[mid][key] += value
        for mid, budget in other.budget.items():
            for key, value in budget.items():
                self.budget[mid][key] += value
        for region, measures in other.districts.items():
            for mid, (count, money) in measures.items():
                mine = self.districts[region].setdefault(mid, [0, 0])
                mine[0] += count
                mine[1] += money

    def as_dict(self) -> dict[str, Any]:
        return {"read": self.read, "accepted": self.accepted, "rejected": self.rejected,
                "counts": {k: dict(v) for k, v in sorted(self.counts.items())},
                "budget": {k: {b: _plain(x) for b, x in v.items()} for k, v in sorted(self.budget.items())},
                "districts": {r: {m: [c, _plain(x)] for m, (c, x) in sorted(v.items())}
                              for r, v in sorted(self.districts.items())}}


@dataclass
class ChunkOutput:
    csv_text: str
    jsonl_text: str
    rejects_text: str
    summary: Summary


def _plain(value: Any) -> Any:
    return fraction_text(value) if isinstance(value, Fraction) else value


def amount_cells(amount: Amount) -> tuple[Any, str]:
    """(value for the CSV, kind): yuan for cash, a rate as a decimal, nothing for the others."""
    if amount.kind in ("exact", "up_to", "rate") and isinstance(amount.value, int | Fraction):
        return _plain(amount.value), amount.kind
    return "", amount.kind


class Screener:
    """One compiled catalogue, reused for every chunk of a register."""

    def __init__(self, program: Any, today: dt.date, with_missing: bool = True, include_na: bool = False):
        self.program = program
        self.columnar = Columnar(program)
        self.today = today
        self.with_missing = with_missing
        self.include_na = include_na
        self.ids = list(program.sorted_ids)
        self.texts = {mid: _condition_texts(program.ruleset.measures[mid]) for mid in self.ids}
        self.fragments: dict[tuple[Any, ...], tuple[str, str]] = {}
        self.by_key: dict[int, tuple[str, str]] = {}

    def screen(self, raw: RawChunk) -> ChunkOutput:
        chunk = validate(raw, self.today)
        summary = Summary(read=chunk.read, accepted=len(chunk.profiles), rejected=len(chunk.rejects))
        rows: list[str] = []
        lines: list[str] = []
        if chunk.profiles:
            result = self.columnar.evaluate(chunk.profiles, absent=raw_absent(raw))
            self._summarise(result, chunk, summary)
            self._write(result, chunk, rows, lines)
        return ChunkOutput("".join(rows), "".join(lines), _rejects_text(chunk), summary)

    def _summarise(self, result: Result, chunk: Chunk, summary: Summary) -> None:
        regions = [_get(p, "region_code") or "" for p in chunk.profiles]
        for mid in self.ids:
            columns = result.measures[mid]
            for outcome, count in result.counts(mid).items():
                summary.counts[mid][outcome] += count
            budget = summary.budget[mid]
            for i in np.flatnonzero(columns.codes == ELIGIBLE):
                amount = columns.amount_of(int(i))
                if amount.kind in ("exact", "up_to") and isinstance(amount.value, int | Fraction):
                    budget[amount.kind] += amount.value
                    money = amount.value
                else:
                    budget[amount.kind if amount.kind in budget else "unknown"] += 1 if amount.kind != "none" else 0
                    money = 0
                entry = summary.districts[regions[int(i)]].setdefault(mid, [0, 0])
                entry[0] += 1
                entry[1] += money

    def _write(self, result: Result, chunk: Chunk, rows: list[str], lines: list[str]) -> None:
        """Results in row order: a CSV line per shown (enterprise, measure), a JSON line per enterprise.

        The measure-specific part of a line repeats a lot (same measure, outcome, first failing
        condition), so it is rendered once per distinct content and reused.
        """
        matrix = np.stack([result.measures[mid].codes for mid in self.ids])
        shown = matrix >= ELIGIBLE if not self.include_na else np.ones_like(matrix, bool)
        keys = self._keys(result, matrix)
        cache, by_key = self.fragments, self.by_key
        for i, (number, profile) in enumerate(zip(chunk.rows, chunk.profiles, strict=True)):
            code, name, region = _get(profile, "credit_code"), _get(profile, "name"), _get(profile, "region_code")
            prefix = f"{number},{csv_field(safe_cell(code))},{csv_field(safe_cell(name))},{csv_field(region or '')},"
            parts = []
            for k in np.flatnonzero(shown[:, i]):
                key = int(keys[k, i])
                found = by_key.get(key) if key >= 0 else None
                if found is None:
                    cells = self._cells(result, self.ids[int(k)], i, int(matrix[k, i]))
                    found = cache.get(cells)
                    if found is None:
                        found = cache[cells] = (",".join(csv_field(str(c)) for c in cells), json.dumps(
                            dict(zip(RESULT_COLUMNS[4:], cells, strict=True)), ensure_ascii=False, default=str))
                    if key >= 0:
                        by_key[key] = found
                rows.append(prefix + found[0] + "\r\n")
                parts.append(found[1])
            lines.append(f'{{"row": {number}, "credit_code": {json.dumps(code, ensure_ascii=False)}, "name": '
                         f'{json.dumps(name, ensure_ascii=False)}, "region_code": {json.dumps(region)}, '
                         f'"results": [{", ".join(parts)}]}}\n')
        if len(cache) > 200_000:
            cache.clear()
            by_key.clear()

    def _keys(self, result: Result, matrix: Any) -> Any:
        """Per (measure, row): a key naming its output when that output depends only on the measure, the
        outcome and the first failing condition (a fixed amount, no scalar override); -1 otherwise."""
        keys = np.full(matrix.shape, -1, np.int64)
        for k, mid in enumerate(self.ids):
            columns = result.measures[mid]
            if columns.amount is None:  # amounts differ row by row
                continue
            bits = columns.failing_bits
            lowest = bits & -bits
            first = np.where(bits > 0, np.log2(np.maximum(lowest, 1)).astype(np.int64) + 1, 0)
            key = (k * 8 + matrix[k].astype(np.int64)) * 64 + first
            usable = ~columns.fallback & ~np.isin(np.arange(len(bits)), list(columns.overrides))
            if self.with_missing:
                usable &= matrix[k] != UNDETERMINED
            keys[k] = np.where(usable, key, -1)
        return keys

    def _cells(self, result: Result, mid: str, i: int, code: int) -> tuple[Any, ...]:
        columns = result.measures[mid]
        if code not in (ELIGIBLE, INELIGIBLE, UNDETERMINED):
            return (mid, columns.verdict(i).outcome.value, "", "none", "", "", "")
        amount, kind = amount_cells(columns.amount_of(i))
        first = columns.first_failing(i) if code == INELIGIBLE else None
        missing = ";".join(columns.verdict(i).missing) if code == UNDETERMINED and self.with_missing else ""
        outcome = {ELIGIBLE: "eligible", INELIGIBLE: "ineligible", UNDETERMINED: "undetermined"}[code]
        return (mid, outcome, amount, kind, first or "", safe_cell(self.texts[mid].get(first, "")) if first else "",
                missing)


def csv_field(text: str) -> str:
    """One CSV field as csv.writer writes it (quoted only when needed)."""
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _condition_texts(measure: Any) -> dict[str, str]:
    out = {cid: cond.text.zh for cid, cond in conditions_of(measure.criteria).items()}
    stack = [measure.criteria]
    while stack:
        node = stack.pop()
        children = getattr(node, "children", ())
        if getattr(node, "op", None) == "not" and node.text is not None:
            out[node.id] = node.text.zh
        stack.extend(children)
    return out


def _get(profile: Any, name: str) -> Any:
    return profile.get(name) if isinstance(profile, dict) else getattr(profile, name, None)


def _rejects_text(chunk: Chunk) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for reject in chunk.rejects:
        for issue in reject.issues:
            writer.writerow([reject.row, safe_cell(reject.credit_code), safe_cell(reject.name), safe_cell(issue.path),
                             issue.code, safe_cell(issue.message.zh), safe_cell(issue.message.en)])
    return out.getvalue()
