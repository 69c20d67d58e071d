"""This file defines the web application's settings: one typed class per environment, read from env vars.

`load_settings(env)` picks the class for SUBSIDY_ENV (development | testing | production) and lets an
environment variable override any field, named `SUBSIDY_<FIELD>` or plainly `<FIELD>` (e.g.
`SUBSIDY_SECRET_KEY` or `SECRET_KEY`, `SESSION_COOKIE_SECURE=1`, `WTF_CSRF_ENABLED=0`; the rule directory
also from `SUBSIDY_RULES`, as for the CLI). The public defaults
are safe to run on a laptop; production refuses to start with the demo secret key.  [funding-service config]
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEMO_SECRET_KEY = "demo-secret-key-not-for-production"  # public on purpose: refused in production
ENVIRONMENTS = ("development", "testing", "production")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


class InsecureSettingsError(RuntimeError):
    """Raised when production settings are unsafe (the demo secret key, insecure cookies)."""


@dataclass(frozen=True)
class Settings:
    """Defaults shared by every environment (development-friendly, never secret)."""

    SUBSIDY_ENV: str = "development"
    SECRET_KEY: str = DEMO_SECRET_KEY
    DEBUG: bool = False
    TESTING: bool = False
    RULES_DIR: str = str(PROJECT_ROOT / "rules")
    SESSION_COOKIE_NAME: str = "subsidy_session"
    SESSION_COOKIE_HTTPONLY: bool = True
    SESSION_COOKIE_SECURE: bool = False
    SESSION_COOKIE_SAMESITE: str = "Lax"
    PERMANENT_SESSION_LIFETIME: int = 8 * 3600
    LANG_COOKIE_NAME: str = "lang"
    WTF_CSRF_ENABLED: bool = True
    WTF_CSRF_TIME_LIMIT: int = 8 * 3600
    BABEL_DEFAULT_LOCALE: str = "zh"
    BABEL_DEFAULT_TIMEZONE: str = "Asia/Shanghai"
    BABEL_TRANSLATION_DIRECTORIES: str = str(Path(__file__).resolve().parent / "translations")
    LANGUAGES: tuple[str, ...] = ("zh", "en")
    MAX_CONTENT_LENGTH: int = 512 * 1024
    HSTS_SECONDS: int = 0
    PREFERRED_URL_SCHEME: str = "http"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The class defaults, overridden by `SUBSIDY_<FIELD>` or `<FIELD>` environment variables."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(f"SUBSIDY_{f.name}", environ.get(f.name)) if f.name != "SUBSIDY_ENV" else None
            if f.name == "RULES_DIR" and raw is None:
                raw = environ.get("SUBSIDY_RULES")  # the variable the CLI reads too
            if raw is not None:
                values[f.name] = _convert(f.name, raw, getattr(cls, f.name))
        return dataclasses.replace(cls(), **values)

    def as_mapping(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class DevelopmentSettings(Settings):
    """A laptop: plain HTTP, the demo key. Debug mode is `flask --app web.app:create_app run --debug`'s to turn
    on, so that `subsidy serve` in development still shows the friendly error pages."""

    SUBSIDY_ENV: str = "development"


@dataclass(frozen=True)
class TestingSettings(Settings):
    SUBSIDY_ENV: str = "testing"
    TESTING: bool = True


@dataclass(frozen=True)
class ProductionSettings(Settings):
    SUBSIDY_ENV: str = "production"
    SESSION_COOKIE_SECURE: bool = True
    HSTS_SECONDS: int = 365 * 24 * 3600
    PREFERRED_URL_SCHEME: str = "https"


_CLASSES: dict[str, type[Settings]] = {
    "development": DevelopmentSettings, "testing": TestingSettings, "production": ProductionSettings}


def _convert(name: str, raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        value = raw.strip().lower()
        if value not in _TRUE | _FALSE:
            raise ValueError(f"{name}: expected a boolean (1/0, true/false), got {raw!r}")
        return value in _TRUE
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, tuple):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw


def load_settings(env: str | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """The settings of one environment (default: $SUBSIDY_ENV, else development).

    Raises:
        ValueError: an unknown environment name or an unreadable value.
    """
    environ = os.environ if environ is None else environ
    name = (env or environ.get("SUBSIDY_ENV") or "development").strip().lower()
    name = {"test": "testing", "dev": "development", "prod": "production"}.get(name, name)  # web.config's names
    if name not in _CLASSES:
        raise ValueError(f"SUBSIDY_ENV must be one of {', '.join(ENVIRONMENTS)}, not {name!r}")
    return _CLASSES[name].from_env(environ)


def check_settings(config: Mapping[str, Any]) -> None:
    """Refuse to run production with the public demo secret or with cookies sent over plain HTTP.

    Raises:
        InsecureSettingsError: naming the setting to fix.
    """
    if config.get("SUBSIDY_ENV") != "production":
        return
    if not config.get("SECRET_KEY") or config.get("SECRET_KEY") == DEMO_SECRET_KEY or len(config["SECRET_KEY"]) < 16:
        raise InsecureSettingsError(
            "SUBSIDY_ENV=production needs its own SECRET_KEY (at least 16 characters; the demo key is public): "
            "set SUBSIDY_SECRET_KEY / 生产环境必须设置自己的SECRET_KEY")
    if not config.get("SESSION_COOKIE_SECURE"):
        raise InsecureSettingsError("SUBSIDY_ENV=production needs SESSION_COOKIE_SECURE=1 (cookies over HTTPS only)")
