"""This file defines the web application's settings: one typed class per environment, read from env vars.

`load_settings(env)` picks the class for SUBSIDY_ENV (development | testing | production) and lets an
environment variable override any field, named `SUBSIDY_<FIELD>` or plainly `<FIELD>` (e.g.
`SUBSIDY_SECRET_KEY` or `SECRET_KEY`, `SESSION_COOKIE_SECURE=1`, `WTF_CSRF_ENABLED=0`; the rule directory
also from `SUBSIDY_RULES`, as for the CLI). The public defaults
are safe to run on a laptop; production refuses to start with the demo secret key.  [funding-service config]

This is the one settings module (web.config was merged into it): where the database lives (`database_url`), the
environment name (`environment`), and the secret key `subsidy serve` uses (`serving_config`): the demo key is
refused on any non-loopback address, and when no SECRET_KEY is set a random key is created once per instance —
`secret_key` beside the SQLite database, else instance/secret_key, mode 0600 — and read on every later start.
The *ledger key* (`ledger_key`), made and kept the same way (`ledger_key` beside the database, else
instance/ledger_key; `$SUBSIDY_LEDGER_KEY_FILE` or `$SUBSIDY_LEDGER_KEY`), keys the audit chain's digests of bank
account numbers; it is not the session secret, so rotating that never breaks the audit. Back it up with the database.

`TRUSTED_PROXIES` (default 0) is the number of reverse proxies in front of the app (nginx: 1): the app then
believes that many `X-Forwarded-For` / `X-Forwarded-Proto` hops (Werkzeug ProxyFix), so the login policy counts
the client's address rather than the proxy's. Leave it 0 when the app is reached directly: a client could
otherwise choose its own address.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
INSTANCE_DIR = PROJECT_ROOT / "instance"
SECRET_KEY_FILE = "secret_key"
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
    MAX_CONTENT_LENGTH: int = 512 * 1024  # every request, except views marked @request_limit (web/security.py)
    UPLOAD_REQUEST_MAX: int = 40 * 1024 * 1024  # a form with files (each at most MATERIAL_MAX_BYTES)
    MATERIAL_MAX_BYTES: int = 5 * 1024 * 1024  # one uploaded file (advertised: 5 MB)
    HSTS_SECONDS: int = 0
    PREFERRED_URL_SCHEME: str = "http"
    TRUSTED_PROXIES: int = 0  # reverse proxies in front (nginx: 1); their X-Forwarded-For/-Proto are believed
    # rate limits, "N/second|minute|hour" ("0"/"off": none), counted in the database for all workers
    API_EVALUATE_RATE_LIMIT: str = "60/minute"  # POST /api/v1/evaluate per token or address
    API_TOKENS_RATE_LIMIT: str = "10/minute"  # POST /api/v1/tokens per address
    API_SUBMISSIONS_RATE_LIMIT: str = "20/hour"  # applications per applicant (site and API)
    RESUME_LINK_RATE_LIMIT: str = "20/hour"  # self-check resume links per address

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


# -- the database and the instance (formerly web.config) ----------------------------------------------

def database_url() -> str:
    """The SQLAlchemy URL of the database: $DATABASE_URL, else SQLite in instance/ (created on demand).

    A bare ``postgresql://`` (or Heroku-style ``postgres://``) URL is given the psycopg 3 driver,
    the only PostgreSQL driver installed.
    """
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{INSTANCE_DIR / 'subsidy.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def environment() -> str:
    """The deployment environment from $SUBSIDY_ENV: development (default), test or production."""
    return os.environ.get("SUBSIDY_ENV", "development").strip().lower() or "development"


# -- the secret key of a served instance --------------------------------------------------------------

def is_loopback(host: str) -> bool:
    """Whether a listen address only accepts connections from this machine (localhost, 127.0.0.0/8, ::1)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve to anything: treat as public


def secret_key_path(url: str | None = None) -> Path:
    """Where this instance keeps its generated key: $SUBSIDY_SECRET_KEY_FILE, else beside a SQLite database
    file, else instance/secret_key."""
    return _key_path("SUBSIDY_SECRET_KEY_FILE", SECRET_KEY_FILE, url, os.environ)


