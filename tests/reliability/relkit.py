"""Helpers of the reliability suite: hypothesis strategies for garbage data and rule-file mutations,
and the worker functions that child processes run (importable by name, as spawn needs).
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import signal
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = PROJECT_ROOT / "sample_applicants"
TODAY = dt.date(2025, 6, 30)
HERE_PATHS = [str(PROJECT_ROOT), str(Path(__file__).resolve().parent), str(PROJECT_ROOT / "tests" / "store")]


# -- garbage values -------------------------------------------------------------------------------------

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-10**40, 10**40),
    st.floats(allow_nan=True, allow_infinity=True), st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=40), st.sampled_from(["", " ", "0", "-1", "1e309", "NaN", "万元", "12万元", "true", "是",
                                           "2025-02-30", "1990-01-01", "=1+1", "\x00", "91441802MA0000031T",
                                           "441802199001011234", "enterprise", "talent", "national"]),
    st.dates(), st.datetimes(), st.binary(max_size=20), st.times(),
)
KEYS = st.one_of(st.text(max_size=12), st.sampled_from(
    ["kind", "name", "staff", "finance", "year", "sales", "total", "ip", "certificates", "type", "issued_on",
     "declarations", "person", "leader", "members", "region_code", "credit_code", "id_number", "birth_date"]),
    st.integers(-3, 3), st.none(), st.booleans())
JSONISH = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(KEYS, inner, max_size=6), st.tuples(inner, inner),
    st.frozensets(st.integers(), max_size=3)), max_leaves=25)


def sample_profiles() -> list[dict[str, Any]]:
    out = []
    for path in sorted(SAMPLES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            out.append(data)
    return out


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def mutated_profiles(draw: st.DrawFn, samples: list[dict[str, Any]]) -> Any:
    """A real sample profile with 1–5 edits: a value replaced by garbage, a key deleted or added, kind changed."""
    import copy

    data: Any = copy.deepcopy(draw(st.sampled_from(samples)))
    for _ in range(draw(st.integers(1, 5))):
        paths = [p for p in _paths(data) if p]
        op = draw(st.sampled_from(["replace", "delete", "add", "kind", "wrap", "empty"]))
        if op == "kind" and isinstance(data, dict):
            data["kind"] = draw(st.one_of(st.sampled_from(["enterprise", "incubator", "institution", "talent",
                                                            "team", "Enterprise", ""]), SCALARS))
        elif not paths or op == "wrap":
            data = draw(st.sampled_from([[data], {"profile": data}, data]))
        elif op == "empty":
            path = draw(st.sampled_from(paths))
            parent = _parent(data, path)
            parent[path[-1]] = draw(st.sampled_from([None, "", [], {}, " ", 0]))
        else:
            path = draw(st.sampled_from(paths))
            parent = _parent(data, path)
            if op == "replace":
                parent[path[-1]] = draw(JSONISH)
            elif op == "delete":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[draw(KEYS)] = draw(JSONISH)
            else:
                parent.append(draw(JSONISH))
    return data


# -- rule-file mutations --------------------------------------------------------------------------------

RULE_KEYS = ["id", "title", "issuer", "applicant", "source", "effective", "parameters", "criteria", "all", "any",
             "not", "when", "text", "zh", "en", "benefit", "amount", "kind", "excludes", "values", "unit",
             "tests", "expect", "outcome", "profile", "from", "until", "documents", "facts", "value"]
EXPR_JUNK = ["(", ")", " and ", " or ", "not ", "==", ">=", "<", "param.", "eligible(", "'", '"', "[", "]",
             "1/0", "万元", "staff.total", "sum(", "0.1.2", ".", ",", "\\", "\u202e", "\t", "{{", "}}", "*", "%"]


RETYPED = ["[]", "{}", "~", "true", "1", "-1", "1.5", "'x'", "2025-13-45", "[1, 2", "{a: }", "!!binary AA==", "&a 1",
           "*a", "!!python/none", "10万元", "abc万元", "9" * 40, "''", "|", ">-"]


def _edit_key(draw: st.DrawFn, lines: list[str], i: int, op: str) -> None:
    line = lines[i]
    if ":" not in line:
        return
    key, rest = line.split(":", 1)
    if op == "dup_key":  # the same key again at the same indent, right after
        lines.insert(i + 1, key + ": " + draw(st.sampled_from(["x", "1", "[]", "{}"])))
    elif op == "rename_key":
        indent = key[: len(key) - len(key.lstrip())]
        lines[i] = indent + draw(st.one_of(st.sampled_from(RULE_KEYS), st.text(max_size=8))) + ":" + rest
    else:  # retype: the value replaced by one of another type, or broken YAML
        lines[i] = key + ": " + draw(st.sampled_from(RETYPED))


def _edit_line(draw: st.DrawFn, lines: list[str], i: int, op: str) -> None:
    line = lines[i]
    if op == "delete_line":
        del lines[i]
    elif op == "dup_line":
        lines.insert(i, line)
    elif op == "corrupt_expr":
        where = [j for j, s in enumerate(lines) if "when:" in s or "amount:" in s or "value:" in s] or [i]
        j = draw(st.sampled_from(where))
        pos = draw(st.integers(0, len(lines[j])))
        lines[j] = lines[j][:pos] + draw(st.sampled_from(EXPR_JUNK)) + lines[j][pos:]
    elif op == "insert_junk":
        pos = draw(st.integers(0, len(line)))
        lines[i] = line[:pos] + draw(st.text(max_size=6)) + line[pos:]
    elif op == "indent":
        lines[i] = draw(st.sampled_from(["  ", "\t", " "])) + line if draw(st.booleans()) else line.lstrip()
    elif op == "swap_lines" and len(lines) > 1:
        j = draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]


@st.composite
def mutated_rule_text(draw: st.DrawFn, text: str) -> str:
    """One real rule file's text with 1–4 textual mutations (YAML may or may not survive)."""
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete_line", "dup_line", "rename_key", "retype", "corrupt_expr",
                                   "truncate", "dup_key", "insert_junk", "indent", "swap_lines"]))
        if op == "truncate":
            text = text[: draw(st.integers(0, len(text)))]
            continue
        lines = text.split("\n")
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        if op in ("dup_key", "rename_key", "retype"):
            _edit_key(draw, lines, i, op)
        else:
            _edit_line(draw, lines, i, op)
        text = "\n".join(lines)
    return text


