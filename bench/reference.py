"""The benchmark rule set hand-written in plain Python: the speed of light for one profile in this interpreter.

Exact integer arithmetic (cross-multiplied ratios), no trace, no unknowns (every benchmark profile is
complete). It answers the same two questions as bench/rules and bench/durable_bench.py, and the
benchmark checks that all three agree on every profile.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

WAN = 10_000


def decide(p: dict[str, Any], as_of: dt.date, registered_by: dt.date) -> tuple[bool, bool]:
    """(high-tech, tech-SME) for one complete profile dict."""
    first = max(as_of.year - 3, p["registered_on"].year)
    years = [r for r in p["finance"] if first <= r["year"] < as_of.year]
    rd = sum(r["rd_expense"] for r in years)
    sales = sum(r["sales"] for r in years)
    domestic = sum(r["rd_domestic"] for r in years)
    last = next(r for r in years if r["year"] == as_of.year - 1)
    total, sci = p["staff"]["total"], p["staff"]["sci_tech"]
    rate = 5 if last["sales"] <= 5000 * WAN else 4 if last["sales"] <= 20000 * WAN else 3
    hightech = (p["registered_on"] <= registered_by and p["ip"]["core_ip_owned"] is True
                and "1" <= p["tech_field"][0] <= "8" and sci * 10 >= total and rd * 100 >= rate * sales
                and domestic * 10 >= rd * 6 and last["hitech_income"] * 10 >= last["total_income"] * 6
                and p["innovation"]["assessed_total"] >= 70 and p["declarations"]["major_incident_prior_year"] is False)
    staff = _band(sci * 100, total, ((30, 20), (25, 16), (20, 12), (15, 8), (10, 4)))
    research = _band(rd * 100, sales, ((6, 50), (5, 40), (4, 30), (3, 20), (2, 10)))
    ip = p["ip"]
    points = 30 if ip["class1"] >= 1 else {0: 0, 1: 6, 2: 12, 3: 18}.get(ip["class2"], 24)
    sme = (total <= 500 and last["sales"] <= 20000 * WAN and last["total_assets"] <= 20000 * WAN
           and staff + research + points >= 60 and staff > 0)
    return hightech, sme


def _band(scaled: int, whole: int, bands: tuple[tuple[int, int], ...]) -> int:
    for percent, value in bands:
        if scaled >= percent * whole:
            return value
    return 0


def decide_columns(c: dict[str, Any], as_of: dt.date, registered_by: dt.date) -> tuple[Any, Any]:
    """The same two answers for a whole batch, written by hand with numpy over bench.generate.columns_of:
    the baseline of the columnar backend (exact int64 arithmetic, cross-multiplied ratios)."""
    import numpy as np

    reg = c["registered_on"]
    first = np.maximum(as_of.year - 3, reg.astype("datetime64[Y]").astype(np.int64) + 1970)
    rd = sales = domestic = np.int64(0)
    for year in range(as_of.year - 3, as_of.year):
        inside = first <= year
        rd = rd + np.where(inside, c[f"finance[{year}].rd_expense"].filled(0), 0)
        sales = sales + np.where(inside, c[f"finance[{year}].sales"].filled(0), 0)
        domestic = domestic + np.where(inside, c[f"finance[{year}].rd_domestic"].filled(0), 0)
    last = as_of.year - 1
    last_sales = c[f"finance[{last}].sales"].filled(0)
    total, sci = c["staff.total"], c["staff.sci_tech"]
    rate = np.where(last_sales <= 5000 * WAN, 5, np.where(last_sales <= 20000 * WAN, 4, 3))
    field = c["tech_field"].astype("U1")
    hightech = ((reg <= np.datetime64(registered_by)) & c["ip.core_ip_owned"] & (field >= "1") & (field <= "8")
                & (sci * 10 >= total) & (rd * 100 >= rate * sales) & (domestic * 10 >= rd * 6)
                & (c[f"finance[{last}].hitech_income"].filled(0) * 10 >= c[f"finance[{last}].total_income"].filled(0) * 6)
                & (c["innovation.assessed_total"] >= 70) & ~c["declarations.major_incident_prior_year"])
    staff = _band_columns(sci * 100, total, ((30, 20), (25, 16), (20, 12), (15, 8), (10, 4)))
    research = _band_columns(rd * 100, sales, ((6, 50), (5, 40), (4, 30), (3, 20), (2, 10)))
    class2 = c["ip.class2"]
    points = np.where(c["ip.class1"] >= 1, 30, np.select([class2 == 0, class2 == 1, class2 == 2, class2 == 3],
                                                         [0, 6, 12, 18], 24))
    sme = ((total <= 500) & (last_sales <= 20000 * WAN) & (c[f"finance[{last}].total_assets"].filled(0) <= 20000 * WAN)
           & (staff + research + points >= 60) & (staff > 0))
    return np.asarray(hightech), np.asarray(sme)


def _band_columns(scaled: Any, whole: Any, bands: tuple[tuple[int, int], ...]) -> Any:
    import numpy as np

    return np.select([scaled >= percent * whole for percent, _ in bands], [value for _, value in bands], 0)
