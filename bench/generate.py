"""Synthetic enterprises for benchmarks and tests: profiles, a flat register, threshold cases. Fixed seed.

    python bench/generate.py 100000 --out bench/results/register.csv [--seed 7] [--gbk]

Every profile is a typed dict in the enterprise-profile shape (whole yuan, dates, bools). About 40 %
pass the benchmark's high-tech conditions; about 2 % sit exactly on one threshold of the benchmark
rule set or one unit below it (one yuan, one person, one point, one day); a few rows of a register
are deliberately invalid so that the rejects path is exercised. Deterministic: same seed, same data.
"""

from __future__ import annotations

import argparse
import copy
import csv
import datetime as dt
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from engine.io.layout import known_names, row_of  # noqa: E402
from engine.standards.regions import COUNTIES  # noqa: E402
from engine.standards.tech_fields import FIELDS  # noqa: E402
from engine.standards.uscc import org_check_char, uscc_check_char  # noqa: E402

AS_OF = dt.date(2025, 6, 30)
TODAY = dt.date(2025, 7, 1)
REGIONS = sorted(COUNTIES)
TECH_FIELDS = [code for code in FIELDS if len(code) == 5]
WAN = 10_000
Profile = dict[str, Any]


def credit_code(region: str, serial: int) -> str:
    """A valid 18-character USCC for an enterprise (91) registered in `region`."""
    body = f"{serial:08d}"
    s16 = f"91{region}{body}{org_check_char(body)}"
    return s16 + uscc_check_char(s16)


def _finance(rng: random.Random, registered: dt.date, as_of: dt.date) -> list[dict[str, int]]:
    scale = int(rng.lognormvariate(17.2, 1.0))  # median about 3,000万元 of sales
    rd_rate = rng.choice([0.015, 0.025, 0.035]) if rng.random() < 0.15 else rng.uniform(0.055, 0.12)
    out = []
    for year in range(max(as_of.year - 3, registered.year), as_of.year):
        sales = max(WAN, int(scale * rng.uniform(0.8, 1.25)))
        rd = int(sales * rd_rate)
        income = sales + int(sales * rng.uniform(0, 0.05))
        hitech_share = rng.uniform(0.3, 0.59) if rng.random() < 0.12 else rng.uniform(0.6, 0.95)
        domestic_share = rng.uniform(0.3, 0.59) if rng.random() < 0.09 else rng.uniform(0.6, 1.0)
        out.append({"year": year, "sales": sales, "total_income": income, "hitech_income": int(income * hitech_share),
                    "rd_expense": rd, "rd_domestic": int(rd * domestic_share),
                    "total_assets": int(sales * rng.uniform(0.6, 1.6))})
    return out


def profile(rng: random.Random, serial: int, as_of: dt.date = AS_OF) -> Profile:
    """One plausible enterprise; about 40 % of them pass the benchmark's high-tech conditions."""
    young = as_of.toordinal() - dt.date(as_of.year - 1, 7, 1).toordinal()  # registered last year, under 1 year
    days = rng.randint(young, 364) if rng.random() < 0.07 else rng.randint(365, 20 * 365)
    registered = as_of - dt.timedelta(days=days)
    total = int(rng.lognormvariate(4.3, 0.9)) + 5
    sci_share = rng.uniform(0.02, 0.099) if rng.random() < 0.13 else rng.uniform(0.1, 0.45)
    region = rng.choice(REGIONS)
    return {
        "kind": "enterprise", "name": f"基准科技企业{serial:06d}有限公司", "credit_code": credit_code(region, serial),
        "region_code": region, "registered_on": registered, "resident_enterprise": True,
        "tech_field": rng.choice(TECH_FIELDS),
        "staff": {"total": total, "sci_tech": int(total * sci_share)},
        "finance": _finance(rng, registered, as_of),
        "ip": {"class1": rng.choice([0, 0, 0, 1, 2]), "class2": rng.randint(0, 8),
               "core_ip_owned": rng.random() >= 0.1},
        "innovation": {"assessed_total": rng.randint(50, 69) if rng.random() < 0.13 else rng.randint(70, 95)},
        "declarations": {"major_incident_prior_year": rng.random() < 0.04},
    }


# -- threshold cases: exactly on a threshold of the benchmark rule set, or one unit below ----------------

def _latest(p: Profile) -> dict[str, int]:
    return max(p["finance"], key=lambda r: r["year"])


def _on_years(p: Profile, below: bool, as_of: dt.date) -> None:
    anniversary = as_of.replace(year=as_of.year - 1)
    p["registered_on"] = anniversary + dt.timedelta(days=1) if below else anniversary
    p["finance"] = [r for r in p["finance"] if r["year"] >= p["registered_on"].year]


