"""Profiles of talents (individual people) and teams applying to talent programmes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from engine.profile.common import Certificate, Declarations, Strict
from engine.profile.fields import Whole, field, required

Degree = Literal["none", "associate", "bachelor", "master", "doctorate"]
Title = Literal["none", "junior", "intermediate", "associate_senior", "senior"]


class Person(Strict):
    """Identity of a person; the ID number is validated by type and masked for display."""

    name: str = required("text", "姓名", "name", min_length=1, max_length=100)
    id_type: Literal["resident_id", "hkmotw_residence", "foreign_permanent", "passport", "mainland_permit"] = \
        field("code", "证件类型", "identity document type", default="resident_id")
    id_number: str | None = field("code", "证件号码", "identity document number")
    birth_date: dt.date | None = field("date", "出生日期", "date of birth")
    degree: Degree | None = field("code", "最高学历学位", "highest degree")
    title: Title | None = field("code", "专业技术职称", "professional title")


class TalentProfile(Strict):
    """An individual talent applying to a talent programme or a housing subsidy."""

    kind: Literal["talent"] = "talent"
    name: str = required("text", "姓名", "name", min_length=1, max_length=100)
    person: Person = required("person", "人才本人", "the talent")
    region_code: str | None = field("code", "用人单位所在区县代码", "employer's county code")
    employer_name: str | None = field("text", "用人单位", "employer")
    employer_credit_code: str | None = field("code", "用人单位统一社会信用代码", "employer's credit code")
    employed_since: dt.date | None = field("date", "入职日期", "employed since")
    full_time: bool | None = field("bool", "全职在本地工作", "works full-time locally")
    programme: Literal["none", "pearl_river", "special_support", "yangfan", "danxia", "yinfeng"] | None = field(
        "code", "申报/入选的人才计划", "talent programme applied for or held")
    category: str | None = field("code", "人才类别（计划内）", "category within the programme")
    outstanding_achievement: bool | None = field("bool", "具有突出业绩/成果（由专家评审认定）",
                                                 "outstanding achievements (judged by experts)")
    special_support_level: Literal["outstanding", "leading", "young_top"] | None = field(
        "code", "广东特支计划层次（杰出人才/领军人才/青年拔尖人才）",
        "Guangdong Special Support Plan level (outstanding / leading / young top talent)")
    special_support_category: Literal["sci_tech_innovation", "sci_tech_entrepreneurship", "publicity_culture",
                                      "teaching_master", "bqw_project", "other"] | None = field(
        "code", "广东特支计划类别（科技创新/科技创业/宣传思想文化/教学名师/百千万工程/其他）",
        "Special Support Plan category (S&T innovation / entrepreneurship / publicity & culture / "
        "teaching master / 百千万 project / other)")
    programme_selected: bool | None = field(
        "bool", "已通过评审入选所填的人才计划（评审结果，由主管部门确认；不是自报符合条件）",
        "selected in the review of the talent programme given (confirmed by the bureau; not a self-declaration)")
    certificates: list[Certificate] | None = field("list", "已获资格/证书", "certificates held")
    declarations: Declarations = field("record", "声明", "declarations", Declarations())


class TeamProfile(Strict):
    """An innovation or entrepreneurship team, led by one person and hosted by an employer."""

    kind: Literal["team"] = "team"
    name: str = required("text", "团队名称", "team name", min_length=1, max_length=200)
    leader: Person = required("person", "团队负责人", "team leader")
    members: Whole | None = field("count", "核心成员人数", "core members")
    region_code: str | None = field("code", "依托单位所在区县代码", "host employer's county code")
    host_name: str | None = field("text", "依托单位", "host employer")
    host_credit_code: str | None = field("code", "依托单位统一社会信用代码", "host employer's credit code")
    programme: Literal["none", "pearl_river", "yangfan", "danxia"] | None = field(
        "code", "申报的团队计划", "team programme applied for")
    level_assessed: Literal["world_class", "top_domestic", "domestic_advanced", "below_funded_levels"] | None = \
        field("code", "团队水平（评审结论，可为“未达到资助档次”）",
              "team level (review conclusion; may be \"below every funded level\")")
    programme_selected: bool | None = field(
        "bool", "已通过评审入选所填的团队计划（评审结果，由主管部门确认；不是自报符合条件）",
        "selected in the review of the team programme given (confirmed by the bureau; not a self-declaration)")
    certificates: list[Certificate] | None = field("list", "已获资格/证书", "certificates held")
    declarations: Declarations = field("record", "声明", "declarations", Declarations())
