"""`subsidy schema`: the JSON Schema of applicant profiles (every field with its unit and zh/en label)."""

from __future__ import annotations

import json

import click

from engine.profile import profile_json_schema


def register(main: click.Group) -> None:
    main.add_command(schema)


@click.command()
def schema() -> None:
    """输出申请人资料的JSON Schema / print the JSON Schema of applicant profiles."""
    click.echo(json.dumps(profile_json_schema(), ensure_ascii=False, indent=2, sort_keys=True))
