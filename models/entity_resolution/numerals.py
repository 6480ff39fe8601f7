"""Numbers in company names: 中铁十四局 vs 中铁十六局, 第二工程 vs 第三工程 are different companies.

Chinese and Arabic numerals are read into integers so that two names with different
numbers can be told apart, and Arabic digits between Chinese characters are written as
Chinese numerals so that 第2工程 and 第二工程 compare equal.
"""

from __future__ import annotations

import re

_CN_NUM = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}
_NUM_RUN = re.compile(r"[零〇一二三四五六七八九十百]+|\d+")


def numbers(text: str) -> frozenset[int]:
    """Every number in ``text`` (十四 → 14, 三一 → 31, 2 → 2)."""
    out = set()
    for run in _NUM_RUN.findall(text):
        if run.isdigit():
            out.add(int(run))
            continue
        value, digits = 0, ""
        if "十" in run or "百" in run:
            current = 0
            for ch in run:
                if ch == "百":
                    value += max(current, 1) * 100
                    current = 0
                elif ch == "十":
                    value += max(current, 1) * 10
                    current = 0
                else:
                    current = _CN_NUM[ch]
            out.add(value + current)
        else:
            digits = "".join(str(_CN_NUM[ch]) for ch in run)
            out.add(int(digits))
    return frozenset(out)


def digits_to_cn(s: str) -> str:
    """Arabic numbers between Chinese characters as Chinese numerals (第2工程 → 第二工程)."""
    def repl(m: re.Match) -> str:
        n = int(m.group(0))
        if n >= 100:
            return m.group(0)
        digits = "零一二三四五六七八九"
        if n < 10:
            return digits[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")
    return re.sub(r"(?<=[\u3400-\u9fff])\d+(?=[\u3400-\u9fff]|$)", repl, s)
