"""`subsidy screen REGISTER.csv|.parquet|.jsonl`: 免申即享 — who in a register qualifies, without applying.

Writes to --out: results.csv (one row per enterprise and measure that applies to it) and results.jsonl
(the same, a line per enterprise) — or, chosen with --format, any of these and results.parquet (the CSV's rows
column-wise, engine.io.results_parquet: for large registers, ~1/200 of the bytes and the fastest to write) —,
summary.csv and summary.json (per measure: outcomes and budget; per district), rejects.csv (rows that failed validation, one line per reason, zh and en) and report.html
(charts, no JavaScript). CSV exports are neutralised against formula injection. The register format
is docs/register-format.md; the CSV may be UTF-8 or GBK (detected, or --encoding); Parquet has the same
columns. Chunks run in this process, a process pool (--jobs), or on Dask (--scheduler / --workers), with
the same files written whichever ran them (docs/screening.md).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click

from engine.io import FINANCE_FIELDS, RegisterError, static_columns
from web.cli.app import fail, load_rules_or_exit, parse_date


def register(main: click.Group) -> None:
    main.add_command(screen)


@click.command()
@click.argument("register_file", metavar="REGISTER", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="评价日期（默认今天） / decision date (default today)")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="输出目录（默认 <文件名>-screening） / output directory (default <name>-screening)")
@click.option("--encoding", help="CSV编码，如 utf-8、gbk（默认自动识别） / CSV encoding (default: detected)")
@click.option("--rules", "rules_path", type=click.Path(file_okay=False, path_type=Path), help="rule directory")
@click.option("--jobs", type=click.IntRange(1, 64), default=os.cpu_count() or 1, show_default=True,
              help="并行进程数 / worker processes")
@click.option("--chunk", "chunk_size", type=click.IntRange(100, 1_000_000), default=16_000, show_default=True,
              help="每块行数 / rows per chunk (partition; a chunk costs ~30 ms beyond its rows on the whole catalogue)")
@click.option("--scheduler", metavar="ADDRESS", help="Dask调度器地址 / run the chunks on this Dask scheduler")
@click.option("--workers", type=click.IntRange(1, 256),
              help="本机Dask工作进程数（LocalCluster） / run the chunks on a local Dask cluster of N workers")
@click.option("--missing/--no-missing", "with_missing", default=False, show_default=True,
              help="列出待定结果缺少的字段（较慢） / list the fields each undetermined result needs (slower)")
@click.option("--all", "include_na", is_flag=True, help="也列出不适用的措施 / also list measures that do not apply")
@click.option("--format", "formats", metavar="FORMAT[,FORMAT…]", default="csv,jsonl", show_default=True,
              callback=lambda _ctx, _param, value: _formats(value),
              help="结果文件：csv（results.csv）、jsonl（results.jsonl，与CSV内容相同、按企业分行）、parquet"
                   "（results.parquet，按列存储，大名录推荐：写得最快、文件最小），可用逗号组合 / result files: csv, "
                   "jsonl (the CSV's results, a line per enterprise), parquet (column-wise: fastest to write and "
                   "smallest, recommended for large registers); comma-separated")
@click.option("--today", "today_text", metavar="YYYY-MM-DD", help="校验日期（默认今天） / validation date")
@click.option("--columns", "show_columns", is_flag=True, help="列出名录可用的列 / list the register columns")
def screen(register_file: Path | None, as_of: str | None, out_dir: Path | None, encoding: str | None,
           rules_path: Path | None, jobs: int, chunk_size: int, scheduler: str | None, workers: int | None,
           with_missing: bool, include_na: bool, formats: tuple[str, ...], today_text: str | None,
           show_columns: bool) -> None:
    """免申即享：筛查整个企业名录 / screen a whole register against every measure."""
    if show_columns:
        click.echo(columns_text(), nl=False)
        return
    if register_file is None:
        fail("缺少名录文件 / give a REGISTER file (CSV, Parquet or JSONL), or --columns to list the columns")
    from web.reports.html import meta, render_screen
    from web.reports.partitions import run_chunks
    from web.reports.screening import Summary

    today = parse_date(today_text) or dt.date.today()
    decision_date = parse_date(as_of) or today
    ruleset = load_rules_or_exit(rules_path)
    _LOADED[:] = [(ruleset.snapshot, ruleset)]  # this process (and forked workers) compile it as loaded
    out = out_dir or Path(f"{register_file.stem}-screening")
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    summary = Summary()
    try:
        with ExitStack() as stack:
            spool = None if scheduler or jobs == 1 and not workers else stack.enter_context(
                tempfile.TemporaryDirectory(prefix=".spool-", dir=out))
            settings = (ruleset.snapshot, decision_date, today, with_missing, include_na, spool, formats)
            setup = (f"{ruleset.hash}|{settings[1:]}", settings)
            files = _open_outputs(stack, out, formats)
            chunks = _chunks(register_file, encoding, chunk_size, workers, jobs, scheduler)
            outputs = run_chunks(_prepare, _screen_chunk, setup, chunks, jobs=jobs, scheduler=scheduler,
                                 workers=workers, warm=_warm)
            for output in _progress(outputs, register_file):
                _write(files, output)
                summary.merge(output.summary)
    except RegisterError as exc:
        fail(str(exc))
    elapsed = time.perf_counter() - started
    info = meta(ruleset, decision_date, source=register_file.name, encoding=encoding or "auto")
    _write_summary(out, summary, ruleset, info, elapsed)
    (out / "report.html").write_text(render_screen(summary, ruleset, info), encoding="utf-8")
    rate = summary.read / elapsed if elapsed else 0
    click.echo(f"{summary.read} 行 / rows: {summary.accepted} 已筛查 / screened, {summary.rejected} 退回 / rejected "
               f"(rejects.csv) · {elapsed:.1f}s, {rate:,.0f} rows/s · {out}/report.html")


def _chunks(path: Path, encoding: str | None, size: int, workers: int | None, jobs: int,
            scheduler: str | None) -> Any:
    """The register's chunks. Where the chunks run in local processes (--jobs N, --workers N) a register travels
    as partitions the workers read from the file themselves: a Parquet register (--workers) as row groups, a CSV
    register as byte ranges cut at line feeds where every line feed ends a row (engine.io.csv_parts; otherwise
    this process reads it in order). On --scheduler the file may not be on the workers' disks: this process reads
    it and the chunks travel as data."""
    from engine.io import csv_parts, parquet_parts, raw_chunks, register_kind

    kind = register_kind(path)
    if workers and kind == "parquet":
        return parquet_parts(path, size)
    if not scheduler and (workers or jobs > 1) and kind == "csv":
        parts = csv_parts(path, encoding, size)
        if parts is not None:
            return parts
    return raw_chunks(path, encoding, size)


def columns_text() -> str:
    """The CSV layout, one column a line: name, type, zh / en label (from the profile model)."""
    lines = []
    for column in static_columns().values():
        lines.append(f"{column.name:<52} {_label(column)}")
    years = "YYYY"
    for name, info in FINANCE_FIELDS.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        lines.append(f"{name + '_' + years:<52} {extra.get('unit', '')}: {extra.get('zh', '')} / {extra.get('en', '')}")
    return "\n".join(lines) + "\n"


def _label(column: Any) -> str:
    from engine.explain import field_label

    path = column.field if column.section is None else (
        f"certificates.{column.field}" if column.section == "certificates" else f"{column.section}.{column.field}")
    label = field_label(path)
    prefix = f"[{column.key}] " if column.key else ""
    return f"{prefix}{label.zh} / {label.en}"


_LOADED: list[tuple[Any, Any]] = []  # (snapshot, RuleSet) of the rules this process loaded


def _prepare(settings: tuple[Any, ...]) -> Any:
    """A worker's Screener: the catalogue compiled once from its snapshot (numpy and the report code are
    imported when a register is screened, not at startup), and the spool directory, if any."""
    from engine.fast import compile_ruleset
    from engine.loader import load_from_snapshot
    from web.reports.screening import Screener

    snapshot, as_of, today, with_missing, include_na, spool, formats = settings
    _reuse_freed_memory()
    loaded = [ruleset for text, ruleset in _LOADED if text is snapshot]  # the same object: loaded here
    ruleset = loaded[0] if loaded else load_from_snapshot(snapshot)
    return Screener(compile_ruleset(ruleset, as_of), today, with_missing, include_na, formats), spool


def _warm(state: Any, raw: Any) -> None:
    """The register's first rows screened here (output dropped) before local workers are forked: the code each
    measure generates on first use, and the row-by-row closures, are built once and inherited."""
    state[0].screen(raw.head(500))


def _reuse_freed_memory() -> None:
    """glibc: keep memory a chunk freed for the next chunk (no trimming below 1 GB; blocks up to 32 MB from the
    heap) instead of returning it to the kernel and faulting it in again — a third of a worker's CPU time was
    the kernel's, ~80,000 page faults per 10,000 rows. Elsewhere (no glibc) nothing changes."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD
        libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        pass


