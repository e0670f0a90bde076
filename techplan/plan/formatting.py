"""How dates and values read: in messages, on the site and in data changes."""

from __future__ import annotations

import functools
from datetime import date

UNIT_WORDS = {"days": "day", "hours": "hour", "minutes": "minute"}


@functools.lru_cache(maxsize=4096)
def format_date(day: date) -> str:
    """A date as GOV.UK writes it: 31 March 2024.

    Kept: a first build at 200 pages formats about 52,000 dates, 1,300 of them distinct, and
    `strftime` takes about 2 µs each time.
    """
    return f"{day.day} {day:%B %Y}"


@functools.lru_cache(maxsize=1024)
def format_month(day: date) -> str:
    """A month and year: March 2024."""
    return f"{day:%B %Y}"


def format_number(value: float) -> str:
    """A number with thousands separators and no needless decimals: 1,234.5 or 83."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def format_value(value: float, unit: str) -> str:
    """A value with its unit: 83%, 15 minutes, 1,234."""
    number = format_number(value)
    if unit == "percent":
        return f"{number}%"
    if unit in UNIT_WORDS:
        word = UNIT_WORDS[unit] if value == 1 else unit
        return f"{number} {word}"
    return number


def format_change(value: float, unit: str) -> str:
    """A signed difference between two values: +5 percentage points, -3 minutes."""
    sign = "+" if value > 0 else "−" if value < 0 else ""
    magnitude = abs(value)
    if unit == "percent":
        points = "percentage point" if magnitude == 1 else "percentage points"
        return f"{sign}{format_number(magnitude)} {points}"
    return sign + format_value(magnitude, unit)
