"""The one home of every label a reading of a Decision shows: outcomes and categories, issuers, reasons,
confidence grades, trace results, group headings and the coded values the profile models allow.

Each label is an engine `Message` (zh/en). Adding an outcome, a category or a label touches this file only:
every page, report and export reads these tables through engine.reading.
"""

from __future__ import annotations

from engine.decision import Outcome
from engine.errors import Message

CATEGORIES: tuple[str, ...] = ("eligible", "nearly", "undetermined", "conditional", "ineligible", "not_applicable")
"""A measure's category on a reading: its outcome, with "nearly" split off from ineligible (engine.reading.card)."""

CATEGORY_LABELS: dict[str, Message] = {
    "eligible": Message("符合条件", "Eligible"),
    "nearly": Message("差一点", "Nearly"),
    "undetermined": Message("待定", "Undetermined"),
    "conditional": Message("认定后可申请", "Eligible once recognised"),
    "ineligible": Message("不符合", "Not eligible"),
    "not_applicable": Message("不适用", "Not applicable"),
}
"""The one table of outcome and category labels: `label(outcome_or_category)`."""

CATEGORY_HINTS: dict[str, Message] = {
    "eligible": Message("按您填写的资料，以下政策的条件全部满足。",
                        "Based on your data, these measures' conditions are all met."),
    "nearly": Message("只差一点：下面写明了还差多少。", "Close: each card says exactly what is missing."),
    "undetermined": Message("资料不全，暂时无法判断。回答下列问题即可得出结论。",
                            "Not enough data yet. Answer the questions below to get a result."),
    "conditional": Message("须先取得所需资格（如高新技术企业认定）；按您的资料该资格可以取得。金额不计入预计合计。",
                           "First obtain the required status (such as HNTE recognition), which your data "
                           "qualifies for. Not counted in the estimated total."),
    "ineligible": Message("以下政策有条件不满足（写明了您的数据、要求和依据）。",
                          "Some conditions of these measures are not met (your data, the requirement and its source "
                          "are given)."),
    "not_applicable": Message("不在您所在地区、不适用于此类申请人或评价日期不在有效期内。",
                              "Not in your area, not for this kind of applicant, or not in force on the date."),
}

OUTCOME_LABELS: dict[Outcome, Message] = {outcome: CATEGORY_LABELS[outcome.value] for outcome in Outcome}
"""The same labels keyed by the engine's Outcome (a view of CATEGORY_LABELS, not a second table)."""

OTHER = Message("其他结论", "other result")


def label(key: str) -> Message:
    """The label of an outcome or category by its string; an outcome the engine adds later reads "其他结论"."""
    return CATEGORY_LABELS.get(key, OTHER)


TRIAGE_ROUTES: dict[str, Message] = {
    "block": Message("拦截，暂不受理", "blocked"), "escalate": Message("升级处理", "escalated"),
    "senior_review": Message("资深审核员复核", "senior review"), "verify": Message("需核实", "to verify"),
    "fast_track": Message("快速通道", "fast track"),
}
"""Where reviewer triage sends an application (rules/triage `route:`), in words."""

ISSUERS: dict[str, Message] = {
    "national": Message("国家", "National"), "guangdong": Message("广东省", "Guangdong"),
    "qingyuan": Message("清远市", "Qingyuan"), "qingcheng": Message("清城区", "Qingcheng"),
    "shaoguan": Message("韶关市", "Shaoguan"),
}

REASONS: dict[str, Message] = {
    "out_of_area": Message("不在适用地区", "not in your area"),
    "not_in_force": Message("评价日期不在政策有效期内", "not in force on the decision date"),
    "other_kind": Message("不适用于此类申请人", "not for this kind of applicant"),
}
"""Why a measure does not apply (MeasureResult.reason of a not-applicable result)."""

CONFIDENCE: dict[str, Message] = {
    "V2": Message("原文经两个以上公开来源核对", "text checked against two or more public sources"),
    "V": Message("原文经一个公开来源核对", "text checked against one public source"),
    "S": Message("仅有二手资料（非原文）", "secondary sources only (not the original text)"),
    "U": Message("未核实", "not verified"),
    "NF": Message("未找到原文", "original text not found"),
}

