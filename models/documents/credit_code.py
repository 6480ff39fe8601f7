"""Reading a unified social credit code out of OCR text, checked by GB 32100.

OCR confuses look-alike characters; a code has two check characters
(:mod:`infra.uscc`), so a misread is usually caught and often repairable:

1. Letters the code alphabet never uses become the digits they resemble (O→0, I→1, S→5,
   Z→2, V→U is a letter: U).
2. If the code still fails, every single substitution among look-alikes (0/D/Q, 1/7/T, 2/Z,
   5/S, 6/G, 8/B/3, U/V/Y …) is tried; exactly one valid result is accepted as a correction
   with reduced confidence, none or several leave the code as read (and it fails the check).
"""

from __future__ import annotations

import re
import unicodedata

from infra.uscc import ALPHABET, uscc_problem

_NEVER = str.maketrans({"O": "0", "I": "1", "S": "5", "Z": "2", "V": "U"})
_LOOKALIKE = {
    "0": "DQU8", "D": "0Q", "Q": "0D", "1": "7TLJ", "7": "1T", "T": "17Y", "L": "1",
    "J": "1", "2": "7", "5": "6", "6": "5GB", "G": "6", "8": "B3", "B": "8", "3": "8",
    "U": "0YH", "Y": "TU", "H": "NU", "N": "H", "M": "N", "W": "M", "P": "R", "R": "P",
    "C": "G", "E": "F", "F": "E", "K": "X", "X": "K", "4": "A", "A": "4", "9": "0",
}
_TOKEN = re.compile(r"[0-9A-Z]{15,20}")


def clean(raw: str) -> str:
    """Width-folded, upper-case alphanumerics of ``raw`` with never-used letters mapped."""
    text = unicodedata.normalize("NFKC", raw).upper()
    return re.sub(r"[^0-9A-Z]", "", text).translate(_NEVER)


def find_candidates(text: str) -> list[str]:
    """Alphanumeric runs of 15–20 characters in ``text`` (spaces removed first)."""
    folded = unicodedata.normalize("NFKC", text).upper().replace(" ", "")
    return [clean(m) for m in _TOKEN.findall(folded)]


def repair(code: str) -> tuple[str, str]:
    """``(code, how)``: ``how`` is ``valid`` (as read), ``corrected`` (one look-alike
    substitution made it valid, the only one that does) or ``invalid``.

    Example:
        >>> repair("914403001922O38216")
        ('914403001922038216', 'valid')
        >>> repair("914403001922038Z16")[1]
        'valid'
        >>> repair("9144030019220382I6")
        ('914403001922038216', 'valid')
    """
    code = clean(code)
    if uscc_problem(code) is None:
        return code, "valid"
    if len(code) != 18:
        return code, "invalid"
    found = set()
    for i, ch in enumerate(code):
        for alt in _LOOKALIKE.get(ch, ""):
            if alt not in ALPHABET:
                continue
            candidate = code[:i] + alt + code[i + 1:]
            if uscc_problem(candidate) is None:
                found.add(candidate)
    if len(found) == 1:
        return found.pop(), "corrected"
    return code, "invalid"
