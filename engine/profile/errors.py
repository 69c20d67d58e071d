"""Turn pydantic validation errors into ProfileIssues that name the field and say in plain words what to enter.

Every pydantic error type a profile form or file can produce has its own zh/en text here, written for people
("请输入数字，例如 1200 / Enter a number, e.g. 1200"), with an example chosen by the field's unit; pydantic's own
wording ("Input should be a valid decimal") never reaches a user. Errors raised by our validators (money,
counts) already carry their zh/en text and pass through.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from engine.errors import Message, ProfileIssue

KINDS = ("enterprise", "incubator", "institution", "talent", "team")

_EXAMPLE: dict[str, tuple[str, str]] = {
    "money": ("请以万元填写，例如 1200 或 1200.5", "enter it in 万元 (10,000 yuan), e.g. 1200 or 1200.5"),
    "count": ("例如 12 或 12.5", "e.g. 12 or 12.5"),
    "points": ("例如 75", "e.g. 75"),
    "years": ("例如 2024", "e.g. 2024"),
    "area": ("例如 1200", "e.g. 1200"),
    "days": ("例如 365", "e.g. 365"),
    "months": ("例如 18", "e.g. 18"),
}
_DEFAULT_EXAMPLE = ("例如 1200", "e.g. 1200")
_WHOLE = {"count": ("例如 12", "e.g. 12")}  # a whole-number field of a unit whose example has decimals
_DATE_EXAMPLE = "2024-03-15"

# type → (zh, en); `{example_zh}` / `{example_en}` come from the field's unit, the rest from pydantic's context.
_TEXTS: dict[str, tuple[str, str]] = {
    "missing": ("请填写此项（必填）。", "This field is required."),
    "extra_forbidden": ("无法识别的字段“{name}”，请检查拼写或删除。", 'Unknown field "{name}": check the spelling or remove it.'),
    "int_parsing": ("应为整数，{example_zh}。", "Enter a whole number, {example_en}."),
    "int_type": ("应为整数，{example_zh}。", "Enter a whole number, {example_en}."),
    "int_from_float": ("应为整数（不带小数），{example_zh}。", "Enter a whole number without decimals, {example_en}."),
    "int_parsing_size": ("数值过大，请核对。", "The number is too large; please check it."),
    "float_parsing": ("应为数字，{example_zh}。", "Enter a number, {example_en}."),
    "float_type": ("应为数字，{example_zh}。", "Enter a number, {example_en}."),
    "finite_number": ("应为数字，{example_zh}。", "Enter a number, {example_en}."),
    "decimal_parsing": ("应为数字，{example_zh}。", "Enter a number, {example_en}."),
    "decimal_type": ("应为数字，{example_zh}。", "Enter a number, {example_en}."),
    "decimal_max_places": ("小数位数过多（最多保留{decimal_places}位），{example_zh}。",
                           "Use at most {decimal_places} decimal places, {example_en}."),
    "decimal_max_digits": ("数值位数过多，请核对。", "The number has too many digits; please check it."),
    "decimal_whole_digits": ("数值过大，请核对。", "The number is too large; please check it."),
    "bool_parsing": ("请选择“是”或“否”。", "Choose yes or no."),
    "bool_type": ("请选择“是”或“否”。", "Choose yes or no."),
    "date_parsing": ("日期格式应为YYYY-MM-DD（年-月-日），例如 {date}。", "Enter a date as year-month-day, e.g. {date}."),
    "date_type": ("日期格式应为YYYY-MM-DD（年-月-日），例如 {date}。", "Enter a date as year-month-day, e.g. {date}."),
    "date_from_datetime_parsing": ("不是有效的日期，日期格式应为YYYY-MM-DD（请核对年、月、日），例如 {date}。",
                                   "This is not a valid date; check the year, month and day, e.g. {date}."),
    "date_from_datetime_inexact": ("只填日期，不带时间，例如 {date}。", "Enter the date only, without a time, e.g. {date}."),
    "greater_than_equal": ("不能小于{ge}。", "Enter {ge} or more."),
    "greater_than": ("必须大于{gt}。", "Enter a number above {gt}."),
    "less_than_equal": ("不能大于{le}。", "Enter {le} or less."),
    "less_than": ("必须小于{lt}。", "Enter a number below {lt}."),
    "string_too_short": ("请填写此项，不能为空。", "This cannot be empty."),
    "string_too_long": ("内容过长，最多{max_length}个字符。", "Too long: at most {max_length} characters."),
    "string_type": ("请填写文字。", "Enter text."),
    "string_pattern_mismatch": ("格式不正确，请核对。", "The format is not right; please check it."),
    "literal_error": ("请从所列选项中选择一项（可选：{expected}）。", "Choose one of the listed options ({expected})."),
    "enum": ("请从所列选项中选择一项（可选：{expected}）。", "Choose one of the listed options ({expected})."),
    "list_type": ("应填写若干条记录（列表）。", "Enter a list of entries."),
    "model_type": ("应填写一组字段。", "Enter a group of fields here."),
    "model_attributes_type": ("应填写一组字段。", "Enter a group of fields here."),
    "dict_type": ("应填写一组字段。", "Enter a group of fields here."),
    "union_tag_invalid": ("申请主体类型无效，请选择：企业、孵化载体、科研机构、人才或团队。",
                          "Unknown applicant kind: choose enterprise, incubator, institution, talent or team."),
    "union_tag_not_found": ("请选择申请主体类型（企业、孵化载体、科研机构、人才或团队）。",
                            "Choose the applicant kind (enterprise, incubator, institution, talent or team)."),
    "too_short": ("至少需要{min_length}项。", "At least {min_length} entries are needed."),
    "too_long": ("最多{max_length}项。", "At most {max_length} entries."),
    "frozen_instance": ("此项不能修改。", "This value cannot be changed."),
    "value_error": ("取值无效，请核对。", "This value is not valid; please check it."),
    "assertion_error": ("取值无效，请核对。", "This value is not valid; please check it."),
}
_FALLBACK = ("取值无效，请核对。", "This value is not valid; please check it.")


def path_of(loc: tuple[Any, ...]) -> str:
    """('finance', 0, 'sales') → 'finance[0].sales'; discriminator tags are dropped."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in KINDS and not out:
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or "(profile)"


