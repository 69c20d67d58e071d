"""`subsidy serve`: run the web application under gunicorn with several worker processes.

The app is built once in the master (`preload_app`), so a rule directory that does not load, or
production settings with the demo secret key, stop the command before any worker starts; workers then
share the loaded RuleSet. `flask --app web.app:create_app run` remains the development server.

Slow clients cannot stall the site (issue 18): the workers are gunicorn's threaded workers (gthread,
--threads each) with one change (TimeoutThreadWorker): a request's head is read by the worker's selector,
not by a thread, so idle sockets and sockets that stop half-way through their headers hold no thread and
are closed after READ_TIMEOUT_S; the body is read by a thread with a per-read timeout (SO_RCVTIMEO) of the
same length. Two slow sockets used to take both sync workers, and the site, for 30 s. For a site on the
internet, a buffering proxy (nginx) in front is still the first defence.

Lock holders are not left waiting for the GIL (issue 18): each worker switches threads every SWITCH_INTERVAL_S
(1 ms; CPython's default is 5 ms). A thread that returns from a database call must wait for the interpreter lock
until the running thread's interval ends, so with 8 threads rendering pages, a transaction of ten statements
waited up to ten intervals while holding SQLite's write lock or the chain lock, and every other writer waited
behind it. Measured with the load benchmark (SQLite, 100 open, 32 clients, per-request timing in the workers):
the median chain-transaction hold of a submission 174 → 113 ms, a review's 34 → 27 ms, the reviewer's
application page's database time 27 → 13 ms, at a higher machine load.

Threads per worker stay 8. Fewer were tried with the load benchmark (3 workers, machine load 5–10): with 2 threads
SQLite at 100 open did better in two short runs (66–67 against 42–54 requests a second, submission p95 0.9–1.5 s
against 1.8–3.9 s), but the full run (both databases, 100 and 10,000 open) did worse on every class (page p95
1.0–1.7 s against 0.6–0.7 s): a queue page at 10,000 or a submission then holds one of a worker's two threads and
the short pages wait behind it in arrival order, where 8 threads let them through.

The master also runs `subsidy cleanup` every --cleanup-every minutes (default 60; 0: never), in a child
process, so that nothing in the master holds a database connection when it forks a worker. Each worker starts
its mail sender at boot when a mail server is configured (web.notices.outbox: e-mails a restart left due go out).
"""

from __future__ import annotations

import errno
import gc
import multiprocessing
import selectors
import socket
import struct
import subprocess
import sys
import threading
import time
from functools import partial
from typing import Any

import click
from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import TConn, ThreadWorker

from engine import RuleLoadError
from web.cli.app import EXIT_USAGE
from web.settings import InsecureSettingsError, serving_config

READ_TIMEOUT_S = 10
HEAD_LIMIT = 64 * 1024
THREADS = 8
KEEPALIVE_S = 5
SWITCH_INTERVAL_S = 0.001


def default_workers() -> int:
    """(2 × cores) + 1, gunicorn's rule of thumb, capped at 8."""
    return min(2 * multiprocessing.cpu_count() + 1, 8)


def read_timeout(sock: socket.socket, seconds: int = READ_TIMEOUT_S) -> None:
    """Make every blocking read of this client socket give up after `seconds` (the header and body timeout)."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", seconds, 0))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("ll", seconds * 3, 0))


class _Conn(TConn):  # type: ignore[misc]
    """A connection whose request head is read by the worker's main loop before a thread takes it."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.head = b""

    def give_back_head(self) -> None:
        if self.head and self.parser is not None:
            self.parser.unreader.unread(self.head)
            self.head = b""

    def init(self) -> None:
        super().init()
        self.give_back_head()


class TimeoutThreadWorker(ThreadWorker):  # type: ignore[misc]  # gunicorn is untyped
    """gunicorn's threaded worker in which no thread waits for a slow client's request head.

    The main loop (a selector) reads each connection's bytes as they come until the blank line that ends the
    headers (or HEAD_LIMIT bytes); only then does a thread take the connection, the bytes handed back to its
    parser. A connection that has not sent its whole head within READ_TIMEOUT_S is closed. Every client
    socket also has a read timeout (SO_RCVTIMEO) for the body, which a thread reads.
    """

    def accept(self, listener: Any) -> None:
        try:
            client, address = listener.accept()
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        read_timeout(client)
        self._await_head(_Conn(self.cfg, client, address, listener.getsockname()))

    def on_client_socket_readable(self, conn: Any, client: Any) -> None:  # a kept-alive connection's next request
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._await_head(conn)

    def _await_head(self, conn: Any) -> None:
        conn.sock.setblocking(False)
        conn.timeout = time.monotonic() + READ_TIMEOUT_S
        self.pending_conns.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._head_readable, conn))

    def _head_readable(self, conn: Any, client: Any) -> None:
        try:
            data = conn.sock.recv(HEAD_LIMIT)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        conn.head += data
        if data and b"\r\n\r\n" not in conn.head and len(conn.head) < HEAD_LIMIT:
            return  # not the whole head yet: keep waiting in the selector, no thread taken
        self.poller.unregister(client)
        self.pending_conns.remove(conn)
        if not conn.head:  # closed before sending anything
            self.nr_conns -= 1
            conn.close()
            return
        conn.data_ready = True
        self.enqueue_req(conn)

    def handle(self, conn: Any) -> Any:
        if conn.initialized:
            conn.give_back_head()
        return super().handle(conn)


