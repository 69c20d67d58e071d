"""Settings of the web layer, read from the environment; for now only where the database lives.

The front-end will add its Flask settings here (one class per environment). Keep every setting typed,
with a safe public default, and read in one place.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
INSTANCE_DIR = PROJECT_ROOT / "instance"


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
