"""`subsidy screen` and `subsidy simulate` on a 2-worker Dask cluster (worker processes, not threads)
write the same files, byte for byte, as the single-process run."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.generate import AS_OF, TODAY, register_rows
from tests.conftest import ROOT
from web.cli import main

BENCH_RULES = str(ROOT / "bench" / "rules")
DATES = ["--as-of", AS_OF.isoformat(), "--today", TODAY.isoformat()]
SCREEN_FILES = ("results.csv", "results.jsonl", "rejects.csv", "summary.csv")
SIMULATE_FILES = ("simulation.txt", "simulation.json", "flips.csv")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=40) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    header, rows = register_rows(2500, seed=31, invalid_share=0.02)
    path = tmp_path_factory.mktemp("register") / "register.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def invoke(*args: str) -> None:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output


def files(out: Path, names: tuple[str, ...]) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in names}


def test_screen_on_a_dask_cluster_is_byte_identical(tmp_path: Path, register: Path, scheduler: str) -> None:
    common = [str(register), "--rules", BENCH_RULES, "--chunk", "400", "--missing", *DATES]
    invoke("screen", *common, "--out", str(tmp_path / "one"), "--jobs", "1")
    invoke("screen", *common, "--out", str(tmp_path / "dask"), "--scheduler", scheduler)
    one, dask = files(tmp_path / "one", SCREEN_FILES), files(tmp_path / "dask", SCREEN_FILES)
    assert one == dask
    assert one["results.csv"].count(b"\r\n") > 4000  # two measures for every accepted row, and a header
    import pyarrow.parquet as pq  # results.parquet from the cluster: its tables travel back as data

    invoke("screen", *common, "--out", str(tmp_path / "one-pq"), "--jobs", "1", "--format", "parquet")
    invoke("screen", *common, "--out", str(tmp_path / "dask-pq"), "--scheduler", scheduler, "--format", "parquet")
    single = pq.read_table(tmp_path / "one-pq" / "results.parquet")
    assert single.equals(pq.read_table(tmp_path / "dask-pq" / "results.parquet"))
    assert single.num_rows == one["results.csv"].count(b"\r\n") - 1


def test_simulate_on_a_dask_cluster_is_byte_identical(tmp_path: Path, register: Path, scheduler: str) -> None:
    from tests.web.test_simulate import rules_dir

    current, proposed = rules_dir(tmp_path / "current", "10%"), rules_dir(tmp_path / "proposed", "15%")
    common = ["--rules", str(proposed), "--current", str(current), "--against", str(register), "--chunk", "400",
              "--examples", "2", *DATES]
    invoke("simulate", *common, "--out", str(tmp_path / "one"))
    invoke("simulate", *common, "--out", str(tmp_path / "dask"), "--scheduler", scheduler)
    one, dask = files(tmp_path / "one", SIMULATE_FILES), files(tmp_path / "dask", SIMULATE_FILES)
    assert one == dask
    assert "不再符合 / lost −0" not in one["simulation.txt"].decode()  # the raised threshold flips some rows


def test_workers_option_starts_a_local_cluster(tmp_path: Path, register: Path) -> None:
    """--workers 2: a local cluster whose workers are forked after this process has compiled the catalogue and
    screened the register's first rows (web.reports.partitions.run_chunks' warm-up): the same files, byte for
    byte, and no process of the cluster or of a pool left running afterwards."""
    psutil = pytest.importorskip("psutil")
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    common = [str(register), "--rules", str(ROOT / "rules"), "--chunk", "1000", *DATES]
    invoke("screen", *common, "--out", str(tmp_path / "one"), "--jobs", "1")
    invoke("screen", *common, "--out", str(tmp_path / "local"), "--workers", "2")
    invoke("screen", *common, "--out", str(tmp_path / "pool"), "--jobs", "2", "--format", "csv,jsonl,parquet")
    assert files(tmp_path / "one", SCREEN_FILES) == files(tmp_path / "local", SCREEN_FILES)
    assert files(tmp_path / "one", SCREEN_FILES) == files(tmp_path / "pool", SCREEN_FILES)
    left = [p for p in psutil.Process().children(recursive=True) if p.pid not in before and p.is_running()
            and p.status() != psutil.STATUS_ZOMBIE]
    assert not left, [(p.pid, p.cmdline()) for p in left]


def test_parquet_partitions_are_read_by_the_workers(tmp_path: Path, register: Path) -> None:
    """On a local cluster a Parquet register travels as row-group descriptions (engine.io.Part): the workers
    read their rows from the file, and the files written are the single-process run's, byte for byte."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    from engine.io import Part, parquet_parts, raw_chunks

    names = next(csv.reader(register.open(encoding="utf-8")))
    table = pcsv.read_csv(register, convert_options=pcsv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=True))
    parquet = tmp_path / "register.parquet"
    pq.write_table(table, parquet, row_group_size=300)
    parts = parquet_parts(parquet, 1000)
    assert len(parts) == 3 and all(isinstance(p, Part) for p in parts)
    assert [int(n) for p in parts for n in p.load().rows] == [int(n) for c in raw_chunks(parquet) for n in c.rows]
    common = [str(parquet), "--rules", BENCH_RULES, "--chunk", "1000", *DATES]
    invoke("screen", *common, "--out", str(tmp_path / "one"), "--jobs", "1")
    invoke("screen", *common, "--out", str(tmp_path / "local"), "--workers", "2")
    assert files(tmp_path / "one", SCREEN_FILES) == files(tmp_path / "local", SCREEN_FILES)


def test_process_pool_spools_its_lines_and_writes_the_same_files(tmp_path: Path, register: Path) -> None:
    """--jobs 2: each worker puts a chunk's lines in a part file beside the outputs and this process appends the
    parts in chunk order (os.copy_file_range); the files are the single-process run's, byte for byte, and no
    part or spool directory is left behind."""
    common = [str(register), "--rules", str(ROOT / "rules"), "--chunk", "300", "--missing", *DATES]
    invoke("screen", *common, "--out", str(tmp_path / "one"), "--jobs", "1")
    invoke("screen", *common, "--out", str(tmp_path / "pool"), "--jobs", "2")
    one, pool = files(tmp_path / "one", SCREEN_FILES), files(tmp_path / "pool", SCREEN_FILES)
    assert one == pool and one["results.csv"].count(b"\r\n") > 2500
    assert sorted(p.name for p in (tmp_path / "pool").iterdir()) == sorted(p.name for p in (tmp_path / "one").iterdir())
