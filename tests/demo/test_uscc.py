"""USCC generation and check characters (GB 32100-2015, GB 11714)."""

from __future__ import annotations

import pytest

from demo.rng import substream
from demo.uscc import is_valid_uscc, make_uscc, mistype_uscc
from infra.uscc import ALPHABET as USCC_CHARSET
from infra.uscc import check_character as uscc_check_char
from infra.uscc import organisation_check as org_code_check_char

# Codes published by real companies (public registry data).
KNOWN_VALID = ["91350100M000100Y43", "91110000600037341L", "91440300708461136T", "914403001922038216"]


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_known_codes_are_valid(code: str) -> None:
    assert uscc_check_char(code[:17]) == code[17]
    assert org_code_check_char(code[8:16]) == code[16]
    assert is_valid_uscc(code)


def test_generated_codes_are_valid_and_carry_their_division() -> None:
    rng = substream(1, "test")
    codes = [make_uscc("140100", rng) for _ in range(500)]
    assert all(is_valid_uscc(c) for c in codes)
    assert all(c.startswith("91140100") for c in codes)
    assert len(set(codes)) == 500


def test_every_mistype_is_invalid() -> None:
    rng = substream(2, "test")
    for _ in range(2000):
        code = make_uscc("370200", rng)
        bad = mistype_uscc(code, rng)
        assert bad != code and not is_valid_uscc(bad)


def test_rejects_malformed() -> None:
    assert not is_valid_uscc(None)
    assert not is_valid_uscc("")
    assert not is_valid_uscc("91350100M000100Y4")  # 17 chars
    assert not is_valid_uscc("91350100M000100Y4O")  # letter O is not in the charset
    assert "O" not in USCC_CHARSET and "I" not in USCC_CHARSET
    with pytest.raises(ValueError):
        uscc_check_char("9135010OM000100Y4")