def _screen_chunk(state: Any, raw: Any) -> Any:
    """One chunk screened. A worker on this machine (--jobs, --workers) puts its lines in a file of the spool
    directory beside the outputs, and only the file's name travels back: this process then appends it to
    results.csv / results.jsonl in the kernel (os.copy_file_range), never reading the lines itself. Its
    results.parquet rows go the same way, encoded here as a Parquet file whose pages this process copies into
    results.parquet (engine.io.results_parquet.Encoded)."""
    screener, spool = state
    if spool is None:
        return screener.screen(raw)
    handle, name = tempfile.mkstemp(suffix=".part", dir=spool)
    os.close(handle)
    with open(name, "wb", buffering=1 << 20) as part:  # part.name: the path the main process appends from
        output = screener.screen(raw, part)
    if output.table is not None:
        from engine.io.results_parquet import Encoded

        output.table = Encoded.of(output.table, name + ".parquet")
    return output


def _progress(outputs: Iterator[Any], path: Path) -> Iterator[Any]:
    """A progress bar (rich) on a terminal only; files and pipes get the closing line alone."""
    if not sys.stdout.isatty():
        yield from outputs
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("筛查 / screening"), BarColumn(), MofNCompleteColumn(), TextColumn("rows"),
               TimeRemainingColumn())
    with Progress(*columns, transient=False) as progress:
        task = progress.add_task("screening", total=count_rows(path))
        for output in outputs:
            progress.update(task, advance=output.summary.read)
            yield output


