"""Values, requirements and sources in plain words, in one language: what a person reads instead of
field ids, raw operators and parameter sources.

Every function takes values in their plain JSON form (engine.canonical.plain: exact numbers as int or text,
intervals as {"interval": [lo, hi]}, unknowns as {"unknown": [...]}), so a live Decision and a stored one
read the same.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from engine.canonical import number_of_text, plain
from engine.errors import Message
from engine.explain import fmt, money
from engine.profile.labels import field_label
from engine.reading.documents import title_en
from engine.reading.labels import code_label
from engine.standards.tech_fields import FIELDS, name_of

Number = int | Fraction

NUMERIC_UNITS = frozenset({"money", "ratio", "number", "count", "points", "days", "years", "months", "area", "any"})

DOCUMENTS: dict[str, tuple[str, str]] = {
    "G32": ("高新技术企业认定管理办法", "国科发火〔2016〕32号"),
    "G195": ("高新技术企业认定管理工作指引", "国科发火〔2016〕195号"),
    "GF": ("国家重点支持的高新技术领域", "国科发火〔2016〕32号附件"),
    "S115": ("科技型中小企业评价办法", "国科发政〔2017〕115号"),
}
"""The short keys the rule files' parameter sources begin with, as the document and number they stand for."""

_ARTICLE = re.compile(r"第[一二三四五六七八九十百零〇\d]+条(?:[（(][一二三四五六七八九十\d]+[)）])?")


def num(value: Any) -> Number | None:
    """An exact number from its plain form (int, Fraction, "0.15", "3/70"); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Fraction):
        return value
    if isinstance(value, str):
        return number_of_text(value)
    return None


def plain_value(value: Any) -> Any:
    """engine.canonical.plain, taking the floats a stored JSON profile may hold as the exact decimals they print as."""
    if isinstance(value, float):
        return plain(Fraction(str(value)))
    if isinstance(value, list):
        return [plain_value(v) for v in value]
    if isinstance(value, dict):
        return {k: plain_value(v) for k, v in value.items()}
    return plain(value)


def interval(value: Any) -> tuple[Number, Number] | None:
    """(lo, hi) of an interval in plain form ({"interval": [lo, hi]}), or None."""
    value = plain_value(value)
    if isinstance(value, dict) and isinstance(value.get("interval"), list):
        lo, hi = (num(v) for v in value["interval"])
        if lo is not None and hi is not None:
            return lo, hi
    return None


def sep(lang: str) -> str:
    return "; " if lang == "en" else "；"


def listing(items: list[str], lang: str) -> str:
    return (", " if lang == "en" else "、").join(items)


def colon(lang: str) -> str:
    return ": " if lang == "en" else "："


def brackets(text: str, lang: str) -> str:
    return f" ({text})" if lang == "en" else f"（{text}）"


def _dict_text(value: dict[str, Any], unit: str, lang: str) -> str:
    if "unknown" in value:
        return "未知" if lang != "en" else "unknown"
    span = interval(value)
    if span is not None:
        lo, hi = (fmt(v, "number", lang) for v in span)
        if unit != "points":
            return f"{lo}–{hi}"
        return f"{lo}–{hi} points" if lang == "en" else f"{lo}–{hi}分"
    if "conditional" in value:
        return "认定后满足" if lang != "en" else "met once recognised"
    return table_text([value], unit, lang)


def _list_text(value: list[Any], unit: str, lang: str) -> str:
    if value and all(isinstance(v, dict) and "__path__" in v for v in value):
        years = [str(v.get("year")) for v in value if v.get("year") is not None]
        if years:
            return f"{listing(years, lang)}年度数据" if lang != "en" else f"figures for {listing(years, lang)}"
        return f"{len(value)}条记录" if lang != "en" else f"{len(value)} records"
    if not value:
        return "无" if lang != "en" else "none"
    return listing([value_text(v, unit, lang) for v in value], lang)


def value_text(value: Any, unit: str, lang: str) -> str:
    """A value a condition read, in the applicant's units; records are summarised, codes named."""
    value = plain_value(value)
    if isinstance(value, dict):
        return _dict_text(value, unit, lang)
    if isinstance(value, list):
        return _list_text(value, unit, lang)
    if isinstance(value, bool):
        return fmt(value, "bool", lang)
    if value is None:
        return "未填写" if lang != "en" else "not given"
    if isinstance(value, str):
        number = num(value) if unit in NUMERIC_UNITS else None
        return fmt(number, unit, lang) if number is not None else code_label(value).get(lang)
    if isinstance(value, int) and unit == "any" and abs(value) >= 10_000:
        return money(value, lang)
    return fmt(value, unit, lang)


