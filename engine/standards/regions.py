"""This module defines the location data and validators of Qingyuan and Shaoguan (data_standards.md §3).

GB/T 2260 county codes (18) and city codes (2), historic codes that survive in ID numbers, NBS township
codes (§3.3, 2022/23 edition — verify before import, townships merge often), our own park list (§3.4), and
Guangdong's 珠三角 / 粤东西北 split. The sentinels 440000 (elsewhere in Guangdong) and 000000 (elsewhere in
China) are valid "outside" locations that most measures then exclude.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from engine.errors import Message, ProfileIssue

from .catalogue import make_issue

QINGYUAN = "qingyuan"
SHAOGUAN = "shaoguan"


@dataclass(frozen=True)
class Region:
    """A GB/T 2260 code with its names, kind and city (None for the outside sentinels)."""

    code: str
    zh: str
    en: str
    kind: str
    city: str | None


def _r(code: str, zh: str, en: str, kind: str) -> Region:
    city = {"4418": QINGYUAN, "4402": SHAOGUAN}.get(code[:4])
    return Region(code, zh, en, kind, city)


CITIES: dict[str, Region] = {
    r.code: r
    for r in (
        _r("441800", "清远市", "Qingyuan City", "prefecture_city"),
        _r("440200", "韶关市", "Shaoguan City", "prefecture_city"),
    )
}

COUNTIES: dict[str, Region] = {
    r.code: r
    for r in (
        _r("441802", "清城区", "Qingcheng District", "district"),
        _r("441803", "清新区", "Qingxin District", "district"),
        _r("441821", "佛冈县", "Fogang County", "county"),
        _r("441823", "阳山县", "Yangshan County", "county"),
        _r("441825", "连山壮族瑶族自治县", "Lianshan Zhuang and Yao Autonomous County", "autonomous_county"),
        _r("441826", "连南瑶族自治县", "Liannan Yao Autonomous County", "autonomous_county"),
        _r("441881", "英德市", "Yingde City", "county_city"),
        _r("441882", "连州市", "Lianzhou City", "county_city"),
        _r("440203", "武江区", "Wujiang District", "district"),
        _r("440204", "浈江区", "Zhenjiang District", "district"),
        _r("440205", "曲江区", "Qujiang District", "district"),
        _r("440222", "始兴县", "Shixing County", "county"),
        _r("440224", "仁化县", "Renhua County", "county"),
        _r("440229", "翁源县", "Wengyuan County", "county"),
        _r("440232", "乳源瑶族自治县", "Ruyuan Yao Autonomous County", "autonomous_county"),
        _r("440233", "新丰县", "Xinfeng County", "county"),
        _r("440281", "乐昌市", "Lechang City", "county_city"),
        _r("440282", "南雄市", "Nanxiong City", "county_city"),
    )
}

OUTSIDE: dict[str, Region] = {
    "440000": Region("440000", "广东省其他地区", "elsewhere in Guangdong", "outside", None),
    "000000": Region("000000", "广东省外", "elsewhere in China", "outside", None),
}


@dataclass(frozen=True)
class HistoricRegion:
    """A code that no longer exists: accepted inside ID numbers, rejected as a current location."""

    code: str
    zh: str
    en: str
    successor: str | None
    until: int


HISTORIC: dict[str, HistoricRegion] = {
    h.code: h
    for h in (
        HistoricRegion("441827", "清新县", "Qingxin County", "441803", 2012),
        HistoricRegion("440221", "曲江县", "Qujiang County", "440205", 2004),
        HistoricRegion("440202", "北江区", "Beijiang District", None, 2004),
    )
}

# §3.3 as typed in the note: county → "last 3 digits + name；…". Codes 4xx are 政企合一 / park-type units.
_TOWNSHIP_TEXT = {
    "440203": "001 新华街道；002 惠民街道；100 西联镇；101 西河镇；102 龙归镇；103 江湾镇；104 重阳镇",
    "440204": (
        "001 东河街道；002 车站街道；008 风采街道；100 新韶镇；101 乐园镇；102 十里亭镇；103 犁市镇；"
        "104 花坪镇；401 曲仁矿务局田螺冲管理区；402 曲仁矿务局曲仁管理区"
    ),
    "440205": (
        "001 松山街道；100 马坝镇；101 大塘镇；102 枫湾镇；103 小坑镇；104 沙溪镇；106 乌石镇；"
        "107 樟市镇；108 白土镇；109 罗坑镇"
    ),
    "440222": (
        "100 太平镇；101 马市镇；102 澄江镇；103 顿岗镇；104 罗坝镇；105 司前镇；106 隘子镇；107 城南镇；"
        "108 沈所镇；204 深渡水乡"
    ),
    "440224": (
        "001 丹霞街道；102 闻韶镇；103 扶溪镇；104 长江镇；105 城口镇；106 红山镇；107 石塘镇；"
        "108 董塘镇；109 大桥镇；110 周田镇；111 黄坑镇"
    ),
    "440229": (
        "100 龙仙镇；104 坝仔镇；106 江尾镇；109 官渡镇；111 周陂镇；113 翁城镇；114 新江镇；115 铁龙镇"
    ),
    "440232": (
        "100 乳城镇；103 一六镇；104 桂头镇；106 洛阳镇；108 大布镇；109 大桥镇；111 东坪镇；112 游溪镇；"
        "113 必背镇；450 天井山林场；451 乳阳林场"
    ),
    "440233": "001 丰城街道；100 黄磜镇；101 马头镇；102 梅坑镇；103 沙田镇；104 遥田镇；105 回龙镇",
    "440281": (
        "001 乐城街道；102 北乡镇；103 九峰镇；104 廊田镇；105 长来镇；106 梅花镇；107 三溪镇；"
        "108 坪石镇；110 黄圃镇；111 五山镇；112 两江镇；113 沙坪镇；114 云岩镇；115 秀水镇；117 大源镇；"
        "118 庆云镇；119 白石镇；451 坪梅矿务局坪石管理区；452 坪梅矿务局梅田管理区"
    ),
    "440282": (
        "001 雄州街道；100 乌迳镇；103 界址镇；104 坪田镇；105 黄坑镇；106 邓坊镇；107 油山镇；"
        "109 南亩镇；110 水口镇；111 江头镇；112 湖口镇；113 珠玑镇；115 主田镇；116 古市镇；118 全安镇；"
        "120 百顺镇；121 澜河镇；122 帽子峰镇；400 东莞大岭山（南雄）产业转移工业园"
    ),
    "441802": (
        "006 凤城街道；007 东城街道；008 洲心街道；009 横荷街道；103 源潭镇；105 龙塘镇；106 石角镇；"
        "107 飞来峡镇；400 清远市高新技术产业开发区；450 清远市国营银盏林场"
    ),
    "441803": (
        "102 太和镇；104 太平镇；105 山塘镇；106 三坑镇；112 龙颈镇；113 禾云镇；117 浸潭镇；118 石潭镇；"
        "450 笔架林场"
    ),
    "441821": (
        "100 石角镇；101 水头镇；102 汤塘镇；103 龙山镇；104 高岗镇；107 迳头镇；400 清远市羊角山林场；"
        "401 广东佛冈观音山省级自然保护区"
    ),
    "441823": (
        "100 青莲镇；101 江英镇；104 杜步镇；105 七拱镇；107 太平镇；108 杨梅镇；110 大崀镇；111 小江镇；"
        "113 岭背镇；115 黄坌镇；116 黎埠镇；119 阳城镇；201 秤架瑶族乡"
    ),
    "441825": (
        "100 永和镇；104 吉田镇；105 太保镇；106 禾洞镇；108 福堂镇；109 小三江镇；111 上帅镇；"
        "450 连山林场；451 禾洞农林场"
    ),
    "441826": "100 三江镇；101 大麦山镇；102 寨岗镇；105 三排镇；106 涡水镇；108 大坪镇；109 香坪镇",
    "441881": (
        "001 英城街道；101 沙口镇；102 望埠镇；103 横石水镇；105 桥头镇；106 青塘镇；108 白沙镇；"
        "109 大站镇；110 西牛镇；111 九龙镇；112 浛洸镇；114 大湾镇；115 石灰铺镇；116 石牯塘镇；"
        "120 下石太镇；124 波罗镇；125 横石塘镇；126 大洞镇；129 连江口镇；130 黎溪镇；131 水边镇；"
        "136 英红镇；137 东华镇；138 黄花镇"
    ),
    "441882": (
        "100 连州镇；101 星子镇；102 大路边镇；103 龙坪镇；104 西岸镇；105 保安镇；106 丰阳镇；"
        "107 东陂镇；109 九陂镇；118 西江镇；200 瑶安瑶族乡；201 三水瑶族乡"
    ),
}

TOWNSHIPS: dict[str, str] = {
    county + item.split(" ", 1)[0]: item.split(" ", 1)[1]
    for county, text in _TOWNSHIP_TEXT.items()
    for item in text.split("；")
}
"""NBS 9-digit township code → name (§3.3)."""


@dataclass(frozen=True)
class Park:
    """A park or zone from our own list (§3.4): parks have no GB/T 2260 code and sit inside counties."""

    code: str
    zh: str
    en: str
    counties: tuple[str, ...]
    nbs_code: str | None = None
    national: bool = False
    acceptance_body: str | None = None
    note: str = ""


PARKS: dict[str, Park] = {
    p.code: p
    for p in (
        Park(
            "QY-GXQ",
            "清远高新区",
            "Qingyuan National High-tech Industrial Development Zone",
            ("441802",),
            nbs_code="441802400",
            national=True,
            acceptance_body="清远高新区科技信息局",
        ),
        Park(
            "QY-GQ",
            "广清产业园",
            "Guangqing Industrial Park",
            ("441802", "441821"),
            acceptance_body="广清产业园科创局",
            note="mainly 清城区 (石角); B zone historically in 佛冈县; since 2026-01 also 空港新城片区 "
            "in 源潭镇",
        ),
        Park("QY-GFG", "广佛(佛冈)产业园", "Guangfo (Fogang) Industrial Park", ("441821",)),
        Park(
            "QY-GDYD",
            "广德(英德)产业园",
            "Guangde (Yingde) Industrial Park",
            ("441881",),
            note="renamed 2019 from 广东顺德清远(英德)经济合作区",
        ),
        Park(
            "QY-KG",
            "广清空港现代物流产业新城",
            "Guangqing Airport Modern Logistics New Town",
            ("441802",),
            note="源潭镇 441802103",
        ),
        Park("QY-YDGXQ", "英德高新区", "Yingde High-tech Zone (provincial)", ("441881",)),
        Park(
            "SG-DGDLS",
            "东莞大岭山（南雄）产业转移工业园",
            "Dongguan Dalingshan (Nanxiong) Industrial Transfer Park",
            ("440282",),
            nbs_code="440282400",
        ),
        Park(
            "SG-GXQ",
            "韶关高新技术产业开发区",
            "Shaoguan High-tech Industrial Development Zone",
            # Only 浈江区 is listed: the Shaoguan plan (seed 002) places the zone's 沐溪片区 there. Parts in
            # 武江区 (440203) and the "一区十园" county parks are not supported by our sources — add them with
            # a source. NBS gives the zone no township-level code in the 2022/23 list.
            ("440204",),
            note="韶关高新区; provincial zone, the 2021–2025 plan aims at national status (seed 002); "
            "core area 沐溪片区 in 浈江区; no NBS code known",
        ),
    )
}

PEARL_RIVER_DELTA = frozenset({"4401", "4403", "4404", "4406", "4407", "4412", "4413", "4419", "4420"})
EAST_WEST_NORTH = frozenset(
    {"4402", "4405", "4408", "4409", "4414", "4415", "4416", "4417", "4418", "4451", "4452", "4453"}
)
"""The 12 prefecture-level cities of 粤东西北; the other 9 of Guangdong's 21 are 珠三角."""


