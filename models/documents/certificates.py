"""Bank account certificates and ISO / industry certificates from OCR text boxes.

Same method as the business licence (:mod:`models.documents.licence`): boxes grouped into
printed lines, each line cut at the labels it contains, the value of a label running to the
next one. Fields and normal forms:

* ``bank_account_certificate`` (开户许可证 / 银行开户证明): ``certificate_number`` (核准号 or
  证明编号), ``holder`` (存款人名称 / 户名), ``bank`` (开户银行 / 开户行), ``account_number``
  (账号: digits only, spaces and dashes dropped), ``issued_on`` (发证日期 / 开户日期, ISO date).
  A deposit account has no expiry.
* ``iso_certificate`` (ISO 9001 / 14001 / 45001 certificates, 安全生产许可证 and other
  licences of an industry): ``certificate_number`` (证书编号 / 编号), ``holder`` (组织名称 /
  单位名称), ``issuer`` (认证机构 / 发证机关), ``issued_on`` (发证日期), ``valid_until``
  (有效期至, or the second date of 有效期 … 至 …).

Certificate numbers are compared in :func:`normalise_number` form (NFKC, no spaces, every
kind of bracket as ``(`` ``)``, upper case). Confidence: the mean recogniser score of the
boxes the value came from; 0.3 at most for a date that does not parse or an account number
with other characters than digits.

:func:`detect_type` tells the three documents apart by their title and labels.
"""

from __future__ import annotations

import re
import statistics
import unicodedata

from models.documents.engine import TextBox
from models.documents.fields import MISSING, Field
from models.documents.licence import _compact, _date, _label, _segments, group_lines

BANK = "bank_account_certificate"
ISO = "iso_certificate"
LICENCE = "business_licence"
CERTIFICATE_FIELDS: dict[str, tuple[str, ...]] = {
    BANK: ("certificate_number", "holder", "bank", "account_number", "issued_on"),
    ISO: ("certificate_number", "holder", "issuer", "issued_on", "valid_until"),
}

BANK_LABELS: dict[str, re.Pattern[str]] = {
    "certificate_number": re.compile(_label("核准号", "证明编号", "许可证号")),
    "serial": re.compile(_label("编号")),
    "holder": re.compile(_label("存款人名称", "存款人", "账户名称", "户名")),
    "legal": re.compile(_label("法定代表人", "单位负责人")),
    "bank": re.compile(_label("开户银行", "开户行")),
    "account_number": re.compile(_label("银行账号", "账号", "帐号")),
    "kind": re.compile(_label("账户性质")),
    "issued_on": re.compile(_label("发证日期", "开户日期", "核准日期")),
    "title": re.compile(_label("开户许可证", "开户证明")),
}
ISO_LABELS: dict[str, re.Pattern[str]] = {
    "certificate_number": re.compile(_label("证书编号", "证书号", "注册号", "编号")),
    "holder": re.compile(_label("组织名称", "单位名称", "获证组织", "企业名称")),
    "address": re.compile(_label("注册地址", "单位地址", "地址")),
    "legal": re.compile(_label("主要负责人", "法定代表人")),
    "standard": re.compile(_label("认证标准", "认证依据")),
    "scope": re.compile(_label("认证范围", "许可范围", "覆盖范围")),
    "issued_on": re.compile(_label("发证日期", "颁证日期")),
    "valid_until": re.compile(_label("有效期至", "有效期")),
    "issuer": re.compile(_label("认证机构", "发证机关", "发证机构")),
    "title": re.compile(_label("认证证书", "安全生产许可证")),
}
#: words of each document's title and labels; the type with most hits wins (ties: licence)
_MARKERS: dict[str, tuple[str, ...]] = {
    LICENCE: ("营业执照", "统一社会信用代码", "注册资本", "经营范围", "成立日期", "营业期限"),
    BANK: ("开户许可证", "开户证明", "开户银行", "开户行", "存款人", "账号", "账户性质"),
    ISO: ("认证证书", "管理体系", "安全生产许可证", "认证机构", "发证机关", "有效期",
          "认证范围", "许可范围", "证书编号"),
}
_BRACKETS = str.maketrans({"〔": "(", "〕": ")", "［": "(", "］": ")", "【": "(", "】": ")",
                           "[": "(", "]": ")", "（": "(", "）": ")", "{": "(", "}": ")"})
