"""This module defines the shared test setup of the data-standard validators.

The repository root is put on `sys.path` when `engine` is not importable (pytest started through the
`.venv/bin/pytest` script, with neither an installed package nor a `pythonpath` setting).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

if importlib.util.find_spec("engine") is None:  # depends on how pytest is started
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
