"""Dates, values and links as readers see them."""

from __future__ import annotations

from datetime import date

import pytest

from techplan.plan.formatting import format_change, format_date, format_value
from techplan.site.charts import _nice_range
from techplan.site.timeline import _shorten
from techplan.site.urls import relative_url


def test_dates_read_the_gov_uk_way() -> None:
    assert format_date(date(2024, 3, 1)) == "1 March 2024"


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (83, "percent", "83%"),
        (83.5, "percent", "83.5%"),
        (1234567, "count", "1,234,567"),
        (1, "minutes", "1 minute"),
        (15, "minutes", "15 minutes"),
        (2.25, "score", "2.25"),
        (3.1, "days", "3.1 days"),
    ],
)
def test_values_carry_their_unit(value: float, unit: str, text: str) -> None:
    assert format_value(value, unit) == text


def test_changes_are_signed() -> None:
    assert format_change(5, "percent") == "+5 percentage points"
    assert format_change(-1, "percent") == "−1 percentage point"
    assert format_change(-3, "minutes") == "−3 minutes"


@pytest.mark.parametrize(
    ("target", "base", "expected"),
    [
        ("phase2-roadmap/#M2.1", "phase2-roadmap/", "#M2.1"),
        ("phase2-roadmap/#M2.1", "phase1-vision/why/", "../../phase2-roadmap/#M2.1"),
        ("phase2-roadmap/", "", "phase2-roadmap/"),
        ("", "phase1-vision/", "../"),
        ("phase2-roadmap/index.html#M2.1", "phase1-vision/why.html", "../phase2-roadmap/index.html#M2.1"),
        ("index.html#M1.1", "index.html", "#M1.1"),
    ],
)
def test_relative_urls_work_with_and_without_directory_urls(target: str, base: str, expected: str) -> None:
    assert relative_url(target, base) == expected


def test_long_titles_are_cut_at_a_word() -> None:
    assert _shorten("Short title") == "Short title"
    assert _shorten("Every trust has an electronic patient record by the end of March") == (
        "Every trust has an electronic…"
    )


def test_value_axis_uses_round_steps() -> None:
    assert _nice_range(60, 100, "percent") == (60, 100, 10)
    assert _nice_range(2, 15, "minutes") == (0, 15, 5)
    assert _nice_range(2.3, 3.5, "score") == (2.0, 3.5, 0.5)