@st.composite
def mutated_rule_bytes(draw: st.DrawFn, text: str) -> bytes:
    """A rule file as bytes on disk: wrong encodings, a BOM, random bytes spliced in, NULs, CRLF."""
    op = draw(st.sampled_from(["gbk", "utf16", "latin1_mix", "bom", "random_bytes", "nul", "crlf", "empty",
                               "text_mutation"]))
    if op == "text_mutation":
        return draw(mutated_rule_text(text)).encode("utf-8", errors="surrogatepass")
    raw = text.encode("utf-8")
    if op == "gbk":
        return text.encode("gbk", errors="replace")
    if op == "utf16":
        return text.encode("utf-16")
    if op == "bom":
        return b"\xef\xbb\xbf" + raw
    if op == "crlf":
        return raw.replace(b"\n", b"\r\n")
    if op == "empty":
        return b""
    pos = draw(st.integers(0, len(raw)))
    if op == "nul":
        return raw[:pos] + b"\x00" + raw[pos:]
    if op == "latin1_mix":
        return raw[:pos] + "é€".encode("latin-1", errors="replace") + raw[pos:]
    return raw[:pos] + draw(st.binary(min_size=1, max_size=16)) + raw[pos:]


# -- child-process workers (faults) ---------------------------------------------------------------------

def limit_file_size(max_bytes: int) -> None:
    """preexec_fn: RLIMIT_FSIZE = max_bytes, and SIGXFSZ ignored so that write() fails with EFBIG."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))


def wait_for(predicate: Any, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


__all__ = ["JSONISH", "SCALARS", "TODAY", "Decimal", "mutated_profiles", "mutated_rule_bytes", "mutated_rule_text",
           "sample_profiles"]


def append_loop(url: str, rules_dir: str, count: int, seconds: float, keep_going: bool, tag: str = "w") -> int:
    """Child worker: append up to `count` decisions for at most `seconds`, printing ``ACK <decision id>
    <application id>`` after each commit returns and ``ERR <type>: <message>`` for each failure.

    keep_going: after an error, wait a little and go on (a database restart); else stop at the first.
    Exit status 0 when every append succeeded, 3 when one failed.
    """
    import sys

    from sqlalchemy.pool import NullPool
    from storekit import PROFILE, decide

    from engine import load_ruleset
    from web.store.db import make_engine, make_session_factory

    ruleset = load_ruleset(rules_dir)
    engine = make_engine(url, poolclass=NullPool)
    deadline, failures = time.monotonic() + seconds, 0
    profile = {**PROFILE, "name": f"故障测试{tag}号公司", "credit_code": None}
    try:
        for _ in range(count):
            if time.monotonic() > deadline:
                break
            try:
                with make_session_factory(engine)() as session:
                    row = decide(session, ruleset, profile)
                    print(f"ACK {row.id} {row.application_id}", flush=True)
            except Exception as exc:  # what a client sees: an error, never a false success
                failures += 1
                print(f"ERR {type(exc).__name__}: {str(exc).splitlines()[0][:200]}", flush=True)
                if not keep_going:
                    return 3
                time.sleep(0.2)
    finally:
        engine.dispose()
        sys.stdout.flush()
    return 3 if failures else 0
