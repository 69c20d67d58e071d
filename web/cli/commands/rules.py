"""`subsidy rules list | show ID | test | lint | coverage | mutate`: the catalogue from the terminal."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from engine.lint import lint_findings
from engine.model import Condition, Criterion, Measure, RuleSet
from engine.ruletests import run_all
from web.cli.app import PROJECT_ROOT, load_rules_or_exit
from web.cli.report import ISSUERS

rules_path_option = click.option("--rules", "rules_path", type=click.Path(file_okay=False, path_type=Path),
                                 help="rule directory (default: rules/ or $SUBSIDY_RULES)")


def register(main: click.Group) -> None:
    main.add_command(rules)


@click.group()
def rules() -> None:
    """规则目录：列出、查看、测试、检查 / the rule catalogue: list, show, test, lint."""


@rules.command("list")
@rules_path_option
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh")
def list_(rules_path: Path | None, lang: str) -> None:
    """列出全部措施 / list every measure."""
    ruleset = load_rules_or_exit(rules_path)
    for m in sorted(ruleset.measures.values(), key=lambda m: (list(ISSUERS).index(m.issuer), m.id)):
        amount = "金额已公布" if m.amount_published else "金额未公布"
        if lang == "en":
            amount = "amount published" if m.amount_published else "amount not published"
        click.echo(f"{m.id:<48} {m.confidence:<3} {amount:<10} {m.title.get(lang)}")
    click.echo(f"\n{len(ruleset.measures)} measures · ruleset {ruleset.hash[:12]}")


@rules.command()
@click.argument("measure_id")
@rules_path_option
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh")
def show(measure_id: str, rules_path: Path | None, lang: str) -> None:
    """查看一项措施的依据、参数和条件 / show a measure's source, parameters and criteria."""
    ruleset = load_rules_or_exit(rules_path)
    m = ruleset.measures.get(measure_id)
    if m is None:
        from engine.suggest import hint_for
        click.echo(f"未知措施 / unknown measure '{measure_id}' {hint_for(measure_id, ruleset.measures)}", err=True)
        sys.exit(2)
    click.echo(_describe(m, lang))


def _describe(m: Measure, lang: str) -> str:
    src = m.source
    lines = [f"{m.title.get(lang)}  ({m.id})", f"  file: rules/{m.path}",
             f"  source: {src.get('document')} {src.get('number') or ''} {src.get('article') or ''} "
             f"[confidence {m.confidence}]",
             f"  effective: {m.effective_from} → {m.effective_until or '…'} ({m.status})",
             f"  applicant: {', '.join(m.applicant)}; jurisdiction: {', '.join(m.jurisdiction) or 'all'}",
             f"  seeds: {'; '.join(m.seeds) or '—'}", "  parameters:"]
    for name, series in sorted(m.parameters.items()):
        for v in series.values:
            lines.append(f"    {name} from {v.effective_from}: {v.value!r}  ({v.source})")
    lines.append("  criteria:")
    lines += _tree(m.criteria, lang, 2)
    paid = ", ".join(x for x in (m.benefit.payee and f"payee {m.benefit.payee}",
                                 m.benefit.basis and f"basis {m.benefit.basis}") if x)
    lines.append(f"  benefit ({m.benefit.kind}{'; ' + paid if paid else ''}): {m.benefit.text.get(lang)}")
    if m.excludes:
        lines.append(f"  excludes: {', '.join(m.excludes)}")
    lines.append(f"  documents: {len(m.documents)}; tests: {len(m.tests)}")
    return "\n".join(lines)


def _tree(node: Criterion, lang: str, depth: int) -> list[str]:
    pad = "  " * depth
    if isinstance(node, Condition):
        return [f"{pad}- [{node.id}] {node.text.get(lang)}", f"{pad}    when: {node.source_text}"]
    head = f"{pad}{node.op.upper()} [{node.id}]" + (f" {node.text.get(lang)}" if node.text else "")
    return [head] + [line for child in node.children for line in _tree(child, lang, depth + 1)]