def _before_fork(_server: Any, _worker: Any) -> None:
    """gunicorn's pre_fork hook (in the master): what the preloaded app holds — the RuleSet, compiled templates,
    translations, SQLAlchemy's mappers, ≈ 137k objects — is moved out of the cyclic collector's reach (`gc.freeze`,
    after one collection), so a worker's full collection no longer walks it with all its threads stopped (50–170 ms
    a time on this machine), and the pages it sits in stay shared with the master."""
    if not _frozen:
        gc.collect()
        _frozen.append(True)
    gc.freeze()


_frozen: list[bool] = []


def _worker_ready(worker: Any) -> None:
    """gunicorn's post_worker_init hook: threads take turns every SWITCH_INTERVAL_S (module docstring), and the
    worker's mail sender and triage thread start (e-mails a restart left in the outbox go out: web.notices.outbox;
    applications whose 'to triage' mark a restart left are triaged: web.store.triage_due)."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    app = getattr(worker, "wsgi", None)
    if isinstance(app, Flask):
        from web.bureau.triage_now import start_triage_thread
        from web.notices.send import start_sender

        start_sender(app)
        start_triage_thread(app)


def _cleanup_loop(every_s: float, stop: threading.Event) -> None:
    """Run `subsidy cleanup` in a child process every `every_s` seconds until `stop` is set."""
    command = [sys.executable, "-c", "from web.cli import main; main()", "cleanup", "--quiet"]
    while not stop.wait(every_s):
        try:
            subprocess.run(command, timeout=max(every_s, 60), check=False)
        except (OSError, subprocess.SubprocessError) as exc:  # never take the server down
            print(f"subsidy cleanup did not run: {exc}", file=sys.stderr)


def _schedule_cleanup(every_min: int) -> dict[str, Any]:
    """gunicorn hooks that start the cleanup thread in the master once it is ready, and stop it on exit."""
    if every_min <= 0:
        return {}
    stop = threading.Event()

    def when_ready(_server: Any) -> None:
        threading.Thread(target=_cleanup_loop, args=(every_min * 60.0, stop), name="subsidy-cleanup",
                         daemon=True).start()

    def on_exit(_server: Any) -> None:
        stop.set()

    return {"when_ready": when_ready, "on_exit": on_exit}


class SubsidyServer(BaseApplication):  # type: ignore[misc]
    """A gunicorn application serving an already built Flask app."""

    def __init__(self, app: Flask, options: dict[str, Any]):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def server_options(host: str, port: int, workers: int, timeout: int = 30, threads: int = THREADS,
                   cleanup_every: int = 0) -> dict[str, Any]:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": f"{__name__}.TimeoutThreadWorker",
        "threads": threads,
        "keepalive": KEEPALIVE_S,
        "timeout": timeout,
        "preload_app": True,
        "accesslog": "-",
        "errorlog": "-",
        "proc_name": "subsidy-web",
        "pre_fork": _before_fork,
        "post_worker_init": _worker_ready,
        **_schedule_cleanup(cleanup_every),
    }


def register(main: click.Group) -> None:
    main.add_command(serve)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on / 监听地址")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="port / 端口")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="worker processes (default: 2 × cores + 1, at most 8) / 工作进程数")
@click.option("--timeout", default=30, show_default=True, type=click.IntRange(1, 600), help="worker timeout, seconds")
@click.option("--threads", default=THREADS, show_default=True, type=click.IntRange(1, 64),
              help="threads per worker / 每个进程的线程数")
@click.option("--cleanup-every", default=60, show_default=True, type=click.IntRange(0, 10_080),
              help="run `subsidy cleanup` every N minutes (0: never) / 定期清理间隔（分钟）")
def serve(host: str, port: int, workers: int | None, timeout: int, threads: int, cleanup_every: int) -> None:
    """运行网站（gunicorn，多进程多线程） / serve the web application with gunicorn (threaded workers)."""
    from web.app import create_app

    try:
        app = create_app({**serving_config(host), "PRELOAD_TEMPLATES": True})
    except (InsecureSettingsError, ValueError) as exc:
        click.echo(f"配置错误 / settings error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except RuleLoadError as exc:
        click.echo(f"规则加载失败 / rules failed to load ({len(exc.errors)} errors):", err=True)
        for error in exc.errors:
            click.echo(f"  {error}", err=True)
        sys.exit(EXIT_USAGE)
    options = server_options(host, port, workers or default_workers(), timeout, threads, cleanup_every)
    click.echo(f"subsidy web on http://{host}:{port} ({options['workers']} workers × {threads} threads)", err=True)
    SubsidyServer(app, options).run()
