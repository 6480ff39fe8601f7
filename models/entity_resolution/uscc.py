"""What entity resolution adds to the GB 32100-2015 credit code validator (``infra/uscc.py``).

A *valid* code (:func:`infra.uscc.is_valid_uscc`, both check characters) is decisive evidence
of identity; an invalid one (typo, old 15-digit registration number, organisation code,
placeholder) is only evidence, never a key. Here: spotting the placeholders clerks type when
a company has no code at hand, and completing codes for tests and the synthetic generator.
"""

from __future__ import annotations

from infra.uscc import complete_uscc


def is_placeholder(code: str) -> bool:
    """Codes that clerks type when they have none: too short, one repeated character, no digit.

    Such a string shared by two records says nothing about them.

    Example:
        >>> is_placeholder("000000000000000000"), is_placeholder("914403001922038216")
        (True, False)
    """
    if len(code) < 8 or len(set(code)) <= 2:
        return True
    return not any(c.isdigit() for c in code)


def make_uscc(prefix8: str, org8: str) -> str:
    """Complete a code from its first 8 characters and an 8-character organisation body.

    Used by tests and the synthetic training generator.

    Raises:
        ValueError: an illegal character.

    Example:
        >>> make_uscc("91440300", "19220382")
        '914403001922038216'
    """
    return complete_uscc(prefix8 + org8)
