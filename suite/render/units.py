"""Numbers in human units: 78.3 µs, 1.55 s, 2.1 KiB — what tables and Markdown print.

Three significant digits everywhere: benchmark noise is rarely below 1%, so a fourth digit
would only print noise.
"""
from __future__ import annotations

import math

_TIME_STEPS = ((1e9, "s"), (1e6, "ms"), (1e3, "µs"), (1.0, "ns"))
_BYTE_STEPS = ((2.0 ** 30, "GiB"), (2.0 ** 20, "MiB"), (2.0 ** 10, "KiB"), (1.0, "B"))


def _missing(amount: float | None) -> bool:
    return amount is None or math.isnan(amount)


def _digits(amount: float) -> str:
    return f"{amount:.3g}" if abs(amount) < 1000 else f"{amount:.0f}"


def _scale(amount: float, unit: str) -> tuple[float, str]:
    """_scale() is (divisor, shown unit) for an amount in a metric's unit."""
    steps, suffix = (_TIME_STEPS, "") if unit in ("ns", "ns/op") else \
        (_BYTE_STEPS, unit[1:]) if unit.startswith("B") else (((1.0, unit),), "")
    for divisor, name in steps:
        if abs(amount) >= divisor or divisor == steps[-1][0]:
            return divisor, name + suffix
    raise AssertionError("unreachable: the last step always matches")


def value(amount: float | None, unit: str = "ns") -> str:
    """value() prints an amount in its metric's unit: ns or ns/op as a time (78.3 µs), B or
    B/task in binary units (2.1 KiB/task), anything else as three digits and the unit."""
    if _missing(amount):
        return "n/a"
    divisor, shown = _scale(amount, unit)
    return f"{_digits(amount / divisor)} {shown}".rstrip()


def with_interval(amount: float | None, low: float | None, high: float | None,
                  unit: str = "ns") -> str:
    """with_interval() is "78.3 µs [77.9, 79.0]": the interval in the value's own unit."""
    if _missing(amount):
        return "n/a"
    if _missing(low) or _missing(high):
        return value(amount, unit)
    divisor, shown = _scale(amount, unit)
    return (f"{_digits(amount / divisor)} {shown} "
            f"[{_digits(low / divisor)}, {_digits(high / divisor)}]").replace("  ", " ")