def _cell(value: Any, lang: str) -> str:
    """One number of a band table: shares as %, large whole numbers as money (tables carry no units)."""
    number = num(value)
    if isinstance(number, Fraction) and number < 1:
        return fmt(number, "ratio", lang)
    if isinstance(number, int) and abs(number) >= 10_000:
        return money(number, lang)
    return value_text(value, "any", lang)


_BOUNDS = {"min": Message("不低于", "at least "), "over": Message("高于", "over "), "max": Message("不高于", "at most "),
           "under": Message("低于", "under ")}


def table_text(rows: list[Any], unit: str, lang: str) -> str:
    """A band table in words: '不低于5,000.00万元：5%；其余：3%'."""
    parts = []
    for row in rows:
        if not isinstance(row, dict):
            parts.append(_cell(row, lang))
            continue
        bounds = [f"{_BOUNDS[k].get(lang)}{_cell(v, lang)}" for k, v in row.items() if k in _BOUNDS]
        head = listing(bounds, lang) if bounds else ("其余" if lang != "en" else "otherwise")
        if "value" in row:
            parts.append(f"{head}{colon(lang)}{value_text(row['value'], unit if unit != 'table' else 'any', lang)}")
        else:
            parts.append(head)
    return sep(lang).join(parts)


_OPS: dict[str, Message] = {
    ">=": Message("不低于{0}", "at least {0}"), ">": Message("高于{0}", "more than {0}"),
    "<=": Message("不高于{0}", "at most {0}"), "<": Message("低于{0}", "less than {0}"),
    "==": Message("为{0}", "{0}"), "!=": Message("不为{0}", "not {0}"),
    "in": Message("属于{0}之一", "one of {0}"), "not in": Message("不属于{0}", "none of {0}"),
}


def requirement(op: str, right: Any, unit: str, lang: str) -> str:
    """The threshold of a comparison as a requirement: 'at least 10%', '为“是”', 'one of 新材料、生物医药'."""
    right = plain(right)
    if isinstance(right, list):
        shown = [value_text(v, unit, lang) for v in right[:10]]
        text = listing(shown, lang) + ("…" if len(right) > 10 else "")
    elif isinstance(right, bool):
        text = f"“{fmt(right, 'bool', lang)}”" if lang != "en" else f"“{fmt(right, 'bool', lang)}”"
    else:
        text = value_text(right, unit, lang)
    pattern = _OPS.get(op, Message("{0}", "{0}"))
    return pattern.get(lang).format(text)


TECH_FIELD_NAMES = frozenset({"tech_field", "tech_field_code"})
"""Names whose codes are the fields of 《国家重点支持的高新技术领域》 (shown by their names)."""


def _tech_fields(value: Any, lang: str) -> Any:
    if isinstance(value, list):
        return [_tech_fields(v, lang) for v in value]
    return name_of(value, lang) if isinstance(value, str) and value in FIELDS else value


def comparison_sentence(comparison: dict[str, Any] | None, lang: str, reads: tuple[str, ...] = ()) -> tuple[str, str]:
    """(the applicant's value, the requirement) of a comparison, both in words; ('', '') when none. `reads` are the
    names the condition read (a high-tech field code is then shown by its name)."""
    if not comparison:
        return "", ""
    comparison = plain(comparison)
    unit = str(comparison.get("unit", "any"))
    left, right = comparison.get("left"), comparison.get("right")
    if TECH_FIELD_NAMES & set(reads):
        left, right = _tech_fields(left, lang), _tech_fields(right, lang)
    return value_text(left, unit, lang), requirement(str(comparison.get("op")), right, unit, lang)


