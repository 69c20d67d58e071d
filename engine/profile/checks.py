"""Data-standard checks and cross-field consistency checks run after a profile parses.

Errors (bad credit code, future dates, duplicate years…) stop the profile; inconsistencies that may be
real but deserve a reviewer's eye (S&T staff > staff, R&D > sales, high-tech income > total income)
are warnings that the engine carries into the decision.
"""

from __future__ import annotations

import datetime as dt
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
    if value is None or value <= today:
        return []
    return [ProfileIssue(path, "DATE_FUTURE", Message(
        f"日期{value.isoformat()}晚于今天（{today.isoformat()}），请核对。",
        f"The date {value.isoformat()} is after today ({today.isoformat()}); please check."))]


def _dates(profile: Any, today: dt.date) -> list[ProfileIssue]:
    out = _future("registered_on", getattr(profile, "registered_on", None), today)
    for i, cert in enumerate(getattr(profile, "certificates", [])):
        out += _future(f"certificates[{i}].issued_on", cert.issued_on, today)
    for path, person in _people(profile):
        out += _future(f"{path}.birth_date", person.birth_date, today)
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
        if registered and year.year < registered.year:
            out.append(ProfileIssue(f"finance[{i}].year", "YEAR_BEFORE_REGISTRATION", Message(
                f"{year.year}年早于企业成立日期{registered.isoformat()}，该年度无需填写。",
                f"{year.year} is before the registration date {registered.isoformat()}; leave that year empty.")))
        if year.rd_domestic is not None and year.rd_expense is not None and year.rd_domestic > year.rd_expense:
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
            if a is not None and b is not None and a > b:
                out.append(_warn(f"staff.{part}", "STAFF_INCONSISTENT",
                                 f"科技人员数（{a}）大于职工总数（{b}）。", f"S&T staff ({a}) exceed total staff ({b})."))
    for i, y in enumerate(getattr(profile, "finance", [])):
        if y.rd_expense is not None and y.sales is not None and y.rd_expense > y.sales:
            out.append(_warn(f"finance[{i}].rd_expense", "RD_EXCEEDS_SALES",
                             f"{y.year}年研发费用大于销售收入，请核对。",
                             f"{y.year}: R&D expense exceeds sales; please check."))
        if y.hitech_income is not None and y.total_income is not None and y.hitech_income > y.total_income:
            out.append(_warn(f"finance[{i}].hitech_income", "HITECH_EXCEEDS_TOTAL",
                             f"{y.year}年高新技术产品（服务）收入大于总收入，请核对。",
                             f"{y.year}: high-tech income exceeds total income; please check."))
        if y.net_assets is not None and y.total_assets is not None and y.net_assets > y.total_assets:
            out.append(_warn(f"finance[{i}].net_assets", "NET_EXCEEDS_TOTAL_ASSETS",
                             f"{y.year}年净资产大于资产总额，请核对。",
                             f"{y.year}: net assets exceed total assets; please check."))
    return out
