"""Answers by profile path: fiscal years by year, other lists by position, never mutating the input."""

from __future__ import annotations

import pytest

from engine.interview import get_answer, set_answer, set_answers


def test_a_fiscal_year_is_found_by_its_year_and_created_in_order() -> None:
    data = set_answers({}, {"finance[2025].sales": 3, "finance[2023].sales": 1, "finance[2024].rd_expense": 2})
    assert [y["year"] for y in data["finance"]] == [2023, 2024, 2025]
    assert get_answer(data, "finance[2024].rd_expense") == 2
    assert get_answer(data, "finance[2022].sales") is None


def test_nested_fields_lists_by_position_and_removal() -> None:
    data = set_answer({"staff": {"total": 5}}, "staff.sci_tech", 2)
    assert data == {"staff": {"total": 5, "sci_tech": 2}}
    data = set_answer(data, "certificates[0].type", "hnte")
    assert get_answer(data, "certificates[0].type") == "hnte"
    assert set_answer(data, "staff.total", None)["staff"] == {"sci_tech": 2}


def test_bad_paths_are_refused() -> None:
    with pytest.raises(ValueError):
        set_answer({}, "finance[2024]", 1)  # a whole record is not one answer
    with pytest.raises(ValueError):
        get_answer({}, "staff..total")
