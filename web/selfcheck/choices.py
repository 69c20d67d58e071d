"""This file defines the labels of the coded answers the profile models allow (Literal values).

A value without a label here is shown as itself, so a new code in a model still works on the form.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

TRI_STATE = (("true", _l("是")), ("false", _l("否")), ("", _l("未回答")))

LABELS: dict[str, Any] = {
    # certificates
    "hnte": _l("高新技术企业"), "tech_sme": _l("科技型中小企业（入库编号）"), "incubator": _l("科技企业孵化器"),
    "maker_space": _l("众创空间"), "accelerator": _l("加速器"), "star_space": _l("星创天地"),
    "new_rd_institution": _l("新型研发机构"), "engineering_centre": _l("工程技术研究（开发）中心"),
    "enterprise_tech_centre": _l("企业技术中心"), "key_lab": _l("重点实验室"),
    "benchmark_hnte": _l("清远市标杆高新技术企业"),
    # levels
    "national": _l("国家级"), "provincial": _l("省级"), "municipal": _l("市级"), "county": _l("县（区）级"),
    # listing boards
    "star": _l("科创板"), "main": _l("主板"), "sme": _l("中小板"), "chinext": _l("创业板"), "bse": _l("北交所"),
    "neeq": _l("新三板"), "regional": _l("区域性股权市场"),
    # institutions
    "enterprise": _l("企业"), "public_institution": _l("事业单位"), "private_non_enterprise": _l("民办非企业单位"),
    "frontier_research": _l("前沿技术研究"), "industrial_technology": _l("产业技术研发"),
    "conversion": _l("科技成果转移转化"), "technical_service": _l("技术服务"), "spin_offs": _l("孵化科技企业"),
    "research": _l("科学研究与技术开发"), "manufacturing": _l("生产制造"), "teaching": _l("教学"),
    "park_management": _l("园区管理"), "incubator_management": _l("孵化器管理"),
    # people
    "resident_id": _l("居民身份证"), "hkmotw_residence": _l("港澳台居民居住证"),
    "foreign_permanent": _l("外国人永久居留身份证"), "passport": _l("护照"),
    "mainland_permit": _l("港澳台居民来往内地通行证"),
    "none": _l("无"), "associate": _l("大专"), "bachelor": _l("本科（学士）"), "master": _l("硕士"),
    "doctorate": _l("博士"), "junior": _l("初级"), "intermediate": _l("中级"), "associate_senior": _l("副高级"),
    "senior": _l("正高级"),
    "pearl_river": _l("珠江人才计划"), "special_support": _l("广东特支计划"), "yangfan": _l("扬帆计划"),
    "danxia": _l("丹霞英才计划"), "yinfeng": _l("英凤人才计划"),
    "world_class": _l("世界一流水平"), "top_domestic": _l("国内顶尖水平"), "domestic_advanced": _l("国内先进水平"),
    # loans
    "credit": _l("信用贷款"), "mortgage": _l("抵押贷款"), "pledge": _l("质押贷款"), "ip_pledge": _l("知识产权质押贷款"),
    "guaranteed": _l("保证贷款"),
    # size, purchases, certificates, projects
    "micro": _l("微型"), "small": _l("小型"), "medium": _l("中型"), "large": _l("大型"),
    "achievement": _l("科技成果"), "innovation_service": _l("技术创新服务"), "rd_equipment": _l("研发设备"),
    "engineering_research_centre": _l("工程研究中心"), "laboratory": _l("实验室"),
    "major_facility": _l("重大科技基础设施"), "high_level_talent": _l("高层次人才"),
    "national_major": _l("国家科技重大专项"), "national_key_rd": _l("国家重点研发计划"),
    "provincial_major": _l("省级重大科技专项"), "provincial_key_rd": _l("省重点领域研发计划"),
    "new_materials": _l("新材料"), "biomedicine": _l("生物医药"), "green_ecology": _l("绿色生态"),
    "modern_agriculture": _l("现代农业"),
    # kinds, talent programmes, regions
    "institution": _l("新型研发机构"), "talent": _l("人才"), "team": _l("创新创业团队"),
    "outstanding": _l("杰出人才"), "leading": _l("领军人才"), "young_top": _l("青年拔尖人才"),
    "sci_tech_innovation": _l("科技创新"), "sci_tech_entrepreneurship": _l("科技创业"),
    "publicity_culture": _l("宣传思想文化"), "teaching_master": _l("教学名师"), "bqw_project": _l("百千万工程"),
    "other": _l("其他"), "below_funded_levels": _l("低于资助档次"),
    "east_west_north": _l("粤东西北"), "pearl_river_delta": _l("珠三角"),
    # outcomes (a measure's outcome read by another, e.g. a local 高企 award)
    "eligible": _l("符合条件"), "ineligible": _l("不符合"), "undetermined": _l("待定"),
    "not_applicable": _l("不适用"), "conditional": _l("认定后可申请"),
}


def label_of(value: str) -> Any:
    """The display label of a coded value (the value itself when it has none: A–E bands, new codes)."""
    return LABELS.get(value, value)
