"""This file defines how a page picks its language and how templates show bilingual texts.

Chinese is the source language of every template and form (Flask-Babel `gettext`, English catalogue in
web/translations/en). The language is `?lang=zh|en` (remembered in a cookie), else the cookie (the user's choice),
else the browser's `Accept-Language` (an English browser gets English), else Chinese. Pages say
`Vary: Accept-Language, Cookie` so that a cache never serves one visitor's language to another. Texts that come
from the engine or the rule files carry both languages (`Message`) and are shown with the `tr` filter.
"""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import urlencode

from babel.support import NullTranslations, Translations
from flask import Flask, Request, Response, current_app, g, request
from flask_babel import force_locale, get_locale, get_translations, gettext
from wtforms.i18n import messages_path

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
    if "Vary" in response.headers:
        response.vary.update(("Accept-Language", "Cookie"))
    else:  # the same header, without parsing and writing back a header set (≈ 0.1 M instructions a response)
        response.headers["Vary"] = "Accept-Language, Cookie"
    asked = request.args.get("lang")
    name = current_app.config["LANG_COOKIE_NAME"]
    if asked in _languages() and request.cookies.get(name) != asked:
        response.set_cookie(name, asked, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response


class SiteRequest(Request):
    """Flask's request, whose WTForms catalogue (WTForms' own words: a field's default label, "Not a valid choice")
    is loaded once per process and language. Flask-WTF looks for it on the request and, not finding it, loaded and
    parsed the catalogue file again on every request that drew such a field (the login page: ≈ 0.4 of its 4 ms)."""

    @property
    def wtforms_translations(self) -> NullTranslations:
        return _wtforms_catalogue(str(get_locale() or "zh"))

    @wtforms_translations.setter
    def wtforms_translations(self, _loaded: Any) -> None:  # Flask-WTF keeps what it loaded here: kept already
        pass


@cache
def _wtforms_catalogue(locale: str) -> NullTranslations:
    return Translations.load(messages_path(), [locale], domain="wtforms")


def page_translations() -> NullTranslations:
    """`flask_babel.get_translations()`, kept for the rest of the request while its language stays the same (a
    template's `_()` asked Flask-Babel each time, ≈ 18 µs: a page of the reviewer's queue asks 114 times). The
    language is read where Flask-Babel keeps it; should that move, every call simply asks Flask-Babel again."""
    if not g:  # no application context: Flask-Babel's own answer (no translation)
        return get_translations()
    here = g._get_current_object()
    locale = getattr(getattr(here, "_flask_babel", None), "babel_locale", None)
    kept = getattr(here, "_page_translations", None)
    if kept is not None and locale is not None and kept[0] is locale:
        return kept[1]
    translations = get_translations()
    here._page_translations = (get_locale(), translations)
    return translations


def init_i18n(app: Flask) -> None:
    """Register the language cookie, the template helpers, the `tr` filters and the templates' `_()`."""
    app.request_class = SiteRequest
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # jinja2.ext.i18n, added by Flask-Babel
        gettext=lambda s: page_translations().ugettext(s),
        ngettext=lambda s, p, n: page_translations().ungettext(s, p, n),
        pgettext=lambda c, s: page_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: page_translations().unpgettext(c, s, p, n),
        newstyle=True)
    app.after_request(_remember_lang)
    app.add_template_filter(tr, "tr")
    app.add_template_filter(tr_other, "tr_other")
    app.add_template_global(lang_url)
    app.add_template_global(current_lang)
    app.add_template_global(other_lang)
    app.jinja_env.globals.update(LANG_NAMES=LANG_NAMES, HTML_LANG=HTML_LANG)
