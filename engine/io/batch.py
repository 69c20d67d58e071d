"""A validated register chunk as an engine.fast column batch: columns straight from the register.

`evaluate_chunk(columnar, chunk)` decides every accepted row on every measure column-wise. The batch
hands engine.fast the register's typed columns as they are; a path the register has no column for is
unknown in every row, and anything else (derived names such as `city`, list fields) is read from the
row's typed profile dict, as is every row the scalar evaluator has to decide. JSONL chunks (whole
profiles) go through engine.fast's batch of profiles.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.fast.batch import ColumnBatch
from engine.fast.columnar import Columnar
from engine.fast.columns import from_python
from engine.fast.result import Result
from engine.io.cells import EPOCH_ORDINAL
from engine.io.layout import static_columns
from engine.io.table import Chunk

_REGISTER_PATHS = frozenset(c.path for c in static_columns().values() if c.section not in ("finance", "certificates"))


class RegisterBatch(ColumnBatch):
    """The accepted rows of one register chunk, column by column."""

    def __init__(self, program: Any, chunk: Chunk):
        assert chunk.layout is not None
        kinds = {c.path: c.kind for c in chunk.layout.columns}
        columns = {path: _masked(values, known, kinds[path]) for path, (values, known) in chunk.columns.items()
                   if not path.startswith("certificates[")}
        super().__init__(program, columns, chunk.n)
        self.chunk = chunk
        self.absent = chunk.layout.absent_paths()
        self._certificates = [known for path, (_, known) in chunk.columns.items() if path.startswith("certificates[")]

    def row(self, i: int) -> dict[str, Any]:
        return self.chunk.profile(i)

    def list_groups(self, names: tuple[str, ...]) -> list[Any]:
        """One group: the rows without any certificate cell (their profiles carry none of these lists)."""
        found = self.masks.get(names)
        if found is None:
            alike = np.ones(self.n, bool)
            if "certificates" in names and self._certificates:
                alike = ~np.logical_or.reduce(self._certificates)
            found = self.masks[names] = [alike]
        return found

    def field(self, path: str) -> Any:
        if path in self.columns or path in _REGISTER_PATHS:
            return self._column(path)  # a register path without a column is unknown in every row
        key = ("derived", path)
        found = self.cache.get(key)
        if found is None:
            read = self.program.accessors.get(path, True)
            found = self.cache[key] = from_python([read(self.row(i)) for i in range(self.n)], self.n)
        return found


def _masked(values: Any, known: Any, kind: str) -> Any:
    if kind == "date" and values.dtype != object:
        values = (values - EPOCH_ORDINAL).astype("datetime64[D]")
    return np.ma.array(values, mask=~known)


def evaluate_chunk(columnar: Columnar, chunk: Chunk) -> Result:
    """Every accepted row of a chunk decided on every measure (engine.fast.columnar)."""
    if chunk.profiles is not None:
        return columnar.evaluate(chunk.profiles)
    return columnar._run(RegisterBatch(columnar.program, chunk))
