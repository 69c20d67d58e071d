"""This file defines how a running application swaps in a new RuleSet: load aside, swap only on success.

`reload_ruleset(app, rules_dir)` reads every rule file strictly (UTF-8, no empty file), loads them into a
new RuleSet, and only when that succeeds replaces the RuleSet the views use (`current_ruleset()`). A
corrupt, half-written or half-edited directory raises RuleLoadError (every problem as file:line) and the
running RuleSet stays in place. Unexpected engine failures are reported the same way, never swapped in.

Usage (e.g. from an admin view or a SIGHUP handler)::

    try:
        result = reload_ruleset(app, app.config["RULES_DIR"])
    except RuleLoadError as exc:
        ...  # show exc.errors; the app still serves the previous RuleSet
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import yaml
from flask import Flask

from engine import RuleLoadError
from engine.errors import RuleFileError
from engine.loader import MEASURE_DIRS, load_from_texts
from engine.model import RuleSet
from web.extensions import RULESET_KEY

log = logging.getLogger(__name__)
_SWAP_LOCK = threading.Lock()
NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE  # what PyYAML refuses before parsing (NUL, C0/C1 controls)


@dataclass(frozen=True)
class ReloadResult:
    old_hash: str | None
    new_hash: str
    changed: bool
    measures: int


def _line_of(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    return before.count(b"\n") + 1, offset - (before.rfind(b"\n") + 1) + 1


def read_rule_texts_strict(root: Path | str) -> dict[str, str]:
    """Relative path → text of every measure and fact file, refusing bad encodings and empty files.

    Raises:
        RuleLoadError: a file that is not UTF-8 (e.g. saved as GBK), cannot be read, holds a character
            YAML refuses (NUL, control characters), or is empty (a truncated save), each named file:line.
    """
    root = Path(root)
    texts: dict[str, str] = {}
    errors: list[RuleFileError] = []
    if not root.is_dir():
        raise RuleLoadError([RuleFileError(str(root), 0, 0, "no-directory",
                                           "规则目录不存在 / the rule directory does not exist")])
    for sub in (*MEASURE_DIRS, "facts"):
        for path in sorted((root / sub).glob("*.yaml")):
            rel = path.relative_to(root).as_posix()
            try:
                raw = path.read_bytes()
            except OSError as exc:
                errors.append(RuleFileError(rel, 0, 0, "unreadable", f"无法读取 / cannot read: {exc.strerror}"))
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                line, col = _line_of(raw, exc.start)
                errors.append(RuleFileError(rel, line, col, "encoding",
                                            "文件不是UTF-8编码 / the file is not UTF-8 encoded",
                                            "另存为UTF-8（不要用GBK） / save it as UTF-8, not GBK"))
                continue
            bad = NON_PRINTABLE.search(text)
            if bad:
                line = text.count("\n", 0, bad.start()) + 1
                col = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
                errors.append(RuleFileError(rel, line, col, "non-printable",
                                            f"文件含不可打印字符 / the file contains a non-printable character "
                                            f"U+{ord(bad.group()):04X}"))
                continue
            if not text.strip():
                errors.append(RuleFileError(rel, 1, 1, "empty-file",
                                            "规则文件为空（保存未完成？） / the rule file is empty (a truncated save?)"))
                continue
            texts[rel] = text
    if errors:
        raise RuleLoadError(errors)
    return texts


def load_ruleset_strict(root: Path | str) -> RuleSet:
    """Load a rule directory; any failure, expected or not, is a RuleLoadError (never another exception)."""
    texts = read_rule_texts_strict(root)
    try:
        return load_from_texts(texts)
    except RuleLoadError:
        raise
    except Exception as exc:  # an engine bug must not take the running app down nor swap anything in
        log.exception("rule loading failed unexpectedly")
        raise RuleLoadError([RuleFileError(str(root), 0, 0, "internal-error",
                                           f"规则加载意外失败 / rule loading failed unexpectedly: "
                                           f"{type(exc).__name__}")]) from exc


def reload_ruleset(app: Flask, rules_dir: Path | str) -> ReloadResult:
    """Load `rules_dir` into a new RuleSet and make it the app's; keep the running one on any error.

    Raises:
        RuleLoadError: the directory does not load (the app's RuleSet is unchanged).
    """
    old: RuleSet | None = app.extensions.get(RULESET_KEY)
    try:
        new = load_ruleset_strict(rules_dir)
    except RuleLoadError as exc:
        log.warning("rule reload refused, keeping RuleSet %s: %d error(s)",
                    old.hash[:12] if old else None, len(exc.errors))
        raise
    with _SWAP_LOCK:
        app.extensions[RULESET_KEY] = new
    log.info("rules reloaded: %s -> %s (%d measures)", old.hash[:12] if old else None, new.hash[:12],
             len(new.measures))
    return ReloadResult(old.hash if old else None, new.hash, old is None or old.hash != new.hash,
                        len(new.measures))
