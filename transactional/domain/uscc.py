"""Unified social credit code (统一社会信用代码, GB 32100-2015) validation for onboarding.

A code is 18 characters from a 31-character alphabet (digits and upper-case letters without
I, O, S, V, Z): registration authority (1), entity type (1), administrative division (6
digits), the organisation code (8 characters + a GB 11714 check character) and the GB 32100
check character over the first 17 (weights 3^i mod 31). A supplier application must carry a
code that passes every rule. Kept here, small and pure, because ``transactional/`` may not
import the lake-side entity-resolution library (``models/``) except for risk scoring.

Example:
    >>> uscc_problem("914403001922038216") is None
    True
    >>> uscc_problem("914403001922038217")
    'check_character'
"""

from __future__ import annotations

import unicodedata

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
#: registration authority -> entity types it may register (GB 32100-2015, appendix A)
_AUTHORITY_TYPES = {
    "1": "1239", "2": "19", "3": "1234589", "4": "129", "5": "1239", "6": "129",
    "7": "1239", "8": "129", "9": "123", "A": "19", "N": "12349", "Y": "1",
}
#: Why a code is refused, for messages.
PROBLEMS = {
    "empty": "no code given",
    "length": "a code has 18 characters",
    "charset": "only digits and letters except I, O, S, V, Z (the division code is digits)",
    "authority": "unknown registration authority / entity type combination",
    "organisation_check": "the organisation code's check character (GB 11714) is wrong",
    "check_character": "the check character (18th) is wrong",
}


def normalise_uscc(raw: str | None) -> str:
    """Width-fold, upper-case and drop spaces and dashes.

    Example:
        >>> normalise_uscc(" 9144 0300-1922 0382 16 ")
        '914403001922038216'
    """
    text = unicodedata.normalize("NFKC", raw or "").upper()
    return "".join(c for c in text if c not in " -\t")


def check_character(first17: str) -> str | None:
    """The GB 32100 check character of the first 17 characters (None: illegal character)."""
    try:
        total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    except KeyError:
        return None
    return ALPHABET[(31 - total % 31) % 31]


def organisation_check(body8: str) -> str | None:
    """The GB 11714 check character of an organisation code body (None: illegal character)."""
    total = 0
    for ch, weight in zip(body8, _ORG_WEIGHTS, strict=True):
        if ch.isdigit():
            total += int(ch) * weight
        elif "A" <= ch <= "Z":
            total += (ord(ch) - 55) * weight
        else:
            return None
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def uscc_problem(raw: str | None) -> str | None:
    """Why ``raw`` is not a valid code, as a key of :data:`PROBLEMS` (None when valid)."""
    code = normalise_uscc(raw)
    if not code:
        return "empty"
    if len(code) != 18:
        return "length"
    if any(c not in _VALUE for c in code) or not code[2:8].isdigit():
        return "charset"
    if code[1] not in _AUTHORITY_TYPES.get(code[0], ""):
        return "authority"
    if organisation_check(code[8:16]) != code[16]:
        return "organisation_check"
    if check_character(code[:17]) != code[17]:
        return "check_character"
    return None
