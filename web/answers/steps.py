"""This file defines the pages of the self-check: the enterprise's six steps and one page per other kind.

Pages are built from the profile models: a step lists *sections* (a nested model such as `staff`, the
top-level single fields, or a list of records shown as a table: three fiscal years, certificates), and
every field of a section is asked. A list the rules read (certificates, loans, projects) has an explicit
"没有" answer beside its rows: blank rows stay unknown, never "none". The one page of the other kinds asks
only what their measures read (engine.interview.reads): a talent is never asked a company declaration.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel

from engine.errors import Message
from engine.interview.start import NEUTRAL_NAME, SAME_AS, named
from engine.names import KIND_MODELS
from web.answers.specs import FieldSpec, field_specs, model_of, scalar_names

FINANCE_YEARS = 3
MAX_ROWS = 12
DEFAULT_ROWS = {"certificates": 2, "projects": 1}
LOAN_ROWS = 1

SECTION_TITLES: dict[str, Any] = {
    "identity": _l("基本信息"), "staff": _l("人员情况"), "finance": _l("近三个会计年度财务数据"),
    "ip": _l("知识产权"), "innovation": _l("创新能力（高企评价指标）"), "certificates": _l("已获资质与证书"),
    "listing": _l("上市或挂牌"), "rd_centre": _l("研发机构（工程中心、企业技术中心）"),
    "hnte_application": _l("高企申报进度（韶关高企培育资助）"), "zone": _l("韶关高新区"),
    "loans": _l("贷款（科技信贷风险补偿、信用贷款风险资金池）"), "declarations": _l("信用与合规声明"), "carrier": _l("孵化载体运营情况"),
    "projects": _l("申报或牵头承担的项目"),
    "institution": _l("研发机构情况"), "person": _l("个人信息"), "leader": _l("团队带头人"),
}
SECTION_HINTS: dict[str, Any] = {
    "finance": _l("金额单位：万元（保留两位小数）。按年度所得税申报表或审计报告填写；未发生的年度留空。"),
    "staff": _l("高企与科技型中小企业的统计口径不同，请分别填写。"),
    "innovation": _l("已有评价总分（自评或咨询机构评估）请直接填写总分；否则填写各分项，按专家评分区间估算。"
                     "技术先进程度与核心支持作用按A–E分档：A 国际领先或关键核心技术（7–8分），B 国内领先/较强（5–6分），"
                     "C 国内先进/一般（3–4分），D 较低/较弱（1–2分），E 无（0分）。"),
    "declarations": _l("请如实选择。未回答的声明按“未知”处理，相关政策结果为“待定”，不会当作“否”。"),
    "certificates": _l("每行一项；未用的行留空即可。"),
    "loans": _l("如有合作银行的贷款请填写；金额单位：万元。"),
    "projects": _l("每行一个项目；没有的请勾选“没有”。金额单位：万元。"),
}
KIND_LABELS: dict[str, Any] = {
    "enterprise": _l("企业"), "incubator": _l("孵化载体"), "institution": _l("新型研发机构"),
    "talent": _l("人才"), "team": _l("创新创业团队"),
}
KIND_HINTS: dict[str, Any] = {
    "enterprise": _l("法人企业：高新技术企业认定、科技型中小企业评价、研发奖补等"),
    "incubator": _l("孵化器、众创空间、加速器、星创天地的运营机构"),
    "institution": _l("新型研发机构、科研院所"),
    "talent": _l("个人申报人才计划或人才补贴"),
    "team": _l("申报创新创业团队项目"),
}
NONE_LABELS = {
    "certificates": Message("目前没有任何资格、认定或证书", "no certificates, recognitions or statuses held at present"),
    "loans": Message("没有贷款", "no loans"),
    "projects": Message("没有项目", "no projects"),
    "rd_centre": Message("没有研发中心（企业技术中心）", "no R&D centre"),
}
NONE_FILLS: dict[str, dict[str, bool]] = {"rd_centre": {"exists": False}}
"""What "没有" answers for a section that is a record, not a list: "没有研发中心" is `rd_centre.exists: false` (the
rules reading the centre's figures say what that means); the box is that field's input, so the field itself is not
asked again on the form."""
COPIED = SAME_AS  # fields a page does not ask because another field already holds the answer: path → source


@dataclass(frozen=True)
class Section:
    key: str
    specs: tuple[FieldSpec, ...]
    layout: str = "fields"  # fields | years (columns = fiscal years) | rows (one record per row)
    rows: int = 0

    @property
    def title(self) -> Any:
        return SECTION_TITLES.get(self.key, self.key)

    @property
    def hint(self) -> Any:
        return SECTION_HINTS.get(self.key)

    def row_specs(self, row: int) -> tuple[FieldSpec, ...]:
        return tuple(s for s in self.specs if s.row == row)

    @property
    def columns(self) -> tuple[FieldSpec, ...]:
        """The fields of one record (row 0), for table headings."""
        return self.row_specs(0)


@dataclass(frozen=True)
class Step:
    id: str
    title: Any
    sections: tuple[Section, ...]

    @property
    def specs(self) -> tuple[FieldSpec, ...]:
        return tuple(s for section in self.sections for s in section.specs)


def _nested(model: type[BaseModel], name: str) -> Section:
    info = model.model_fields[name]
    sub = model_of(info.annotation)
    assert sub is not None
    specs = field_specs(sub, name, within_required=info.is_required())
    if name in NONE_FILLS:  # "没有研发中心": an answer of its own (the field it fills has no other input)
        specs = tuple(s for s in specs if s.key not in NONE_FILLS[name])
        specs += (FieldSpec(f"{name}-none", name, "none", "none", "bool", NONE_LABELS[name]),)
    return Section(name, specs)


def _records(model: type[BaseModel], name: str, rows: int, layout: str = "rows") -> Section:
    sub = model_of(model.model_fields[name].annotation)
    assert sub is not None
    specs = tuple(s for row in range(rows) for s in field_specs(sub, group=name, row=row))
    if name in NONE_LABELS:  # "none of these": an answer of its own, not a blank table (which stays unknown)
        specs += (FieldSpec(f"{name}-none", name, "none", "none", "bool", NONE_LABELS[name]),)
    return Section(name, specs, layout, rows)


def _identity(model: type[BaseModel], kind: str) -> Section:
    skip = set(COPIED.get(kind, {}))
    names = [n for n in scalar_names(model) if n not in skip]
    specs = field_specs(model, names=names)
    if named({"kind": kind}).get("name") == NEUTRAL_NAME:  # the self-check says "本企业" without it
        specs = tuple(dataclasses.replace(s, required=False) if s.path == "name" else s for s in specs)
    return Section("identity", specs)


@cache
def enterprise_steps(certificate_rows: int = DEFAULT_ROWS["certificates"], loan_rows: int = LOAN_ROWS,
                     project_rows: int = DEFAULT_ROWS["projects"]) -> tuple[Step, ...]:
    """identity → staff → finance → IP & innovation → certificates → declarations."""
    m = KIND_MODELS["enterprise"]
    return (
        Step("identity", _l("基本信息"), (_identity(m, "enterprise"),)),
        Step("staff", _l("人员"), (_nested(m, "staff"),)),
        Step("finance", _l("财务"), (_records(m, "finance", FINANCE_YEARS, "years"),)),
        Step("ip", _l("知识产权与创新"), (_nested(m, "ip"), _nested(m, "innovation"), _nested(m, "rd_centre"))),
        Step("certificates", _l("资质证书"), (_records(m, "certificates", certificate_rows), _nested(m, "listing"),
                                          _nested(m, "hnte_application"), _nested(m, "zone"),
                                          _records(m, "loans", loan_rows), _records(m, "projects", project_rows))),
        Step("declarations", _l("声明"), (_nested(m, "declarations"),)),
    )


def _read(specs: tuple[FieldSpec, ...], reads: frozenset[str] | None) -> tuple[FieldSpec, ...]:
    """The specs whose field the kind's measures read (all of them when `reads` is None)."""
    if reads is None:
        return specs
    return tuple(s for s in specs if s.path in reads)


@cache
def single_page(kind: str, certificate_rows: int = DEFAULT_ROWS["certificates"],
                reads: frozenset[str] | None = None, project_rows: int = DEFAULT_ROWS["projects"]) -> Step:
    """The one-page form of incubators, institutions, talents and teams.

    With `reads` (engine.interview.reads.kind_reads), the declarations asked are those the kind's measures
    read, and the fiscal years, certificates and projects appear only when they are read: an institution
    gets the finance its measures read, a talent no company declaration and no certificate picker.
    """
    m = KIND_MODELS[kind]
    copied = COPIED.get(kind, {})
    sections = [_identity(m, kind)]
    for name, info in m.model_fields.items():
        sub = model_of(info.annotation)
        if sub is None or name in ("certificates", "finance", "projects", "loans"):
            continue
        specs = tuple(s for s in field_specs(sub, name, within_required=info.is_required()) if s.path not in copied)
        if name == "declarations":
            specs = _read(specs, reads)
        if specs:
            sections.append(Section(name, specs))
    wanted = {p.split(".")[0] for p in reads} if reads is not None else {"certificates", "projects"}
    if "finance" in m.model_fields and "finance" in wanted:
        sections.append(_records(m, "finance", FINANCE_YEARS, "years"))
    if "certificates" in m.model_fields and "certificates" in wanted:
        section = _records(m, "certificates", certificate_rows)
        types = {p.split("=", 1)[1] for p in reads or () if p.startswith("certificates.type=")}
        if types:  # the types this kind's measures ask about: a talent is never offered 高新技术企业
            section = dataclasses.replace(section, specs=tuple(
                dataclasses.replace(spec, choices=tuple(c for c in spec.choices if c in types))
                if spec.key == "type" else spec for spec in section.specs))
        sections.append(section)
    if "projects" in m.model_fields and "projects" in wanted:
        sections.append(_records(m, "projects", project_rows))
    return Step("form", KIND_LABELS[kind], tuple(sections))


def pages(kind: str, rows: int, loan_rows: int = LOAN_ROWS, reads: frozenset[str] | None = None,
          project_rows: int = DEFAULT_ROWS["projects"]) -> tuple[Step, ...]:
    """Every page of one applicant kind, in order."""
    if kind == "enterprise":
        return enterprise_steps(rows, loan_rows, project_rows)
    return (single_page(kind, rows, reads, project_rows),)


def step_of(pages_: tuple[Step, ...], form_name: str | None, path: str = "") -> Step | None:
    """The page that asks a form field (or, failing that, the section a profile path starts with)."""
    for page in pages_:
        if form_name and any(s.name == form_name for s in page.specs):
            return page
    head = path.split(".")[0].split("[")[0]
    for page in pages_:
        if any(section.key == head for section in page.sections):
            return page
    return None
