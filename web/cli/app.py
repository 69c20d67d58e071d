"""The root `subsidy` Click group and the options and helpers every command shares."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from engine import RuleLoadError, load_ruleset
from engine.errors import ProfileError, ProfileIssue
from engine.model import RuleSet
from engine.safe_yaml import DocumentError, load_document

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EXIT_OK, EXIT_NEGATIVE, EXIT_USAGE = 0, 1, 2


def rules_dir() -> Path:
    """The rule directory: $SUBSIDY_RULES, else rules/ of this checkout."""
    return Path(os.environ.get("SUBSIDY_RULES") or PROJECT_ROOT / "rules")


def load_rules_or_exit(path: Path | None = None) -> RuleSet:
    try:
        return load_ruleset(path or rules_dir())
    except RuleLoadError as exc:
        click.echo(f"规则加载失败 / rules failed to load ({len(exc.errors)} errors):", err=True)
        for error in exc.errors:
            click.echo(f"  {error}", err=True)
        sys.exit(EXIT_USAGE)


def read_profile_file(path: Path) -> Any:
    """Read a YAML or JSON profile through the bounded loader; exit 2 with a clear message when it is not data."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        fail(f"{path}: 无法读取文件 / cannot read the file ({exc.strerror})")
    try:
        data = load_document(raw, str(path))
    except DocumentError as exc:
        message = exc.issues[0].message
        fail(f"{message.zh} / {message.en} [{exc.code}]")
    if not isinstance(data, dict):
        fail(f"{path}: 申请人资料应为一组字段（映射） / a profile must be a mapping of fields")
    return data


def fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(EXIT_USAGE)


def report_profile_error(path: Path, exc: ProfileError) -> NoReturn:
    click.echo(f"{path}: 申请人资料有误 / the profile has errors:", err=True)
    for issue in exc.issues:
        click.echo(f"  - {format_issue(issue)}", err=True)
    sys.exit(EXIT_USAGE)


def format_issue(issue: ProfileIssue) -> str:
    return f"{issue.path}: {issue.message.zh} / {issue.message.en} [{issue.code}]"


def parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"--as-of: 日期格式应为YYYY-MM-DD / the date must be YYYY-MM-DD (got {value!r})")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qy-subsidy")
def main() -> None:
    """清远·清城·韶关科技扶持政策资格自测与审核系统 / S&T subsidy eligibility engine."""