def _clean(code: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", code or "").split()).upper()


def _label(code: str) -> Message:
    region = COUNTIES.get(code) or CITIES.get(code) or OUTSIDE.get(code)
    return Message(f"{code} {region.zh}", f"{code} {region.en}") if region else Message(code, code)


def region_name(code: str, lang: str = "zh") -> str | None:
    """Return the name of a current, city, outside or historic code, or None if unknown."""
    c = _clean(code)
    found = COUNTIES.get(c) or CITIES.get(c) or OUTSIDE.get(c) or HISTORIC.get(c)
    if found is None:
        return None
    return found.en if lang == "en" else found.zh


def validate_region_code(
    code: str | None,
    path: str = "registered_county_code",
    *,
    allow_city: bool = True,
    allow_outside: bool = True,
) -> list[ProfileIssue]:
    """Validate a registered location: one of the 18 county codes, or a city code or outside sentinel.

    Returns the issues (empty when valid). Input is compared after NFKC and whitespace removal. Historic
    codes (e.g. 441827 清新县) are rejected with REGION_HISTORIC naming the successor.

    >>> validate_region_code("441802"), validate_region_code("000000")
    ([], [])
    >>> [i.code for i in validate_region_code("441827")]
    ['REGION_HISTORIC']
    """
    c = _clean(code)
    if not c:
        return [make_issue("REGION_REQUIRED", path)]
    if c in COUNTIES or (allow_city and c in CITIES) or (allow_outside and c in OUTSIDE):
        return []
    old = HISTORIC.get(c)
    if old is None:
        return [make_issue("REGION_UNKNOWN", path, code=c)]
    successor = Message("", "")
    if old.successor:
        now = COUNTIES[old.successor]
        successor = Message(f"（现为{now.code} {now.zh}）", f" (now {now.code} {now.en})")
    return [make_issue("REGION_HISTORIC", path, code=c, name=Message(old.zh, old.en), successor=successor)]


def validate_township(code: str | None, county: str, path: str = "township_code") -> list[ProfileIssue]:
    """Validate an optional NBS township code (9 digits, or 12 with a trailing 000) against the county.

    Returns the issues (empty when valid); an empty code is valid, the field being optional.
    """
    c = _clean(code)
    if len(c) == 12 and c.endswith("000"):
        c = c[:9]
    if not c:
        return []
    county_code = _clean(county)
    if c[:6] != county_code and (c in TOWNSHIPS or (len(c) == 9 and c.isdigit())):
        return [make_issue("TOWNSHIP_COUNTY_MISMATCH", path, code=c, county=_label(county_code))]
    if c not in TOWNSHIPS:
        return [make_issue("TOWNSHIP_UNKNOWN", path, code=c)]
    return []


NO_PARK = "none"
"""Stored `park_code` value: the applicant is in no park or zone (an answer; a rule asking for a park fails on it)."""


def validate_park(park_code: str | None, county: str, path: str = "park_code") -> list[ProfileIssue]:
    """Validate an optional park code: it must be in `PARKS` and located in the registered county.

    Returns the issues (empty when valid); an empty code is valid, the field being optional, and so is
    `NO_PARK` ("in no park").

    >>> [i.code for i in validate_park("QY-GFG", "441802")]
    ['PARK_COUNTY_MISMATCH']
    """
    p = _clean(park_code)
    if not p or p == NO_PARK.upper():
        return []
    park = PARKS.get(p)
    if park is None:
        return [make_issue("PARK_UNKNOWN", path, park=p)]
    county_code = _clean(county)
    if county_code not in park.counties:
        name = Message(park.zh, park.en)
        return [make_issue("PARK_COUNTY_MISMATCH", path, park=name, county=_label(county_code))]
    return []


def city_of(code: str) -> str | None:
    """Return "qingyuan" or "shaoguan" for a known current, city, historic or township code; else None.

    >>> city_of("441881"), city_of("440282400"), city_of("440000")
    ('qingyuan', 'shaoguan', None)
    """
    c = _clean(code)
    county = c[:6] if len(c) in (9, 12) and c[:6] in COUNTIES else c
    region = COUNTIES.get(county) or CITIES.get(county)
    if region is not None:
        return region.city
    return {"4418": QINGYUAN, "4402": SHAOGUAN}.get(c[:4]) if c in HISTORIC else None


def region_class(code: str) -> str:
    """Return "east_west_north" (粤东西北), "pearl_river_delta" (珠三角) or "other".

    Decided by the prefecture (digits 1–4) of a 6-, 9- or 12-digit code. "other" covers codes outside
    Guangdong and Guangdong codes naming no prefecture, such as the sentinel 440000.

    >>> region_class("441802"), region_class("440300"), region_class("440000"), region_class("110105")
    ('east_west_north', 'pearl_river_delta', 'other', 'other')
    """
    c = _clean(code)
    if len(c) not in (6, 9, 12) or not (c.isascii() and c.isdigit()):
        return "other"
    if c[:4] in PEARL_RIVER_DELTA:
        return "pearl_river_delta"
    if c[:4] in EAST_WEST_NORTH:
        return "east_west_north"
    return "other"
