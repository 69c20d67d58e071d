"""No dead end: every field a kind's measures read can be asked on that kind's pages, and a talent or a team
is asked person questions only (no company declarations, no certificate picker)."""

from __future__ import annotations

import re

import pytest

from engine.interview.fields import field_info
from engine.interview.reads import kind_reads
from engine.model import RuleSet
from engine.names import KIND_MODELS
from web.answers.steps import COPIED, pages

IMPLICIT = {"region_code"}  # every page asks the area (the jurisdiction check reads it)


def asked_paths(kind: str, ruleset: RuleSet) -> set[str]:
    reads = None if kind == "enterprise" else kind_reads(ruleset, kind)
    out = set()
    for page in pages(kind, 2, reads=reads):
        for spec in page.specs:
            path = re.sub(r"\[\d+\]", "", spec.path)
            out.add(path)  # a table of records: its "没有" box is the list itself
    return out | set(COPIED.get(kind, {}))


@pytest.mark.parametrize("kind", sorted(KIND_MODELS))
def test_every_field_a_kinds_measures_read_is_asked_on_its_pages(ruleset: RuleSet, kind: str) -> None:
    asked = asked_paths(kind, ruleset)
    reads = kind_reads(ruleset, kind)
    missing = sorted(p for p in reads if p not in asked and p.split(".")[0] not in asked
                     and not any(a.startswith(p + ".") for a in asked) and "=" not in p)
    assert not missing, f"{kind}: measures read fields its pages cannot ask: {missing}"
    for path in (p for p in reads if "=" not in p):  # and the interview can ask each of them
        probe = re.sub(r"^(finance)\.", r"\1[2024].", re.sub(r"^(certificates|loans|projects)\.", r"\1[0].", path))
        assert field_info(kind, probe) is not None, (kind, path)


@pytest.mark.parametrize("kind", ["talent", "team"])
def test_people_are_asked_person_questions_only(ruleset: RuleSet, kind: str) -> None:
    asked = asked_paths(kind, ruleset)
    company = {"declarations.on_abnormal_operation_list", "declarations.prohibited_catalogue",
               "declarations.audited_tax_collection", "ip.class1", "finance.sales"}
    assert not asked & company, sorted(asked & company)
    reads = kind_reads(ruleset, kind)
    for page in pages(kind, 2, reads=reads):  # a certificate a person can hold, never 高新技术企业
        for spec in page.specs:
            if spec.group == "certificates" and spec.key == "type":
                assert "hnte" not in spec.choices and set(spec.choices) <= {"high_level_talent"}, spec.choices


def test_an_institution_is_asked_the_finance_its_measures_read(ruleset: RuleSet) -> None:
    asked = asked_paths("institution", ruleset)
    assert {"finance.rd_expense", "finance.total_income", "projects"} <= asked
