"""GB 32100-2015 credit code validation: valid codes, every kind of invalid one."""

from __future__ import annotations

import pytest

from infra.uscc import is_valid_uscc as validate_uscc
from infra.uscc import normalise_uscc as clean_uscc
from infra.uscc import uscc_problem
from models.entity_resolution.uscc import is_placeholder, make_uscc

HUAWEI = "914403001922038216"  # published code of Huawei Technologies Co., Ltd.


def test_published_code_is_valid() -> None:
    assert validate_uscc(HUAWEI)


@pytest.mark.parametrize(("raw", "problem"), [
    ("", "empty"),
    ("91440300192203821", "length"),
    ("9144030019220382166", "length"),
    ("914403001922038217", "check_character"),
    ("914403001922038316", "organisation_check"),
    ("914403001922O38216", "charset"),
    ("000000000000000000", "authority"),
    ("410102000123456", "length"),
])
def test_invalid_codes_say_why(raw: str, problem: str) -> None:
    assert uscc_problem(raw) == problem
    assert not validate_uscc(raw)


def test_cleaning_accepts_spacing_case_and_full_width() -> None:
    assert clean_uscc(" 9144 0300-1922 0382 16 ") == HUAWEI
    assert validate_uscc("９１４４０３００１９２２０３８２１６")
    assert validate_uscc(make_uscc("91140105", "MA0GRX1K").lower())


def test_make_uscc_round_trip_and_placeholders() -> None:
    assert make_uscc("91440300", "19220382") == HUAWEI
    assert is_placeholder("000000000000000000") and is_placeholder("无") and is_placeholder("N/A")
    assert not is_placeholder(HUAWEI)
