"""Sections shared by every applicant kind: location, declarations, certificates held, projects."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from engine.profile.fields import Money, field, required

CertificateType = Literal[
    "hnte",  # 高新技术企业证书
    "tech_sme",  # 科技型中小企业入库登记编号
    "incubator",  # 科技企业孵化器
    "maker_space",  # 众创空间
    "accelerator",  # 加速器
    "star_space",  # 星创天地
    "new_rd_institution",  # 新型研发机构
    "engineering_centre",  # 工程技术研究（开发）中心
    "enterprise_tech_centre",  # 企业技术中心
    "key_lab",  # 重点实验室
    "benchmark_hnte",  # 清远市标杆高新技术企业
    "engineering_research_centre",  # 工程研究中心（发展改革部门，如国家工程研究中心）
    "laboratory",  # 国家实验室、省实验室（不是重点实验室）
    "major_facility",  # 重大科技基础设施（重大科学装置）
    "high_level_talent",  # 高层次人才认定（人才本人持有）
]
Level = Literal["national", "provincial", "municipal", "county"]


class Strict(BaseModel):
    """Base of every profile section: unknown keys are errors, values are never coerced silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Certificate(Strict):
    """A status already held (a certificate, recognition or filing), with its dates."""

    type: CertificateType = required("code", "证书/资格类型", "certificate type")
    level: Level | None = field("code", "级别", "level")
    number: str | None = field("text", "证书编号", "certificate number")
    issued_on: dt.date = required("date", "发证/认定日期", "date issued or recognised")
    expires_on: dt.date | None = field("date", "有效期至", "valid until")
    first_time: bool | None = field("bool", "是否首次认定", "first recognition (not a renewal)")


class Declarations(Strict):
    """Compliance declarations, each tri-state: true, false, or not answered (unknown, never 'no').

    The adverse ones (a "yes" counts against the applicant) can be answered together: "以上情形均没有"."""

    major_incident_prior_year: bool | None = field(
        "bool", "申请前一年内发生重大安全、重大质量事故或严重环境违法行为",
        "major safety/quality accident or serious environmental violation in the year before applying",
        adverse=True)
    major_incident_or_misconduct: bool | None = field(
        "bool", "上一年及当年内发生重大安全、质量事故、严重环境违法或科研严重失信行为",
        "major accident, environmental violation or serious research misconduct last year or this year",
        adverse=True)
    on_abnormal_operation_list: bool | None = field("bool", "列入经营异常名录", "on the abnormal-operation list",
                                                    adverse=True)
    on_serious_dishonesty_list: bool | None = field(
        "bool", "列入严重违法失信名单", "on the list of seriously dishonest entities", adverse=True)
    prohibited_catalogue: bool | None = field(
        "bool", "产品和服务属于国家禁止、限制和淘汰类", "products in a prohibited/restricted/eliminated catalogue",
        adverse=True)
    audited_tax_collection: bool | None = field(
        "bool", "会计核算健全、实行查账征收", "sound accounts and audited (查账征收) tax collection")
    local_registration_tax_statistics: bool | None = field(
        "bool", "工商注册、税务征管、统计关系均在本地", "registration, tax and statistics all held locally")
    fraud_or_major_penalty_since_prior_year: bool | None = field(
        "bool", "自上年1月1日起有弄虚作假骗取财政资金、受到刑事处罚或重大行政处罚（含对法人罚款10万元以上）",
        "since 1 January of last year: fraud in claiming public funds, a criminal penalty or a major "
        "administrative penalty (incl. a fine of 100,000 yuan or more on the legal person)", adverse=True)
    # One flag per programme (issue 17): a yes for one programme's unpublished conditions opens no other.
    qy_listing_reward_conditions_met: bool | None = field(
        "bool", "符合《清远市扶持企业上市办法》未公开的其他奖励条件（以当年通知为准，由金融工作部门核实）",
        "meets the unpublished conditions of the Qingyuan listing-support measures (per the year's call; "
        "verified by the finance bureau)")
    sg_listing_reward_conditions_met: bool | None = field(
        "bool", "符合韶关市企业上市挂牌奖励未公开的其他条件（以当年通知为准，由金融工作部门核实）",
        "meets the unpublished conditions of the Shaoguan listing reward (per the year's call; "
        "verified by the finance bureau)")
    nri_fund_conditions_met: bool | None = field(
        "bool", "符合区新型研发机构发展专项未公开的其他申报条件（以当年通知为准，由科技主管部门核实）",
        "meets the district new-R&D-institution fund's unpublished conditions (per the year's call; "
        "verified by the S&T bureau)")
    yinfeng_conditions_met: bool | None = field(
        "bool", "自报：符合清城区“引凤计划”未公开的其他条件（以当年通知为准，由人才工作部门核实；不表示已入选）",
        "self-declared: meets the unpublished conditions of Qingcheng's Yinfeng programme (per the year's call; "
        "verified by the talent office; not the same as being selected)")
    talent_housing_conditions_met: bool | None = field(
        "bool", "自报：符合清城区高层次人才安居保障未公开的其他条件（以当年通知为准，由人才工作部门核实）",
        "self-declared: meets the unpublished conditions of Qingcheng's housing support for high-level talent "
        "(per the year's call; verified by the talent office)")
    danxia_conditions_met: bool | None = field(
        "bool", "自报：符合韶关市“丹霞英才”未公开的其他条件（以当年通知为准，由人才工作部门核实；不表示已入选）",
        "self-declared: meets the unpublished conditions of Shaoguan's Danxia Talents programme (per the year's "
        "call; verified by the talent office; not the same as being selected)")
    incubation_subsidy_conditions_met: bool | None = field(
        "bool", "符合孵化育成后补助未公开的其他条件（以当年通知为准，由科技主管部门核实）",
        "meets the incubation post-subsidy's unpublished conditions (per the year's call; "
        "verified by the S&T bureau)")


class Project(Strict):
    """A project the applicant asks funding for or leads (同一项目不得重复申报 uses its `key`)."""

    key: str = required("text", "项目标识", "project key")
    name: str | None = field("text", "项目名称", "project name")
    field_code: str | None = field("code", "项目领域", "project field")
    fiscal_requested: Money | None = field("money", "申请财政资金", "fiscal funding requested")
    own_new_funding: Money | None = field("money", "自筹新增经费", "own new funding")
    lead_of: Literal["national_major", "national_key_rd", "provincial_major", "provincial_key_rd"] | None = \
        field("code", "牵头承担的国家/省重大项目类型", "national/provincial project led")
    started_on: dt.date | None = field("date", "立项日期", "approved on")
