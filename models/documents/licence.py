"""Business-licence fields from OCR text boxes, by layout and labels.

1. **Lines**: boxes are grouped into printed lines by their vertical centre (a box joins the
   line whose centre is within half a median box height), each line read left to right.
2. **Labels**: every line is cut at the labels it contains (名称, 法定代表人, 注册资本 …, spaces
   and look-alike characters tolerated: 住所 / 营业场所 / 经营场所, 法定代表人 / 负责人 /
   经营者 …), so a two-column licence works as well as a one-column one; the value of a label
   is the text up to the next label.
3. **Continuations**: the business scope goes on over the following lines that start with
   no label.
4. **Normal forms** (:mod:`models.documents.fields`); the credit code is repaired and checked
   by GB 32100 (:mod:`models.documents.credit_code`), or found as any 18-character code on
   the page when its label was not read.

Confidence: the mean recogniser score of the boxes the value came from, lowered for a
repaired code (×0.85), capped at 0.3 for a code that fails GB 32100 or a date that does
not parse.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass

from models.documents.credit_code import find_candidates, repair
from models.documents.engine import TextBox
from models.documents.fields import FIELDS, MISSING, Field

_SP = r"\s*"


def _label(*words: str) -> str:
    return "|".join(_SP.join(re.escape(ch) for ch in w) for w in words)


#: label key -> pattern (spaces between the characters allowed)
LABELS: dict[str, re.Pattern[str]] = {
    "credit_code": re.compile(_label("统一社会信用代码", "社会信用代码", "信用代码")),
    "name": re.compile(_label("名称", "名秤", "名 称")),
    "kind": re.compile(_label("类型", "类別")),
    "legal_representative": re.compile(_label("法定代表人", "负责人", "经营者", "执行事务合伙人",
                                              "法定代表", "代表人")),
    "business_scope": re.compile(_label("经营范围", "经营范国", "经菅范围")),
    "registered_capital": re.compile(_label("注册资本", "出资额", "注册资金")),
    "established_on": re.compile(_label("成立日期", "注册日期")),
    "business_term": re.compile(_label("营业期限", "经营期限", "合伙期限", "菅业期限")),
    "address": re.compile(_label("住所", "营业场所", "经营场所", "主要经营场所", "住 所")),
    "authority": re.compile(_label("登记机关")),
    "title": re.compile(_label("营业执照")),
}
_DATE = re.compile(r"(\d{4})\s*[年\-./]\s*(\d{1,2})\s*[月\-./]\s*(\d{1,2})\s*日?")
_UNLIMITED = re.compile(r"长期|永久|不约定期限|无固定期限")
_PUNCT = str.maketrans({";": "；", ",": "，", "(": "（", ")": "）", ":": "：", "、": "、"})


@dataclass
class _Line:
    boxes: list[TextBox]

    @property
    def text(self) -> str:
        return " ".join(b.text for b in sorted(self.boxes, key=lambda b: b.left))


def group_lines(boxes: list[TextBox]) -> list[_Line]:
    """Boxes grouped into printed lines, top to bottom."""
    if not boxes:
        return []
    tolerance = 0.5 * statistics.median(max(b.height, 1.0) for b in boxes)
    lines: list[tuple[float, list[TextBox]]] = []
    for box in sorted(boxes, key=lambda b: b.centre_y):
        if lines and abs(box.centre_y - lines[-1][0]) <= tolerance:
            members = lines[-1][1]
            members.append(box)
            lines[-1] = (sum(b.centre_y for b in members) / len(members), members)
        else:
            lines.append((box.centre_y, [box]))
    return [_Line(members) for _, members in lines]


def _segments(line: _Line, labels: dict[str, re.Pattern[str]] | None = None
              ) -> list[tuple[str | None, str, float]]:
    """``(label or None, value text, mean score)`` for each labelled part of a line
    (``labels``: the licence's :data:`LABELS` unless given)."""
    text = line.text
    hits: list[tuple[int, int, str]] = []
    for key, pattern in (LABELS if labels is None else labels).items():
        for m in pattern.finditer(text):
            hits.append((m.start(), m.end(), key))
    hits.sort()
    kept: list[tuple[int, int, str]] = []
    for hit in hits:  # overlapping labels: the first (longest by order) wins
        if not kept or hit[0] >= kept[-1][1]:
            kept.append(hit)
    score = statistics.fmean(b.score for b in line.boxes)
    if not kept:
        return [(None, text, score)]
    parts = []
    if text[:kept[0][0]].strip():
        parts.append((None, text[:kept[0][0]], score))
    for i, (_, end, key) in enumerate(kept):
        stop = kept[i + 1][0] if i + 1 < len(kept) else len(text)
        parts.append((key, text[end:stop], score))
    return parts


def _compact(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text).strip(":：")
    return text.translate(_PUNCT)


def _date(text: str) -> str | None:
    m = _DATE.search(re.sub(r"\s+", "", text))
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _term(text: str) -> str | None:
    compact = re.sub(r"\s+", "", text)
    dates = [_date(m.group(0)) for m in _DATE.finditer(compact)]
    dates = [d for d in dates if d]
    if not dates:
        return None
    if len(dates) >= 2:
        return f"{dates[0]}/{dates[1]}"
    return f"{dates[0]}/长期" if _UNLIMITED.search(compact) else dates[0]


def _scope(text: str) -> str:
    return _compact(text).rstrip("。.")


def extract(boxes: list[TextBox]) -> dict[str, Field]:
    """The licence fields found in ``boxes`` (every key of :data:`FIELDS`)."""
    found: dict[str, tuple[str, list[float]]] = {}
    current: str | None = None
    loose: list[tuple[str, float]] = []
    for line in group_lines(boxes):
        for key, value, score in _segments(line):
            if key is None:
                if current == "business_scope":
                    text, scores = found[current]
                    found[current] = (text + value, [*scores, score])
                else:
                    loose.append((value, score))
                continue
            current = key
            if key not in found:
                found[key] = (value, [score])
            else:
                current = None  # a label read twice: keep the first
    fields = {name: MISSING for name in FIELDS}
    for name in FIELDS:
        if name not in found:
            continue
        raw, scores = found[name]
        confidence = statistics.fmean(scores)
        if name in ("established_on", "business_term"):
            value = _date(raw) if name == "established_on" else _term(raw)
            fields[name] = Field(value, confidence) if value else Field(
                _compact(raw) or None, min(confidence, 0.3))
        elif name == "business_scope":
            value = _scope(raw)
            fields[name] = Field(value or None, confidence if value else 0.0)
        elif name != "credit_code":
            value = _compact(raw)
            fields[name] = Field(value or None, confidence if value else 0.0)
    fields["credit_code"] = _credit_code(found.get("credit_code"), loose)
    return fields


def _credit_code(labelled: tuple[str, list[float]] | None,
                 loose: list[tuple[str, float]]) -> Field:
    options: list[tuple[str, float]] = []
    if labelled is not None:
        options += [(c, statistics.fmean(labelled[1])) for c in find_candidates(labelled[0])]
    options += [(c, s) for text, s in loose for c in find_candidates(text)]
    best: Field = MISSING
    for candidate, score in options:
        code, how = repair(candidate)
        if how == "valid":
            return Field(code, score)
        if how == "corrected" and best.confidence < score * 0.85:
            best = Field(code, score * 0.85)
        elif best is MISSING:
            best = Field(code, min(score, 0.3))
    return best
