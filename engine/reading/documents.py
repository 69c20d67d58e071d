"""The source documents the rule files cite, named in English (presentation only).

A rule file cites its document by its Chinese title, as published; an English reader gets the title in English
followed by the original in 《》 (the name to search for). One entry per title as the rule files spell it; a
rule file citing a title missing here fails tests/engine/test_reading.py, which names the title.
"""

from __future__ import annotations

TITLES_EN: dict[str, str] = {
    # national
    "高新技术企业认定管理办法": "Administrative Measures for the Recognition of High-tech Enterprises",
    "高新技术企业认定管理办法（2008年）": "Administrative Measures for the Recognition of High-tech Enterprises (2008)",
    "高新技术企业认定管理工作指引": "Work Guidelines for the Recognition of High-tech Enterprises",
    "高新技术企业认定管理工作指引（2008年）": "Work Guidelines for the Recognition of High-tech Enterprises (2008)",
    "国家重点支持的高新技术领域": "High-tech Fields Supported by the State",
    "中华人民共和国企业所得税法": "Enterprise Income Tax Law of the People's Republic of China",
    "科技型中小企业评价办法": "Measures for the Evaluation of Technology-based SMEs",
    "科技型中小企业评价服务工作指引": "Work Guidelines for the Evaluation Service for Technology-based SMEs",
    "2026年度科技型中小企业评价工作通知": "Notice on the 2026 Evaluation of Technology-based SMEs",
    "财政部 国家税务总局 科技部关于完善研究开发费用税前加计扣除政策的通知":
        "Notice of the Ministry of Finance, the State Taxation Administration and the Ministry of Science and "
        "Technology on Improving the Pre-tax Super-deduction of R&D Expenses",
    "财政部 税务总局关于进一步完善研发费用税前加计扣除政策的公告":
        "Announcement of the Ministry of Finance and the State Taxation Administration on Further Improving the "
        "Pre-tax Super-deduction of R&D Expenses",
    "关于提高科技型中小企业研究开发费用税前加计扣除比例的通知":
        "Notice on Raising the Pre-tax Super-deduction Rate of R&D Expenses of Technology-based SMEs",
    "关于进一步提高科技型中小企业研发费用税前加计扣除比例的公告":
        "Announcement on Further Raising the Pre-tax Super-deduction Rate of R&D Expenses of Technology-based SMEs",
    "科技企业孵化器管理办法": "Measures for the Administration of Technology Business Incubators",
    "科技企业孵化器管理办法（专业孵化器面积下限）":
        "Measures for the Administration of Technology Business Incubators (minimum area of a specialised incubator)",
    "工业和信息化部科技型企业孵化器管理办法":
        "Measures of the Ministry of Industry and Information Technology for the Administration of Technology "
        "Business Incubators",
    "国家众创空间备案暂行规定": "Interim Provisions on the Filing of National Maker Spaces",
    "发展众创空间工作指引": "Work Guidelines for Developing Maker Spaces",
    '发展"星创天地"工作指引': "Work Guidelines for Developing Star Innovation Spaces (Xingchuang Tiandi)",
    "福建省星创天地备案条件（2021）": "Fujian Filing Conditions for Star Innovation Spaces (2021)",
    "关于促进新型研发机构发展的指导意见": "Guiding Opinions on Promoting the Development of New R&D Institutions",
    "“创新积分制”工作指引（全国试行版）": "Work Guidelines for the Innovation Points System (national trial edition)",
    # Guangdong
    "广东省科技企业孵化载体管理办法": "Guangdong Measures for the Administration of Technology Business Incubation Carriers",
    "广东省科学技术厅关于组织申报2019年广东省工程技术研究中心的通知":
        "Notice of the Guangdong Department of Science and Technology on Applications for Guangdong Engineering "
        "Technology Research Centres, 2019",
    "广东省工程技术研究中心认定（年度申报通知）":
        "Recognition of Guangdong Engineering Technology Research Centres (annual call)",
    "广东省省级企业技术中心管理办法": "Guangdong Measures for the Administration of Provincial Enterprise Technology Centres",
    "广东省省级企业技术中心管理办法（2021年）":
        "Guangdong Measures for the Administration of Provincial Enterprise Technology Centres (2021)",
    "广东省高新技术企业培育库": "Guangdong High-tech Enterprise Cultivation Pool",
    "科技创新券（省市共同出资）": "Innovation Vouchers (funded jointly by the province and the city)",
    "广东省科学技术厅关于新型研发机构管理的暂行办法":
        "Interim Measures of the Guangdong Department of Science and Technology for the Administration of New R&D "
        "Institutions",
    "珠江人才计划": "Pearl River Talent Plan",
    "珠江人才计划 引进创新创业团队资助标准（2008年设计，见gov.cn 2008-09-26报道）":
        "Pearl River Talent Plan: funding standards for recruited innovation and entrepreneurship teams (designed in "
        "2008; gov.cn report of 2008-09-26)",
    "企业研究开发财政补助": "Financial Subsidies for Enterprise R&D",
    "广东省培养高层次人才特殊支持计划": "Guangdong Special Support Plan for High-level Talent",
    "广东省科技信贷风险补偿管理办法（试行）":
        "Guangdong Measures for the Administration of Science and Technology Credit Risk Compensation (trial)",
    "粤东西北地区人才发展帮扶计划（扬帆计划）":
        "Talent Development Assistance Plan for Eastern, Western and Northern Guangdong (Yangfan Plan)",
    # Qingyuan and Qingcheng
    "清远市加快科技创新发展的若干政策（科创12条）":
        "Qingyuan Policies for Accelerating Science and Technology Innovation (the twelve innovation measures)",
    "清远市科技创新发展“十四五”规划": "Qingyuan 14th Five-Year Plan for Science and Technology Innovation",
    "清远市高新技术企业量质双升奖励实施细则":
        "Qingyuan Implementing Rules for Rewarding Growth in the Number and Quality of High-tech Enterprises",
    "清远市标杆高新技术企业培育发展实施方案（试行）":
        "Qingyuan Implementation Plan for Cultivating Benchmark High-tech Enterprises (trial)",
    "清远市重点产业科技创新行动方案（征求意见稿）":
        "Qingyuan Action Plan for Science and Technology Innovation in Key Industries (draft for comment)",
    "清远市扶持企业上市办法": "Qingyuan Measures for Supporting Enterprise Listings",
    "清远市工程技术研究开发中心认定和管理办法":
        "Qingyuan Measures for the Recognition and Administration of Engineering Technology R&D Centres",
    "清远市工程技术研究开发中心认定管理办法":
        "Qingyuan Measures for the Recognition and Administration of Engineering Technology R&D Centres",
    "清远市中小微企业信用贷款风险资金池管理办法":
        "Qingyuan Measures for the Administration of the Risk Pool for Credit Loans to Micro, Small and "
        "Medium-sized Enterprises",
    "清远市清城区科技创新发展“十四五”规划（2021-2025年）":
        "Qingcheng District 14th Five-Year Plan for Science and Technology Innovation (2021–2025)",
    "清城区“引凤计划”": "Qingcheng District Yinfeng Talent Plan",
    # Shaoguan
    "韶关市科技创新“十四五”规划": "Shaoguan 14th Five-Year Plan for Science and Technology Innovation",
    "韶关市加快培育高新技术企业扶持办法":
        "Shaoguan Measures for Supporting the Accelerated Cultivation of High-tech Enterprises",
    "韶关高新区关于加快科技创新驱动发展的若干政策（修订版）":
        "Shaoguan High-tech Zone Policies for Accelerating Innovation-driven Development (revised)",
    "韶关市科技企业孵化器认定和管理办法（试行）":
        "Shaoguan Measures for the Recognition and Administration of Technology Business Incubators (trial)",
    "韶关市科技企业加速器认定和管理办法（试行）":
        "Shaoguan Measures for the Recognition and Administration of Technology Business Accelerators (trial)",
    "韶关市众创空间认定和管理暂行办法": "Shaoguan Interim Measures for the Recognition and Administration of Maker Spaces",
    "韶关市促进科技孵化育成体系建设后补助资金管理试行办法":
        "Shaoguan Trial Measures for the Administration of Post-subsidies for Building the Technology Incubation "
        "System",
    "韶关市推动企业建立研发机构扶持办法": "Shaoguan Measures for Supporting Enterprises in Setting Up R&D Institutions",
    "韶关市“丹霞英才”计划": "Shaoguan Danxia Talent Plan",
    "韶关市扶持产业科技人才实施意见（试行）":
        "Shaoguan Implementing Opinions on Supporting Industrial Science and Technology Talent (trial)",
    "韶关市引进百名紧缺适用人才实施意见（试行）":
        "Shaoguan Implementing Opinions on Recruiting a Hundred Talents in Short Supply (trial)",
    "韶关市知识产权质押融资风险补偿资金管理办法":
        "Shaoguan Measures for the Administration of the Risk Compensation Fund for IP-pledge Financing",
    "韶关市知识产权质押融资风险补偿资金管理试行办法":
        "Shaoguan Trial Measures for the Administration of the Risk Compensation Fund for IP-pledge Financing",
    "韶关市科技信贷风险准备金管理办法":
        "Shaoguan Measures for the Administration of the Science and Technology Credit Risk Reserve",
    "韶关市重大科技专项设立方案": "Shaoguan Plan for Establishing Major Science and Technology Projects",
}


def title_en(document: str) -> str | None:
    """The English title of a cited document, or None when the glossary has none."""
    return TITLES_EN.get(document)
