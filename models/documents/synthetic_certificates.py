"""Seeded bank account certificates and ISO / industry certificates with known fields.

The licence generator (:mod:`models.documents.synthetic`) extended to the other
qualification documents of a supplier application, drawn with the same CJK font, seal and
scan noise (red seal over the lower text, rotation ±3°, blur, paper grain, JPEG 70–92):

* ``bank_account_certificate`` — a 开户许可证 (basic deposit account permit, issued by the
  People's Bank branch): 核准号, 编号, 存款人名称, 法定代表人, 开户银行, 账号, 账户性质, 发证日期;
  or, one in three, a bank's 开户证明 (户名, 开户行, 账号, 开户日期).
* ``iso_certificate`` — an ISO management-system certificate (质量 / 环境 / 职业健康安全管理
  体系认证证书: 证书编号, 组织名称, 注册地址, 认证标准, 认证范围, 发证日期, 有效期至, 认证机构),
  or, one in three, a 安全生产许可证 (编号, 单位名称, 主要负责人, 单位地址, 许可范围,
  有效期 from … to …, 发证机关, 发证日期).

The truth is in the reader's normal forms (:mod:`models.documents.certificates`).

Example:
    >>> cert = make_certificate(3, "iso_certificate")
    >>> sorted(cert.truth) == sorted(CERTIFICATE_FIELDS["iso_certificate"])
    True
"""

from __future__ import annotations

import datetime as dt
import random

from PIL import Image, ImageDraw

from models.documents.certificates import BANK, CERTIFICATE_FIELDS, normalise_number
from models.documents.synthetic import (
    FONT_PX,
    HEIGHT,
    LABEL_X,
    WIDTH,
    Licence,
    _encode,
    _font,
    licence_fields,
    scan_noise,
)

__all__ = ["CERTIFICATE_FIELDS", "make_certificate"]

_BANKS = ("中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行", "招商银行",
          "晋商银行", "中信银行")
_BRANCHES = ("新建路", "迎宾街", "开发区", "城区", "矿区", "南关", "高新区", "平城")
_STANDARDS = (("质量管理体系认证证书", "GB/T 19001-2016/ISO 9001:2015", "Q"),
              ("环境管理体系认证证书", "GB/T 24001-2016/ISO 14001:2015", "E"),
              ("职业健康安全管理体系认证证书", "GB/T 45001-2020/ISO 45001:2018", "S"))
_BODIES = ("中国质量认证中心", "方圆标志认证集团有限公司", "北京世标认证中心有限公司",
           "中标华信认证有限公司", "华夏认证中心有限公司")
_PERMITS = (("MK", "煤炭开采"), ("WH", "危险化学品经营"), ("JZ", "建筑施工"),
            ("FM", "非煤矿山开采"), ("YH", "烟花爆竹批发"))
_ABBR = "晋冀蒙陕豫鲁辽吉黑苏浙皖闽赣鄂湘粤桂川贵滇甘宁新"
VALUE_X = 420  # labels up to six characters


def _day(rng: random.Random, first: int, last: int) -> dt.date:
    return dt.date(rng.randint(first, last), rng.randint(1, 12), rng.randint(1, 28))


def _print_date(d: dt.date) -> str:
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


def _until(start: dt.date, years: int) -> dt.date:
    return dt.date(start.year + years, start.month, start.day) - dt.timedelta(days=1)


def bank_fields(rng: random.Random) -> tuple[str, list[tuple[str, str]], dict[str, str], str]:
    """A random bank account certificate: (title, printed rows, truth, seal text)."""
    company, _ = licence_fields(rng)
    city = company["authority"].split("市")[0]
    bank = rng.choice(_BANKS)
    branch = f"{bank}股份有限公司{city}{rng.choice(_BRANCHES)}支行" if bank != "中国银行" \
        else f"中国银行{city}{rng.choice(_BRANCHES)}支行"
    account = "".join(str(rng.randint(0, 9)) for _ in range(rng.choice((16, 17, 19))))
    account = str(rng.randint(1, 9)) + account[1:]
    opened = _day(rng, 2005, 2025)
    grouped = " ".join(account[i:i + 4] for i in range(0, len(account), 4))
    if rng.random() < 1 / 3:
        number = f"{rng.randint(100000, 999999)}{rng.randint(1000, 9999)}"
        title = "开户证明"
        rows = [("证明编号", number), ("户名", company["name"]), ("开户行", branch),
                ("账号", grouped), ("账户性质", "基本存款账户"), ("开户日期", _print_date(opened))]
        seal = f"{branch[:14]}"
    else:
        number = f"J{rng.randint(1000, 9999)}{rng.randint(0, 999999999):09d}{rng.randint(1, 9):02d}"
        title = "开户许可证"
        rows = [("核准号", number),
                ("编号", f"{rng.randint(1000, 9999)}-{rng.randint(10000000, 99999999)}"),
                ("存款人名称", company["name"]), ("法定代表人", company["legal_representative"]),
                ("开户银行", branch), ("账号", grouped), ("账户性质", "基本存款账户"),
                ("发证日期", _print_date(opened))]
        seal = f"中国人民银行{city}市中心支行"
    truth = {"certificate_number": normalise_number(number), "holder": company["name"],
             "bank": branch, "account_number": account, "issued_on": opened.isoformat()}
    return title, rows, truth, seal