RESULTS: dict[str, Message] = {
    "true": Message("满足", "met"), "false": Message("不满足", "not met"), "unknown": Message("待定", "undetermined"),
    "conditional": Message("认定后满足", "met once recognised"),
}
"""The result of one condition in a trace."""

GROUPS: dict[str, Message] = {
    "all": Message("以下条件须全部满足", "All of the following must hold"),
    "any": Message("以下条件满足其一即可", "One of the following is enough"),
    "not": Message("以下条件不得满足", "None of the following may hold"),
    "jurisdiction": Message("适用地区", "Area"),
    "effective": Message("有效期", "Period in force"),
}

DRAFT = Message("草案，尚未施行", "draft, not in force")

CODES: dict[str, Message] = {
    # certificates
    "hnte": Message("高新技术企业", "High and New Technology Enterprise (HNTE)"), "tech_sme": Message("科技型中小企业（入库编号）", "Tech-based SME (registration number)"), "incubator": Message("科技企业孵化器", "Tech business incubator"),
    "maker_space": Message("众创空间", "Maker space"), "accelerator": Message("加速器", "Accelerator"), "star_space": Message("星创天地", "Star innovation space (rural)"),
    "new_rd_institution": Message("新型研发机构", "New-type R&D institution"), "engineering_centre": Message("工程技术研究（开发）中心", "Engineering technology research centre"),
    "enterprise_tech_centre": Message("企业技术中心", "Enterprise technology centre"), "key_lab": Message("重点实验室", "Key laboratory"),
    "benchmark_hnte": Message("清远市标杆高新技术企业", "Qingyuan benchmark HNTE"),
    # levels
    "national": Message("国家级", "National"), "provincial": Message("省级", "Provincial"), "municipal": Message("市级", "Municipal"), "county": Message("县（区）级", "County/district"),
    # listing boards
    "star": Message("科创板", "STAR Market"), "main": Message("主板", "Main Board"), "sme": Message("中小板", "SME Board"), "chinext": Message("创业板", "ChiNext"), "bse": Message("北交所", "Beijing Stock Exchange"),
    "neeq": Message("新三板", "NEEQ"), "regional": Message("区域性股权市场", "Regional equity market"),
    # institutions
    "enterprise": Message("企业", "Enterprise"), "public_institution": Message("事业单位", "Public institution"), "private_non_enterprise": Message("民办非企业单位", "Private non-enterprise unit"),
    "frontier_research": Message("前沿技术研究", "Frontier research"), "industrial_technology": Message("产业技术研发", "Industrial technology R&D"),
    "conversion": Message("科技成果转移转化", "Technology transfer"), "technical_service": Message("技术服务", "Technical services"), "spin_offs": Message("孵化科技企业", "Spinning off tech firms"),
    "research": Message("科学研究与技术开发", "Research and development"), "manufacturing": Message("生产制造", "Manufacturing"), "teaching": Message("教学", "Teaching"),
    "park_management": Message("园区管理", "Park management"), "incubator_management": Message("孵化器管理", "Incubator management"),
    # people
    "resident_id": Message("居民身份证", "Resident ID card"), "hkmotw_residence": Message("港澳台居民居住证", "Residence permit for HK/Macao/Taiwan residents"),
    "foreign_permanent": Message("外国人永久居留身份证", "Foreign permanent resident ID card"), "passport": Message("护照", "Passport"),
    "mainland_permit": Message("港澳台居民来往内地通行证", "Mainland travel permit for HK/Macao/Taiwan residents"),
    "none": Message("无", "None"), "associate": Message("大专", "Associate degree"), "bachelor": Message("本科（学士）", "Bachelor's"), "master": Message("硕士", "Master's"),
    "doctorate": Message("博士", "Doctorate"), "junior": Message("初级", "Junior"), "intermediate": Message("中级", "Intermediate"), "associate_senior": Message("副高级", "Associate senior"),
    "senior": Message("正高级", "Senior"),
    "pearl_river": Message("珠江人才计划", "Pearl River Talent Programme"), "special_support": Message("广东特支计划", "Guangdong Special Support Programme"), "yangfan": Message("扬帆计划", "Yangfan Programme"),
    "danxia": Message("丹霞英才计划", "Danxia Talent Programme"), "yinfeng": Message("引凤计划", "Yinfeng Talent Programme"),
    "world_class": Message("世界一流水平", "World-class"), "top_domestic": Message("国内顶尖水平", "Top in China"), "domestic_advanced": Message("国内先进水平", "Advanced in China"),
    # loans
    "credit": Message("信用贷款", "Credit loan"), "mortgage": Message("抵押贷款", "Mortgage loan"), "pledge": Message("质押贷款", "Pledge loan"), "ip_pledge": Message("知识产权质押贷款", "IP-pledge loan"),
    "guaranteed": Message("保证贷款", "Guaranteed loan"),
    # size, purchases, certificates, projects
    "micro": Message("微型", "micro"), "small": Message("小型", "small"), "medium": Message("中型", "medium"), "large": Message("大型", "large"),
    "achievement": Message("科技成果", "S&T achievements"), "innovation_service": Message("技术创新服务", "technology innovation services"), "rd_equipment": Message("研发设备", "R&D equipment"),
    "engineering_research_centre": Message("工程研究中心", "engineering research centre"), "laboratory": Message("实验室", "laboratory"),
    "major_facility": Message("重大科技基础设施", "major S&T infrastructure"), "high_level_talent": Message("高层次人才", "high-level talent"),
    "national_major": Message("国家科技重大专项", "national major S&T project"), "national_key_rd": Message("国家重点研发计划", "national key R&D programme"),
    "provincial_major": Message("省级重大科技专项", "provincial major S&T project"), "provincial_key_rd": Message("省重点领域研发计划", "provincial key-area R&D programme"),
    "new_materials": Message("新材料", "new materials"), "biomedicine": Message("生物医药", "biomedicine"), "green_ecology": Message("绿色生态", "green ecology"),
    "modern_agriculture": Message("现代农业", "modern agriculture"),
    # kinds, talent programmes, regions
    "institution": Message("新型研发机构", "New-type R&D institution"), "talent": Message("人才", "Talent"), "team": Message("创新创业团队", "Innovation team"),
    "outstanding": Message("杰出人才", "outstanding talent"), "leading": Message("领军人才", "leading talent"), "young_top": Message("青年拔尖人才", "young top talent"),
    "sci_tech_innovation": Message("科技创新", "S&T innovation"), "sci_tech_entrepreneurship": Message("科技创业", "S&T entrepreneurship"),
    "publicity_culture": Message("宣传思想文化", "publicity and culture"), "teaching_master": Message("教学名师", "master teacher"), "bqw_project": Message("百千万工程", "Hundred-Thousand-Ten-Thousand project"),
    "other": Message("其他", "other"), "below_funded_levels": Message("低于资助档次", "below the funded levels"),
    "east_west_north": Message("粤东西北", "east, west and north Guangdong"), "pearl_river_delta": Message("珠三角", "Pearl River Delta"),
    # talent categories read from rule parameters (韶关“丹霞英才”)
    "all": Message("所有企业", "all enterprises"),
    "innovation_entrepreneurship": Message("创新创业人才", "innovation and entrepreneurship talent"),
    "professional_technical": Message("专业技术人才", "professional and technical talent"), "youth": Message("青年人才", "young talent"),
}
"""Labels of the coded answers the profile models allow (Literal values); a code without one shows as itself."""


FIELD_CODES: dict[str, dict[str, Message]] = {
    "listing.board": {"none": Message("未上市或挂牌", "Not listed or quoted")},
}
"""Codes whose words depend on the field: "none" is 无 for a degree but 未上市或挂牌 for where a firm is listed."""


def code_label(value: str, path: str = "") -> Message:
    """The label of a coded value (an outcome read by another measure included), in the words of the field at
    `path` where that field names it otherwise; the value itself when it has none (A–E bands, new codes)."""
    return (FIELD_CODES.get(path, {}).get(value) or CODES.get(value) or CATEGORY_LABELS.get(value)
            or Message(value, value))
