"""Read a bureau register (失信名单 / 重大事故名单) from CSV into a Register, every bad line reported.

Columns (header required, any order): credit_code, list, reason, and optionally listed_on (YYYY-MM-DD).
`list` is `dishonesty` (also 失信) or `incident` (also 事故). Credit codes are checked (GB 32100 check
character) so that a typo in the register cannot silently miss an applicant. Errors carry file:line
and are raised together as RuleLoadError, like a rule file's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from engine.errors import RuleFileError, RuleLoadError
from engine.standards.uscc import validate_uscc
from engine.suggest import hint_for
from engine.triage.facts import ListKind, Register, RegisterEntry

REQUIRED = ("credit_code", "list", "reason")
LIST_NAMES: dict[str, ListKind] = {"dishonesty": "dishonesty", "失信": "dishonesty", "incident": "incident",
                                   "事故": "incident"}


def load_register(path: Path | str) -> Register:
    """Read the register CSV at `path` (UTF-8, with or without BOM)."""
    path = Path(path)
    return register_from_csv(path.read_text(encoding="utf-8-sig"), path.name)


def register_from_csv(text: str, filename: str = "register.csv") -> Register:
    """Parse register CSV text.

    Raises:
        RuleLoadError: every bad line (missing column, unknown list, invalid credit code, bad date).

    >>> register_from_csv("credit_code,list,reason\\n914403001922038216,失信,法院判决\\n").entries[0].kind
    'dishonesty'
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RuleLoadError([RuleFileError(filename, 1, 1, "missing-column",
                                           f"the header needs the column(s) {', '.join(missing)}",
                                           hint_for(missing[0], header))])
    entries: list[RegisterEntry] = []
    errors: list[RuleFileError] = []
    for row in reader:
        line = reader.line_num
        clean = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        if not any(clean.values()):
            continue
        entry = _entry(clean, filename, line, errors)
        if entry is not None:
            entries.append(entry)
    if errors:
        raise RuleLoadError(errors)
    return Register(entries=tuple(entries))


def _entry(row: dict[str, str], filename: str, line: int,
           errors: list[RuleFileError]) -> RegisterEntry | None:
    before = len(errors)
    code, issues = validate_uscc(row["credit_code"])
    for issue in (i for i in issues if i.severity == "error"):
        text = f"credit code '{row['credit_code']}': {issue.message.en} / {issue.message.zh}"
        errors.append(RuleFileError(filename, line, 1, "bad-credit-code", text))
    kind = LIST_NAMES.get(row["list"])
    if kind is None:
        errors.append(RuleFileError(filename, line, 1, "unknown-list", f"unknown list '{row['list']}'",
                                    hint_for(row["list"], LIST_NAMES)))
    if not row["reason"]:
        errors.append(RuleFileError(filename, line, 1, "missing-reason", "every entry needs a reason"))
    listed_on = None
    if row.get("listed_on"):
        try:
            listed_on = dt.date.fromisoformat(row["listed_on"])
        except ValueError:
            errors.append(RuleFileError(filename, line, 1, "bad-date",
                                        f"listed_on '{row['listed_on']}' is not a date (YYYY-MM-DD)"))
    if len(errors) > before or kind is None:
        return None
    return RegisterEntry(credit_code=code, kind=kind, reason=row["reason"], listed_on=listed_on)
