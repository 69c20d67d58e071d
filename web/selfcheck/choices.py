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
}


def label_of(value: str) -> Any:
    """The display label of a coded value (the value itself when it has none: A–E bands, new codes)."""
    return LABELS.get(value, value)