@rules.command()
@rules_path_option
@click.option("-v", "--verbose", is_flag=True, help="list passing cases too")
def test(rules_path: Path | None, verbose: bool) -> None:
    """运行规则文件内嵌的测试 / run the tests embedded in the rule files."""
    ruleset = load_rules_or_exit(rules_path)
    root = PROJECT_ROOT
    if rules_path and (rules_path.resolve().parent / "sample_applicants").is_dir():
        root = rules_path.resolve().parent
    results = run_all(ruleset, root)
    failed = [r for r in results if not r.passed]
    for r in results:
        if verbose or not r.passed:
            click.echo(f"{'PASS' if r.passed else 'FAIL'}  {r.file} → {r.name}")
            for problem in r.problems:
                click.echo(f"        {problem}")
    click.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)


@rules.command()
@rules_path_option
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="date for expiry warnings (default today)")
def lint(rules_path: Path | None, as_of: str | None) -> None:
    """检查规则文件：错误（缺少受益方/性质）与警告（草案、过期、旧金额、共用标志等） / check rule files.

    Exit status 1 when there is an error (e.g. benefit-payee); warnings alone exit 0.
    """
    import datetime as dt
    ruleset = load_rules_or_exit(rules_path)
    findings = lint_findings(ruleset, dt.date.fromisoformat(as_of) if as_of else dt.date.today())
    for f in findings:
        click.echo(f"{f.level}: {f}")
    errors = sum(1 for f in findings if f.level == "error")
    click.echo(f"{len(ruleset.measures)} measures, {len(ruleset.facts)} facts: {errors} errors, "
               f"{len(findings) - errors} warnings")
    sys.exit(1 if errors else 0)


@rules.command()
@rules_path_option
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text")
@click.option("--by", "by", type=click.Choice(["seed", "measure"]), default="seed",
              help="seed: per seed section, the measures it names and their rule files (default); "
                   "measure: per measure, source, confidence, amount and tests")
def coverage(rules_path: Path | None, fmt: str, by: str) -> None:
    """每个规划条目对应的措施与规则文件 / per seed section: the measures it names and their rules."""
    ruleset = load_rules_or_exit(rules_path)
    if by == "measure":
        _coverage_by_measure(ruleset, fmt)
        return
    sections: dict[str, list[Measure]] = {}
    for m in sorted(ruleset.measures.values(), key=lambda m: (list(ISSUERS).index(m.issuer), m.id)):
        for seed in m.seeds or ("—",):
            sections.setdefault(seed, []).append(m)
    if fmt == "markdown":
        click.echo("| seed section | measure | rule file | amount | status |")
        click.echo("|---|---|---|---|---|")
    for seed in sorted(sections, key=lambda s: (s == "—", s)):
        if fmt == "text":
            click.echo(seed if seed != "—" else "— (no seed section)")
        for m in sections[seed]:
            amount = "published" if m.amount_published else "NF"
            if fmt == "markdown":
                click.echo(f"| {seed} | {m.title.zh} | rules/{m.path} | {amount} | {m.status} |")
            else:
                click.echo(f"  {m.id:<46} rules/{m.path:<48} {amount:<9} {m.status:<19} {m.title.zh}")
    seeded = sum(1 for m in ruleset.measures.values() if m.seeds)
    click.echo(f"\n{len(sections) - ('—' in sections)} seed sections; {seeded} of {len(ruleset.measures)} "
               f"measures cite a seed section")


def _coverage_by_measure(ruleset: RuleSet, fmt: str) -> None:
    rows = []
    for m in sorted(ruleset.measures.values(), key=lambda m: (list(ISSUERS).index(m.issuer), m.id)):
        src = m.source
        doc = f"{src.get('document')} {src.get('number') or ''}".strip()
        rows.append((m.id, ISSUERS[m.issuer][0], m.seeds[0] if m.seeds else "—", doc, m.confidence,
                     "yes" if m.amount_published else "NF", str(len(m.tests))))
    if fmt == "markdown":
        click.echo("| measure | issuer | seed | source | conf | amount | tests |")
        click.echo("|---|---|---|---|---|---|---|")
        for row in rows:
            click.echo("| " + " | ".join(row) + " |")
    else:
        for row in rows:
            click.echo("  ".join(row))
    published = sum(1 for r in rows if r[5] == "yes")
    click.echo(f"\n{len(rows)} measures; amounts published for {published}; "
               f"{sum(int(r[6]) for r in rows)} embedded tests")


