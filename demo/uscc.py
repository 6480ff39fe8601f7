"""Unified social credit codes (统一社会信用代码, GB 32100-2015) for the simulator.

Layout of the 18 characters::

    9 1 140100 MA0K3B7Q 2 W
    | | |      |        | +- check character over the first 17 (weights 3^i mod 31)
    | | |      |        +--- GB 11714 check character of the organisation code
    | | |      +------------ organisation code body (8 chars)
    | | +------------------- administrative division code (GB/T 2260) of the registrar
    | +--------------------- organisation type (1 = enterprise)
    +----------------------- registration authority (9 = market regulation)

Only the generator uses these helpers; the entity-resolution library has its own validator.
"""

from __future__ import annotations

import numpy as np

#: The 31 characters a USCC may contain (no I, O, S, V, Z).
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def uscc_check_char(first17: str) -> str:
    """The 18th (check) character of a USCC.

    Args:
        first17: the first 17 characters, upper case, from :data:`USCC_CHARSET`.

    Returns:
        The check character.

    Raises:
        ValueError: when ``first17`` has the wrong length or a character outside the charset.

    Example:
        >>> uscc_check_char("91350100M000100Y4")
        '3'
    """
    if len(first17) != 17:
        raise ValueError(f"expected 17 characters, got {len(first17)}")
    try:
        total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(f"character {exc.args[0]!r} is not allowed in a USCC") from None
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code_check_char(body8: str) -> str:
    """GB 11714 check character of an 8-character organisation code body.

    Example:
        >>> org_code_check_char("M000100Y")
        '4'
    """
    if len(body8) != 8:
        raise ValueError(f"expected 8 characters, got {len(body8)}")
    total = 0
    for c, w in zip(body8, _ORG_WEIGHTS, strict=True):
        value = int(c) if c.isdigit() else ord(c) - 55
        total += value * w
    check = 11 - total % 11
    return "X" if check == 10 else ("0" if check == 11 else str(check))


def is_valid_uscc(code: str | None) -> bool:
    """Whether ``code`` is a well-formed USCC with both check characters right.

    Example:
        >>> is_valid_uscc("91350100M000100Y43"), is_valid_uscc("91350100M000100Y44")
        (True, False)
    """
    if not code or len(code) != 18 or any(c not in _USCC_VALUE for c in code):
        return False
    if not code[2:8].isdigit():
        return False
    if org_code_check_char(code[8:16]) != code[16]:
        return False
    return uscc_check_char(code[:17]) == code[17]


def make_uscc(division_code: str, rng: np.random.Generator, *, org_type: str = "91") -> str:
    """A valid USCC registered in ``division_code`` with a random organisation code.

    Two thirds of the bodies are post-2015 style (``MA`` + 6 characters), the rest
    converted old organisation codes (8 digits).
    """
    if rng.random() < 0.67:
        tail = "".join(USCC_CHARSET[i] for i in rng.integers(0, 31, 6))
        body = "MA" + tail
    else:
        body = "".join(str(d) for d in rng.integers(0, 10, 8))
    first17 = org_type + division_code + body + org_code_check_char(body)
    return first17 + uscc_check_char(first17)


def mistype_uscc(code: str, rng: np.random.Generator) -> str:
    """One realistic keying error that makes a valid code invalid.

    A substituted character, two swapped neighbours, or the letter O typed for 0.
    Every result fails :func:`is_valid_uscc` (31 is prime, so one changed character or a
    transposition always changes the check sum).
    """
    kind = rng.integers(0, 3)
    chars = list(code)
    if kind == 2 and "0" in code[:17]:
        positions = [i for i, c in enumerate(code[:17]) if c == "0"]
        chars[positions[int(rng.integers(0, len(positions)))]] = "O"
        return "".join(chars)
    if kind == 1:
        positions = [i for i in range(2, 16) if code[i] != code[i + 1]]
        if positions:
            i = positions[int(rng.integers(0, len(positions)))]
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
            return "".join(chars)
    i = int(rng.integers(2, 17))
    choices = [c for c in USCC_CHARSET if c != code[i]]
    chars[i] = choices[int(rng.integers(0, len(choices)))]
    return "".join(chars)
