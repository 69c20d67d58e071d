"""Register screening (免申即享): decide a chunk column-wise, write its rows column-wise, add up a summary.

`Screener.screen(raw)` is what one worker does with one raw chunk: validate it column-wise (engine.io),
evaluate it on the compiled catalogue (engine.fast.columnar through engine.io's register batch), and
return the CSV and JSONL text of its results, its rejects and its part of the summary — plain data,
so chunks can be screened in other processes or on a Dask cluster and merged in order.

The text of a result depends, for most (measure, row) pairs, only on the measure, the outcome and the
first failing condition: each distinct one is rendered once and the lines are put together with numpy
(no per-row Python for them). Outcomes are read by their string (`Outcome.value`): an outcome the
engine adds later is written and counted, and only "eligible" cash counts as money receivable; a
"conditional" amount (eligible once recognised) is added up apart.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

import numpy as np

from engine.benefits import counts_as_receivable
from engine.canonical import fraction_text
from engine.decision import Amount
from engine.fast.batch import ELIGIBLE
from engine.fast.columnar import Columnar
from engine.fast.result import CODES, Result
from engine.gaps import conditions_of
from engine.io import Chunk, RawChunk, evaluate_chunk, safe_cell, validate
from engine.io.csv_writer import field as csv_field

RESULT_COLUMNS = ["row", "credit_code", "name", "region_code", "measure", "outcome", "amount", "amount_kind",
                  "first_failing", "first_failing_text", "missing"]
REJECT_COLUMNS = ["row", "credit_code", "name", "path", "code", "message_zh", "message_en"]
OUTCOMES = ("eligible", "undetermined", "ineligible", "not_applicable")
RECEIVABLE = "eligible"  # the only outcome whose cash is money receivable now
CONDITIONAL = "conditional"  # 认定后可申请: listed apart, never in the receivable totals
OUTCOME_OF = {code: outcome.value for code, outcome in CODES.items()}


def _no_outcomes() -> dict[str, int]:
    return dict.fromkeys(OUTCOMES, 0)


def _no_budget() -> dict[str, Any]:
    return {"exact": 0, "up_to": 0, "unpublished": 0, "unknown": 0, "rate": 0, "conditional": 0}


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
                self.counts[mid][key] = self.counts[mid].get(key, 0) + value
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
    """One chunk's lines of results.csv and results.jsonl (UTF-8 bytes: they travel from a worker and are written
    as they are, never re-encoded), its rejects and its summary."""

    csv_data: bytes
    jsonl_data: bytes
    rejects_text: str
    summary: Summary
    part: tuple[str, int, int] | None = None  # spooled: (file, bytes of results.csv, bytes of results.jsonl)
    table: Any = None  # results.parquet's rows of the chunk (engine.io.results_parquet), when asked for


def _plain(value: Any) -> Any:
    return fraction_text(value) if isinstance(value, Fraction) else value


def amount_cells(amount: Amount) -> tuple[Any, str]:
    """(value for the CSV, kind): yuan for cash, a rate as a decimal, nothing for the others."""
    if amount.kind in ("exact", "up_to", "rate") and isinstance(amount.value, int | Fraction):
        return _plain(amount.value), amount.kind
    return "", amount.kind


def cash(amount: Amount) -> Any:
    """The yuan an amount adds to a budget: money receivable as of right (engine.benefits.counts_as_receivable —
    exact amounts and "up to" caps paid to the applicant as an entitlement), else None (competitive and
    case-by-case maxima, tax treatments, compensation paid to a bank are never added)."""
    return amount.value if counts_as_receivable(amount) else None


class Screener:
    """One compiled catalogue, reused for every chunk of a register."""

    def __init__(self, program: Any, today: dt.date, with_missing: bool = True, include_na: bool = False,
                 formats: Any = ("csv", "jsonl")):
        self.program = program
        self.columnar = Columnar(program)
        self.today = today
        self.with_missing = with_missing
        self.include_na = include_na
        self.ids = list(program.sorted_ids)
        self.texts = {mid: _condition_texts(program.ruleset.measures[mid]) for mid in self.ids}
        self.formats = frozenset(formats)
        self.fragments: dict[tuple[Any, ...], tuple[bytes, bytes]] = {}
        self.cell_ids: dict[tuple[Any, ...], int] = {}  # distinct result cells, numbered as first met
        self.cells: list[tuple[Any, ...]] = []

    def screen(self, raw: RawChunk, part: Any = None) -> ChunkOutput:
        """One chunk screened. Its lines come back as bytes, or, given `part` (a binary file), are written there
        piece by piece (results.csv's, then results.jsonl's: no joined copy) and only the sizes come back."""
        chunk = validate(raw, self.today)
        summary = Summary(read=chunk.read, accepted=chunk.n, rejected=len(chunk.rejects))
        csv_pieces: list[bytes] = []
        jsonl_pieces: list[bytes] = []
        table = None
        if chunk.n:
            result = evaluate_chunk(self.columnar, chunk)
            regions = np.array([r or "" for r in chunk.text("region_code")], dtype=object)
            self._summarise(result, regions, summary)
            csv_pieces, jsonl_pieces, table = self._write(result, chunk, regions)
        if len(self.cells) > 200_000:  # distinct results seen: kept across chunks, within bounds
            self.fragments, self.cell_ids, self.cells = {}, {}, []
        if part is None:
            return ChunkOutput(b"".join(csv_pieces), b"".join(jsonl_pieces), _rejects_text(chunk), summary, table=table)
        start = part.tell()
        part.writelines(csv_pieces)
        middle = part.tell()
        part.writelines(jsonl_pieces)
        return ChunkOutput(b"", b"", _rejects_text(chunk), summary, (part.name, middle - start, part.tell() - middle),
                           table)

    # -- the summary ----------------------------------------------------------------------------------

    def _summarise(self, result: Result, regions: Any, summary: Summary) -> None:
        names, where = np.unique(regions, return_inverse=True)
        for mid in self.ids:
            columns = result.measures[mid]
            for outcome, count in result.counts(mid).items():
                summary.counts[mid][outcome] = summary.counts[mid].get(outcome, 0) + count
            codes = columns.codes
            self._budget(columns, np.flatnonzero(_is(RECEIVABLE)[codes]), names, where, summary.budget[mid],
                         summary.districts, mid)
            conditional = np.flatnonzero(_is(CONDITIONAL)[codes])
            summary.budget[mid]["conditional"] += sum(cash(columns.amount_of(int(i))) or 0 for i in conditional)

    @staticmethod
    def _budget(columns: Any, rows: Any, names: Any, where: Any, budget: dict[str, Any],
                districts: dict[str, dict[str, list[Any]]], mid: str) -> None:
        fixed = columns.amount if isinstance(columns.amount, Amount) and not columns.overrides else None
        if fixed is not None:  # the same amount for every eligible row: count, then multiply
            per_region = np.bincount(where[rows], minlength=len(names))
            money = cash(fixed)
            _add_kind(budget, fixed, len(rows), money)
            for r in np.flatnonzero(per_region):
                entry = districts[str(names[r])].setdefault(mid, [0, 0])
                entry[0] += int(per_region[r])
                entry[1] += int(per_region[r]) * (money or 0)
            return
        for i in rows:  # amounts that depend on the profile: the engine works them out row by row
            amount = columns.amount_of(int(i))
            money = cash(amount)
            _add_kind(budget, amount, 1, money)
            entry = districts[str(names[where[i]])].setdefault(mid, [0, 0])
            entry[0] += 1
            entry[1] += money or 0

    # -- the results, column-wise ----------------------------------------------------------------------

    def _write(self, result: Result, chunk: Chunk, regions: Any) -> tuple[list[bytes], list[bytes], Any]:
        """A CSV line per shown (enterprise, measure) and a JSON line per enterprise, in row order, and/or the same
        results as an Arrow table: each distinct result's cells found once (an id per result), each distinct
        fragment encoded once, the lines joined as bytes (no string built per line)."""
        matrix = np.stack([result.measures[mid].codes for mid in self.ids])
        shown = matrix >= ELIGIBLE if not self.include_na else np.ones_like(matrix, bool)
        ids = np.full(matrix.shape, -1, np.int64)
        for k, mid in enumerate(self.ids):
            self._measure_ids(result, mid, matrix[k], shown[k], ids[k])
        rows_i, measures_k = np.nonzero(shown.T)  # row-major: row by row, measures in id order
        flat = ids[measures_k, rows_i]
        present = np.zeros(len(self.cells), bool)
        present[flat] = True  # the ids are places in self.cells: their distinct values without a sort
        used = np.flatnonzero(present)
        which = (np.cumsum(present) - 1)[flat]
        csv_pieces: list[bytes] = []
        jsonl_pieces: list[bytes] = []
        table = None
        if "parquet" in self.formats:
            from engine.io.results_parquet import results_table

            texts = {name: chunk.text(name) for name in ("credit_code", "name")}
            texts["region_code"] = [r or None for r in regions.tolist()]
            table = results_table(chunk.rows, texts, rows_i, [self.cells[f] for f in used], which)
        if "csv" in self.formats:
            codes = np.array([safe_cell(c) if c else "" for c in chunk.text("credit_code")], dtype=object)
            names = np.array([safe_cell(c) if c else "" for c in chunk.text("name")], dtype=object)
            prefix = (np.char.mod("%d,", chunk.rows).astype(object) + _csv_column(codes) + "," + _csv_column(names)
                      + "," + _csv_column(regions.astype(object)) + ",")
            pieces = np.empty(2 * len(rows_i), object)
            pieces[0::2] = _encoded(prefix)[rows_i]
            pieces[1::2] = self._rendered(used, 0)[which]
            csv_pieces = pieces.tolist()
        if "jsonl" in self.formats:
            jsonl_pieces = self._jsonl(chunk, regions, rows_i, self._rendered(used, 1)[which])
        return csv_pieces, jsonl_pieces, table

    def _measure_ids(self, result: Result, mid: str, codes: Any, shown: Any, out: Any) -> None:
        """The id of each shown row's result cells (`self.cells`) for one measure."""
        columns = result.measures[mid]
        keys = self._keys(columns, codes)
        rows = np.flatnonzero(shown)
        usable = rows[keys[rows] >= 0]
        if len(usable):
            distinct, first = np.unique(keys[usable], return_index=True)
            found = np.array([self._id(self._cells(columns, mid, int(usable[j]), int(codes[usable[j]])))
                              for j in first], np.int64)
            out[usable] = found[np.searchsorted(distinct, keys[usable])]
        for i in rows[keys[rows] < 0]:  # amounts, missing fields or a scalar verdict of this row
            out[i] = self._id(self._cells(columns, mid, int(i), int(codes[i])))

    def _id(self, cells: tuple[Any, ...]) -> int:
        found = self.cell_ids.get(cells)
        if found is None:
            found = self.cell_ids[cells] = len(self.cells)
            self.cells.append(cells)
        return found

    def _rendered(self, used: Any, which: int) -> Any:
        """The CSV (0) or JSON (1) fragment of each used cell id, as an object array of bytes."""
        out = np.empty(len(used), object)
        out[:] = [self._render(self.cells[f])[which] for f in used.tolist()]
        return out

    def _render(self, cells: tuple[Any, ...]) -> tuple[bytes, bytes]:
        found = self.fragments.get(cells)
        if found is None:
            found = self.fragments[cells] = (
                (",".join(csv_field(str(c)) for c in cells) + "\r\n").encode(),
                json.dumps(dict(zip(RESULT_COLUMNS[4:], cells, strict=True)), ensure_ascii=False,
                           default=str).encode())
        return found

    def _keys(self, columns: Any, codes: Any) -> Any:
        """Per row: a key naming its output when that output depends only on the outcome, the first failing
        condition and the amount (none, the same for every row, or the same for the rows of an amount group —
        MeasureColumns.amount_of gives each of them its group's Amount); no scalar override. -1 otherwise."""
        bits = columns.failing_bits
        lowest = bits & -bits
        first = np.where(bits > 0, np.log2(np.maximum(lowest, 1)).astype(np.int64) + 1, 0)
        key = codes.astype(np.int64) * 64 + first
        usable = ~columns.fallback
        if columns.amount is None:  # amounts differ row by row: results without an amount share a text, and
            usable &= _is("ineligible", "not_applicable")[codes]  # eligible / undetermined of one amount group
            groups = columns.amount_groups
            if groups is not None:
                grouped = _is("eligible", "undetermined")[codes] & (groups >= 0)
                usable |= grouped & ~columns.fallback
                key = np.where(grouped, key + (groups + 1) * 4096, key)
        if columns.overrides:
            usable[list(columns.overrides)] = False
        if self.with_missing:
            usable &= ~_is("undetermined")[codes]
        return np.where(usable, key, -1)

    def _cells(self, columns: Any, mid: str, i: int, code: int) -> tuple[Any, ...]:
        verdict_outcome = OUTCOME_OF.get(code)
        if verdict_outcome is None or verdict_outcome == "not_applicable" or i in columns.overrides:
            verdict = columns.verdict(i)
            verdict_outcome = verdict.outcome.value
            if verdict_outcome == "not_applicable":
                return (mid, verdict_outcome, "", "none", "", "", "")
        amount, kind = amount_cells(columns.amount_of(i))
        first = columns.first_failing(i) if verdict_outcome == "ineligible" else None
        missing = ";".join(columns.verdict(i).missing) if verdict_outcome == "undetermined" and self.with_missing \
            else ""
        return (mid, verdict_outcome, amount, kind, first or "",
                safe_cell(self.texts[mid].get(first, "")) if first else "", missing)

    @staticmethod
    def _jsonl(chunk: Chunk, regions: Any, rows_i: Any, parts: Any) -> list[bytes]:
        """Per row: its head, then each result and a separator (", " or the closing "]}\n")."""
        n = chunk.n
        counts = np.bincount(rows_i, minlength=n)
        heads = ('{"row": ' + np.char.mod("%d", chunk.rows).astype(object) + ', "credit_code": '
                 + _json_texts(chunk.text("credit_code")) + ', "name": ' + _json_texts(chunk.text("name"))
                 + ', "region_code": ' + _json_texts([r or None for r in regions.tolist()]) + ', "results": [')
        heads[counts == 0] += "]}\n"
        last = np.ones(len(rows_i), bool)
        last[:-1] = rows_i[1:] != rows_i[:-1]
        tails = np.full(len(rows_i), b", ", object)
        tails[last] = b"]}\n"
        pieces = np.empty(n + 2 * len(rows_i), object)
        starts = np.arange(n) + 2 * np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        pieces[starts] = _encoded(heads)
        body = np.ones(len(pieces), bool)
        body[starts] = False
        at = np.flatnonzero(body)
        pieces[at[0::2]] = parts
        pieces[at[1::2]] = tails
        return list(pieces.tolist())


