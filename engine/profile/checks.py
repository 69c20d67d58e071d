"""The one profile-checking module: data standards and cross-field checks, for profiles and register columns.

Every check is written once here, with its zh/en message. `check_profile` runs them on a parsed profile:
errors (bad credit code, future dates, duplicate years…) stop it; inconsistencies that may be real but
deserve a reviewer's eye (S&T staff > staff, R&D > sales, high-tech income > total income) are warnings
the engine carries into the decision. The same predicates, applied to whole numpy columns, tell a
register reader (engine.io) which rows are plainly valid (`column_problems`); a row with any problem goes
to `parse_profile`, which either accepts it or returns these checks' messages for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from engine.errors import Message, ProfileIssue
from engine.standards import (
    validate_id_number,
    validate_industry_code,
    validate_park,
    validate_region_code,
    validate_tech_field,
    validate_uscc,
)
from engine.standards.uscc import AUTHORITIES, CHARSET, PROVINCE_PREFIXES, WEIGHTS

# -- the predicates: each works on scalars and on numpy columns alike -----------------------------------


def is_future(day: Any, today: Any) -> Any:
    """DATE_FUTURE: a date after `today` (dates, or day ordinals / datetime64 columns)."""
    return day > today


def before_registration(year: Any, registered_year: Any) -> Any:
    """YEAR_BEFORE_REGISTRATION: a fiscal year before the year the enterprise was registered."""
    return year < registered_year


def exceeds(part: Any, whole: Any) -> Any:
    """RD_INCONSISTENT (an error) and the *_EXCEEDS_* / *_INCONSISTENT warnings: a part above its whole."""
    return part > whole


# -- checks of a parsed profile ---------------------------------------------------------------------------


def check_profile(profile: Any, today: dt.date) -> tuple[list[ProfileIssue], list[ProfileIssue]]:
    issues: list[ProfileIssue] = []
    issues += _standards(profile, today)
    issues += _dates(profile, today)
    issues += _years(profile)
    issues += _consistency(profile)
    errors = [i for i in issues if i.severity == "error"]
    warnings = [i for i in issues if i.severity != "error"]
    return errors, warnings


def _standards(profile: Any, today: dt.date) -> list[ProfileIssue]:
    out: list[ProfileIssue] = []
    for name in ("credit_code", "employer_credit_code", "host_credit_code"):
        value = getattr(profile, name, None)
        if value is not None:
            out += validate_uscc(value, path=name)[1]
    if getattr(profile, "region_code", None) is not None:
        out += validate_region_code(profile.region_code, path="region_code")
        if getattr(profile, "park_code", None):
            out += validate_park(profile.park_code, profile.region_code, path="park_code")
    if getattr(profile, "tech_field", None) is not None:
        out += validate_tech_field(profile.tech_field, path="tech_field")[1]
    if getattr(profile, "industry_code", None) is not None:
        out += validate_industry_code(profile.industry_code, path="industry_code")[1]
    for path, person in _people(profile):
        if person.id_number:
            out += validate_id_number(person.id_number, doc_type=person.id_type, path=f"{path}.id_number",
                                      today=today)[1]
    return out


def _people(profile: Any) -> list[tuple[str, Any]]:
    if profile.kind == "talent":
        return [("person", profile.person)]
    if profile.kind == "team":
        return [("leader", profile.leader)]
    return []


def _future(path: str, value: dt.date | None, today: dt.date) -> list[ProfileIssue]:
    if value is None or not is_future(value, today):
        return []
    return [ProfileIssue(path, "DATE_FUTURE", Message(
        f"日期{value.isoformat()}晚于今天（{today.isoformat()}），请核对。",
        f"The date {value.isoformat()} is after today ({today.isoformat()}); please check."))]


def _dates(profile: Any, today: dt.date) -> list[ProfileIssue]:
    out = _future("registered_on", getattr(profile, "registered_on", None), today)
    for i, cert in enumerate(getattr(profile, "certificates", None) or []):
        out += _future(f"certificates[{i}].issued_on", cert.issued_on, today)
    for path, person in _people(profile):
        out += _future(f"{path}.birth_date", person.birth_date, today)
    listing = getattr(profile, "listing", None)
    if listing is not None and listing.board != "none" and listing.listed_on is None:
        out.append(ProfileIssue("listing.listed_on", "MISSING", Message(
            "请填写上市/挂牌日期（未上市的请选择“未上市或挂牌”）。",
            "Enter the listing date (choose \"not listed\" if the firm is not listed).")))
    out += _future("listing.listed_on", getattr(listing, "listed_on", None), today)
    return out


def _years(profile: Any) -> list[ProfileIssue]:
    out: list[ProfileIssue] = []
    seen: set[int] = set()
    registered = getattr(profile, "registered_on", None)
    for i, year in enumerate(getattr(profile, "finance", [])):
        if year.year in seen:
            out.append(ProfileIssue(f"finance[{i}].year", "YEAR_DUPLICATE", Message(
                f"{year.year}年度重复填写。", f"Fiscal year {year.year} appears twice.")))
        seen.add(year.year)
        if registered and before_registration(year.year, registered.year):
            out.append(ProfileIssue(f"finance[{i}].year", "YEAR_BEFORE_REGISTRATION", Message(
                f"{year.year}年早于企业成立日期{registered.isoformat()}，该年度无需填写。",
                f"{year.year} is before the registration date {registered.isoformat()}; leave that year empty.")))
        if year.rd_domestic is not None and year.rd_expense is not None and exceeds(year.rd_domestic, year.rd_expense):
            out.append(ProfileIssue(f"finance[{i}].rd_domestic", "RD_INCONSISTENT", Message(
                f"境内研发费用（{year.rd_domestic}元）不能大于研发费用总额（{year.rd_expense}元）。",
                f"Domestic R&D expense ({year.rd_domestic}) cannot exceed total R&D expense ({year.rd_expense}).")))
    return out


def _warn(path: str, code: str, zh: str, en: str) -> ProfileIssue:
    return ProfileIssue(path, code, Message(zh, en), severity="warning")


def _consistency(profile: Any) -> list[ProfileIssue]:
    out: list[ProfileIssue] = []
    staff = getattr(profile, "staff", None)
    if staff is not None:
        for part, whole in (("sci_tech", "total"), ("sme_sci_tech", "sme_total")):
            a, b = getattr(staff, part), getattr(staff, whole)
            if a is not None and b is not None and exceeds(a, b):
                out.append(_warn(f"staff.{part}", "STAFF_INCONSISTENT",
                                 f"科技人员数（{a}）大于职工总数（{b}）。", f"S&T staff ({a}) exceed total staff ({b})."))
    for i, y in enumerate(getattr(profile, "finance", [])):
        if y.rd_expense is not None and y.sales is not None and exceeds(y.rd_expense, y.sales):
            out.append(_warn(f"finance[{i}].rd_expense", "RD_EXCEEDS_SALES",
                             f"{y.year}年研发费用大于销售收入，请核对。",
                             f"{y.year}: R&D expense exceeds sales; please check."))
        if y.hitech_income is not None and y.total_income is not None and exceeds(y.hitech_income, y.total_income):
            out.append(_warn(f"finance[{i}].hitech_income", "HITECH_EXCEEDS_TOTAL",
                             f"{y.year}年高新技术产品（服务）收入大于总收入，请核对。",
                             f"{y.year}: high-tech income exceeds total income; please check."))
        if y.net_assets is not None and y.total_assets is not None and exceeds(y.net_assets, y.total_assets):
            out.append(_warn(f"finance[{i}].net_assets", "NET_EXCEEDS_TOTAL_ASSETS",
                             f"{y.year}年净资产大于资产总额，请核对。",
                             f"{y.year}: net assets exceed total assets; please check."))
    return out


# -- the same checks over register columns: which rows are plainly valid ---------------------------------

# numpy is imported by the functions that read columns, not at `import engine`: checking one profile never needs
# it (a tenth of the CLI's start-up).

@lru_cache(maxsize=1)
def _uscc_tables() -> tuple[Any, Any, Any, Any]:
    """engine.standards.uscc's tables as arrays: value of each byte, authority×category pairs, provinces, weights."""
    import numpy as np

    table = np.full(256, -1, np.int64)
    for i, char in enumerate(CHARSET):
        table[ord(char)] = i
    authority_ok = np.zeros((256, 256), bool)
    for first, (_, categories) in AUTHORITIES.items():
        for second in categories:
            authority_ok[ord(first), ord(second)] = True
    return table, authority_ok, np.array(sorted(PROVINCE_PREFIXES), dtype="S2"), np.array(WEIGHTS, np.int64)


