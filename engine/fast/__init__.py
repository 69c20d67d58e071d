"""Fast paths: a RuleSet compiled once per as-of date, evaluated many times.

    program = compile_ruleset(ruleset, as_of)
    program.verdicts(profile)      # untraced: outcome, reason, amount, failing, missing per measure
    program.decide(parsed)         # full trace: the same Decision as evaluate(ruleset, parsed, as_of)
    program.batch(profiles)        # verdicts for an iterable of profiles
    summarise(ruleset, parsed, as_of)   # the Decision's summary, without any trace (engine.summary's)

Profiles may be ParsedProfiles, validated profile models, or trusted dicts shaped like a profile with
typed values (ints in yuan, dates, bools) — e.g. from engine.io's column-wise register readers. Nothing
here evaluates rule text: conditions are compiled from the parsed AST into closures (engine.fast.exprs).
Agreement with `evaluate()` is proven by tests/engine/test_fast.py on thousands of generated profiles.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from engine.decision import Decision
from engine.evaluate import with_dependencies
from engine.expr.nodes import Name
from engine.expr.values import Unknown
from engine.fast.codegen import generate
from engine.fast.exprs import MISS, ExprCompiler, Fn
from engine.fast.plan import FastRun, MeasurePlan, Verdict
from engine.fast.source import Accessors, unwrap
from engine.fast.stack import StackingCache
from engine.fast.traced import decide, evaluate_traced
from engine.gaps import conditions_of
from engine.model import RuleSet
from engine.summary import summarise  # the summary's one definition, beside its shape


class CompiledRuleSet:
    """Everything about a RuleSet on one as-of date that does not depend on the profile."""

    def __init__(self, ruleset: RuleSet, as_of: dt.date, generated: bool = True):
        self.ruleset = ruleset
        self.as_of = as_of
        self.accessors = Accessors()
        self.names: set[str] = {"region_code"}
        self.uses = name_uses(ruleset)
        self.slots: dict[str, int] = {}
        self.readers: dict[str, Fn] = {}
        self._bodies: dict[str, Fn] = {}
        for fid in ruleset.facts:
            self.reader(fid)
        for name in sorted(self.uses):  # a slot and an accessor for every name a rule reads (generated code
            if name != "as_of" and name not in ruleset.facts:  # is written later, on first use, and reads them)
                self.names.add(name)
                self.reader(name)
        for fid, fact in ruleset.facts.items():
            self._bodies[fid] = ExprCompiler(self, fact.parameters, traced=False).compile(fact.expr)
        self.plans = {mid: MeasurePlan(self, ruleset.measures[mid]) for mid in ruleset.order}
        if generated:
            generate(self)  # straight-line code for the untraced leaves and facts (engine.fast.codegen)
        self.sorted_ids = tuple(sorted(ruleset.order))
        self.traced_facts = {fid: ExprCompiler(self, fact.parameters, traced=True).compile(fact.expr)
                             for fid, fact in ruleset.facts.items()}
        self.traced_leaves: dict[int, Fn] = {}
        for measure in ruleset.measures.values():
            compiler = ExprCompiler(self, measure.parameters, traced=True)
            for cond in conditions_of(measure.criteria).values():
                self.traced_leaves[id(cond)] = compiler.compile(cond.expr, top=True)
        if generated:  # the traced leaves and facts as generated code too (engine.fast.tracedgen), each on first use
            from engine.fast.tracedgen import generate_traced

            generate_traced(self)
        for name in self.names:
            self.accessors.get(name, True)
            self.accessors.get(name, False)
        self.blank = [MISS] * len(self.slots)
        self.stacking = StackingCache(ruleset)
        self.steps: dict[tuple[str, Any], list[tuple[str, MeasurePlan, Verdict | None]]] = {}  # by kind, region

    def __repr__(self) -> str:
        return f"CompiledRuleSet({self.ruleset!r}, as_of={self.as_of.isoformat()})"

    def reader(self, name: str) -> Fn:
        """The memoised read of a fact or a profile field: one slot per name, filled on first use."""
        found = self.readers.get(name)
        if found is not None:
            return found
        slot = self.slots[name] = len(self.slots)
        if name in self.ruleset.facts:
            bodies = self._bodies

            def read_fact(run: Any) -> Any:
                memo = run.memo
                value = memo[slot]
                if value is MISS:
                    value = memo[slot] = bodies[name](run)
                return value
            found = read_fact
        else:
            missing = Unknown(frozenset({name}))

            def read_field(run: Any) -> Any:
                memo = run.memo
                value = memo[slot]
                if value is MISS:
                    value = run.getters[name](run.src)
                    memo[slot] = value = missing if value is None else value
                return value
            found = read_field
        self.readers[name] = found
        return found

    def verdicts(self, profile: Any, measures: list[str] | None = None) -> tuple[Verdict, ...]:
        """Untraced results for every measure (or the listed ones and their dependencies), by measure id."""
        return self.run(profile, measures)[1]

    def run(self, profile: Any, measures: list[str] | None = None) -> tuple[FastRun, tuple[Verdict, ...]]:
        """The untraced run of one profile and its verdicts (the run can still answer a gap analysis)."""
        src, is_dict, kind = unwrap(profile)
        run = FastRun(self, src, is_dict)
        out = run.outcomes
        if measures is None:
            region = run.getters["region_code"](src)
            steps = self.steps.get((kind, region)) if region is not None else None
            if steps is None and region is not None:
                steps = self._steps(kind, str(region))
            if steps is None:
                for mid, plan in self.plans.items():
                    out[mid] = plan.verdict(run, kind)
            else:
                for mid, plan, fixed in steps:
                    out[mid] = plan.decided(run) if fixed is None else fixed
            return run, tuple([out[m] for m in self.sorted_ids])
        wanted = with_dependencies(self.ruleset, measures) or set()
        for mid, plan in self.plans.items():
            if mid in wanted:
                out[mid] = plan.verdict(run, kind)
        return run, tuple(out[m] for m in sorted(out))

    def _steps(self, kind: str, region: str) -> list[tuple[str, MeasurePlan, Verdict | None]] | None:
        """Per measure, in order, its not-applicable verdict for this kind and region, or None where it applies
        (MeasurePlan.applies, decided once per kind and region code)."""
        steps = [(mid, plan, plan.applies(kind, region)) for mid, plan in self.plans.items()]
        if len(self.steps) < 4096:
            self.steps[(kind, region)] = steps
        return steps

    def batch(self, profiles: Iterable[Any]) -> Iterator[tuple[Verdict, ...]]:
        verdicts = self.verdicts
        for profile in profiles:
            yield verdicts(profile)

    def decide(self, parsed: Any, measures: list[str] | None = None, profile_hash: str | None = None) -> Decision:
        """The full Decision, identical to `evaluate(ruleset, parsed, as_of, measures)`."""
        return decide(self, parsed, measures, profile_hash)


LOOKED_UP_BY_BUILTINS = ("registered_on", "finance", "certificates")


def name_uses(ruleset: RuleSet) -> Counter[str]:
    """How many places in the rules read each name (profile paths and facts); builtins count as many."""
    uses: Counter[str] = Counter({name: 2 for name in LOOKED_UP_BY_BUILTINS})
    roots = [fact.expr for fact in ruleset.facts.values()]
    for measure in ruleset.measures.values():
        roots += [cond.expr for cond in conditions_of(measure.criteria).values()]
        roots += [node for node in (measure.benefit.amount, measure.benefit.rate) if node is not None]
    for root in roots:
        uses.update(node.path for node in root.walk() if isinstance(node, Name))
    return uses


_CACHE: dict[tuple[str, dt.date], CompiledRuleSet] = {}


def compile_ruleset(ruleset: RuleSet, as_of: dt.date) -> CompiledRuleSet:
    """Compile `ruleset` for `as_of`; the last few compilations are kept, keyed by RuleSet hash and date."""
    key = (ruleset.hash, as_of)
    found = _CACHE.get(key)
    if found is None or found.ruleset is not ruleset:
        if len(_CACHE) >= 8:
            _CACHE.pop(next(iter(_CACHE)))
        found = _CACHE[key] = CompiledRuleSet(ruleset, as_of)
    return found


def fast_evaluate(ruleset: RuleSet, parsed: Any, as_of: dt.date, measures: list[str] | None = None) -> Decision:
    """A drop-in for `engine.evaluate` that reuses the compiled RuleSet between calls: one traced run with
    compiled leaves (the Decision is read whole — its JSON, a report), byte for byte evaluate()'s."""
    return evaluate_traced(compile_ruleset(ruleset, as_of), parsed, measures)


__all__ = ["CompiledRuleSet", "Verdict", "compile_ruleset", "fast_evaluate", "summarise", "unwrap"]
