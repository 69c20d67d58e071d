"""`subsidy decide PROFILE`: evaluate a profile and store applicant, application and decision (chained)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from engine import evaluate, parse_profile
from engine.decision import Outcome
from engine.errors import ProfileError
from engine.model import RuleSet
from engine.reading.labels import OUTCOME_LABELS
from engine.suggest import hint_for
from web.cli.app import fail, load_rules_or_exit, parse_date, read_profile_file, report_profile_error
from web.cli.commands._store import db_option, store_session
from web.store import intake, queries, submission_queries
from web.store.blobs import BlobStore, default_root
from web.store.call_queries import CallNotOpen
from web.store.contacts import ContactError, Contacts, validate_contacts
from web.store.filecheck import UploadError, check_upload, clean_filename
from web.store.identity import identity_of
from web.store.material_queries import StagedFile

MAX_BYTES = 5 * 1024 * 1024  # as the site's MATERIAL_MAX_BYTES


def _contacts(contact: tuple[str, str, str] | None) -> Contacts | None:
    if not contact:
        return None
    try:
        return validate_contacts(*contact)
    except ContactError as refused:
        fail(f"--contact: {refused.zh} / {refused.en}")


def _materials(values: tuple[str, ...]) -> list[StagedFile]:
    """`--material form=申报表.pdf …`: each file checked like an upload and stored by its sha256."""
    store, out = BlobStore(default_root()), []
    for value in values:
        item, sep, name = value.partition("=")
        if not sep or not item.strip() or not name.strip():
            fail(f"--material {value}: 请写成 清单项=文件 / write ITEM=FILE")
        path = Path(name)
        try:
            data = path.read_bytes()
            kind = check_upload(path.name, data, MAX_BYTES)
        except OSError as exc:
            fail(f"--material {value}: 无法读取 / cannot read ({exc.strerror})")
        except UploadError as refused:
            fail(f"--material {value}: {refused.zh} / {refused.en}")
        out.append(StagedFile(item.strip(), clean_filename(path.name), kind, len(data), store.put(data)))
    return out


def register(main: click.Group) -> None:
    main.add_command(decide)


def parse_measures(values: tuple[str, ...], ruleset: RuleSet) -> list[str] | None:
    """`--measures a,b --measures c` → ['a', 'b', 'c']; unknown ids exit 2 with the nearest name."""
    ids = sorted({part.strip() for value in values for part in value.split(",") if part.strip()})
    for measure_id in ids:
        if measure_id not in ruleset.measures:
            fail(f"未知措施 / unknown measure '{measure_id}' {hint_for(measure_id, ruleset.measures)}".rstrip())
    return ids or None


@click.command()
@click.argument("profile", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="评价日期（默认今天） / decision date (default today)")
@click.option("--measures", multiple=True, metavar="ID[,ID…]",
              help="申请的措施（默认全部） / measures applied for (default: all)")
@click.option("--priority", type=int, default=0, show_default=True, help="优先级 / priority (higher: sooner)")
@click.option("--call", "call_id", type=int, metavar="ID",
              help="申报通知（措施有申报通知时必填，须在开放期间） / the call (required for a measure a call covers; open)")
@click.option("--contact", nargs=3, metavar="NAME PHONE EMAIL", help="联系人、电话、邮箱 / contact person, phone, e-mail")
@click.option("--material", "materials", multiple=True, metavar="ITEM=FILE",
              help="申报材料（清单项=文件，PDF/JPG/PNG） / a material for a checklist item (PDF, JPG or PNG)")
@click.option("--rules", "rules_path", type=click.Path(file_okay=False, path_type=Path), help="rule directory")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@db_option
def decide(profile: Path, as_of: str | None, measures: tuple[str, ...], priority: int, call_id: int | None,
           contact: tuple[str, str, str] | None, materials: tuple[str, ...], rules_path: Path | None, fmt: str,
           db_url: str | None) -> None:
    """评价并保存：申请人、申请与决策（写入审计链） / evaluate and store applicant, application and decision."""
    data = read_profile_file(profile)
    today = dt.date.today()
    try:
        parsed = parse_profile(data, today)
    except ProfileError as exc:
        report_profile_error(profile, exc)
    ruleset = load_rules_or_exit(rules_path)
    wanted = parse_measures(measures, ruleset)
    decision = evaluate(ruleset, parsed, parse_date(as_of) or today, measures=wanted)
    people = _contacts(contact)
    with store_session(db_url) as session:
        files = _materials(materials)
        try:  # the same intake rules as the site and the API: call, materials, one application per measure
            call = intake.check_intake(session, call_id=call_id, measures=wanted, files=files,
                                       identity_digest=identity_of(parsed.profile).digest)
        except CallNotOpen as refused:
            fail(f"{refused.zh} / {refused.en}")
        if call is None:
            row = queries.submit_and_decide(session, profile=parsed.profile, profile_data=data, ruleset=ruleset,
                                            decision=decision, checked_on=today, measures=wanted, priority=priority)
        else:
            row = submission_queries.submit_to_call(
                session, call_id=call.id, profile=parsed.profile, profile_data=data, ruleset=ruleset,
                decision=decision, checked_on=today, measures=list(wanted or ()), contacts=people, files=files,
                user_id=None, priority=priority)
        applicant = row.application.applicant
        outcomes = {r.measure_id: r.outcome.value for r in decision.results}
        summary = {"decision_id": row.id, "application_id": row.application_id, "applicant": applicant.name,
                   "code": applicant.display_code, "as_of": decision.as_of, "ruleset_hash": row.ruleset_hash,
                   "chain_seq": row.chain_seq, "hash": row.hash,
                   "outcomes": outcomes}
    if fmt == "json":
        click.echo(json.dumps(summary, ensure_ascii=False, sort_keys=True))
        return
    click.echo(f"决策 / decision #{row.id}  申请 / application #{row.application_id}  {applicant.name} "
               f"({applicant.display_code})")
    click.echo(f"  as of {decision.as_of} · ruleset {row.ruleset_hash[:12]} · chain seq {row.chain_seq} "
               f"· hash {row.hash[:16]}…")
    for measure_id, outcome in outcomes.items():
        click.echo(f"  {OUTCOME_LABELS[Outcome(outcome)].zh:<6} {outcome:<15} {measure_id}")
