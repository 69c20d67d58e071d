"""The examples in engine/interview's docstrings run and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["engine.interview.paths", "engine.interview.fields", "engine.interview.start"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