OUTCOME_ARRAY = np.array([OUTCOME_OF.get(c, "") for c in range(max(OUTCOME_OF) + 1)] + [""] * 8, dtype=object)


@lru_cache(maxsize=16)
def _is(*outcomes: str) -> Any:
    """Per outcome code: whether its outcome is one of these (index it with a codes column: no text per row)."""
    return np.isin(OUTCOME_ARRAY, outcomes)


def _encoded(texts: Any) -> Any:
    """An object array of str as an object array of their UTF-8 bytes."""
    out = np.empty(len(texts), object)
    out[:] = [text.encode() for text in texts.tolist()]
    return out


def _json_texts(values: list[Any]) -> Any:
    """Each text as a JSON string (the standard library's C encoder, as json.dumps writes it), None as null."""
    out = np.array(list(map(_encode_text, values)), dtype=object) if values else np.zeros(0, object)
    return out


def _encode_text(value: Any) -> str:
    return "null" if value is None else encode_basestring(value)


def _add_kind(budget: dict[str, Any], amount: Amount, count: int, money: Any) -> None:
    if money is not None:
        budget[amount.kind] += count * money
    elif amount.kind != "none":
        budget[amount.kind if amount.kind in budget else "unknown"] += count


def _csv_column(texts: Any) -> Any:
    """csv_field over an object array of texts, column-wise (only the cells that need quoting are touched)."""
    if not len(texts):
        return texts
    plain = texts.astype(str)
    special = np.zeros(len(texts), bool)
    for ch in (",", '"', "\n", "\r"):
        special |= np.char.find(plain, ch) >= 0
    out = texts.copy()
    for i in np.flatnonzero(special):
        out[i] = csv_field(str(texts[i]))
    return out


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


def _rejects_text(chunk: Chunk) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for reject in chunk.rejects:
        for issue in reject.issues:
            writer.writerow([reject.row, safe_cell(reject.credit_code), safe_cell(reject.name), safe_cell(issue.path),
                             issue.code, safe_cell(issue.message.zh), safe_cell(issue.message.en)])
    return out.getvalue()
