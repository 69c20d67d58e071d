"""This file defines how a page picks its language and how templates show bilingual texts.

Chinese is the source language of every template and form (Flask-Babel `gettext`, English catalogue in
web/translations/en). The language is `?lang=zh|en` (remembered in a cookie), else the cookie (the user's choice),
else the browser's `Accept-Language` (an English browser gets English), else Chinese. Pages say
`Vary: Accept-Language, Cookie` so that a cache never serves one visitor's language to another. Texts that come
from the engine or the rule files carry both languages (`Message`) and are shown with the `tr` filter.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, current_app, g, request
from flask_babel import force_locale, get_locale, gettext

from engine.errors import Message

LANG_NAMES = {"zh": "中文", "en": "English"}
HTML_LANG = {"zh": "zh-CN", "en": "en"}


def _languages() -> tuple[str, ...]:
    return tuple(current_app.config.get("LANGUAGES", ("zh", "en")))


def select_locale() -> str:
    """The language of this request: ?lang=, then the cookie, then Accept-Language, then the default (zh)."""
    asked = request.args.get("lang")
    if asked in _languages():
        return asked
    remembered = request.cookies.get(current_app.config["LANG_COOKIE_NAME"])
    if remembered in _languages():
        return remembered
    return browser_language(request.headers.get("Accept-Language", "")) or \
        str(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh"))


def browser_language(header: str, languages: tuple[str, ...] = ("zh", "en")) -> str | None:
    """The first of `languages` the browser asks for, by quality then order, on the primary subtag.

    >>> browser_language("en-GB,zh;q=0.5"), browser_language("zh-TW,en;q=0.8"), browser_language("fr, *;q=0.1")
    ('en', 'zh', None)
    """
    ranked = []
    for position, item in enumerate(header.split(",")[:32]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        ranked.append((-quality, position, tag.strip().replace("_", "-").split("-")[0].lower()))
    for negative_quality, _position, primary in sorted(ranked):
        if negative_quality < 0 and primary in languages:
            return primary
    return None


def current_lang() -> str:
    """'zh' or 'en' (cached per request)."""
    if "lang" not in g:
        g.lang = str(get_locale() or "zh").split("_")[0]
    return str(g.lang)


def tr(value: Any) -> str:
    """A Message (or anything with zh/en) in the current language; other values as text."""
    if value is None:
        return ""
    if isinstance(value, Message):
        return value.get(current_lang())
    if isinstance(value, dict) and "zh" in value:
        return str(value.get(current_lang()) or value["zh"])
    if isinstance(value, Exception) and hasattr(value, "zh") and hasattr(value, "en"):  # a refusal (StoreError)
        return str(value.en if current_lang() == "en" and value.en else value.zh)
    return str(value)


def tr_other(value: Any) -> str:
    """The same text in the other language ('' when there is none)."""
    other = other_lang()
    if isinstance(value, Message):
        return value.get(other)
    if isinstance(value, dict) and "zh" in value:
        return str(value.get(other) or "")
    return ""


def both(msgid: str, **variables: Any) -> Message:
    """A catalogue text in both languages, for messages shown bilingually (form errors).

    Use a literal msgid at the call site wrapped in `_l`/`gettext` elsewhere so extraction finds it.
    """
    out = {}
    for lang in ("zh", "en"):
        with force_locale(lang):
            out[lang] = gettext(msgid, **variables)
    return Message(out["zh"], out["en"])


def other_lang() -> str:
    return "en" if current_lang() == "zh" else "zh"


def lang_url(code: str) -> str:
    """This page in another language (same path and query, with lang=code)."""
    args = [(k, v) for k, values in request.args.lists() if k != "lang" for v in values]
    return f"{request.path}?{urlencode([*args, ('lang', code)])}"


def _remember_lang(response: Response) -> Response:
    response.vary.update(("Accept-Language", "Cookie"))
    asked = request.args.get("lang")
    name = current_app.config["LANG_COOKIE_NAME"]
    if asked in _languages() and request.cookies.get(name) != asked:
        response.set_cookie(name, asked, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response


def init_i18n(app: Flask) -> None:
    """Register the language cookie, the template helpers and the `tr` filters."""
    app.after_request(_remember_lang)
    app.add_template_filter(tr, "tr")
    app.add_template_filter(tr_other, "tr_other")
    app.add_template_global(lang_url)
    app.add_template_global(current_lang)
    app.add_template_global(other_lang)
    app.add_template_global(LANG_NAMES, "LANG_NAMES")
    app.add_template_global(HTML_LANG, "HTML_LANG")
