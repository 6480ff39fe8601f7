"""Unified social credit codes (统一社会信用代码, GB 32100-2015): the one validator.

A code is 18 characters from a 31-character alphabet (digits and upper-case letters without
I, O, S, V, Z): registration authority (1), entity type (1), administrative division (6
digits), the organisation code (8 characters + a GB 11714 check character) and the GB 32100
check character over the first 17 (weights 3^i mod 31). Supplier onboarding refuses a code
that fails any rule (and says which, :data:`PROBLEMS`); entity resolution trusts a valid
code as decisive evidence of identity; the demo simulator generates and mistypes codes with
these check characters. One copy here, which ``transactional``, ``models`` and ``demo``
all import.

Example:
    >>> uscc_problem("914403001922038216") is None
    True
    >>> uscc_problem("914403001922038217")
    'check_character'
"""

from __future__ import annotations

import math
import re
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
_SEPARATORS = re.compile(r"[\s\-_/.:：·]+")
#: Why a code is refused, for messages.
PROBLEMS = {
    "empty": "no code given",
    "length": "a code has 18 characters",
    "charset": "only digits and letters except I, O, S, V, Z (the division code is digits)",
    "authority": "unknown registration authority / entity type combination",
    "organisation_check": "the organisation code's check character (GB 11714) is wrong",
    "check_character": "the check character (18th) is wrong",
}


def normalise_uscc(raw: object) -> str:
    """Width-fold, upper-case and drop separators (spaces, dashes, dots …); ``""`` for
    None or NaN.

    Example:
        >>> normalise_uscc(" 9144 0300-1922 0382 16 ")
        '914403001922038216'
    """
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return ""
    text = unicodedata.normalize("NFKC", str(raw)).strip().upper()
    return _SEPARATORS.sub("", text)


def check_character(first17: str) -> str:
    """The GB 32100 check character (18th) of a code's first 17 characters.

    Raises:
        ValueError: not 17 characters of :data:`ALPHABET`.

    Example:
        >>> check_character("91350100M000100Y4")
        '3'
    """
    if len(first17) != 17:
        raise ValueError(f"expected 17 characters, got {len(first17)}")
    try:
        total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(f"character {exc.args[0]!r} is not allowed in a USCC") from None
    return ALPHABET[(31 - total % 31) % 31]


def organisation_check(body8: str) -> str:
    """The GB 11714 check character of an 8-character organisation code body.

    Raises:
        ValueError: not 8 digits or upper-case letters.

    Example:
        >>> organisation_check("M000100Y")
        '4'
    """
    if len(body8) != 8:
        raise ValueError(f"expected 8 characters, got {len(body8)}")
    total = 0
    for ch, weight in zip(body8, _ORG_WEIGHTS, strict=True):
        if ch.isdigit():
            total += int(ch) * weight
        elif "A" <= ch <= "Z":
            total += (ord(ch) - 55) * weight
        else:
            raise ValueError(f"character {ch!r} is not allowed in an organisation code")
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def complete_uscc(first16: str) -> str:
    """A valid code from its first 16 characters (both check characters appended).

    Example:
        >>> complete_uscc("9144030019220382")
        '914403001922038216'
    """
    first17 = first16 + organisation_check(first16[8:16])
    return first17 + check_character(first17)


def uscc_problem(raw: object) -> str | None:
    """Why ``raw`` (after :func:`normalise_uscc`) is not a valid code, as a key of
    :data:`PROBLEMS`; None when it is valid."""
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


def is_valid_uscc(raw: object) -> bool:
    """True when ``raw`` (after :func:`normalise_uscc`) is a valid GB 32100-2015 code.

    Example:
        >>> is_valid_uscc("9144 0300 1922 0382 16"), is_valid_uscc("914403001922038217")
        (True, False)
    """
    return uscc_problem(raw) is None
