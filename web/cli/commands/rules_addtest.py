"""`subsidy rules add-test DECISION_ID [--measure ID]`: turn a stored decision into an embedded rule test.

The case (stored profile inline, as_of, expected outcome / failing / missing, and the amount when it is
a whole number of yuan or unpublished) is *appended as text* to the `tests:` block of the measure's YAML
file, so the file's own content, order and comments stay exactly as they were. The module sorts after
`rules.py`, so `add-test` joins the existing `subsidy rules` group.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import click
import yaml

from engine import load_ruleset
from engine.errors import RuleLoadError
from engine.ruletests import run_measure_case
from web.cli.app import EXIT_NEGATIVE, EXIT_OK, fail, load_rules_or_exit, rules_dir
from web.cli.commands._store import db_option, store_session
from web.store import queries

_TOP_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")
_TESTS_KEY = re.compile(r"^tests\s*:\s*(?P<rest>.*?)\s*(#.*)?$")


def register(main: click.Group) -> None:
    group = main.commands.get("rules")
    if not isinstance(group, click.Group):
        group = click.Group("rules", help="规则目录 / the rule catalogue.")
        main.add_command(group)
    group.add_command(add_test)


def expected_of(result: dict[str, Any]) -> dict[str, Any]:
    """The `expect:` block a stored measure result pins down."""
    expect: dict[str, Any] = {"outcome": result["outcome"]}
    if result.get("failing"):
        expect["failing"] = list(result["failing"])
    if result.get("missing"):
        expect["missing"] = list(result["missing"])
    if result.get("reason"):
        expect["reason"] = result["reason"]
    amount = result.get("amount") or {}
    if amount.get("kind") == "unpublished":
        expect["amount"] = "unpublished"
    elif amount.get("kind") in ("exact", "up_to") and isinstance(amount.get("value"), int):
        expect["amount"] = amount["value"]
    return expect


def case_yaml(case: dict[str, Any], indent: str, comment: str) -> str:
    """One test case as YAML list-item text, indented to sit under `tests:`."""
    body = yaml.safe_dump([case], allow_unicode=True, sort_keys=False, default_flow_style=None, width=110)
    lines = [f"{indent}# {comment}\n"] + [f"{indent}{line}" if line.strip() else line
                                           for line in body.splitlines(keepends=True)]
    return "".join(lines)


def append_case(text: str, item_text_for: Any) -> str:
    """Insert a test item at the end of the file's `tests:` block (created if absent), text only.

    Args:
        text: the YAML file's current text.
        item_text_for: a function of the item indent (e.g. "  ") returning the item's text.
    """
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    start = next((i for i, line in enumerate(lines) if _TESTS_KEY.match(line)), None)
    if start is None:
        return "".join(lines) + "tests:\n" + item_text_for("  ")
    rest = _TESTS_KEY.match(lines[start]).group("rest")  # type: ignore[union-attr]
    if rest == "[]":
        lines[start] = "tests:\n"
    elif rest:
        raise click.ClickException("the tests: block is written in flow style; add the case by hand")
    end = next((i for i in range(start + 1, len(lines)) if _TOP_KEY.match(lines[i])), len(lines))
    while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1
    indent = next((m.group(1) for line in lines[start + 1:end] if (m := re.match(r"^(\s*)- ", line))), "  ")
    return "".join(lines[:end]) + item_text_for(indent) + "".join(lines[end:])


@click.command("add-test")
@click.argument("decision_id", type=int)
@click.option("--measure", "measure_id", help="措施（申请只含一项时可省略） / measure (optional when only one applies)")
@click.option("--rules", "rules_path", type=click.Path(file_okay=False, path_type=Path), help="rule directory")
@click.option("--include-personal-data", is_flag=True,
              help="允许把个人证件号写入规则文件 / allow a person's ID number into the rule file")
@db_option
def add_test(decision_id: int, measure_id: str | None, rules_path: Path | None, include_personal_data: bool,
             db_url: str | None) -> None:
    """把一项已保存的决策追加为措施文件中的测试 / append a stored decision as a test of a measure."""
    with store_session(db_url) as session:
        row = queries.get_decision(session, decision_id)
        if row is None:
            fail(f"决策 #{decision_id} 不存在 / decision #{decision_id} not found")
        party, measures = row.application.applicant.party, row.application.measures
    stored = json.loads(row.decision_json)
    results = {r["measure_id"]: r for r in stored["results"]}
    measure_id = measure_id or _only_measure(measures, results)
    if measure_id not in results:
        fail(f"决策 #{decision_id} 未评价措施 {measure_id} / decision #{decision_id} has no result for "
             f"{measure_id}; it has: {', '.join(sorted(results))}")
    if party == "person" and not include_personal_data:
        fail("该资料含个人证件号，需加 --include-personal-data / this profile holds a person's ID number; "
             "pass --include-personal-data to write it into a rule file")
    root = rules_path or rules_dir()
    ruleset = load_rules_or_exit(root)
    if measure_id not in ruleset.measures:
        fail(f"现行规则中没有措施 {measure_id} / today's rules have no measure {measure_id}")
    path = root / ruleset.measures[measure_id].path
    case = {"name": f"决策#{decision_id}（{row.as_of.isoformat()}）应为{results[measure_id]['outcome']} / "
                    f"decision #{decision_id} replayed",
            "as_of": row.as_of, "profile": _readable(json.loads(row.profile_json)),
            "expect": expected_of(results[measure_id])}
    comment = (f"added by `subsidy rules add-test {decision_id}`: decision #{decision_id}, RuleSet "
               f"{row.ruleset_hash[:12]}, profile checked on {row.checked_on.isoformat()}")
    _write_checked(path, root, lambda indent: case_yaml(case, indent, comment))
    problems = run_measure_case(load_ruleset(root), measure_id, _as_loaded(case), root.resolve().parent)
    click.echo(f"{path}: appended test “{case['name']}”")
    for problem in problems:
        click.echo(f"  FAIL under today's rules: {problem}")
    click.echo("  passes under today's rules" if not problems else
               "  the stored decision differs from today's rules: review the case before committing")
    sys.exit(EXIT_OK if not problems else EXIT_NEGATIVE)


def _readable(profile: dict[str, Any]) -> dict[str, Any]:
    """The profile with its identifying keys first (kind, name, credit code), the rest in stored order."""
    first = [k for k in ("kind", "name", "credit_code") if k in profile]
    return {**{k: profile[k] for k in first}, **{k: v for k, v in profile.items() if k not in first}}


def _only_measure(measures: list[str], results: dict[str, Any]) -> str:
    applicable = [m for m, r in results.items() if r["outcome"] != "not_applicable"]
    candidates = measures if len(measures) == 1 else applicable if len(applicable) == 1 else []
    if len(candidates) != 1:
        fail(f"请用 --measure 选择措施 / choose a measure with --measure: {', '.join(sorted(results))}")
    return candidates[0]


def _write_checked(path: Path, root: Path, item_text_for: Any) -> None:
    """Append the case; keep the old text if the file would no longer load (all or nothing)."""
    old = path.read_text(encoding="utf-8")
    new = append_case(old, item_text_for)
    tmp = path.with_name(f".{path.name}.add-test")
    tmp.write_text(new, encoding="utf-8")
    os.replace(tmp, path)
    try:
        load_ruleset(root)
    except RuleLoadError as exc:
        path.write_text(old, encoding="utf-8")
        fail(f"追加后规则无法加载，已还原 / the rules no longer load with the case; file restored:\n{exc}")


def _as_loaded(case: dict[str, Any]) -> dict[str, Any]:
    """The case as the loader would read it back (dates as dates)."""
    return {**case, "as_of": case["as_of"] if isinstance(case["as_of"], dt.date) else
            dt.date.fromisoformat(case["as_of"])}
