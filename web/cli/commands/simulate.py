"""`subsidy simulate --rules DIR --against REGISTER`: who would gain or lose under proposed rules, at what cost.

Evaluates every profile of the register under the current rules (rules/ or --current) and the proposed
ones (--rules), prints per measure the flips in each direction and the budget change, with example
traces of flipped cases, and writes to --out: simulation.txt, simulation.json, flips.csv and
report.html (charts, no JavaScript). The register is read column-wise (engine.io) and simulated chunk by
chunk — in this process, or on Dask with --scheduler / --workers — the parts merged in order, so the
report is the same whichever ran it. `--against stored` (the applications in the database) will come with
the store; the engine function takes any iterable of profiles.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import click

from engine.canonical import fraction_text
from engine.io import RegisterError, safe_cell
from web.cli.app import fail, load_rules_or_exit, parse_date


def register(main: click.Group) -> None:
    main.add_command(simulate_command)


@click.command("simulate")
@click.option("--rules", "proposed_path", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="拟议规则目录 / the proposed rule directory")
@click.option("--current", "current_path", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="现行规则目录（默认 rules/） / current rules (default rules/ or $SUBSIDY_RULES)")
@click.option("--against", "against", required=True, metavar="REGISTER",
              help="企业名录 CSV/JSONL（stored 即将支持） / a register file (`stored` comes with the store)")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="评价日期（默认今天） / decision date")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("simulation"),
              show_default=True)
@click.option("--encoding", help="CSV编码（默认自动识别） / CSV encoding (default: detected)")
@click.option("--examples", type=click.IntRange(0, 20), default=2, show_default=True,
              help="每个方向展示的示例数 / examples shown per measure and direction")
@click.option("--today", "today_text", metavar="YYYY-MM-DD", help="校验日期（默认今天） / validation date")
@click.option("--chunk", "chunk_size", type=click.IntRange(100, 1_000_000), default=10_000, show_default=True,
              help="每块行数 / rows per chunk (partition)")
@click.option("--scheduler", metavar="ADDRESS", help="Dask调度器地址 / run the chunks on this Dask scheduler")
@click.option("--workers", type=click.IntRange(1, 256),
              help="本机Dask工作进程数（LocalCluster） / run the chunks on a local Dask cluster of N workers")
def simulate_command(proposed_path: Path, current_path: Path | None, against: str, as_of: str | None,
                     out_dir: Path, encoding: str | None, examples: int, today_text: str | None, chunk_size: int,
                     scheduler: str | None, workers: int | None) -> None:
    """政策模拟：现行与拟议规则下谁的结果改变、预算变化多少 / simulate a rule change on a register."""
    if against == "stored":
        fail("--against stored: 数据库中的申请尚不支持，请提供名录文件 / not available yet; give a register file")
    register_file = Path(against)
    if not register_file.is_file():
        fail(f"--against: 找不到文件 / no such file: {against}")
    today = parse_date(today_text) or dt.date.today()
    decision_date = parse_date(as_of) or today
    current, proposed = load_rules_or_exit(current_path), load_rules_or_exit(proposed_path)
    from engine.io import raw_chunks
    from web.reports.html import meta, render_simulation
    from web.reports.partitions import run_chunks
    from web.reports.simulation import merge

    payload = (current.snapshot, proposed.snapshot, decision_date, today, examples)
    setup = (f"{current.hash}|{proposed.hash}|{payload[2:]}", payload)
    rejected = [0]
    try:
        parts = run_chunks(_prepare, _simulate_chunk, setup, raw_chunks(register_file, encoding, chunk_size),
                           scheduler=scheduler, workers=workers)
        report = merge(_counted(parts, rejected), examples)
    except RegisterError as exc:
        fail(str(exc))
    text = render_text(report, current, proposed, rejected[0])
    click.echo(text, nl=False)
    out_dir.mkdir(parents=True, exist_ok=True)
    info = meta(proposed, decision_date, source=register_file.name, current_hash=current.hash,
                proposed_dir=str(proposed_path))
    (out_dir / "simulation.txt").write_text(text, encoding="utf-8")
    (out_dir / "simulation.json").write_text(json.dumps(as_json(report, rejected[0]), ensure_ascii=False, indent=1),
                                             encoding="utf-8")
    _write_flips(out_dir / "flips.csv", report)
    (out_dir / "report.html").write_text(render_simulation(report, current, proposed, info), encoding="utf-8")
    click.echo(f"→ {out_dir}/report.html")


def _prepare(payload: tuple[Any, ...]) -> Any:
    """A worker's state: both RuleSets compiled once from their snapshots."""
    from engine.fast import compile_ruleset
    from engine.loader import load_from_snapshot

    current, proposed, as_of, today, examples = payload
    return (compile_ruleset(load_from_snapshot(current), as_of), compile_ruleset(load_from_snapshot(proposed), as_of),
            today, examples)


