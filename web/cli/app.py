"""The root `subsidy` Click group and the options and helpers every command shares."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import pkgutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from engine.errors import ProfileError, ProfileIssue
    from engine.model import RuleSet

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EXIT_OK, EXIT_NEGATIVE, EXIT_USAGE = 0, 1, 2


def rules_dir() -> Path:
    """The rule directory: $SUBSIDY_RULES, else rules/ of this checkout."""
    return Path(os.environ.get("SUBSIDY_RULES") or PROJECT_ROOT / "rules")


def load_rules_or_exit(path: Path | None = None) -> RuleSet:
    """The RuleSet of `path` (default `rules_dir()`), its YAML from the CLI's cache when these bytes were read before
    (web.cli.rules_cache); exit 2 listing every error when the rules do not load."""
    from engine.errors import RuleLoadError
    from web.cli.rules_cache import load_rules

    try:
        return load_rules(Path(path or rules_dir()))
    except RuleLoadError as exc:
        click.echo(f"规则加载失败 / rules failed to load ({len(exc.errors)} errors):", err=True)
        for error in exc.errors:
            click.echo(f"  {error}", err=True)
        sys.exit(EXIT_USAGE)


def read_profile_file(path: Path) -> Any:
    """Read a YAML or JSON profile through the bounded loader; exit 2 with a clear message when it is not data."""
    from engine.safe_yaml import DocumentError, load_document

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


class LazyGroup(click.Group):
    """The root group: a command's module (web/cli/commands/<name>.py and <name>_*.py) is imported when the
    command is invoked, every module only to list them all — `subsidy check` never imports the site or the store."""

    package = "web.cli.commands"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loaded: set[str] = set()

    def _modules(self) -> list[str]:
        package = importlib.import_module(self.package)
        return sorted(info.name for info in pkgutil.iter_modules(package.__path__))

    def _load(self, names: list[str]) -> None:
        for name in names:
            if name in self._loaded:
                continue
            self._loaded.add(name)
            register = getattr(importlib.import_module(f"{self.package}.{name}"), "register", None)
            if register is not None:
                register(self)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        stem = cmd_name.replace("-", "_")
        self._load([m for m in self._modules() if m == stem or m.startswith(stem + "_")])
        command = super().get_command(ctx, cmd_name)
        if command is None:
            self._load(self._modules())
            command = super().get_command(ctx, cmd_name)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load(self._modules())
        return super().list_commands(ctx)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qy-subsidy")
def main() -> None:
    """清远·清城·韶关科技扶持政策资格自测与审核系统 / S&T subsidy eligibility engine."""
