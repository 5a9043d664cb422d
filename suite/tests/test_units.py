"""Human units (suite/render/units.py): what every table prints instead of 7.83e+04."""
from __future__ import annotations

import math

import pytest

from suite.render import units


@pytest.mark.parametrize("ns, text", [(12.0, "12 ns"), (999.0, "999 ns"), (78_300.0, "78.3 µs"),
                                      (1.55e9, "1.55 s"), (2.5e6, "2.5 ms"), (math.nan, "n/a")])
def test_times_take_the_largest_unit_that_keeps_them_at_least_one(ns, text):
    assert units.value(ns) == text == units.value(ns, "ns/op")


def test_bytes_and_other_units():
    assert units.value(2150.0, "B/task") == "2.1 KiB/task"
    assert units.value(3 * 2 ** 20, "B") == "3 MiB"
    assert units.value(0.25, "steals/op") == "0.25 steals/op"


def test_an_interval_is_shown_in_its_value_unit():
    assert units.with_interval(78_300.0, 77_900.0, 79_100.0) == "78.3 µs [77.9, 79.1]"
    assert units.with_interval(78_300.0, math.nan, math.nan) == "78.3 µs"
