"""`subsidy triage`: re-triage the review queue (e.g. after a change in rules/triage) and report what changed.

    subsidy triage [--all | --due] [--application ID …] [--today YYYY-MM-DD] [--register FILE.csv] [--rules DIR]

Reads every application with a decision from the database, runs the triage rules over all of them at
once, stores the flags, routes and priorities of the open ones (web.store.triage_queries.retriage), and
prints, per application whose flags, priority or route changed, the flags added (+) and removed (−) and
the priority before → after. Mutually exclusive measures come from the measure rules ($SUBSIDY_RULES,
else rules/). Exit 0 when the run is stored; 2 on unusable input (rules, register, date, database).

First it triages the applications still marked "to triage" (web.store.triage_due: submissions a stopped server
had not triaged yet, runs that failed); `--due` does only that.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from engine import RuleLoadError
from engine.model import RuleSet
from engine.triage import Exclusions, Register, TriageRuleSet, load_register, load_triage_rules
from web.cli.app import fail, load_rules_or_exit, rules_dir
from web.cli.commands._store import db_option, store_session
from web.store import triage_due, triage_queries
from web.store.triage_queries import RunReport


def register(main: click.Group) -> None:
    main.add_command(triage_command)


def load_triage_rules_or_exit(path: Path | None) -> TriageRuleSet:
    directory = path or rules_dir() / "triage"
    try:
        return load_triage_rules(directory)
    except RuleLoadError as exc:
        click.echo(f"{directory}: 分诊规则加载失败 / triage rules failed to load ({len(exc.errors)} errors):", err=True)
        for error in exc.errors:
            click.echo(f"  {error}", err=True)
        sys.exit(2)


def load_register_or_exit(path: Path | None) -> Register:
    if path is None:
        return Register()
    try:
        return load_register(path)
    except RuleLoadError as exc:
        click.echo(f"{path}: 名单有误 / the register has errors:", err=True)
        for error in exc.errors:
            click.echo(f"  {error}", err=True)
        sys.exit(2)
    except OSError as exc:
        fail(f"{path}: 无法读取名单 / cannot read the register ({exc.strerror})")


@click.command("triage")
@click.option("--all", "all_open", is_flag=True, help="重新分诊全部待办申请（默认） / every open application (default)")
@click.option("--application", "application_ids", type=int, multiple=True, metavar="ID",
              help="只更新这些申请（及与之关联的申请） / only these applications (and those paired with them)")
@click.option("--due", "due_only", is_flag=True,
              help="只分诊待分诊标记的申请 / only the applications marked to triage")
@click.option("--today", metavar="YYYY-MM-DD", help="分诊日期（默认今天） / the clock date (default today)")
@click.option("--register", "register_path", type=click.Path(dir_okay=False, path_type=Path),
              help="失信/事故名单CSV / bureau register CSV (credit_code,list,reason[,listed_on])")
@click.option("--rules", "rules_path", type=click.Path(file_okay=False, path_type=Path),
              help="分诊规则目录 / triage rule directory (default: rules/triage)")
@click.option("--engine", type=click.Choice(["auto", "durable", "reference"]), default="auto", show_default=True)
@db_option
def triage_command(all_open: bool, application_ids: tuple[int, ...], due_only: bool, today: str | None,
                   register_path: Path | None, rules_path: Path | None, engine: str, db_url: str | None) -> None:
    """重新分诊审核队列并报告变化 / re-triage the review queue and report what changed."""
    if sum((all_open, bool(application_ids), due_only)) > 1:
        fail("--all、--application 与 --due 不能同时使用 / --all, --application and --due exclude each other")
    clock = _parse_today(today)
    rules = load_triage_rules_or_exit(rules_path)
    bureau = load_register_or_exit(register_path)
    exclusions = Exclusions.from_ruleset(load_rules_or_exit(None))
    with store_session(db_url) as session:
        due = triage_due.drain(session, rules, exclusions=exclusions, today=lambda: clock)
        click.echo(f"待分诊标记 / marked to triage: {due} application(s) triaged")
        if due_only:
            return
        total = triage_queries.count_candidates(session)
        with _progress(total) as tick:
            report = triage_queries.retriage(session, application_ids or None, clock, rules, exclusions=exclusions,
                                             register=bureau, engine=engine, on_each=tick)
    print_report(report)


def triage_after_decisions(session: Any, today: dt.date, ruleset: RuleSet, rules_root: Path | None = None,
                           application_ids: list[int] | None = None) -> RunReport | None:
    """The hook `subsidy demo` (and `subsidy decide`) call once decisions are stored: triage what submissions marked
    (web.store.triage_due, so no "triage pending" is left), then re-triage and say so (the last run is the whole one).

    Triage rules come from <rules_root or $SUBSIDY_RULES or rules/>/triage. The decisions are already
    committed, so rules that are missing or do not load only produce a warning (`subsidy triage` redoes it).
    """
    directory = (rules_root or rules_dir()) / "triage"
    try:
        rules = load_triage_rules(directory)
    except (RuleLoadError, OSError) as exc:
        click.echo(f"  未分诊 / not triaged: {directory}: {str(exc).splitlines()[0]}", err=True)
        return None
    exclusions = Exclusions.from_ruleset(ruleset)
    triage_due.drain(session, rules, exclusions=exclusions, today=lambda: today)  # no "triage pending" left behind
    report = triage_queries.retriage(session, application_ids, today, rules, exclusions=exclusions)
    click.echo(f"分诊 / triage run #{report.run.id}: {report.run.flags} flag(s) on {report.run.applications} "
               f"application(s) · triage rules {report.run.triage_ruleset_hash[:12]}")
    return report


def _parse_today(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"--today: 日期格式应为YYYY-MM-DD / the date must be YYYY-MM-DD (got {value!r})")


@contextmanager
def _progress(total: int) -> Iterator[Any]:
    """A progress bar on stderr when it is a terminal; otherwise nothing (logs stay clean)."""
    if not sys.stderr.isatty() or total == 0:
        yield None
        return
    with click.progressbar(length=total, label="读取申请 / reading applications", file=sys.stderr) as bar:
        yield bar.update


def print_report(report: RunReport) -> None:
    run, result = report.run, report.result
    for app_id, why in report.skipped:
        click.echo(f"  跳过 / skipped #{app_id}: {why}", err=True)
    for change in report.changes:
        (before, after), (old_route, new_route) = change.priority, change.route
        route = f"  route {old_route or '—'} → {new_route or '—'}" if old_route != new_route else ""
        click.echo(f"#{change.application_id:<5} priority {before} → {after}{route}")
        for key in change.added:
            click.echo(f"    + {key}")
        for key in change.removed:
            click.echo(f"    − {key}")
    if result.skipped:
        click.echo(f"未生效的规则 / rules not in force on {run.today}: {', '.join(result.skipped)}")
    click.echo(f"分诊 / triage run #{run.id}: {run.applications} open application(s), {run.flags} flag(s), "
               f"{len(report.changes)} changed · today {run.today} · triage rules {run.triage_ruleset_hash[:12]} · "
               f"{run.engine_used}")
