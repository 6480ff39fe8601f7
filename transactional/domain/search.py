"""Catalogue search text: what a buyer may type to find a SKU.

A SKU is found by any mix of its code, its name, the name's **pinyin** (whole syllables,
run together or spaced, and the initials: 动力煤 → ``dong li mei``, ``donglimei``, ``dlm``),
its category's name (the platform's category names are English: ``Thermal coal``) and its
attribute values (with their pinyin). :func:`search_text` builds the SKU's folded text once,
when it is created; :func:`query_tokens` folds what the buyer typed into tokens that must all
be found in it (``coal 5500`` finds a thermal coal SKU of 5,500 kcal).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

MAX_LENGTH = 4000
_HAN = re.compile(r"[\u3400-\u9fff]+")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case, full-width folded to ASCII (NFKC), spaces collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


def _pinyin(text: str) -> list[str]:
    """Pinyin forms of every run of Chinese characters in ``text``: spaced, joined, initials."""
    runs = _HAN.findall(text)
    if not runs:
        return []
    from pypinyin import Style, lazy_pinyin  # loaded only where Chinese text is indexed

    forms = []
    for run in runs:
        syllables = lazy_pinyin(run, errors="ignore")
        initials = lazy_pinyin(run, style=Style.FIRST_LETTER, errors="ignore")
        forms += [" ".join(syllables), "".join(syllables), "".join(initials)]
    return forms


def search_text(code: str, name: str, category_name: str | None, attributes: Mapping[str, Any]) -> str:
    """The folded text a SKU is searched by (see module), at most :data:`MAX_LENGTH` characters.

    Example:
        >>> search_text("COAL-1", "动力煤 5500", "Thermal coal", {"origin": "大同"})
        'coal-1 | 动力煤 5500 | dong li mei | donglimei | dlm | thermal coal | 大同 | da tong | datong | dt'
    """
    parts: list[str] = [code, name, *_pinyin(name)]
    if category_name:
        parts += [category_name, *_pinyin(category_name)]
    for value in _values(attributes):
        parts += [value, *_pinyin(value)]
    seen: dict[str, None] = {}
    for part in parts:
        folded = fold(str(part))
        if folded:
            seen.setdefault(folded, None)
    return " | ".join(seen)[:MAX_LENGTH]


def _values(attributes: Mapping[str, Any]) -> Iterable[str]:
    for value in attributes.values():
        if isinstance(value, str):
            yield value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            yield f"{value:g}" if isinstance(value, float) else str(value)


def query_tokens(q: str) -> list[str]:
    """The folded tokens of a buyer's search (each must be found); Chinese kept as typed."""
    return [t for t in fold(q).replace("|", " ").split(" ") if t][:8]
