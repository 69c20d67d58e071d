"""Profiles of incubation carriers (孵化器 / 众创空间 / 加速器 / 星创天地) and new R&D institutions."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from engine.profile.common import Certificate, Declarations, Project, Strict
from engine.profile.enterprise import FiscalYear
from engine.profile.fields import Count, Money, Whole, field, required


class IncubationFacts(Strict):
    """Operating figures of an incubation carrier (国科发区〔2018〕300号, 国科火字〔2017〕120号)."""

    carrier_type: Literal["incubator", "maker_space", "accelerator", "star_space"] | None = field(
        "code", "载体类型", "carrier type")
    professional: bool | None = field("bool", "专业孵化器（在孵企业75%以上同一领域）",
                                      "professional incubator (≥75% of incubatees in one field)")
    hardship_region: bool | None = field("bool", "位于艰苦边远地区", "in a remote/hardship region")
    years_stats_filed: Whole | None = field("years", "连续报送统计数据年数", "consecutive years of statistics filed")
    operating_months: Whole | None = field("months", "运营时间（月）", "months in operation")
    area_m2: Whole | None = field("area", "可自主支配孵化场地面积（㎡）", "self-controlled incubation area (㎡)")
    incubatee_area_m2: Whole | None = field("area", "在孵企业使用面积（含公共服务场地，㎡）",
                                            "area used by incubatees incl. public service area (㎡)")
    workstations: Whole | None = field("count", "创业工位数", "start-up workstations")
    incubatees: Whole | None = field("count", "在孵企业数", "incubatees")
    incubatees_hnte: Whole | None = field("count", "在孵高新技术企业数", "incubatees that are HNTEs")
    graduates_cumulative: Whole | None = field("count", "累计毕业企业数", "graduated firms, cumulative")
    entrants_per_year: Whole | None = field("count", "年度入驻团队/企业数", "teams/firms admitted per year")
    new_firms_per_year: Whole | None = field("count", "年度新注册企业数", "firms registered by teams per year")
    financed_per_year: Whole | None = field("count", "年度获得融资的团队/企业数", "teams/firms financed per year")
    cases_per_year: Whole | None = field("count", "年度典型孵化案例数", "typical incubation cases per year")
    events_per_year: Whole | None = field("count", "年度创业活动次数", "start-up events per year")
    incubation_fund: Money | None = field("money", "孵化基金/种子资金", "seed or incubation fund")
    financed_incubatees: Whole | None = field("count", "获得投融资的在孵企业数", "incubatees that obtained financing")
    fund_use_cases: Whole | None = field("count", "孵化基金使用案例数", "fund-use cases")
    staff_total: Whole | None = field("count", "运营机构人员总数", "operator staff")
    staff_professional: Whole | None = field("count", "专业孵化服务人员数", "professional incubation staff")
    mentors: Whole | None = field("count", "创业导师数", "mentors")
    incubatees_patent_applied: Whole | None = field("count", "申请专利的在孵企业数", "incubatees that applied for patents")
    incubatees_with_valid_ip: Whole | None = field("count", "拥有有效知识产权的在孵企业数",
                                                   "incubatees holding valid IP")
    public_tech_platform: bool | None = field("bool", "具备公共技术服务平台（专业孵化器）",
                                              "runs a public technology service platform (professional incubator)")
    torch_stats_filed: bool | None = field("bool", "按要求向科技部火炬中心如实报送统计数据",
                                           "files true statistics with the MOST Torch Centre as required")
    filing_conditions_confirmed: bool | None = field(
        "bool", "经主管部门核实，符合当年备案通知/工作指引中未公开量化的各项条件",
        "the bureau has confirmed the conditions of the current filing notice or guideline that are not published")


class IncubatorProfile(Strict):
    """The operator of an incubator, maker space, accelerator or 星创天地."""

    kind: Literal["incubator"] = "incubator"
    name: str = required("text", "运营机构名称", "operator name", min_length=1, max_length=200)
    credit_code: str | None = field("code", "统一社会信用代码", "unified social credit code")
    region_code: str | None = field("code", "注册地（区县）", "registered county or district")
    park_code: str | None = field("code", "所在园区", "park or zone")
    registered_on: dt.date | None = field("date", "注册成立日期", "registration date")
    independent_legal_person: bool | None = field("bool", "具有独立法人资格", "independent legal person")
    carrier: IncubationFacts = field("record", "孵化载体情况", "incubation facts", IncubationFacts())
    certificates: list[Certificate] | None = field("list", "已获资格/证书", "certificates held")
    declarations: Declarations = field("record", "声明", "declarations", Declarations())
    projects: list[Project] | None = field("list", "项目", "projects")


class InstitutionFacts(Strict):
    """Conditions of a (new) R&D institution (国科发政〔2019〕313号; Guangdong recognition)."""

    legal_form: Literal["enterprise", "public_institution", "private_non_enterprise"] | None = field(
        "code", "法人类型", "legal form")
    functions: list[Literal["frontier_research", "industrial_technology", "conversion", "technical_service",
                            "spin_offs"]] | None = field("list", "主要功能", "main functions")
    main_activity: Literal["research", "manufacturing", "teaching", "park_management",
                           "incubator_management"] | None = field("code", "主营活动", "main activity")
    rd_equipment_value: Money | None = field("money", "科研仪器设备原值", "R&D equipment (original value)")
    rd_floor_area_m2: Whole | None = field("area", "固定研发场所面积（㎡）", "fixed R&D premises (㎡)")
    staff_total: Count | None = field("count", "职工总数", "total staff")
    resident_rd_staff: Count | None = field("count", "常驻研发人员数", "resident R&D staff")
    principal_full_time: bool | None = field("bool", "法定代表人/主要负责人为全职或常驻",
                                             "legal representative or principal is full-time/resident")
    operating_income: Money | None = field("money", "上年度营业收入", "operating income last year")
    conversion_income: Money | None = field("money", "上年度成果转化及技术服务收入",
                                            "conversion & technical service income last year")
    management_systems: bool | None = field("bool", "具备知识产权、财务、薪酬激励、内控、成果转化等管理制度",
                                            "IP, finance, incentive, internal-control and conversion systems")
    stable_income_sources: bool | None = field("bool", "具有相对稳定的收入来源", "relatively stable income sources")
    facilities_adequate: bool | None = field("bool", "拥有开展研发、试验、服务所必需的条件和设施",
                                             "has the facilities needed for R&D, testing and services")
    strong_team: bool | None = field("bool", "具有结构合理、研发能力较强的人才团队", "stable, capable R&D team")


class InstitutionProfile(Strict):
    """A research institution or new-type R&D institution (新型研发机构)."""

    kind: Literal["institution"] = "institution"
    name: str = required("text", "机构名称", "institution name", min_length=1, max_length=200)
    credit_code: str | None = field("code", "统一社会信用代码", "unified social credit code")
    region_code: str | None = field("code", "注册地（区县）", "registered county or district")
    park_code: str | None = field("code", "所在园区", "park or zone")
    registered_on: dt.date | None = field("date", "注册成立日期", "registration date")
    independent_legal_person: bool | None = field("bool", "具有独立法人资格", "independent legal person")
    institution: InstitutionFacts = field("record", "机构情况", "institution facts", InstitutionFacts())
    finance: list[FiscalYear] = field("list", "会计年度财务数据", "fiscal years", default_factory=list)
    certificates: list[Certificate] | None = field("list", "已获资格/证书", "certificates held")
    declarations: Declarations = field("record", "声明", "declarations", Declarations())
    projects: list[Project] | None = field("list", "项目", "projects")
