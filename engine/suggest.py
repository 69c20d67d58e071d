"""Nearest known name for a misspelt one, so that a typo error can say "did you mean …?"."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(name: str, known: Iterable[str]) -> str | None:
    """Return the known name most similar to `name`, or None when nothing is close.

    >>> closest("rd_ratoi_3y", ["rd_ratio_3y", "staff_ratio"])
    'rd_ratio_3y'
    """
    candidates = list(known)
    matches = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    tail = name.rsplit(".", 1)[-1]
    for cand in sorted(candidates):
        if cand.rsplit(".", 1)[-1] == tail:
            return cand
    return None


def hint_for(name: str, known: Iterable[str]) -> str:
    """A ready-to-print hint, or an empty string."""
    best = closest(name, known)
    return f"did you mean '{best}'? / 是否应为 '{best}'？" if best else ""
