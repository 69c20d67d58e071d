"""`subsidy export DECISION_ID --format json|html [--lang zh|en] [-o FILE]`: a self-contained record of one decision."""

from __future__ import annotations

import json
from pathlib import Path

import click

from web.cli.app import fail
from web.cli.commands._store import db_option, store_session
from web.store import queries
from web.store.export import build_record, render_html


def register(main: click.Group) -> None:
    main.add_command(export)


@click.command()
@click.argument("decision_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["json", "html"]), default="json", show_default=True)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="HTML 的语言 / language of the HTML page")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="输出文件（默认标准输出） / output file (default: stdout)")
@db_option
def export(decision_id: int, fmt: str, lang: str, output: Path | None, db_url: str | None) -> None:
    """导出决策记录：输入、所用规则及依据、推理过程、审计链位置 / export a decision record."""
    with store_session(db_url) as session:
        try:
            record = build_record(queries.decision_bundle(session, decision_id))
        except queries.NotFound as exc:
            fail(str(exc))
    text = (json.dumps(record, ensure_ascii=False, sort_keys=True, indent=2) + "\n" if fmt == "json"
            else render_html(record, lang))
    if output is None:
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    click.echo(f"{output} ({len(text.encode('utf-8')):,} bytes)")
