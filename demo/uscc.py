"""Unified social credit codes (统一社会信用代码, GB 32100-2015) for the simulator.

Layout of the 18 characters::

    9 1 140100 MA0K3B7Q 2 W
    | | |      |        | +- check character over the first 17 (weights 3^i mod 31)
    | | |      |        +--- GB 11714 check character of the organisation code
    | | |      +------------ organisation code body (8 chars)
    | | +------------------- administrative division code (GB/T 2260) of the registrar
    | +--------------------- organisation type (1 = enterprise)
    +----------------------- registration authority (9 = market regulation)

The check characters and validation are ``infra/uscc.py``'s; here only what the generator
adds: random valid codes, realistic keying errors, and whether a code is valid *as written*.
"""

from __future__ import annotations

import numpy as np

from infra.uscc import ALPHABET, complete_uscc, normalise_uscc, uscc_problem


def is_valid_uscc(code: str | None) -> bool:
    """Whether ``code`` is a valid USCC exactly as written (canonical: no spaces, upper case).

    The simulator's ground truth counts a re-formatted code (``uscc_format`` variants) as
    not canonical, though :func:`infra.uscc.is_valid_uscc` accepts it after normalising.

    Example:
        >>> is_valid_uscc("91350100M000100Y43"), is_valid_uscc("91350100m000100y43")
        (True, False)
    """
    return bool(code) and normalise_uscc(code) == code and uscc_problem(code) is None


def make_uscc(division_code: str, rng: np.random.Generator, *, org_type: str = "91") -> str:
    """A valid USCC registered in ``division_code`` with a random organisation code.

    Two thirds of the bodies are post-2015 style (``MA`` + 6 characters), the rest
    converted old organisation codes (8 digits).
    """
    if rng.random() < 0.67:
        tail = "".join(ALPHABET[i] for i in rng.integers(0, 31, 6))
        body = "MA" + tail
    else:
        body = "".join(str(d) for d in rng.integers(0, 10, 8))
    return complete_uscc(org_type + division_code + body)


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
    choices = [c for c in ALPHABET if c != code[i]]
    chars[i] = choices[int(rng.integers(0, len(choices)))]
    return "".join(chars)
