"""`subsidy serve`: run the web application under gunicorn with several worker processes.

The app is built once in the master (`preload_app`), so a rule directory that does not load, or
production settings with the demo secret key, stop the command before any worker starts; workers then
share the loaded RuleSet. `flask --app web.app:create_app run` remains the development server.
"""

from __future__ import annotations

import multiprocessing
import sys
from typing import Any

import click
from flask import Flask
from gunicorn.app.base import BaseApplication

from engine import RuleLoadError
from web.cli.app import EXIT_USAGE
from web.settings import InsecureSettingsError, serving_config


def default_workers() -> int:
    """(2 × cores) + 1, gunicorn's rule of thumb, capped at 8."""
    return min(2 * multiprocessing.cpu_count() + 1, 8)


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


def server_options(host: str, port: int, workers: int, timeout: int = 30) -> dict[str, Any]:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "sync",
        "timeout": timeout,
        "preload_app": True,
        "accesslog": "-",
        "errorlog": "-",
        "proc_name": "subsidy-web",
    }


def register(main: click.Group) -> None:
    main.add_command(serve)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on / 监听地址")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="port / 端口")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="worker processes (default: 2 × cores + 1, at most 8) / 工作进程数")
@click.option("--timeout", default=30, show_default=True, type=click.IntRange(1, 600), help="worker timeout, seconds")
def serve(host: str, port: int, workers: int | None, timeout: int) -> None:
    """运行网站（gunicorn，多进程） / serve the web application with gunicorn."""
    from web.app import create_app

    try:
        app = create_app(serving_config(host))
    except (InsecureSettingsError, ValueError) as exc:
        click.echo(f"配置错误 / settings error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except RuleLoadError as exc:
        click.echo(f"规则加载失败 / rules failed to load ({len(exc.errors)} errors):", err=True)
        for error in exc.errors:
            click.echo(f"  {error}", err=True)
        sys.exit(EXIT_USAGE)
    options = server_options(host, port, workers or default_workers(), timeout)
    click.echo(f"subsidy web on http://{host}:{port} ({options['workers']} workers)", err=True)
    SubsidyServer(app, options).run()
