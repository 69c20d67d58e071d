"""`subsidy demo [--reset]`: a reproducible demonstration database.

Migrates the database, stores every sample applicant (sample_applicants/*.yaml) as an application with
a decision as of 2025-06-30, records one review action, creates one account per role, and builds a year
of calls (web.cli.commands.demo_year: two open calls with submitted materials, one closed, over-subscribed
call allocated and partly paid):

    username    password          role
    applicant   applicant-demo    applicant (linked to the first sample applicant, by file name)
    reviewer    reviewer-demo     reviewer
    auditor     auditor-demo      auditor
    admin       admin-demo        admin

Refuses a database that already holds data (unless --reset, which drops and re-creates every table) and
refuses outright when SUBSIDY_ENV=production.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click
import yaml

from engine import evaluate, parse_profile
from engine.errors import ProfileError
from web.cli.app import PROJECT_ROOT, fail, load_rules_or_exit
from web.cli.commands._store import db_option, resolve_url, shown, store_session
from web.cli.commands.demo_year import build_year
from web.cli.commands.triage import triage_after_decisions
from web.settings import environment
from web.store import migrate, queries
from web.store.blobs import BlobStore, default_root

DEMO_DATE = dt.date(2025, 6, 30)
DEMO_ACCOUNTS = (("applicant", "applicant-demo", "applicant"), ("reviewer", "reviewer-demo", "reviewer"),
                 ("auditor", "auditor-demo", "auditor"), ("admin", "admin-demo", "admin"))


def register(main: click.Group) -> None:
    main.add_command(demo)


@click.command()
@click.option("--reset", is_flag=True, help="清空并重建数据库 / drop and re-create every table first")
@click.option("--samples", type=click.Path(file_okay=False, exists=True, path_type=Path),
              default=PROJECT_ROOT / "sample_applicants", show_default=True, help="sample profile directory")
@click.option("--rules", "rules_path", type=click.Path(file_okay=False, path_type=Path), help="rule directory")
@db_option
def demo(reset: bool, samples: Path, rules_path: Path | None, db_url: str | None) -> None:
    """创建演示数据库：样例申请、决策与各角色账号 / create the demo database."""
    if environment() == "production":
        fail("生产环境禁止创建演示数据 / refusing to load demo data when SUBSIDY_ENV=production")
    url = resolve_url(db_url)
    ruleset = load_rules_or_exit(rules_path)
    migrate.upgrade(url)
    with store_session(url) as session:
        empty = queries.is_empty(session)
    if not empty and not reset:
        fail(f"{shown(url)} 已有数据；如确需重建请加 --reset / already holds data; pass --reset to drop it")
    if not empty:
        migrate.downgrade(url, "base")
        migrate.upgrade(url)
    with store_session(url) as session:
        decided = [_decide(session, path, ruleset) for path in sorted(samples.glob("*.yaml"))]
        decided = [row for row in decided if row is not None]
        if not decided:
            fail(f"{samples}: 没有可用的样例 / no usable sample profile")
        users = _accounts(session, decided[0].application.applicant_id)
        queries.record_review(session, application_id=decided[0].application_id, user_id=users["reviewer"],
                              decision_id=decided[0].id, action="comment",
                              reason="演示：材料已初步核对 / demo: documents given a first check")
        build_year(session, ruleset, samples, DEMO_DATE, users, BlobStore(default_root()))
        triage_after_decisions(session, DEMO_DATE, ruleset, rules_path)
    click.echo(f"{shown(url)}: {len(decided)} application(s) with decisions as of {DEMO_DATE}, "
               f"ruleset {ruleset.hash[:12]}")
    click.echo("演示账号 / demo accounts:")
    for username, password, role in DEMO_ACCOUNTS:
        click.echo(f"  {username:<10} {password:<16} {role}")


def _decide(session: Any, path: Path, ruleset: Any) -> Any:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        parsed = parse_profile(data, DEMO_DATE)
    except (yaml.YAMLError, ProfileError, OSError) as exc:
        click.echo(f"  skipped {path.name}: {exc}", err=True)
        return None
    decision = evaluate(ruleset, parsed, DEMO_DATE)
    row = queries.submit_and_decide(session, profile=parsed.profile, profile_data=data, ruleset=ruleset,
                                    decision=decision, checked_on=DEMO_DATE)
    eligible = sum(1 for r in decision.results if r.outcome.value == "eligible")
    click.echo(f"  #{row.id:<3} {path.stem:<45} {eligible} eligible of {len(decision.results)}")
    return row


def _accounts(session: Any, applicant_id: int) -> dict[str, int]:
    ids = {}
    for username, password, role in DEMO_ACCOUNTS:
        user = queries.create_user(session, username, password, role,
                                   applicant_id=applicant_id if role == "applicant" else None)
        ids[role] = user.id
    session.commit()
    return ids
