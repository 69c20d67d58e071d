"""`subsidy cleanup`: remove what is no longer needed, so that nothing grows without bound (issue 18).

- uploaded files staged by a form that was never submitted, and stored files no material row refers to
  (both only when older than --min-age hours: a submission in flight is never touched);
- expired resume links, login events older than 90 days, Idempotency-Keys older than 7 days, rate-limit
  events older than a day;
- and it sends the notices' e-mails still due (web.notices.outbox: those a stopped server left, retries) and
  triages the applications still marked to triage (web.store.triage_due).

`subsidy serve` runs it every hour (`--cleanup-every`); it is safe to run at any time, also by cron.
"""

from __future__ import annotations

from typing import Any

import click

from web.cli.commands._store import db_option, store_session
from web.store import cleanup_queries
from web.store.blobs import BlobStore, default_root


def register(main: click.Group) -> None:
    main.add_command(cleanup)


@click.command()
@db_option
@click.option("--materials", "materials", type=click.Path(file_okay=False), default=None,
              help="材料目录 / materials folder (default: $SUBSIDY_MATERIALS, else instance/materials)")
@click.option("--min-age", default=24, show_default=True, type=click.IntRange(1, 24 * 365),
              help="only files older than this many hours / 仅清理早于此小时数的文件")
@click.option("--quiet", is_flag=True, help="print nothing unless something was removed / 无清理时不输出")
def cleanup(db_url: str | None, materials: str | None, min_age: int, quiet: bool) -> None:
    """清理过期数据和无主文件 / remove orphan files, expired links and old events."""
    store = BlobStore(materials or default_root())
    with store_session(db_url) as session:
        counts = cleanup_queries.purge(session)
        referenced = cleanup_queries.referenced_blobs(session)
        session.rollback()
        counts["e-mails sent from the outbox"] = _send_due(session)
        counts["applications triaged from their marks"] = _triage_due(session)
    files, freed = store.remove_stale(referenced, min_age * 3600.0)
    counts["orphan or abandoned files"] = files
    if quiet and not any(counts.values()):
        return
    for what, n in counts.items():
        click.echo(f"{what}: {n}")
    click.echo(f"清理完成 / cleanup done: {sum(counts.values())} item(s), {freed / 1_048_576:.1f} MiB freed")


def _send_due(session: Any) -> int:
    """The outbox's due e-mails, sent (none without a mail server; the RuleSet, for the receipt's measure titles,
    loaded only when one is due)."""
    from web.notices import outbox
    from web.notices.mailer import SmtpSettings
    from web.notices.send import attachments_for
    from web.store import notice_queries

    if SmtpSettings.from_env() is None or not notice_queries.due_emails(session, notice_queries.now(), 1):
        return 0
    from engine import load_ruleset
    from web.settings import load_settings

    return outbox.drain(session, attachments_for(load_ruleset(load_settings().RULES_DIR)))


def _triage_due(session: Any) -> int:
    """The applications marked to triage, triaged (the rules loaded only when one is due; rules that do not load
    leave the marks for `subsidy triage`, which says why)."""
    from web.store import triage_due

    if not triage_due.due_count(session, triage_due.utcnow()):
        return 0
    from engine import RuleLoadError, load_ruleset
    from engine.triage import Exclusions, load_triage_rules
    from web.bureau.triage_now import triage_rules_dir
    from web.settings import load_settings

    root = load_settings().RULES_DIR
    try:
        rules, ruleset = load_triage_rules(triage_rules_dir(root)), load_ruleset(root)
    except (RuleLoadError, OSError):
        return 0
    return triage_due.drain(session, rules, exclusions=Exclusions.from_ruleset(ruleset))