def _simulate_chunk(state: Any, raw: Any) -> Any:
    from engine.io import validate
    from web.reports.simulation import simulate_chunk

    current, proposed, today, examples = state
    chunk = validate(raw, today)
    return len(chunk.rejects), simulate_chunk(current, proposed, chunk, today, examples)


def _counted(parts: Any, rejected: list[int]) -> Any:
    for count, part in parts:
        rejected[0] += count
        yield part


def _money(value: Any) -> str:
    from web.reports.html import wan

    sign = "−" if value < 0 else "+" if value > 0 else ""
    return sign + wan(abs(value)) if value else "0"


def render_text(report: Any, current: Any, proposed: Any, rejected: int) -> str:
    from web.reports.html import title_of, wan

    lines = [f"政策模拟 / policy simulation: {report.rows} 个对象 / profiles"
             + (f"（另有{rejected}行未通过校验 / {rejected} rows rejected）" if rejected else ""),
             f"现行 / current {current.hash[:12]} → 拟议 / proposed {proposed.hash[:12]}", ""]
    changed = [m for m in report.measures if m.gained or m.lost or m.other or m.budget_change]
    if not changed:
        lines.append("没有任何结果发生变化 / no outcome changes.")
    for m in changed:
        title = title_of(proposed if m.measure_id in proposed.measures else current, m.measure_id)
        lines.append(f"■ {title} [{m.measure_id}]")
        lines.append(f"  新增符合 / gained +{m.gained} · 不再符合 / lost −{m.lost} · 其他变化 / other {m.other}")
        for (a, b), n in sorted(m.transitions.items()):
            if a != b:
                lines.append(f"    {a} → {b}: {n}")
        lines.append(f"  现金预算 / cash budget: {wan(m.before.cash)} → {wan(m.after.cash)} ({_money(m.budget_change)})"
                     + (f"; 未公布金额 / unpublished {m.before.unpublished} → {m.after.unpublished}"
                        if m.before.unpublished or m.after.unpublished else ""))
        for example in m.examples:
            lines.append(f"  例 / e.g. {example.flip.label}: {example.flip.before} → {example.flip.after}")
            for c in example.changes:
                lines.append(f"    {c.id} {c.text}: {c.before} ({c.detail_before}) → {c.after} ({c.detail_after})")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _plain(value: Any) -> Any:
    return fraction_text(value) if isinstance(value, Fraction) else value


def as_json(report: Any, rejected: int) -> dict[str, Any]:
    return {"rows": report.rows, "rejected": rejected, "measures": {
        m.measure_id: {"gained": m.gained, "lost": m.lost, "other": m.other,
                       "transitions": {f"{a}→{b}": n for (a, b), n in sorted(m.transitions.items())},
                       "budget_before": {k: _plain(getattr(m.before, k)) for k in ("exact", "up_to", "unpublished", "unknown")},
                       "budget_after": {k: _plain(getattr(m.after, k)) for k in ("exact", "up_to", "unpublished", "unknown")},
                       "budget_change": _plain(m.budget_change)}
        for m in report.measures}}


def _write_flips(path: Path, report: Any) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["measure", "profile", "before", "after"])
        for m in report.measures:
            for flip in m.flips:
                writer.writerow([m.measure_id, safe_cell(flip.label), flip.before, flip.after])
