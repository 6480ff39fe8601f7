"""Seeded business-licence (营业执照) images with known fields: the OCR benchmark's data.

Each licence is drawn with a CJK font (:mod:`models.documents.fonts`) in the layout of the
2016+ national template, simplified to one column: title, credit code, then the labelled
fields (名称, 类型, 法定代表人, 经营范围 wrapped over lines, 注册资本, 成立日期, 营业期限, 住所),
the registration authority and date. Noise as scanned or photographed licences have it: a
red round stamp over the lower text, a small rotation, blur, uneven paper and JPEG
compression. The truth is returned in the normalised form the reader outputs.

Example:
    >>> lic = make_licence(7)
    >>> sorted(lic.truth) == sorted(FIELDS)
    True
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from infra.uscc import ALPHABET, complete_uscc
from models.documents.fields import FIELDS  # noqa: F401  (the doctest)
from models.documents.fonts import cjk_font_path
from models.entity_resolution.regions import _PROVINCES

_BRAND = ("华恒鑫宏达源通盛昌泰兴利丰隆瑞祥福安顺金天宇中新海龙德信诚永亿嘉佳正和合成远航东方"
          "博长光明辉晟汇惠力立腾飞创鼎峰阳晨星美康健宁世纪联众科元衡鸿扬锦益润泽宝聚富祺锐凯旭豪胜威盈鹏翔英杰俊")
_INDUSTRY = ("煤业", "化工", "建材", "物流", "机械", "钢铁贸易", "五金", "电气", "电缆", "水泥", "能源",
             "科技", "商贸", "运输", "机电设备", "焦化", "耐火材料", "液压", "包装", "纺织", "环保",
             "轴承", "阀门", "管道", "重工", "电子", "塑料", "仪表")
_FORMS = (("有限公司", "有限责任公司"), ("股份有限公司", "股份有限公司（非上市）"),
          ("有限责任公司", "有限责任公司（自然人投资或控股）"))
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文斌波宁海峰鹏辉晓东宇浩凯健俊帆林亮成春雪梅琳"
_ROADS = ("人民路", "解放路", "建设路", "中山路", "和平路", "新华路", "胜利路", "朝阳路", "长江路", "黄河路",
          "文化路", "光明路", "工业路", "迎宾大道", "开发区大道", "滨河路", "南京路", "东风路")
_DISTRICTS = ("高新区", "经济技术开发区", "城区", "新区", "工业园区")
_SCOPE = ("煤炭批发经营", "矿山机械设备销售", "机电设备维修", "五金交电销售", "建筑材料销售",
          "化工产品销售（不含危险化学品）", "普通货物道路运输", "仓储服务（不含危险品）", "货物进出口",
          "技术进出口", "电线电缆制造", "钢材销售", "环保设备研发", "计算机软硬件开发", "劳保用品销售",
          "机械零部件加工", "企业管理咨询", "电气设备安装", "水泥制品制造", "包装材料销售")
_AUTHORITIES = "市场监督管理局"
_AUTONOMOUS = ("内蒙古", "广西", "西藏", "宁夏", "新疆")
_MAINLAND = tuple(p for p in _PROVINCES[4:] if p[0] not in ("香港", "澳门", "台湾")
                  and p[3].split() != [p[0]])
FONT_PX = 34
WIDTH, HEIGHT = 1500, 1060
LABEL_X, VALUE_X = 150, 390
WRAP = 30  # characters of the scope per line


@dataclass
class Licence:
    """One generated document (a licence unless ``document_type`` says otherwise): the
    image (JPEG or PNG bytes), the truth, the noise applied."""

    seed: int
    image: bytes
    truth: dict[str, str]
    noise: dict[str, float] = field(default_factory=dict)
    document_type: str = "business_licence"


@lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(cjk_font_path()), size)


def _code(rng: random.Random, division: str) -> str:
    body = "".join(rng.choice(ALPHABET) for _ in range(8))
    return complete_uscc("91" + division + body)


def _date(rng: random.Random) -> tuple[int, int, int]:
    return rng.randint(1998, 2024), rng.randint(1, 12), rng.randint(1, 28)


def licence_fields(rng: random.Random) -> tuple[dict[str, str], dict[str, str]]:
    """Random licence data: (printed text per field, normalised truth per field)."""
    province, _, _, cities = rng.choice(_MAINLAND)
    city = rng.choice(cities.split())
    suffix = "自治区" if province in _AUTONOMOUS else "省"
    division = f"{rng.randint(11, 65):02d}{rng.randint(1, 20):02d}{rng.randint(1, 30):02d}"
    brand = "".join(rng.sample(_BRAND, rng.choice((2, 2, 3))))
    form, kind = rng.choice(_FORMS)
    name = f"{city}{brand}{rng.choice(_INDUSTRY)}{form}"
    person = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))
    capital_n = rng.choice((50, 100, 200, 300, 500, 800, 1000, 2000, 3000, 5000, 10000))
    capital = rng.choice((f"{capital_n}万元人民币", f"人民币{capital_n}万元"))
    y, m, d = _date(rng)
    est_print, est_iso = f"{y}年{m:02d}月{d:02d}日", f"{y:04d}-{m:02d}-{d:02d}"
    if rng.random() < 0.4:
        term_print, term_norm = f"{est_print}至长期", f"{est_iso}/长期"
    else:
        end = y + rng.choice((10, 20, 30, 50))
        term_print = f"{est_print}至{end}年{m:02d}月{d - 1 if d > 1 else 1:02d}日"
        term_norm = f"{est_iso}/{end:04d}-{m:02d}-{d - 1 if d > 1 else 1:02d}"
    address = (f"{province}{suffix}{city}市{rng.choice(_DISTRICTS)}{rng.choice(_ROADS)}"
               f"{rng.randint(1, 999)}号")
    scope = "；".join(rng.sample(_SCOPE, rng.randint(2, 5))) + "。"
    code = _code(rng, division)
    printed = {"credit_code": code, "name": name, "kind": kind, "legal_representative": person,
               "registered_capital": capital, "established_on": est_print,
               "business_term": term_print, "address": address, "business_scope": scope,
               "authority": f"{city}市{_AUTHORITIES}"}
    truth = {"credit_code": code, "name": name, "legal_representative": person,
             "registered_capital": capital, "established_on": est_iso,
             "business_term": term_norm, "address": address,
             "business_scope": scope.rstrip("。")}
    return printed, truth


def _stamp(text: str, radius: int) -> Image.Image:
    """A red round seal (ring, star, text around the top) on a transparent layer."""
    size = radius * 2 + 8
    layer = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    red = (214, 30, 36, 200)
    c = size // 2
    draw.ellipse((c - radius, c - radius, c + radius, c + radius), outline=red, width=7)
    star = [(c + radius * 0.28 * math.cos(math.radians(-90 + i * 36)) * (1 if i % 2 == 0 else 0.4),
             c + radius * 0.28 * math.sin(math.radians(-90 + i * 36)) * (1 if i % 2 == 0 else 0.4))
            for i in range(10)]
    draw.polygon(star, fill=red)
    font = _font(int(radius * 0.22))
    span = 220.0
    for i, ch in enumerate(text):
        angle = math.radians(-90 - span / 2 + span * (i + 0.5) / len(text))
        glyph = Image.new("RGBA", (font.size + 6, font.size + 6), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((3, 3), ch, font=font, fill=red)
        glyph = glyph.rotate(-math.degrees(angle) - 90, expand=True)
        x = c + (radius * 0.74) * math.cos(angle) - glyph.width / 2
        y = c + (radius * 0.74) * math.sin(angle) - glyph.height / 2
        layer.alpha_composite(glyph, (int(x), int(y)))
    return layer


def render(printed: dict[str, str], rng: random.Random) -> tuple[Image.Image, dict[str, float]]:
    """Draw a licence from its printed text, with noise drawn from ``rng``."""
    tone = rng.randint(236, 252)
    page = Image.new("RGB", (WIDTH, HEIGHT), (tone, tone - rng.randint(0, 8), tone - rng.randint(4, 16)))
    draw = ImageDraw.Draw(page)
    border = (170, 120, 60)
    draw.rectangle((30, 30, WIDTH - 30, HEIGHT - 30), outline=border, width=6)
    draw.rectangle((44, 44, WIDTH - 44, HEIGHT - 44), outline=border, width=2)
    body, small = _font(FONT_PX), _font(28)
    draw.text((WIDTH // 2, 105), "营 业 执 照", font=_font(80), fill=(20, 20, 20), anchor="mm")
    draw.text((LABEL_X, 190), f"统一社会信用代码  {printed['credit_code']}", font=body,
              fill=(15, 15, 15))
    rows = [("名          称", printed["name"]), ("类          型", printed["kind"]),
            ("法定代表人", printed["legal_representative"])]
    scope = printed["business_scope"]
    scope_lines = [scope[i:i + WRAP] for i in range(0, len(scope), WRAP)]
    rows.append(("经营范围", scope_lines[0]))
    rows.extend(("", line) for line in scope_lines[1:])
    rows += [("注册资本", printed["registered_capital"]),
             ("成立日期", printed["established_on"]),
             ("营业期限", printed["business_term"]), ("住          所", printed["address"])]
    y = 260
    for label, value in rows:
        if label:
            draw.text((LABEL_X, y), label, font=body, fill=(15, 15, 15))
        draw.text((VALUE_X, y), value, font=body, fill=(15, 15, 15))
        y += 56
    draw.text((WIDTH - 480, HEIGHT - 170), f"登记机关  {printed['authority']}", font=small,
              fill=(15, 15, 15))
    draw.text((WIDTH - 480, HEIGHT - 120), printed["established_on"], font=small,
              fill=(15, 15, 15))
    return scan_noise(page, printed["authority"], rng)


def scan_noise(page: Image.Image, seal_text: str,
               rng: random.Random) -> tuple[Image.Image, dict[str, float]]:
    """A red seal of ``seal_text`` over the lower right text, paper grain, a rotation of up
    to ±3° and blur up to 1.2 px (JPEG compression is applied when saving)."""
    noise: dict[str, float] = {}
    radius = rng.randint(120, 150)
    seal = _stamp(seal_text, radius)
    sx = rng.randint(WIDTH - 640, WIDTH - 400)  # over the ends of the lower lines
    sy = rng.randint(HEIGHT - 430, HEIGHT - 310)
    page.paste(seal, (sx, sy), seal)
    noise["stamp_x"], noise["stamp_y"] = float(sx), float(sy)
    pixels = np.asarray(page, dtype=np.int16)
    grain = np.random.default_rng(rng.randint(0, 2**31)).normal(0, 6, pixels.shape[:2])
    page = Image.fromarray(np.clip(pixels + grain[..., None], 0, 255).astype(np.uint8))
    angle = rng.uniform(-3.0, 3.0)
    page = page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True,
                       fillcolor=(255, 255, 255))
    blur = rng.uniform(0.0, 1.2)
    if blur > 0.2:
        page = page.filter(ImageFilter.GaussianBlur(blur))
    noise["rotation_deg"], noise["blur_px"] = round(angle, 3), round(blur, 3)
    return page, noise


def make_licence(seed: int, *, quality: int | None = None,
                 printed: dict[str, str] | None = None) -> Licence:
    """The licence of ``seed``: same seed, same image and truth.

    ``quality`` (JPEG) defaults to a seeded value between 70 and 92; the image is returned
    as JPEG bytes then (PNG when ``quality == 0``). ``printed`` replaces generated text
    (e.g. a wrong ``credit_code`` or another ``name``; the truth follows, as printed).
    """
    rng = random.Random(seed)
    printed_text, truth = licence_fields(rng)
    for key, value in (printed or {}).items():
        printed_text[key] = value
        if key in truth:
            truth[key] = value
    printed = printed_text
    page, noise = render(printed, rng)
    return Licence(seed=seed, image=_encode(page, rng, quality, noise), truth=truth,
                   noise=noise)


def _encode(page: Image.Image, rng: random.Random, quality: int | None,
            noise: dict[str, float]) -> bytes:
    q = rng.randint(70, 92) if quality is None else quality
    out = io.BytesIO()
    if q:
        page.save(out, format="JPEG", quality=q)
    else:
        page.save(out, format="PNG")
    noise["jpeg_quality"] = float(q)
    return out.getvalue()


def licence_pdf(licence: Licence) -> bytes:
    """The licence image as a one-page PDF (a scanned document), via Pillow."""
    out = io.BytesIO()
    Image.open(io.BytesIO(licence.image)).convert("RGB").save(out, format="PDF", resolution=150)
    return out.getvalue()