def _key_path(variable: str, name: str, url: str | None, environ: Mapping[str, str]) -> Path:
    """The file the environment `variable` names, else `name` beside a SQLite database file, else in instance/."""
    explicit = environ.get(variable, "").strip()
    if explicit:
        return Path(explicit)
    url = url or database_url()
    if url.startswith("sqlite:///") and ":memory:" not in url:
        return Path(url.removeprefix("sqlite:///")).resolve().parent / name
    return INSTANCE_DIR / name


def instance_secret_key(path: Path) -> str:
    """The key stored at `path`, created (64 random hex digits, mode 0600, never overwritten) on first use."""
    if not path.exists():
        _write_key_file(path, secrets.token_hex(32))
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise InsecureSettingsError(f"{path}: the stored secret key is shorter than 32 characters; delete the "
                                    f"file to create a new one / 密钥文件内容过短，请删除后重新生成")
    return key


# -- the ledger key: keys the chain's digests of payee account numbers (web.store.chain.payee_record) ------------

LEDGER_KEY_FILE = "ledger_key"


def ledger_key_path(url: str | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """Where this instance keeps its ledger key: $SUBSIDY_LEDGER_KEY_FILE, else beside a SQLite database file,
    else instance/ledger_key. Not the session secret: rotating that must never break the audit."""
    return _key_path("SUBSIDY_LEDGER_KEY_FILE", LEDGER_KEY_FILE, url, os.environ if environ is None else environ)


def ledger_key(url: str | None = None, *, create: bool = True,
               environ: Mapping[str, str] | None = None) -> bytes | None:
    """The instance's ledger key: $SUBSIDY_LEDGER_KEY (32+ characters), else the key file (`ledger_key_path`),
    created on first use when `create` (64 random hex digits, mode 0600, never overwritten); None when there is
    none and `create` is false (a verifier must not make up a key).

    Raises:
        InsecureSettingsError: a key shorter than 32 characters.
    """
    environ = os.environ if environ is None else environ
    given = environ.get("SUBSIDY_LEDGER_KEY", "").strip()
    if given:
        if len(given) < 32:
            raise InsecureSettingsError("SUBSIDY_LEDGER_KEY is shorter than 32 characters / 账本密钥过短（至少32个字符）")
        return given.encode("utf-8")
    path = ledger_key_path(url, environ)
    if not create and not path.exists():
        return None
    return instance_secret_key(path).encode("ascii")


def install_ledger_key(key: bytes, url: str | None = None, environ: Mapping[str, str] | None = None) -> Path | None:
    """Put a backed-up ledger key where this instance reads it (a restore), unless the instance already has one
    (never overwritten); the file written, or None when a key was already there or is set in the environment."""
    environ = os.environ if environ is None else environ
    if environ.get("SUBSIDY_LEDGER_KEY", "").strip():
        return None
    path = ledger_key_path(url, environ)
    return path if _write_key_file(path, key.decode("ascii").strip()) else None


def _write_key_file(path: Path, key: str) -> bool:
    """Write `key` to `path` with mode 0600, atomically and never over an existing file; whether it was written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    try:
        os.link(staged, path)  # atomic and never overwrites: two workers' first use keep one key
    except FileExistsError:
        return False
    finally:
        staged.unlink()
    return True


def serving_config(host: str, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings `subsidy serve` adds for listening on `host`: the instance's own key unless one is set.

    Raises:
        InsecureSettingsError: the demo key (set explicitly) on a non-loopback address.
    """
    environ = os.environ if environ is None else environ
    configured = environ.get("SUBSIDY_SECRET_KEY", environ.get("SECRET_KEY"))
    if configured is None:
        return {"SECRET_KEY": instance_secret_key(secret_key_path())}
    if (configured == DEMO_SECRET_KEY or len(configured) < 16) and not is_loopback(host):
        raise InsecureSettingsError(
            f"listening on {host} (not only this machine) needs a real SECRET_KEY: the demo key is public. Unset "
            "SUBSIDY_SECRET_KEY to use a generated per-instance key, or set one of 16+ characters "
            f"/ 在非本机地址 {host} 上运行时不能使用公开的演示密钥：请取消 SUBSIDY_SECRET_KEY 以使用自动生成的实例密钥，或设置至少16个字符的密钥")
    return {}