def count_rows(path: Path) -> int | None:
    """Rows in a register, for the progress bar: Parquet metadata, or the lines of a text file."""
    from engine.io import register_kind

    if register_kind(path) == "parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    with path.open("rb") as handle:
        lines = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
    return lines - (register_kind(path) == "csv")


FORMATS = ("csv", "jsonl", "parquet")


def _formats(value: str) -> tuple[str, ...]:
    """--format's list, in FORMATS order; an unknown or empty one is a usage error naming the choices."""
    chosen = {part.strip().lower() for part in value.split(",") if part.strip()}
    if not chosen or chosen - set(FORMATS):
        raise click.BadParameter(f"可选 / choose from {', '.join(FORMATS)} (comma-separated), not '{value}'")
    return tuple(f for f in FORMATS if f in chosen)


def _open_outputs(stack: ExitStack, out: Path, formats: tuple[str, ...]) -> dict[str, Any]:
    """The chosen result files, rejects.csv, and any stale result file of a format not chosen removed (so an
    output directory never mixes this run's results with an earlier run's)."""
    from web.reports.screening import REJECT_COLUMNS, RESULT_COLUMNS

    files: dict[str, Any] = {}
    for fmt in FORMATS:
        path = out / f"results.{fmt}"
        if fmt not in formats:
            path.unlink(missing_ok=True)
        elif fmt == "parquet":
            from engine.io.results_parquet import ResultsFile

            files[path.name] = stack.enter_context(ResultsFile(path))
        else:
            files[path.name] = stack.enter_context(path.open("wb", buffering=0))  # unbuffered: parts appended by fd
    files["rejects.csv"] = stack.enter_context((out / "rejects.csv").open("w", encoding="utf-8", newline=""))
    if "results.csv" in files:
        header = io.StringIO(newline="")
        csv.writer(header).writerow(RESULT_COLUMNS)
        files["results.csv"].write(header.getvalue().encode())
    csv.writer(files["rejects.csv"]).writerow(REJECT_COLUMNS)
    return files


def _write(files: dict[str, Any], output: Any) -> None:
    if output.part is not None:
        name, csv_size, jsonl_size = output.part
        with open(name, "rb", buffering=0) as part:
            for target, offset, size in (("results.csv", 0, csv_size), ("results.jsonl", csv_size, jsonl_size)):
                if target in files and size:
                    _append(part.fileno(), files[target], offset, size)
        os.unlink(name)
    else:
        for target, data in (("results.csv", output.csv_data), ("results.jsonl", output.jsonl_data)):
            if target in files:
                files[target].write(data)  # UTF-8 bytes from the worker, written as they are
    if "results.parquet" in files:
        files["results.parquet"].write(output.table)
    files["rejects.csv"].write(output.rejects_text)


def _append(source: int, target: Any, offset: int, size: int) -> None:
    """size bytes of the file `source` from offset, appended to `target` (an unbuffered file): in the kernel
    where it can (os.copy_file_range), else through a buffer."""
    copy = getattr(os, "copy_file_range", None)
    while size > 0:
        try:
            done = copy(source, target.fileno(), size, offset) if copy else 0
        except OSError:
            copy, done = None, 0
        if not done:
            os.lseek(source, offset, os.SEEK_SET)
            block = os.read(source, min(size, 1 << 24))
            if not block:
                raise OSError(f"spooled part ended {size} bytes early")
            target.write(block)
            done = len(block)
        offset, size = offset + done, size - done


def _write_summary(out: Path, summary: Any, ruleset: Any, info: dict[str, Any], elapsed: float) -> None:
    from web.reports.html import title_of
    from web.reports.screening import OUTCOMES

    with (out / "summary.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        extra = sorted({k for counts in summary.counts.values() for k in counts} - set(OUTCOMES))
        writer.writerow(["measure", "title", *OUTCOMES, *extra, "budget_exact", "budget_up_to", "unpublished",
                         "amount_unknown", "rate", "conditional_amount"])
        for mid in sorted(summary.counts):
            counts, budget = summary.counts[mid], summary.budget[mid]
            writer.writerow([mid, title_of(ruleset, mid), *(counts.get(k, 0) for k in (*OUTCOMES, *extra)),
                             budget["exact"], budget["up_to"], budget["unpublished"], budget["unknown"], budget["rate"],
                             budget["conditional"]])
    data = {**summary.as_dict(), "meta": info, "seconds": round(elapsed, 3)}
    (out / "summary.json").write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
