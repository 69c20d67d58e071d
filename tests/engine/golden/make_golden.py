"""Write the byte-identity fixture: today's canonical Decision JSON hashes for a fixed set of cases.

    .venv/bin/python -m tests.engine.golden.make_golden            # (re)write decisions.json.gz
    .venv/bin/python -m tests.engine.golden.make_golden --refresh  # same inputs, today's expected hashes

The fixture stores its own inputs — the RuleSet snapshots (catalogue and benchmark rules) and the
profile data — so rule or sample edits elsewhere never move it; only a change in the engine does.
Per case it keeps the sha256 of the whole Decision JSON and of each measure's result, so a change
can be named measure by measure.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from engine import evaluate, load_from_snapshot, load_ruleset, parse_profile
from engine.canonical import canonical_json
from engine.replay import stored_profile_json

HERE = Path(__file__).parent
ROOT = HERE.parents[2]
FIXTURE = HERE / "decisions.json.gz"
AS_OF = dt.date(2025, 6, 30)
TODAY = dt.date(2025, 7, 1)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def digest(decision: Any) -> dict[str, Any]:
    """The hashes the fixture keeps for one Decision."""
    data = decision.to_dict()
    return {"decision": sha(decision.to_json()),
            "results": {r["measure_id"]: sha(canonical_json(r)) for r in data["results"]},
            "rest": sha(canonical_json({k: v for k, v in data.items() if k != "results"}))}


def cases() -> list[dict[str, Any]]:
    """Every sample applicant, and generated plus on-threshold profiles (fixed seeds)."""
    from bench.generate import generate, threshold_profiles

    out = []
    for path in sorted((ROOT / "sample_applicants").glob("*.yaml")):
        out.append({"name": f"sample:{path.stem}", "rules": "catalogue", "today": "2030-01-01",
                    "profile": json.loads(stored_profile_json(yaml.safe_load(path.read_text(encoding="utf-8"))))})
    generated, _ = generate(240, seed=7)
    for i, profile in enumerate(generated + threshold_profiles(each=4)):
        data = json.loads(stored_profile_json(profile))
        for rules in ("bench", "catalogue") if i % 2 == 0 else ("bench",):
            out.append({"name": f"generated:{i}:{rules}", "rules": rules, "today": TODAY.isoformat(),
                        "profile": data})
    return out


def decide(ruleset: Any, case: dict[str, Any]) -> Any:
    parsed = parse_profile(case["profile"], dt.date.fromisoformat(case["today"]))
    return evaluate(ruleset, parsed, AS_OF)


def main() -> None:
    if "--refresh" in sys.argv:  # an intended change of meaning: keep the inputs, record today's bytes
        old = json.loads(gzip.decompress(FIXTURE.read_bytes()))
        snapshots, todo = old["snapshots"], [{k: v for k, v in c.items() if k != "expected"} for c in old["cases"]]
    else:
        snapshots = {"catalogue": load_ruleset(ROOT / "rules").snapshot,
                     "bench": load_ruleset(ROOT / "bench" / "rules").snapshot}
        todo = cases()
    rulesets = {name: load_from_snapshot(snap) for name, snap in snapshots.items()}
    out = []
    for case in todo:
        try:
            decision = decide(rulesets[case["rules"]], case)
        except Exception as exc:  # a sample that does not parse at the fixed date is left out, said so
            print(f"skipped {case['name']}: {exc}")
            continue
        out.append({**case, "expected": digest(decision)})
    payload = {"as_of": AS_OF.isoformat(), "snapshots": snapshots, "cases": out}
    FIXTURE.write_bytes(gzip.compress(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8"),
                                      mtime=0))
    print(f"wrote {FIXTURE.relative_to(ROOT)}: {len(out)} cases")


if __name__ == "__main__":
    main()
