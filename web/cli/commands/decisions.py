"""`subsidy decisions list`: stored decisions, newest last, as a table or JSON lines."""

from __future__ import annotations

import json
from typing import Any

import click

from web.cli.commands._store import db_option, store_session
from web.store import queries
from web.store.models import Decision


def register(main: click.Group) -> None:
    main.add_command(decisions)


@click.group()
def decisions() -> None:
    """已保存的决策 / stored decisions."""


def summary(row: Decision) -> dict[str, Any]:
    """What a list shows of one decision (the applicant's code masked for people)."""
    outcomes = json.loads(row.outcomes_json)
    return {"id": row.id, "application_id": row.application_id, "applicant": row.application.applicant.name,
            "code": row.application.applicant.display_code, "as_of": row.as_of.isoformat(),
            "created_at": row.created_at.isoformat(timespec="seconds") + "Z", "ruleset_hash": row.ruleset_hash,
            "engine_version": row.engine_version, "chain_seq": row.chain_seq, "hash": row.hash,
            "outcomes": outcomes,
            "eligible": sorted(m for m, o in outcomes.items() if o == "eligible")}


@decisions.command("list")
@click.option("--applicant", metavar="CODE", help="统一社会信用代码或证件号 / credit code or ID number")
@click.option("--application", "application_id", type=int, help="申请编号 / application id")
@click.option("--ruleset", "ruleset_hash", metavar="HASH", help="规则集哈希（前缀） / RuleSet hash or prefix")
@click.option("--limit", type=int, default=100, show_default=True)
@click.option("--offset", type=int, default=0, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@db_option
def list_(applicant: str | None, application_id: int | None, ruleset_hash: str | None, limit: int, offset: int,
          fmt: str, db_url: str | None) -> None:
    """列出决策 / list decisions."""
    with store_session(db_url) as session:
        rows = [summary(row) for row in queries.list_decisions(
            session, applicant=applicant, application_id=application_id, ruleset_hash=ruleset_hash,
            limit=limit, offset=offset)]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, sort_keys=True, indent=2))
        return
    if not rows:
        click.echo("没有决策 / no decisions")
        return
    click.echo(f"{'id':>5} {'app':>5} {'as of':<10} {'seq':>5} {'ruleset':<12} {'eligible':>8}  applicant")
    for r in rows:
        click.echo(f"{r['id']:>5} {r['application_id']:>5} {r['as_of']:<10} {r['chain_seq']:>5} "
                   f"{r['ruleset_hash'][:12]:<12} {len(r['eligible']):>3}/{len(r['outcomes']):<4}  "
                   f"{r['applicant']} ({r['code']})")
    click.echo(f"{len(rows)} decision(s)")
