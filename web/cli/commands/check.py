"""`subsidy check PROFILE`: the self-check report (text, zh by default) or the Decision as canonical JSON."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from engine import evaluate, parse_profile
from engine.errors import ProfileError
from web.cli.app import load_rules_or_exit, parse_date, read_profile_file, report_profile_error
from web.cli.report import render


def register(main: click.Group) -> None:
    main.add_command(check)


@click.command()
@click.argument("profile", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="评价日期（默认今天） / decision date (default today)")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--rules", "rules_path", type=click.Path(file_okay=False, path_type=Path), help="rule directory")
def check(profile: Path, as_of: str | None, lang: str, fmt: str, rules_path: Path | None) -> None:
    """检查申请人资料可享受哪些扶持措施 / check which measures a profile qualifies for."""
    data = read_profile_file(profile)
    today = dt.date.today()
    try:
        parsed = parse_profile(data, today)
    except ProfileError as exc:
        report_profile_error(profile, exc)
    ruleset = load_rules_or_exit(rules_path)
    decision = evaluate(ruleset, parsed, parse_date(as_of) or today)
    if fmt == "json":
        click.echo(decision.to_json())
    else:
        click.echo(render(decision, ruleset, parsed.profile.name, lang), nl=False)
