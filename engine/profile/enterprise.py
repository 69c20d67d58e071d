"""The enterprise profile: identity, staff, three fiscal years, IP, innovation sub-scores, loans.

Money is in whole yuan (forms show 万元); staff counts may be averages with two decimals. Every field
is optional: a field left out is *unknown*, and a measure that needs it comes out undetermined.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from engine.profile.common import Certificate, Declarations, Project, Strict
from engine.profile.fields import Count, Money, SignedMoney, Whole, field, required

Band = Literal["A", "B", "C", "D", "E"]


class Staff(Strict):
    """Head counts under the two official definitions (高企 and 科技型中小企业 differ)."""

    total: Count | None = field("count", "职工总数（高企口径：全年月平均数）",
                                "total staff (HNTE: annual average of monthly averages)")
    sci_tech: Count | None = field("count", "科技人员数（高企口径：累计工作183天以上，全年月平均数）",
                                   "S&T staff (HNTE: ≥183 days worked, annual monthly average)")
    sme_total: Count | None = field("count", "职工总数（科技型中小企业口径：全年季平均数）",
                                    "total staff (tech-SME: annual average of quarterly averages)")
    sme_sci_tech: Count | None = field("count", "科技人员数（科技型中小企业口径：累计工作6个月以上）",
                                       "S&T staff (tech-SME: ≥6 months worked, quarterly averages)")
    researchers_full_time: Count | None = field("count", "专职研发人员数", "full-time researchers")
    researchers_degree_or_title: Count | None = field(
        "count", "本科以上学历或中级以上职称的专职研发人员数",
        "full-time researchers with a bachelor's degree or intermediate title")
    sci_tech_college_plus: Count | None = field(
        "count", "大专以上学历科技人员数（2008年高企办法口径）",
        "S&T staff with a college diploma (大专) or higher (2008 HNTE measures)")
    rd_staff: Count | None = field(
        "count", "其中研发人员数（2008年高企办法口径）",
        "of whom R&D staff (2008 HNTE measures)")


class FiscalYear(Strict):
    """One accounting year of figures (annual tax return / audited statements)."""

    year: int = required("years", "会计年度", "fiscal year", ge=1990, le=2100)
    sales: Money | None = field("money", "销售收入（主营业务收入+其他业务收入）", "sales (main + other business revenue)")
    main_business_revenue: Money | None = field("money", "主营业务收入", "main business revenue")
    total_income: Money | None = field("money", "总收入", "total income")
    hitech_income: Money | None = field("money", "高新技术产品（服务）收入", "high-tech product/service income")
    rd_expense: Money | None = field("money", "研究开发费用总额", "R&D expense")
    rd_domestic: Money | None = field("money", "境内研究开发费用", "R&D expense incurred in China")
    cost_expense_total: Money | None = field("money", "成本费用支出总额", "total cost and expense")
    total_assets: Money | None = field("money", "资产总额（年末）", "total assets (year end)")
    net_assets: SignedMoney | None = field("money", "净资产（年末）", "net assets (year end)")
    tax_paid: Money | None = field("money", "纳税额", "taxes paid")


class IntellectualProperty(Strict):
    """Valid, owned IP related to the main products (trademarks excluded)."""

    class1: Whole | None = field("count", "Ⅰ类知识产权数（发明专利等）", "class-I IP (invention patents etc.)")
    class2: Whole | None = field("count", "Ⅱ类知识产权数（实用新型、外观设计、软著等）",
                                 "class-II IP (utility models, designs, software copyrights)")
    core_ip_owned: bool | None = field("bool", "拥有对主要产品发挥核心支持作用的知识产权所有权",
                                       "owns IP giving core technical support to the main products")
    self_developed: bool | None = field("bool", "有自主研发获得的知识产权",
                                        "some IP was obtained by own R&D (not only transfer/gift/merger)")
    exclusive_licence_5y: bool | None = field(
        "bool", "通过5年以上的独占许可取得主要产品核心技术的知识产权（2008年高企办法）",
        "holds the core IP of the main products under an exclusive licence of 5 years or more (2008 HNTE measures)")
    led_standard_within_5y: bool | None = field(
        "bool", "近五年内主导制定过国际标准、国家标准或行业标准",
        "led an international, national or industry standard in the last five years")
    national_award_top3_within_5y: bool | None = field(
        "bool", "近五年内获得过国家级科技奖励，并在获奖单位中排在前三名",
        "a national S&T award in the last five years, ranked among the first three units")


class Innovation(Strict):
    """高企 innovation-capability sub-items that experts judge within a band (工作指引 评价表)."""

    assessed_total: Whole | None = field("points", "创新能力评价总分（自评或咨询机构评估，若有）",
                                         "innovation score total if already assessed", le=100)
    ip_advancement: Band | None = field("code", "技术的先进程度（A–E）", "technical advancement band (A–E)")
    ip_core_support: Band | None = field("code", "核心支持作用（A–E）", "core-support band (A–E)")
    standard_setting: bool | None = field("bool", "参与编制国家/行业标准、检测方法、技术规范",
                                          "took part in drafting national/industry standards")
    conversions_3y: Whole | None = field("count", "近三年科技成果转化数", "S&T achievements converted, last 3 years")
    rd_management_points: Whole | None = field("points", "研发组织管理水平得分（自评，满分20）",
                                               "R&D management score (self-assessed, max 20)", le=20)


class Loan(Strict):
    """A bank loan, for the credit risk pools and IP-pledge compensation."""

    type: Literal["credit", "mortgage", "pledge", "ip_pledge", "guaranteed"] = required(
        "code", "贷款类型", "loan type")
    amount: Money = required("money", "贷款金额", "loan amount")
    bank: str | None = field("text", "贷款银行", "bank")
    # One flag per scheme (issue 17): a loan admitted to one pool is not thereby in another.
    in_gd_tech_credit_scheme: bool | None = field(
        "bool", "纳入广东省科技信贷风险补偿（合作银行科技信贷）", "in the Guangdong S&T credit risk-compensation scheme")
    in_qy_credit_pool: bool | None = field(
        "bool", "纳入清远市中小微企业信用贷款风险资金池", "in the Qingyuan SME credit-loan risk pool")
    in_qc_sme_credit_fund: bool | None = field(
        "bool", "纳入清城区中小企业信贷风险补偿基金", "in the Qingcheng SME credit risk-compensation fund")
    in_qc_ip_pledge_scheme: bool | None = field(
        "bool", "纳入清城区知识产权质押融资支持", "in the Qingcheng IP-pledge financing scheme")
    in_sg_tech_credit_reserve: bool | None = field(
        "bool", "纳入韶关市科技信贷风险准备金", "in the Shaoguan S&T credit risk reserve")
    in_sg_ip_pledge_fund: bool | None = field(
        "bool", "纳入韶关市知识产权质押融资风险补偿资金", "in the Shaoguan IP-pledge risk-compensation fund")
    granted_on: dt.date | None = field("date", "放款日期", "granted on")
    principal_loss: Money | None = field("money", "本金损失（不良）", "principal loss (bad loan)")


class HnteApplication(Strict):
    """A 高企 application under way and the city's preliminary review of it (韶关：市科技局推荐、初审得分)."""

    submitted_on: dt.date | None = field("date", "高企认定申请提交日期", "HNTE application submitted on")
    recommended_by_city: bool | None = field("bool", "经市科技局推荐参加高企评审",
                                             "recommended by the city S&T bureau for the HNTE review")
    preliminary_score: Whole | None = field("points", "市科技局初审得分",
                                            "preliminary review score (city S&T bureau)", le=100)


