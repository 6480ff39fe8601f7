"""Unified social credit code (统一社会信用代码, GB 32100-2015) validation.

A code is 18 characters from a 31-character alphabet (digits and upper-case letters without
I, O, Z, S, V): registration authority (1), entity type (1), administrative division (6),
the entity's organisation code (9, itself checked by GB 11714), and a check character
(GB 32100: weights 3^i mod 31). A *valid* code is decisive evidence of identity; an invalid
one (typo, old 15-digit registration number, organisation code, placeholder) is only
evidence, never a key. Validation here is strict: both check characters must hold.

Example:
    >>> validate_uscc("914403001922038216")
    True
    >>> validate_uscc("914403001922038217")
    False
"""

from __future__ import annotations

import math
import re
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS_18 = [pow(3, i, 31) for i in range(17)]
_WEIGHTS_ORG = (3, 7, 9, 10, 5, 8, 4, 2)
#: registration-authority digit -> allowed entity-type digits (GB 32100-2015 appendix A)
_AUTHORITY_TYPES = {
    "1": "1239", "2": "19", "3": "1234589", "4": "129", "5": "1239", "6": "129",
    "7": "1239", "8": "129", "9": "123", "A": "19", "N": "12349", "Y": "1",
}
_STRIP = re.compile(r"[\s\-_/.:：·]+")


def clean_uscc(raw: object) -> str:
    """Upper-case, width-fold and drop separators; ``""`` for empty/NaN input.

    Example:
        >>> clean_uscc(" 9144 0300-1922 0382 16 ")
        '914403001922038216'
    """
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return ""
    text = unicodedata.normalize("NFKC", str(raw)).strip().upper()
    return _STRIP.sub("", text)


def organisation_check(body8: str) -> str | None:
    """GB 11714 check character of an 8-character organisation code body, or None."""
    total = 0
    for ch, weight in zip(body8, _WEIGHTS_ORG, strict=True):
        if ch.isdigit():
            total += int(ch) * weight
        elif "A" <= ch <= "Z":
            total += (ord(ch) - 55) * weight
        else:
            return None
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def uscc_check(body17: str) -> str | None:
    """GB 32100 check character of the first 17 characters, or None if one is illegal."""
    try:
        total = sum(_VALUE[c] * w for c, w in zip(body17, _WEIGHTS_18, strict=True))
    except KeyError:
        return None
    return ALPHABET[(31 - total % 31) % 31]


def uscc_problem(raw: object) -> str | None:
    """Why ``raw`` is not a valid code (``None`` when it is valid).

    Returns one of ``"empty"``, ``"length"``, ``"charset"``, ``"authority"``,
    ``"organisation_check"``, ``"check_character"``.
    """
    code = clean_uscc(raw)
    if not code:
        return "empty"
    if len(code) != 18:
        return "length"
    if any(c not in _VALUE for c in code):
        return "charset"
    if code[1] not in _AUTHORITY_TYPES.get(code[0], ""):
        return "authority"
    if not code[2:8].isdigit():
        return "charset"
    if organisation_check(code[8:16]) != code[16]:
        return "organisation_check"
    if uscc_check(code[:17]) != code[17]:
        return "check_character"
    return None


def validate_uscc(raw: object) -> bool:
    """True when ``raw`` (after :func:`clean_uscc`) is a valid GB 32100-2015 code."""
    return uscc_problem(raw) is None


def is_placeholder(code: str) -> bool:
    """Codes that clerks type when they have none: too short, one repeated character, no digit.

    Such a string shared by two records says nothing about them.
    """
    if len(code) < 8 or len(set(code)) <= 2:
        return True
    return not any(c.isdigit() for c in code)


def make_uscc(prefix8: str, org8: str) -> str:
    """Complete a code from its first 8 characters and an 8-character organisation body.

    Used by tests and the synthetic training generator.

    Example:
        >>> make_uscc("91440300", "19220382")
        '914403001922038216'
    """
    body = prefix8 + org8
    org = organisation_check(org8)
    if org is None:
        raise ValueError(f"illegal organisation code body {org8!r}")
    check = uscc_check(body + org)
    if check is None:
        raise ValueError(f"illegal characters in {body!r}")
    return body + org + check