def _on_staff(p: Profile, below: bool, share: int = 10) -> None:
    total = p["staff"]["total"] // 100 * 100 + 100
    p["staff"] = {"total": total, "sci_tech": total * share // 100 - (1 if below else 0)}


def _on_rd(p: Profile, below: bool) -> None:
    last = _latest(p)
    last["sales"] += -sum(r["sales"] for r in p["finance"]) % 100  # the threshold is then whole yuan
    last["total_income"] = max(last["total_income"], last["sales"])
    rate = 5 if last["sales"] <= 5000 * WAN else 4 if last["sales"] <= 20000 * WAN else 3
    need = sum(r["sales"] for r in p["finance"]) * rate // 100 - (1 if below else 0)
    for record in p["finance"]:
        record["rd_expense"] = record["sales"] * rate // 100
    last["rd_expense"] += need - sum(r["rd_expense"] for r in p["finance"])
    for record in p["finance"]:
        record["rd_domestic"] = min(record["rd_domestic"], record["rd_expense"])
    last["hitech_income"] = min(last["hitech_income"], last["total_income"])


def _on_domestic(p: Profile, below: bool) -> None:
    for record in p["finance"]:
        record["rd_expense"] += -record["rd_expense"] % 5
        record["rd_domestic"] = record["rd_expense"] * 3 // 5
    p["finance"][-1]["rd_domestic"] -= 1 if below else 0


def _on_hitech(p: Profile, below: bool) -> None:
    last = _latest(p)
    last["total_income"] += -last["total_income"] % 5
    last["hitech_income"] = last["total_income"] * 3 // 5 - (1 if below else 0)


def _on_score(p: Profile, below: bool) -> None:
    p["innovation"]["assessed_total"] = 69 if below else 70


def _on_size(p: Profile, below: bool, what: str) -> None:
    if what == "staff":
        p["staff"] = {"total": 501 if below else 500, "sci_tech": 150}
        return
    last = _latest(p)
    last[what] = 20000 * WAN + (1 if below else 0)
    if what == "sales":
        last["total_income"] = max(last["total_income"], last["sales"])
        last["hitech_income"] = min(last["hitech_income"], last["total_income"])


BOUNDARIES: list[Callable[[Profile, bool, dt.date], None]] = [
    _on_years,
    lambda p, below, as_of: _on_staff(p, below),
    lambda p, below, as_of: _on_staff(p, below, 30),
    lambda p, below, as_of: _on_rd(p, below) if p["finance"] else None,
    lambda p, below, as_of: _on_domestic(p, below) if p["finance"] else None,
    lambda p, below, as_of: _on_hitech(p, below) if p["finance"] else None,
    lambda p, below, as_of: _on_score(p, below),
    lambda p, below, as_of: _on_size(p, below, "staff"),
    lambda p, below, as_of: _on_size(p, below, "sales") if p["finance"] else None,
    lambda p, below, as_of: _on_size(p, below, "total_assets") if p["finance"] else None,
]


def generate(n: int, seed: int = 7, as_of: dt.date = AS_OF,
             boundary_share: float = 0.02) -> tuple[list[Profile], list[int]]:
    """`n` profiles and the indexes of those put exactly on a threshold or one unit below (half each)."""
    rng = random.Random(seed)
    out, boundary = [], []
    for i in range(n):
        p = profile(rng, i + 1, as_of)
        if rng.random() < boundary_share:
            rng.choice(BOUNDARIES)(p, rng.random() < 0.5, as_of)
            boundary.append(i)
        out.append(p)
    return out, boundary


def with_answers(source: list[Profile], seed: int = 3, as_of: dt.date = AS_OF) -> list[Profile]:
    """Copies of `source` with the answers the high-tech awards also need (independent legal person, an HNTE
    application under way, main-business revenue), so that the forecast of national.hnte_recognition makes
    their outcomes conditional (认定后可申请); two in three answer "none" for certificates, loans and projects,
    the others leave those lists unanswered (unknown)."""
    rng = random.Random(seed)
    out = []
    for k, original in enumerate(source):
        p = copy.deepcopy(original)
        if k % 3:
            p.update(certificates=[], loans=[], projects=[])
        p["independent_legal_person"] = rng.random() < 0.9
        p["hnte_application"] = {"submitted_on": as_of.replace(day=1), "recommended_by_city": rng.random() < 0.7,
                                 "preliminary_score": rng.randint(60, 90)}
        for record in p.get("finance", []):
            record.setdefault("main_business_revenue", record.get("sales"))
        out.append(p)
    return out


def profiles(n: int, seed: int = 7, as_of: dt.date = AS_OF) -> list[Profile]:
    return generate(n, seed, as_of)[0]


def threshold_profiles(seed: int = 11, as_of: dt.date = AS_OF, each: int = 10) -> list[Profile]:
    """Pairs (exactly on a threshold, one unit below it) of the same enterprise, `each` per threshold."""
    rng = random.Random(seed)
    out = []
    for case in BOUNDARIES:
        for _ in range(each):
            base = profile(rng, len(out) + 1, as_of)
            if len(base["finance"]) < 3:
                base["registered_on"] = as_of.replace(year=as_of.year - 5)
                base["finance"] = _finance(rng, base["registered_on"], as_of)
            for below in (False, True):
                p = copy.deepcopy(base)
                case(p, below, as_of)
                out.append(p)
    return out


def columns_of(profiles: list[dict[str, Any]]) -> dict[str, Any]:
    """The benchmark profiles as numpy columns (profile paths; finance[YEAR].field)."""
    out: dict[str, Any] = {
        "registered_on": np.array([p["registered_on"] for p in profiles], dtype="datetime64[D]"),
        "tech_field": np.array([p["tech_field"] for p in profiles], dtype=object)}
    for section, name in (("staff", "total"), ("staff", "sci_tech"), ("ip", "class1"), ("ip", "class2"),
                          ("innovation", "assessed_total")):
        out[f"{section}.{name}"] = np.array([p[section][name] for p in profiles], dtype=np.int64)
    out["ip.core_ip_owned"] = np.array([p["ip"]["core_ip_owned"] for p in profiles], dtype=bool)
    out["declarations.major_incident_prior_year"] = np.array(
        [p["declarations"]["major_incident_prior_year"] for p in profiles], dtype=bool)
    for year in range(AS_OF.year - 3, AS_OF.year):
        records = [next((r for r in p["finance"] if r["year"] == year), None) for p in profiles]
        for name in ("sales", "total_income", "hitech_income", "rd_expense", "rd_domestic", "total_assets"):
            data = np.array([r[name] if r else 0 for r in records], dtype=np.int64)
            out[f"finance[{year}].{name}"] = np.ma.array(data, mask=[r is None for r in records])
    return out


# -- registers -------------------------------------------------------------------------------------------

def register_columns(as_of: dt.date = AS_OF) -> list[str]:
    years = range(as_of.year - 3, as_of.year)
    wanted = ("credit_code", "name", "region_code", "registered_on", "resident_enterprise", "tech_field",
              "staff_total", "staff_sci_tech", "ip_class1", "ip_class2", "ip_core_ip_owned",
              "innovation_assessed_total", "declarations_major_incident_prior_year")
    finance = [f"{f}_{y}" for y in years for f in ("sales", "total_income", "hitech_income", "rd_expense",
                                                   "rd_domestic", "total_assets")]
    columns = [*wanted, *finance]
    assert set(columns) <= set(known_names(years)), "the register layout changed"
    return columns


def _spoil(rng: random.Random, row: list[str], columns: list[str]) -> None:
    """Make one row invalid the way real registers are: a typo'd code, a future date, a stray text."""
    case = rng.randrange(4)
    if case == 0:
        i = columns.index("credit_code")
        row[i] = row[i][:-1] + ("0" if row[i][-1] != "0" else "1")
    elif case == 1:
        row[columns.index("registered_on")] = "2099-01-01"
    elif case == 2:
        row[columns.index("staff_total")] = "约100人"
    else:
        row[columns.index("name")] = ""


def register_rows(n: int, seed: int = 7, as_of: dt.date = AS_OF, invalid_share: float = 0.005,
                  missing_share: float = 0.03) -> tuple[list[str], list[list[str]]]:
    """A flat register (header, rows): `invalid_share` rows fail validation, `missing_share` lack a field."""
    columns = register_columns(as_of)
    rng = random.Random(seed + 1)
    rows = []
    for p in profiles(n, seed, as_of):
        row = row_of(p, columns)
        if rng.random() < missing_share:
            row[rng.randrange(5, len(columns))] = ""
        if rng.random() < invalid_share:
            _spoil(rng, row, columns)
        rows.append(row)
    return columns, rows


def write_register(path: Path, n: int, seed: int = 7, encoding: str = "utf-8") -> Path:
    columns, rows = register_rows(n, seed)
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "register.csv")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--gbk", action="store_true", help="write the CSV in GBK (GB18030)")
    args = parser.parse_args()
    path = write_register(args.out, args.n, args.seed, "gb18030" if args.gbk else "utf-8")
    print(f"wrote {args.n} rows to {path}")


if __name__ == "__main__":
    main()