class RdCentre(Strict):
    """The firm's own R&D centre (研发中心/技术中心) that applies for recognition as an engineering or tech centre.

    `exists: false` is the answer "没有研发中心": the firm has no centre, so none of its conditions (premises,
    equipment, a year of operation) can be met — the rules reading them say so (`coalesce(rd_centre.exists,
    true) and …`). Left out, whether the firm has a centre is unknown and its figures decide.
    """

    exists: bool | None = field("bool", "设有研发中心（企业技术中心）", "has an R&D centre (enterprise technology centre)")
    founded_on: dt.date | None = field("date", "研发中心（企业技术中心）成立日期", "date the R&D centre was set up")
    premises_m2: Whole | None = field("area", "研发中心研发场地面积（㎡）", "R&D centre premises (㎡)")
    test_equipment_value: Money | None = field(
        "money", "实验、检测、分析仪器设备原值（不含生产设备）",
        "original value of test, inspection and analysis equipment (excluding production equipment)")


class ZoneStatus(Strict):
    """Facts about the firm's park that the park code does not carry (Shaoguan High-tech Zone, park SG-GXQ)."""

    taxes_paid_to_zone: bool | None = field(
        "bool", "税收缴入所在高新区财政（韶关高新区）",
        "taxes paid into the budget of the high-tech zone the firm is in (Shaoguan High-tech Zone)")
    torch_statistics_filed: bool | None = field(
        "bool", "按要求报送火炬统计调查数据（近两年无拒报）", "torch statistics filed as required (no refusal in two years)")
    local_contribution_increase: Money | None = field(
        "money", "上年度对高新区地方经济贡献的增量", "increase of the local economic contribution to the zone last year")
    local_contribution_24m: Money | None = field(
        "money", "迁入后24个月内对高新区的地方经济贡献",
        "local economic contribution to the zone in the 24 months after moving in")


