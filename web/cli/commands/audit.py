"""`subsidy audit verify [--head HASH]`: walk the hash chain and name the first broken or missing link; with a head
hash published earlier, also detect a cut (or rewritten) tail.
`subsidy audit head`: print the chain head (seq and hash) to publish — on the 公示, in a dated e-mail.
`subsidy audit allocation CALL_ID`: re-derive a call's allocation (IDENTICAL, or the differences).

Exit 0 when every link and record checks out (the allocation re-derives), 1 when the chain is broken
(the first problem is named first: its chain position, the record, and what is wrong) or the allocation
differs, 2 when the database cannot be read or the call is unknown or not allocated.
"""

from __future__ import annotations

import json
import sys

import click

from web.cli.app import EXIT_NEGATIVE, EXIT_OK, fail
from web.cli.commands._store import db_option, store_session
from web.store import allocation_queries, queries
from web.store.queries import StoreError

MAX_SHOWN = 20


def register(main: click.Group) -> None:
    main.add_command(audit)


@click.group()
def audit() -> None:
    """审计：哈希链校验、资金分配重推 / audit: the hash chain, allocations."""


@audit.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@db_option
def head(fmt: str, db_url: str | None) -> None:
    """输出审计链链头（用于公布）/ print the chain head hash to publish."""
    with store_session(db_url) as session:
        seq, head_hash = queries.chain_head(session)
    if fmt == "json":
        click.echo(json.dumps({"seq": seq, "hash": head_hash}))
    else:
        click.echo(f"{head_hash}  seq {seq}")


@audit.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--head", "published", metavar="HASH",
              help="此前公布的链头哈希：若不在链上则说明链尾被截断 / a head hash published earlier (cut tails detected)")
@db_option
def verify(fmt: str, published: str | None, db_url: str | None) -> None:
    """逐条校验审计链 / verify every link of the audit chain."""
    if published is not None and not (len(published.strip()) == 64 and all(c in "0123456789abcdefABCDEF"
                                                                           for c in published.strip())):
        fail(f"--head: 应为64位十六进制哈希 / expected a 64-digit hex hash, got {published!r}")
    with store_session(db_url) as session:
        report = queries.verify_chain(session, published_head=published)
    if fmt == "json":
        click.echo(json.dumps({"ok": report.ok, "links": report.links, "head_seq": report.head_seq,
                               "head_hash": report.head_hash,
                               "problems": [{"code": p.code, "seq": p.seq, "kind": p.kind, "record_id": p.record_id,
                                             "message": p.message} for p in report.problems]},
                              ensure_ascii=False, indent=2))
    elif report.ok:
        click.echo(f"OK  审计链完整 / chain intact: {report.links} link(s), head seq {report.head_seq}, "
                   f"hash {report.head_hash[:16]}…")
    elif all(p.code == "ledger-key" for p in report.problems):
        click.echo(f"UNCHECKED  审计链各环完整，但缺少记账时的账本密钥，收款账户摘要无法核对 / every link intact, but the "
                   f"ledger key the entries were made with is missing, so payee account digests were not checked: "
                   f"{report.links} link(s)")
        for problem in report.problems:
            click.echo(f"  {problem}")
    else:
        first = report.problems[0]
        click.echo(f"BROKEN  审计链已损坏 / chain broken: first problem at "
                   f"{'seq ' + str(first.seq) if first.seq is not None else 'the chain'}"
                   f"{', ' + first.record if first.kind else ''}")
        for problem in report.problems[:MAX_SHOWN]:
            click.echo(f"  {problem}")
        if len(report.problems) > MAX_SHOWN:
            click.echo(f"  … {len(report.problems) - MAX_SHOWN} more")
        click.echo(f"{report.links} link(s) checked; {len(report.problems)} problem(s)")
    sys.exit(EXIT_OK if report.ok else EXIT_NEGATIVE)


@audit.command("allocation")
@click.argument("call_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@db_option
def allocation(call_id: int, fmt: str, db_url: str | None) -> None:
    """从已存申请、决策和预算重新推导一次资金分配 / re-derive a call's allocation from the stored records."""
    with store_session(db_url) as session:
        try:
            proof = allocation_queries.rederive(session, call_id)
        except StoreError as refused:
            fail(f"{refused.zh} / {refused.en}")
    if fmt == "json":
        click.echo(json.dumps({"call_id": call_id, "identical": proof.identical, "lines": proof.lines,
                               "granted": proof.granted, "ledger_seq": proof.ledger_seq,
                               "differences": proof.differences}, ensure_ascii=False, indent=2))
    elif proof.identical:
        click.echo(f"IDENTICAL  申报通知 #{call_id} 的资金分配可由已存申请、决策和预算重新推导 / the allocation of call "
                   f"#{call_id} re-derives from the stored applications, decisions and budget ({proof.lines} line(s), "
                   f"{proof.granted} yuan granted, chain seq {proof.ledger_seq})")
    else:
        click.echo(f"DIFFERENT  申报通知 #{call_id} 的资金分配与重新推导的结果不同 / the allocation of call #{call_id} "
                   f"does not re-derive ({len(proof.differences)} difference(s)):")
        for line in proof.differences:
            click.echo(f"  {line}")
    sys.exit(EXIT_OK if proof.identical else EXIT_NEGATIVE)