def _unit_of(path: str, kind: str | None) -> str:
    from engine.names import all_profile_names, profile_names  # imports the models: import it late

    plain = ".".join(part.split("[")[0] for part in path.split("."))
    names = profile_names(kind) if kind in KINDS else all_profile_names()
    return names.get(plain) or all_profile_names().get(plain, "")


def plain_message(error_type: str, ctx: dict[str, Any], *, unit: str = "", name: str = "") -> Message:
    """The zh/en text for one pydantic error type, with an example chosen by the field's unit.

    >>> plain_message("decimal_parsing", {}, unit="count").en
    'Enter a number, e.g. 12 or 12.5.'
    >>> plain_message("greater_than_equal", {"ge": 0}).zh
    '不能小于0。'
    """
    zh, en = _TEXTS.get(error_type, _FALLBACK)
    example = (_WHOLE.get(unit) if error_type.startswith("int_") else None) or _EXAMPLE.get(unit, _DEFAULT_EXAMPLE)
    expected = str(ctx.get("expected", "")).replace("'", "")
    values = {**{k: str(v) for k, v in ctx.items()}, "example_zh": example[0], "example_en": example[1],
              "date": _DATE_EXAMPLE, "name": name, "expected": expected}
    zh_values = {**values, "expected": expected.replace(" or ", "、").replace(", ", "、")}
    try:
        return Message(zh.format(**zh_values), en.format(**values))
    except (KeyError, IndexError):
        return Message(*_FALLBACK)


def issues_from(exc: ValidationError, kind: str | None = None) -> list[ProfileIssue]:
    """One ProfileIssue per pydantic error, naming its field path, in plain zh/en words."""
    issues = []
    for err in exc.errors(include_url=False):
        ctx = err.get("ctx") or {}
        path = path_of(err["loc"])
        if "zh" in ctx and "en" in ctx:
            message = Message(str(ctx["zh"]), str(ctx["en"]))
        else:
            tag = next((p for p in err["loc"][:1] if p in KINDS), kind)
            last = str(err["loc"][-1]) if err["loc"] else ""
            message = plain_message(err["type"], ctx, unit=_unit_of(path, tag), name=last)
        issues.append(ProfileIssue(path, err["type"].upper(), message))
    return issues


def issue_text(issue: ProfileIssue, kind: str | None = None) -> Message:
    """An issue as one sentence naming the field by its label, for places with no form field beside it.

    >>> issue_text(ProfileIssue("staff.total", "MISSING", Message("请填写此项（必填）。", "This field is required."))).en
    'total staff (HNTE: annual average of monthly averages): This field is required.'
    """
    from engine.profile.labels import field_label

    label = field_label(issue.path, kind)
    return Message(f"{label.zh}：{issue.message.zh}", f"{label.en}: {issue.message.en}")