class Listing(Strict):
    """Where the firm is listed; board "none" is the explicit answer "未上市或挂牌" (then no date is given)."""

    board: Literal["none", "star", "main", "sme", "chinext", "bse", "neeq", "regional"] = required(
        "code", "上市/挂牌板块", "board")
    listed_on: dt.date | None = field("date", "上市/挂牌日期", "listed on")


class EnterpriseProfile(Strict):
    """An enterprise (法人企业) applying for or checking S&T support measures."""

    kind: Literal["enterprise"] = "enterprise"
    name: str = required("text", "企业名称", "enterprise name", min_length=1, max_length=200)
    credit_code: str | None = field("code", "统一社会信用代码", "unified social credit code")
    region_code: str | None = field("code", "注册地（区县）", "registered county or district")
    park_code: str | None = field("code", "所在园区", "park or zone")
    registered_on: dt.date | None = field("date", "注册成立日期", "registration date")
    resident_enterprise: bool | None = field("bool", "中国境内（不含港澳台）注册的居民企业",
                                             "resident enterprise registered in mainland China")
    industry_code: str | None = field("code", "所属行业（国民经济行业分类）", "industry (national classification)")
    tech_field: str | None = field("code", "核心技术所属高新技术领域", "high-tech field of the core technology")
    relocated_on: dt.date | None = field("date", "整体迁入本市日期", "date the firm relocated into the city")
    independent_legal_person: bool | None = field("bool", "具有独立法人资格（不是分支机构）",
                                                  "independent legal person (not a branch)")
    size_class: Literal["micro", "small", "medium", "large"] | None = field(
        "code", "企业规模（统计上大中小微型企业划分办法（2017））", "size class (NBS 2017 size bands)")
    tech_purchase: Literal["achievement", "innovation_service", "rd_equipment", "none"] | None = field(
        "code", "拟向高校、科研机构、科技服务机构购买的内容（科技成果/技术创新服务/建立研发机构所需研发设备）",
        "what the firm buys from universities, institutes or S&T service bodies "
        "(achievement / innovation service / R&D equipment for a new R&D unit)")
    hnte_application: HnteApplication = field("record", "高企认定申请情况", "HNTE application", HnteApplication())
    zone: ZoneStatus = field("record", "所在高新区情况", "status in the high-tech zone", ZoneStatus())
    staff: Staff = field("record", "人员情况", "staff", Staff())
    rd_centre: RdCentre = field("record", "研发中心", "R&D centre", RdCentre())
    finance: list[FiscalYear] = field("list", "近三个会计年度财务数据", "last three fiscal years", default_factory=list)
    ip: IntellectualProperty = field("record", "知识产权", "intellectual property", IntellectualProperty())
    innovation: Innovation = field("record", "创新能力评价", "innovation capability", Innovation())
    certificates: list[Certificate] | None = field("list", "已获资格/证书", "certificates held")
    declarations: Declarations = field("record", "声明", "declarations", Declarations())
    loans: list[Loan] | None = field("list", "贷款", "loans")
    projects: list[Project] | None = field("list", "项目", "projects")
    listing: Listing | None = field("record", "上市/挂牌", "listing")