def iso_fields(rng: random.Random) -> tuple[str, list[tuple[str, str]], dict[str, str], str]:
    """A random ISO / industry certificate: (title, printed rows, truth, seal text)."""
    company, _ = licence_fields(rng)
    issued = _day(rng, 2016, 2026)
    if rng.random() < 1 / 3:
        code, scope = rng.choice(_PERMITS)
        abbr = rng.choice(_ABBR)
        number = f"（{abbr}）{code}安许证字〔{issued.year}〕{rng.choice('ABCDE')}{rng.randint(1, 9999):04d}号"
        until = _until(issued, 3)
        province = company["address"].split("省")[0].split("自治区")[0]
        issuer = f"{province}省应急管理厅" if "省" in company["address"] else f"{province}应急管理厅"
        title = "安全生产许可证"
        rows = [("编号", number), ("单位名称", company["name"]),
                ("主要负责人", company["legal_representative"]), ("单位地址", company["address"]),
                ("许可范围", scope), ("有效期", f"{_print_date(issued)}至{_print_date(until)}"),
                ("发证机关", issuer), ("发证日期", _print_date(issued))]
    else:
        title, standard, letter = rng.choice(_STANDARDS)
        number = (f"{rng.randint(0, 99999):05d}{issued.year % 100:02d}{letter}"
                  f"{rng.randint(10000, 99999)}R{rng.randint(0, 5)}M")
        until = _until(issued, 3)
        issuer = rng.choice(_BODIES)
        scope = "；".join(company["business_scope"].rstrip("。").split("；")[:2])
        rows = [("证书编号", number), ("组织名称", company["name"]),
                ("注册地址", company["address"]), ("认证标准", standard), ("认证范围", scope),
                ("发证日期", _print_date(issued)), ("有效期至", _print_date(until)),
                ("认证机构", issuer)]
    truth = {"certificate_number": normalise_number(number), "holder": company["name"],
             "issuer": issuer, "issued_on": issued.isoformat(),
             "valid_until": until.isoformat()}
    return title, rows, truth, issuer


def render_certificate(title: str, rows: list[tuple[str, str]], seal: str,
                       rng: random.Random) -> tuple[Image.Image, dict[str, float]]:
    """Draw a certificate (title, labelled rows) with the scan noise of the licences."""
    tone = rng.randint(236, 252)
    page = Image.new("RGB", (WIDTH, HEIGHT),
                     (tone, tone - rng.randint(0, 8), tone - rng.randint(4, 16)))
    draw = ImageDraw.Draw(page)
    border = rng.choice(((170, 120, 60), (40, 80, 150), (30, 110, 70)))
    draw.rectangle((30, 30, WIDTH - 30, HEIGHT - 30), outline=border, width=6)
    draw.rectangle((44, 44, WIDTH - 44, HEIGHT - 44), outline=border, width=2)
    draw.text((WIDTH // 2, 115), " ".join(title) if len(title) <= 7 else title,
              font=_font(72 if len(title) <= 7 else 58), fill=(20, 20, 20), anchor="mm")
    body = _font(FONT_PX)
    y = 230
    for label, value in rows:
        draw.text((LABEL_X, y), label, font=body, fill=(15, 15, 15))
        draw.text((VALUE_X, y), value, font=body, fill=(15, 15, 15))
        y += 72
    return scan_noise(page, seal, rng)


def make_certificate(seed: int, document_type: str, *, quality: int | None = None,
                     printed: dict[str, str] | None = None) -> Licence:
    """The certificate of ``seed`` and ``document_type`` (``bank_account_certificate`` or
    ``iso_certificate``): same seed, same image and truth. ``printed`` replaces fields of
    the truth (``holder``, ``account_number``, ``valid_until``, ``issued_on`` …): the rows
    printing them follow. ``quality`` as for :func:`models.documents.synthetic.make_licence`.

    Raises:
        ValueError: unknown document type.
    """
    if document_type not in CERTIFICATE_FIELDS:
        raise ValueError(f"document_type: one of {', '.join(CERTIFICATE_FIELDS)}")
    rng = random.Random(f"{document_type}:{seed}")
    title, rows, truth, seal = (bank_fields if document_type == BANK else iso_fields)(rng)
    for key, value in (printed or {}).items():
        old = truth[key]
        if key in ("issued_on", "valid_until"):
            old_d, new_d = dt.date.fromisoformat(old), dt.date.fromisoformat(value)
            rows = [(lab, val.replace(_print_date(old_d), _print_date(new_d))) for lab, val in rows]
        elif key == "account_number":
            grouped = " ".join(old[i:i + 4] for i in range(0, len(old), 4))
            regrouped = " ".join(value[i:i + 4] for i in range(0, len(value), 4))
            rows = [(lab, regrouped if val == grouped else val) for lab, val in rows]
        else:
            rows = [(lab, value if val == old else val) for lab, val in rows]
        truth[key] = value
    page, noise = render_certificate(title, rows, seal, rng)
    return Licence(seed=seed, image=_encode(page, rng, quality, noise), truth=truth,
                   noise=noise, document_type=document_type)


def certificate_pdf(certificate: Licence) -> bytes:
    """The certificate image as a one-page PDF (as :func:`synthetic.licence_pdf`)."""
    from models.documents.synthetic import licence_pdf

    return licence_pdf(certificate)

