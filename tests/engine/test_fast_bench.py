"""Smoke test of the benchmark harness's measurement helper (bench/run.py): no timing is asserted."""

from __future__ import annotations

from bench.run import interleaved


def test_interleaved_times_every_case_on_every_item() -> None:
    calls: list[tuple[str, int]] = []
    timed = interleaved({"a": (lambda x: calls.append(("a", x)), [1, 2, 3]),
                         "b": (lambda x: calls.append(("b", x)), [4, 5, 6])}, repeat=2)
    assert set(timed) == {"a", "b"} and all(median >= 0 and p99 >= 0 for median, p99 in timed.values())
    assert calls == [("a", 1), ("a", 2), ("a", 3), ("b", 4), ("b", 5), ("b", 6)] * 2  # warm blocks, in turn