_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_number(text: str) -> int | None:
    """'十一' → 11, '二十三' → 23, '4' → 4 (the numbers of articles and items)."""
    if text.isdigit():
        return int(text)
    total, digit = 0, 0
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch == "十":
            total += (digit or 1) * 10
            digit = 0
        elif ch == "百":
            total += (digit or 1) * 100
            digit = 0
        else:
            return None
    return total + digit


_ARTICLE_PARTS = re.compile(r"^第([一二三四五六七八九十百零〇\d]+)条(?:[（(]([一二三四五六七八九十\d]+)[)）])?$")


def article_en(article: str) -> str:
    """'第十一条（四）' → 'Art. 11(4)'; '' for an article written otherwise (it is cited in Chinese only)."""
    found = _ARTICLE_PARTS.match(article.strip())
    if not found:
        return ""
    main, item = chinese_number(found.group(1)), chinese_number(found.group(2)) if found.group(2) else None
    if main is None:
        return ""
    return f"Art. {main}" + (f"({item})" if item is not None else "")


def document_of(source: dict[str, Any] | None, lang: str) -> str:
    """A rule file's source block as '《高新技术企业认定管理办法》 国科发火〔2016〕32号 第十一条'.

    In English the title is given in English (engine.reading.documents) followed by the original title in 《》
    and the number (the names to search for), and the article is written 'Art. 11(4)' when it is a plain article
    reference."""
    if not source:
        return ""
    document, number, article = (str(source.get(k) or "") for k in ("document", "number", "article"))
    head = f"《{document}》" if document else ""
    if lang == "en":
        original = ", ".join(part for part in (head, number) if part)
        name = title_en(document) if document else None
        head = f"{name} ({original})" if name and original else original
        article = article_en(article)
        return f"{head}, {article}" if head and article else head
    return " ".join(part for part in (head, number, article if head or number else "") if part)


def cite(param_source: str, measure_source: dict[str, Any] | None, effective_from: str, lang: str) -> str:
    """Where a threshold comes from, in words: the document (the measure's, or the one the parameter's source
    names by its short key), the article when the source gives one, and the date it is in force from."""
    key = param_source.split(" ", 1)[0].split("；", 1)[0] if param_source else ""
    if key in DOCUMENTS:
        document, number = DOCUMENTS[key]
        source: dict[str, Any] = {"document": document, "number": number}
    else:
        source = {k: v for k, v in (measure_source or {}).items() if k in ("document", "number", "article")}
    article = _ARTICLE.search(param_source or "")
    if article:
        source["article"] = article.group(0).replace("(", "（").replace(")", "）")
    text = document_of(source, lang)
    if effective_from:
        when = f"自{effective_from}起施行" if lang != "en" else f"in force from {effective_from}"
        text = f"{text}，{when}" if text and lang != "en" else f"{text}, {when}" if text else when
    return text


def foreign_residue(text: str, lang: str) -> str:
    """What of a text is in the other language (in English: Chinese characters and full-width punctuation), ignoring
    names kept in the original: 《titles》, document numbers
    (粤科规范字〔2024〕8号, 公告2023年第7号), “quoted names” and an official term glossed in brackets after its
    translation ("audited (查账征收) tax collection"). Used by the tests of every surface."""
    if lang == "en":
        stripped = re.sub(r"《[^》]*》|[\u4e00-\u9fff ]*(?:〔\d{4}〕|\d{4}年第)\d+号(?:附件)?|“[^”]*”|"
                          r"\([^()]*[\u4e00-\u9fff][^()]*(?:\)|…$)|'[^']*[\u4e00-\u9fff][^']*'", "", text)
        return "".join(re.findall(r"[\u4e00-\u9fff：；（）。、]+", stripped))
    stripped = re.sub(r"《[^》]*》|“[^”]*”|\b(?:R&D|HNTE|SME|GB/T|ID|PDF|CSV|JSON|HTML|XLSX|YAML|API|UTC|SHA|e-mail)\b",
                      "", text)
    return " ".join(w for w in re.findall(r"[A-Za-z]{4,}", stripped))


def field_text(path: str, lang: str) -> str:
    """A profile path as its label ('研发组织管理水平得分'); never the path itself."""
    return field_label(path).get(lang)