def uscc_plain(codes: Any) -> Any:
    """Per code (str values): True only when validate_uscc finds no error and the code is already in
    normal form — length, character set, authority and category, province digits, the MOD 31 check
    character, on engine.standards.uscc's own tables, column-wise (no per-code Python)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    uscc_table, authority_ok, provinces, weights = _uscc_tables()
    texts = codes if isinstance(codes, pa.Array) else pa.array(np.asarray(codes, dtype=object).tolist(), pa.string())
    n = len(texts)
    if not n:
        return np.zeros(0, bool)
    raw = pc.cast(texts, pa.binary())
    sized = pc.fill_null(pc.equal(pc.binary_length(raw), 18), False)
    fixed = pc.if_else(sized, raw, pa.scalar(b"\0" * 18, pa.binary()))
    start = int(np.frombuffer(fixed.buffers()[1], np.int32)[fixed.offset])
    grid = np.frombuffer(fixed.buffers()[2], np.uint8)[start:start + 18 * n].reshape(n, 18)
    values = uscc_table[grid]
    ok = sized.to_numpy(zero_copy_only=False) & (values >= 0).all(axis=1)
    ok &= authority_ok[grid[:, 0], grid[:, 1]]
    ok &= ((grid[:, 2:8] >= ord("0")) & (grid[:, 2:8] <= ord("9"))).all(axis=1)
    ok &= np.isin(grid[:, 2:4].copy().view("S2").ravel(), provinces)
    total = (np.where(values[:, :17] >= 0, values[:, :17], 0) * weights).sum(axis=1)
    ok &= uscc_table[grid[:, 17]] == (31 - total % 31) % 31
    return ok


@lru_cache(maxsize=4096)
def code_plain(kind: str, value: str, other: str = "") -> bool:
    """True when the data-standard validator of `kind` (region, park, tech, industry) finds no error."""
    if kind == "region":
        issues = validate_region_code(value, path="region_code")
    elif kind == "park":
        issues = validate_park(value, other, path="park_code")
    elif kind == "tech":
        issues = validate_tech_field(value)[1]
    else:
        issues = validate_industry_code(value)[1]
    return not any(i.severity == "error" for i in issues)


def codes_plain(kind: str, values: Any, known: Any, other: Any = None) -> Any:
    """`code_plain` over a column: each distinct value (pair) is validated once; unknown cells pass."""
    import numpy as np

    ok = np.ones(len(values), bool)
    keys = list(zip(values.tolist(), other.tolist(), strict=True)) if other is not None else values.tolist()
    verdicts: dict[Any, bool] = {}
    for i in np.flatnonzero(known):
        key = keys[i]
        found = verdicts.get(key)
        if found is None:
            found = verdicts[key] = code_plain(kind, *key) if other is not None else code_plain(kind, key)
        ok[i] = found
    return ok


Column = tuple[Any, Any]  # (values, known) numpy arrays; dates as day ordinals
_EPOCH = dt.date(1970, 1, 1).toordinal()


def column_problems(get: Callable[[str], Column | None], years: dict[int, list[str]], today: dt.date,
                    n: int) -> Any:
    """Rows with an error `check_profile` would report, over a register's typed columns.

    Args:
        get: the (values, known) columns of a profile path, or None when the register has no such column;
            fiscal-year fields are `finance[YEAR].field`.
        years: the fiscal years the register has columns for, each with its field names.
        n: the number of rows.
    """
    import numpy as np

    bad = np.zeros(n, bool)
    code = get("credit_code")
    if code is not None:
        bad |= code[1] & ~uscc_plain(np.where(code[1], code[0], ""))
    region, park = get("region_code"), get("park_code")
    if region is not None:
        bad |= ~codes_plain("region", *region)
        if park is not None:
            bad |= ~codes_plain("park", park[0], park[1] & region[1], region[0])
    for path, kind in (("tech_field", "tech"), ("industry_code", "industry")):
        found = get(path)
        if found is not None:
            bad |= ~codes_plain(kind, *found)
    registered = get("registered_on")
    if registered is not None:
        bad |= registered[1] & is_future(registered[0], today.toordinal())
    return bad | _year_problems(get, years, registered, n)


def _year_problems(get: Callable[[str], Column | None], years: dict[int, list[str]],
                   registered: Column | None, n: int) -> Any:
    import numpy as np

    bad = np.zeros(n, bool)
    registered_year = None
    if registered is not None:
        days = (registered[0] - _EPOCH).astype("datetime64[D]")
        registered_year = days.astype("datetime64[Y]").astype(np.int64) + 1970
    for year, names in years.items():
        columns = [c for c in (get(f"finance[{year}].{name}") for name in names) if c is not None]
        domestic, total = get(f"finance[{year}].rd_domestic"), get(f"finance[{year}].rd_expense")
        if domestic is not None and total is not None:
            bad |= domestic[1] & total[1] & exceeds(domestic[0], total[0])
        if registered is not None and columns:
            present = np.logical_or.reduce([known for _, known in columns])
            bad |= present & registered[1] & before_registration(year, registered_year)
    return bad
