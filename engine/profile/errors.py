"""Turn pydantic validation errors into ProfileIssues that name the field path in zh and en."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from engine.errors import Message, ProfileIssue

_ZH: dict[str, str] = {
    "missing": "必填项未填写。",
    "extra_forbidden": "未知字段（请检查拼写）。",
    "int_parsing": "应为整数。",
    "int_type": "应为整数。",
    "int_from_float": "应为整数。",
    "decimal_parsing": "应为数字。",
    "decimal_type": "应为数字。",
    "decimal_max_places": "小数位数过多（最多2位）。",
    "decimal_max_digits": "数值位数过多。",
    "bool_parsing": "应为“是”或“否”。",
    "bool_type": "应为“是”或“否”。",
    "date_parsing": "日期格式应为YYYY-MM-DD。",
    "date_from_datetime_parsing": "日期格式应为YYYY-MM-DD。",
    "date_type": "日期格式应为YYYY-MM-DD。",
    "greater_than_equal": "不能小于{ge}。",
    "less_than_equal": "不能大于{le}。",
    "string_too_short": "不能为空。",
    "string_too_long": "过长（最多{max_length}个字符）。",
    "string_type": "应为文本。",
    "literal_error": "取值无效，可选：{expected}。",
    "list_type": "应为列表。",
    "model_type": "应为一组字段（对象）。",
    "dict_type": "应为一组字段（对象）。",
    "union_tag_invalid": "主体类型无效，可选：{expected_tags}。",
    "union_tag_not_found": "缺少主体类型字段 kind。",
}


def path_of(loc: tuple[Any, ...]) -> str:
    """('finance', 0, 'sales') → 'finance[0].sales'; discriminator tags are dropped."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("enterprise", "incubator", "institution", "talent", "team") and not out:
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or "(profile)"


def issues_from(exc: ValidationError) -> list[ProfileIssue]:
    issues = []
    for err in exc.errors(include_url=False):
        ctx = err.get("ctx") or {}
        if "zh" in ctx and "en" in ctx:
            message = Message(str(ctx["zh"]), str(ctx["en"]))
        else:
            zh_template = _ZH.get(err["type"], "取值无效。")
            try:
                zh = zh_template.format(**ctx)
            except (KeyError, IndexError):
                zh = zh_template
            message = Message(zh, err["msg"])
        issues.append(ProfileIssue(path_of(err["loc"]), err["type"].upper(), message))
    return issues
