"""This file defines the command line's cache of read rule files: a command that loads the same rules again skips
their YAML (≈ 0.16 s of a `subsidy check` or `subsidy screen` start on this machine).

What is kept is plain data — each file's content as YAML gave it (`engine.loader.parse_texts`), in JSON, dates,
decimals and non-text keys tagged — in one file named by a SHA-256 of every rule file's path and bytes, the engine
version, the YAML library's version and the engine modules that turn those bytes into data (engine/yamlmarks.py,
engine/safe_yaml.py, engine/loader.py). Any byte changed is another name, so a stale entry is never read. A hit
still goes through `engine.loader.load_from_data`: the schema, the expressions, the type-check and the hash are
today's code's, and the RuleSet equals a fresh load's. Nothing here is executed — the trust is that of Python's own
bytecode cache in the same user's directory (which holds code). Anything wrong — no entry, an unreadable or corrupt
one, a rebuild that fails — falls back silently to reading the files; failing to write is silent too. The engine
stays pure: it reads what it is given and writes nothing.

Where: $SUBSIDY_RULES_CACHE (a directory; `off` turns the cache off), else $XDG_CACHE_HOME/qy-subsidy, else
~/.cache/qy-subsidy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.model import RuleSet

KEEP = 8  # entries kept (rule directories and versions in use); the least recently written go first
_CODE = ("yamlmarks.py", "safe_yaml.py", "loader.py")  # engine modules between a file's bytes and its data


def load_rules(root: Path) -> RuleSet:
    """The RuleSet of the rule directory `root`, its YAML read from the cache when these bytes were read before.

    Raises:
        RuleLoadError: as `engine.loader.load_ruleset`, with every error and its line.
    """
    from engine.errors import RuleFileError, RuleLoadError
    from engine.loader import build_ruleset, load_from_data, parse_texts, read_rule_texts

    errors: list[RuleFileError] = []
    texts = read_rule_texts(root, errors)
    entry = _entry(texts) if not errors else None
    data = _read(entry) if entry else None
    if data is not None:
        try:
            return load_from_data(data)
        except (RuleLoadError, TypeError, ValueError, AttributeError, KeyError):
            pass  # not what a good load kept: read the files, which names each error's line
    parsed = parse_texts(texts, errors)
    ruleset = build_ruleset(parsed, errors)
    if entry:
        _write(entry, {rel: value for rel, (value, _) in parsed.items()})
    return ruleset


def cache_dir() -> Path | None:
    setting = os.environ.get("SUBSIDY_RULES_CACHE")
    if setting is not None:
        return None if setting.strip().lower() in ("", "0", "off", "no", "false") else Path(setting)
    try:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    except (RuntimeError, KeyError):  # no home directory to be found: no cache
        return None
    return Path(base) / "qy-subsidy"


def _entry(texts: dict[str, str]) -> Path | None:
    import yaml  # imported by the loader already

    import engine
    from engine.version import __version__

    where = cache_dir()
    if where is None:
        return None
    digest = hashlib.sha256(f"rules-cache 1\0{__version__}\0{yaml.__version__}\0".encode())
    try:
        for name in _CODE:
            digest.update(Path(engine.__file__).with_name(name).read_bytes())
    except OSError:
        return None
    for rel, text in sorted(texts.items()):
        raw = text.encode("utf-8", "surrogatepass")
        digest.update(f"\0{rel}\0{len(raw)}\0".encode("utf-8", "surrogatepass"))
        digest.update(raw)
    return where / f"rules-{digest.hexdigest()}.json"


def _read(entry: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(entry.read_bytes(), object_hook=_decode_object)
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return data if isinstance(data, dict) and all(isinstance(k, str) for k in data) else None


def _write(entry: Path, data: dict[str, Any]) -> None:
    try:
        text = json.dumps(_encode(data), ensure_ascii=False, separators=(",", ":"))
        if json.loads(text, object_hook=_decode_object) != data:
            return  # a value this codec does not keep exactly: no entry
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".rules-", dir=entry.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(name, entry)
        _prune(entry.parent)
    except (OSError, TypeError, ValueError):
        return


def _prune(where: Path) -> None:
    entries = sorted(where.glob("rules-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)


# JSON for YAML's data: a mapping with text keys not starting with "$" is an object; every other value JSON does
# not have is an object with one "$" key. `_write` checks that the data comes back equal before keeping it.

def _encode(value: Any) -> Any:
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: _encode(v) for k, v in value.items()}
        return {"$map": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    raise TypeError(f"no cache form for {type(value).__name__}")


_DECODE: dict[str, Callable[[str], Any]] = {"$decimal": Decimal, "$datetime": dt.datetime.fromisoformat, "$date": dt.date.fromisoformat}


def _decode_object(obj: dict[str, Any]) -> Any:
    if len(obj) != 1:
        return obj
    (key, value), = obj.items()
    if key == "$map":
        return {_hashable(k): v for k, v in value}
    decode = _DECODE.get(key)
    return decode(value) if decode else obj


def _hashable(key: Any) -> Any:
    if isinstance(key, list | dict):
        raise TypeError("a mapping key must be a scalar")
    return key
