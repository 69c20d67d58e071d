"""`subsidy replay DECISION_ID [--current]`: re-evaluate a stored decision from its stored inputs.

Exit 0 when the recomputed canonical JSON is byte-for-byte the stored one (IDENTICAL), 1 when it
differs (the differences are listed as JSON-pointer paths), 2 when it cannot be replayed at all.
`--current` also explains, measure by measure, what today's rules would decide on the same inputs.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import click

from engine.errors import RuleLoadError
from engine.replay import ReplayError, compare_with_current, replay
from web.cli.app import EXIT_NEGATIVE, EXIT_OK, fail, load_rules_or_exit, parse_date
from web.cli.commands._store import db_option, store_session
from web.store import queries
from web.store.models import Decision

MAX_SHOWN = 40


def register(main: click.Group) -> None:
    main.add_command(replay_command)


@click.command("replay")
@click.argument("decision_id", type=int)
@click.option("--current", is_flag=True, help="同时与现行规则比较 / also compare with today's rules")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="--current 的评价日期（默认原决策日期） / date for --current (default: the stored as_of)")
@click.option("--rules", "rules_path", type=click.Path(file_okay=False, path_type=Path),
              help="现行规则目录 / today's rule directory (for --current)")
@db_option
def replay_command(decision_id: int, current: bool, as_of: str | None, rules_path: Path | None,
                   db_url: str | None) -> None:
    """用保存的输入重新评价一项决策 / re-evaluate a stored decision from its stored inputs."""
    with store_session(db_url) as session:
        row = queries.get_decision(session, decision_id)
        if row is None:
            fail(f"决策 #{decision_id} 不存在 / decision #{decision_id} not found")
        snapshot = queries.ruleset_snapshot(session, row.ruleset_hash)
        application = row.application
    if snapshot is None:
        fail(f"规则集快照 {row.ruleset_hash[:12]} 缺失 / the RuleSet snapshot {row.ruleset_hash[:12]} is missing")
    try:
        result = replay(row.decision_json, snapshot, row.profile_json, row.as_of, today=row.checked_on)
    except (ReplayError, RuleLoadError) as exc:
        fail(f"无法重放 / cannot replay decision #{decision_id}: {exc}")
    if result.identical:
        click.echo(f"IDENTICAL  决策 #{decision_id} 重放结果与保存的完全一致 / decision #{decision_id} replays "
                   f"byte for byte (ruleset {row.ruleset_hash[:12]}, as of {row.as_of}, sha256 {row.decision_hash[:16]}…)")
    else:
        click.echo(f"DIFFERENT  决策 #{decision_id} 重放结果不同 / decision #{decision_id} replays differently "
                   f"({len(result.diff)} difference(s); stored text sha256 {_sha256(row.decision_json)[:16]}…, "
                   f"replayed {result.recomputed_hash[:16]}…):")
        for difference in result.diff[:MAX_SHOWN]:
            click.echo(f"  {difference}")
        if len(result.diff) > MAX_SHOWN:
            click.echo(f"  … {len(result.diff) - MAX_SHOWN} more")
    if current:
        _show_current(row, rules_path, as_of, application.measures or None)
    sys.exit(EXIT_OK if result.identical else EXIT_NEGATIVE)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _show_current(row: Decision, rules_path: Path | None, as_of: str | None,
                  measures: list[str] | None) -> None:
    ruleset = load_rules_or_exit(rules_path)
    wanted = [m for m in measures if m in ruleset.measures] if measures else None
    try:
        comparison = compare_with_current(row.decision_json, ruleset, row.profile_json,
                                          parse_date(as_of) or row.as_of, today=row.checked_on, measures=wanted)
    except ReplayError as exc:
        fail(f"无法按现行规则评价 / cannot evaluate under today's rules: {exc}")
    rules = (f"rules changed {comparison.stored_ruleset_hash[:12]} → {comparison.current_ruleset_hash[:12]}"
             if comparison.rules_changed else f"rules unchanged ({comparison.current_ruleset_hash[:12]})")
    click.echo(f"\n现行规则 / today's rules, as of {comparison.as_of}: {rules}")
    if not comparison.differing:
        click.echo("  每项措施的结果均相同 / every measure decides the same")
    for change in comparison.differing:
        for line in change.lines():
            click.echo(f"  {line}")