_DATES = re.compile(r"(\d{4})\s*[年\-./]\s*(\d{1,2})\s*[月\-./]\s*(\d{1,2})\s*日?")


def normalise_number(text: str | None) -> str:
    """A certificate number as compared: NFKC, no spaces, brackets ``()``, upper case.

    Example:
        >>> normalise_number("（晋）MK安许证字〔2019〕B0123号")
        '(晋)MK安许证字(2019)B0123号'
    """
    text = unicodedata.normalize("NFKC", text or "").translate(_BRACKETS)
    return re.sub(r"\s+", "", text).strip(":：").upper()


def detect_type(boxes: list[TextBox]) -> str:
    """``business_licence``, ``bank_account_certificate`` or ``iso_certificate``: the type
    whose title and label words occur most often in the page's text (licence on a tie)."""
    text = re.sub(r"\s+", "", "".join(b.text for b in boxes))
    hits = {kind: sum(word in text for word in words) for kind, words in _MARKERS.items()}
    best = max(hits.values())
    return LICENCE if hits[LICENCE] == best else max(hits, key=lambda k: hits[k])


def _labelled(boxes: list[TextBox], labels: dict[str, re.Pattern[str]]
              ) -> dict[str, tuple[str, list[float]]]:
    found: dict[str, tuple[str, list[float]]] = {}
    for line in group_lines(boxes):
        for key, value, score in _segments(line, labels):
            if key is not None and key not in found:
                found[key] = (value, [score])
    return found


def _last_date(text: str) -> str | None:
    dates = [_date(m.group(0)) for m in _DATES.finditer(re.sub(r"\s+", "", text))]
    dates = [d for d in dates if d]
    return dates[-1] if dates else None


def _account(text: str) -> tuple[str | None, bool]:
    compact = re.sub(r"[\s\-—_]+", "", unicodedata.normalize("NFKC", text)).strip(":：")
    if not compact:
        return None, False
    return compact, compact.isdigit() and 8 <= len(compact) <= 30


def extract(boxes: list[TextBox], document_type: str) -> dict[str, Field]:
    """The fields of a ``bank_account_certificate`` or ``iso_certificate`` found in
    ``boxes`` (every key of :data:`CERTIFICATE_FIELDS` for that type).

    Raises:
        ValueError: another document type.
    """
    if document_type not in CERTIFICATE_FIELDS:
        raise ValueError(f"not a certificate type: {document_type}")
    found = _labelled(boxes, BANK_LABELS if document_type == BANK else ISO_LABELS)
    fields: dict[str, Field] = {}
    for name in CERTIFICATE_FIELDS[document_type]:
        if name not in found:
            fields[name] = MISSING
            continue
        raw, scores = found[name]
        confidence = statistics.fmean(scores)
        if name in ("issued_on", "valid_until"):
            value = _date(raw) if name == "issued_on" else _last_date(raw)
            fields[name] = Field(value, confidence) if value else Field(
                _compact(raw) or None, min(confidence, 0.3) if raw.strip() else 0.0)
        elif name == "account_number":
            value, clean = _account(raw)
            fields[name] = Field(value, confidence if clean else min(confidence, 0.3)) \
                if value else MISSING
        elif name == "certificate_number":
            value = normalise_number(raw)
            fields[name] = Field(value or None, confidence if value else 0.0)
        else:
            value = _compact(raw)
            fields[name] = Field(value or None, confidence if value else 0.0)
    return fields
