"""Per-request timing inside the load benchmark's server (issue 18): where a busy call's time goes.

`install(app, prefix)` wraps the app so that each worker appends one line per request to ``<prefix>.<pid>.tsv``:
method, path, wall time, the thread's CPU time (`time.thread_time`), time in database statements, time waiting
for a write lock (SQLite: the write gate of web.store.db; PostgreSQL: ``FOR UPDATE`` and advisory-lock
statements) time from that lock to the end of its commit, and time in the cyclic garbage collector. `summary(prefix)` groups the lines by request class
and gives medians and p95s; wall ÷ CPU shows how long a request waited for a core. Used by
``bench.load_test --timing``; never by the site itself.
"""

from __future__ import annotations

import gc
import glob
import os
import threading
import time
from typing import Any

_local = threading.local()
LOCKING = ("FOR UPDATE", "pg_advisory_xact_lock")
FIELDS = ("wall", "cpu", "db", "lock_wait", "lock_hold", "gc")


def install(app: Any, prefix: str) -> None:
    """Time every request of `app` (see the module docstring)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

    from web.store import db as store_db

    @event.listens_for(Engine, "before_cursor_execute")
    def _before(*_args: Any) -> None:
        _local.t0 = time.perf_counter()

    @event.listens_for(Engine, "after_cursor_execute")
    def _after(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        rec = getattr(_local, "rec", None)
        if rec is not None:
            spent = time.perf_counter() - _local.t0
            rec["db"] += spent
            if any(word in statement for word in LOCKING):
                _locked(rec, spent)

    gate_acquire = store_db._WriteGate.acquire

    def acquire(self: Any) -> None:
        started = time.perf_counter()
        try:
            gate_acquire(self)
        finally:
            rec = getattr(_local, "rec", None)
            if rec is not None:
                _locked(rec, time.perf_counter() - started)

    store_db._WriteGate.acquire = acquire  # type: ignore[method-assign]
    session_commit = Session.commit

    def commit(self: Session) -> None:
        session_commit(self)
        rec = getattr(_local, "rec", None)
        if rec is not None and rec.get("locked_at") is not None:
            rec["lock_hold"] += time.perf_counter() - rec.pop("locked_at")

    Session.commit = commit  # type: ignore[method-assign]

    gc.callbacks.append(_collecting)
    inner, files = app.wsgi_app, {}

    def timed(environ: dict[str, Any], start_response: Any) -> Any:
        _local.rec = rec = {"db": 0.0, "lock_wait": 0.0, "lock_hold": 0.0, "gc": 0.0}
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return inner(environ, start_response)
        finally:
            _local.rec = None
            pid = os.getpid()
            out = files.get(pid) or files.setdefault(pid, open(f"{prefix}.{pid}.tsv", "a", buffering=1))  # noqa: SIM115
            out.write("\t".join([environ["REQUEST_METHOD"], environ["PATH_INFO"],
                                 f"{time.perf_counter() - wall:.4f}", f"{time.thread_time() - cpu:.4f}",
                                 f"{rec['db']:.4f}", f"{rec['lock_wait']:.4f}", f"{rec['lock_hold']:.4f}",
                                 f"{rec['gc']:.4f}"]) + "\n")

    app.wsgi_app = timed


def _collecting(phase: str, _info: dict[str, Any]) -> None:
    """gc callback: the cyclic collector runs in the thread whose allocation set it off."""
    rec = getattr(_local, "rec", None)
    if rec is not None:
        if phase == "start":
            rec["gc_at"] = time.perf_counter()
        elif rec.get("gc_at") is not None:
            rec["gc"] += time.perf_counter() - rec.pop("gc_at")


def _locked(rec: dict[str, Any], waited: float) -> None:
    rec["lock_wait"] += waited
    rec.setdefault("locked_at", time.perf_counter())


def request_class(method: str, path: str) -> str:
    """The class of a request, finer than the benchmark's own (which times whole user steps)."""
    if path.startswith("/applications/new"):
        return "submit" if method == "POST" else "form page"
    if path == "/login":
        return "login" if method == "POST" else "login page"
    if path.startswith("/selfcheck"):
        return "self-check answer" if method == "POST" else "self-check page"
    if path == "/review/":
        return "queue"
    if path.startswith("/review/applications"):
        return "review comment" if path.endswith("/decide") else "application page"
    return "other"


def summary(prefix: str) -> dict[str, dict[str, float]]:
    """Per class: n, share of the server's CPU, and the median / p95 of each field in ms."""
    rows: dict[str, list[list[float]]] = {}
    for name in glob.glob(f"{glob.escape(prefix)}.*.tsv"):
        with open(name, encoding="utf-8") as lines:
            for line in lines:
                method, path, *values = line.rstrip("\n").split("\t")
                rows.setdefault(request_class(method, path), []).append([float(v) * 1000 for v in values])
    total_cpu = sum(r[1] for group in rows.values() for r in group) or 1.0
    out: dict[str, dict[str, float]] = {}
    for cls, group in sorted(rows.items(), key=lambda kv: -sum(r[1] for r in kv[1])):
        entry: dict[str, float] = {"n": len(group), "cpu_share_pct": round(100 * sum(r[1] for r in group) / total_cpu)}
        for i, field in enumerate(FIELDS):
            values = sorted(r[i] for r in group)
            entry[f"{field}_p50"] = round(values[len(values) // 2], 1)
            entry[f"{field}_p95"] = round(values[min(len(values) - 1, int(0.95 * len(values)))], 1)
        out[cls] = entry
    return out


def table(result: dict[str, dict[str, float]]) -> str:
    fields = [f for f in FIELDS if all(f"{f}_p50" in e for e in result.values())]
    head = "| request | n | CPU share | " + " | ".join(f"{f} p50 / p95 (ms)" for f in fields) + " |"
    lines = [head, "|---|---:|---:|" + "---:|" * len(fields)]
    for cls, e in result.items():
        cells = " | ".join(f"{e[f + '_p50']:g} / {e[f + '_p95']:g}" for f in fields)
        lines.append(f"| {cls} | {e['n']:g} | {e['cpu_share_pct']:g} % | {cells} |")
    return "\n".join(lines)