@rules.command()
@click.argument("measure_ids", nargs=-1)
@rules_path_option
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text",
              help="text (survivors listed) or a markdown table for docs/rules.md")
@click.option("--jobs", type=int, default=None, help="worker processes (default: one per CPU)")
@click.option("--facts", "with_facts", is_flag=True,
              help="also mutate the facts files (rules/facts/*.yaml); an ID may also name one: facts/x.yaml")
@click.option("-v", "--verbose", is_flag=True, help="list the equivalent mutants with their reasons too")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh")
def mutate(measure_ids: tuple[str, ...], rules_path: Path | None, fmt: str, jobs: int | None,
           with_facts: bool, verbose: bool, lang: str) -> None:
    """变异测试：每个阈值是否都被测试锁定 / law mutation testing: is every threshold pinned by a test?

    Moves every parameter value and number literal by its smallest unit (1 yuan, 1 person, 1 day,
    0.01 %, 1 point) up and down and flips every comparison boundary (>=↔>, <=↔<), runs the measure's
    embedded tests against each mutant in memory and lists the mutants no test kills. Exit 1 on a
    survivor (not listed under equivalent_mutants) or a measure whose own tests fail.
    """
    from engine.mutation.run import fact_files, mutate_all
    from engine.suggest import hint_for
    ruleset = load_rules_or_exit(rules_path)
    units = {*ruleset.measures, *fact_files(ruleset)}
    unknown = [m for m in measure_ids if m not in units]
    if unknown:
        click.echo(f"未知措施 / unknown measure '{unknown[0]}' {hint_for(unknown[0], units)}", err=True)
        sys.exit(2)
    wanted = list(measure_ids) or sorted(ruleset.measures)
    if with_facts and not measure_ids:
        wanted += fact_files(ruleset)
    reports = mutate_all(ruleset, _case_root(rules_path), wanted, jobs)
    if fmt == "markdown":
        click.echo("| measure | mutants | killed | equivalent | survived |")
        click.echo("|---|---:|---:|---:|---:|")
    for r in reports:
        if fmt == "markdown":
            click.echo(f"| {r.measure_id} | {r.mutants} | {r.killed} | {len(r.equivalent)} | {r.survived} |")
        else:
            _echo_report(r, ruleset, verbose, lang)
    total = sum(r.mutants for r in reports)
    killed = sum(r.killed for r in reports)
    equivalent = sum(len(r.equivalent) for r in reports)
    survived = sum(r.survived for r in reports)
    broken = [r.measure_id for r in reports if r.broken]
    if fmt == "markdown":
        click.echo(f"| **total** | {total} | {killed} | {equivalent} | {survived} |\n")
    if broken:
        click.echo(f"tests fail unmutated (not mutated): {', '.join(broken)}")
    click.echo(f"{total} mutants, {killed} killed, {equivalent} equivalent, {survived} survived")
    sys.exit(1 if survived or broken else 0)


def _echo_report(r: Any, ruleset: RuleSet, verbose: bool, lang: str) -> None:
    """One unit's mutation result: its counts, failing tests, survivors (and equivalents with -v)."""
    click.echo(f"{r.measure_id}: {r.mutants} mutants, {r.killed} killed, {len(r.equivalent)} equivalent, "
               f"{r.survived} survived")
    for problem in r.broken:
        click.echo(f"  TESTS FAIL  {problem}")
    for s in r.survivors:
        click.echo(f"  survived  {s.mutant}   ({s.description})")
    if verbose:
        reasons = (ruleset.measures[r.measure_id].equivalent_mutants if r.measure_id in ruleset.measures
                   else ruleset.fact_equivalents.get(r.measure_id, {}))
        for mutant in r.equivalent:
            click.echo(f"  equivalent  {mutant}   ({reasons[mutant].get(lang)})")
    for stale in r.stale_equivalents:
        click.echo(f"  note  equivalent_mutants names {stale}, which a test kills or which does not exist")


def _case_root(rules_path: Path | None) -> Path:
    """Where the tests' `base:` sample paths are relative to: the project, or the rules' parent."""
    if rules_path and (rules_path.resolve().parent / "sample_applicants").is_dir():
        return rules_path.resolve().parent
    return PROJECT_ROOT
