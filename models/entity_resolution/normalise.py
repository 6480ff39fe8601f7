"""Normalisation of company names into comparable parts: region, brand, industry, legal form.

Why: the same company is written 山西华阳煤业有限公司, 华阳煤业（阳泉）有限责任公司,
"Shanxi Huayang Coal Co., Ltd."; two different companies differ only in a region
(内蒙古华阳煤业) or an industry word (华阳化工). So a name is not compared as one string:
:func:`parse_name` splits it into parts that :mod:`features` compares separately.

Steps (same for every name; nothing here is fitted to a data set):
width/bracket folding (NFKC, 【】〔〕［］ → ()) → ERP annotations dropped ((停用), "- old") →
bracketed regions/legal words taken out → branch suffix (…分公司) split off → legal forms,
group words, trailing regions and industry words stripped from the end → leading regions
(province, city, district, country, macro-region) stripped → a leading province abbreviation
(晋, 冀 …) kept, with an alternative parse without it → brand = what remains. Latin names go
through the same steps on folded tokens (ü→u, "s.p.a."→"spa"). Pinyin of the brand (pypinyin,
toneless) is the key on which a Chinese name meets its pinyin/English twin; English industry
words map to the same concepts as Chinese ones (Coal ↔ 煤业).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from models.entity_resolution import vocab
from models.entity_resolution.hanzi import pinyin_syllables, to_simplified
from models.entity_resolution.numerals import digits_to_cn as _digits_to_cn
from models.entity_resolution.numerals import numbers as _numbers
from models.entity_resolution.regions import tables

#: Latin legal forms are compared by class: Corporation, K.K., AG, N.V., Ltd. are all one kind
#: of incorporated company written in different languages; partnerships and sole traders differ.
_LATIN_LEGAL_CLASS = {"ltd": "corp", "inc": "corp", "jsc": "corp", "plc": "corp", "co": "corp"}
_CJK = re.compile(r"[\u3400-\u9fff]")
_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "［": "(", "］": ")",
                           "[": "(", "]": ")", "{": "(", "}": ")", "〈": "(", "〉": ")",
                           "《": "", "》": "", "“": "", "”": "", "\"": "", "‘": "", "’": "'",
                           "「": "", "」": "", "『": "", "』": ""})
_LATIN_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d",
                             "þ": "th", "ı": "i", "Æ": "ae", "Ø": "o", "Œ": "oe", "Ł": "l"})


@dataclass(frozen=True, slots=True)
class NameParts:
    """A parsed company name; see the module docstring."""

    display: str  # cleaned name for people (annotations dropped, width folded)
    script: str  # "cjk" or "latin"
    brand: str  # CJK characters or space-joined Latin tokens
    brand_key: str  # toneless pinyin / folded Latin, no spaces; "#concept" if brand is generic
    alt_brand_key: str  # brand_key without a leading province abbreviation ("" if none)
    alt_regions: frozenset[str]  # regions under the alternative parse
    regions: frozenset[str]
    industry: frozenset[str]
    industry_text: str
    core_key: str  # brand + industry words, pinyin/folded (no region, no legal form)
    legal: str  # canonical legal form, "" if none
    group: bool
    branch: str  # normalised branch part ("" if not a branch)
    numbers: frozenset[int]


def _fold_width(text: str) -> str:
    text = to_simplified(unicodedata.normalize("NFKC", text).translate(_BRACKETS))
    return re.sub(r"\s+", " ", text).strip()


def _fold_latin(text: str) -> str:
    text = text.translate(_LATIN_FOLD)
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def german_fold(key: str) -> str:
    """ae/oe/ue → a/o/u so that Müller (→muller) meets Mueller; applied to every Latin key."""
    return key.replace("ae", "a").replace("oe", "o").replace("ue", "u")


@functools.lru_cache(maxsize=1)
def _lexicon() -> dict:
    """Compiled lookups (built on first use, never at import)."""
    from pypinyin import lazy_pinyin

    t = tables()
    cn_regions = sorted(t["cn"], key=len, reverse=True)
    suffix = r"(?:壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市|地区|自治州|州|盟)?"
    prefix_re = re.compile("^(" + "|".join(map(re.escape, cn_regions)) + ")" + suffix)
    cn_industry: dict[str, frozenset[str]] = {}
    latin_industry: dict[tuple[str, ...], frozenset[str]] = {}
    for concept, (cn_words, latin_words) in vocab.INDUSTRY.items():
        for word in cn_words.split():
            cn_industry[word] = cn_industry.get(word, frozenset()) | {concept}
            if len(word) >= 2:
                key = ("".join(lazy_pinyin(word)),)
                latin_industry[key] = latin_industry.get(key, frozenset()) | {concept}
        for phrase in _split_phrases(latin_words):
            toks = _latin_key(phrase)
            if toks:
                latin_industry[toks] = latin_industry.get(toks, frozenset()) | {concept}
    latin_legal = {_latin_key(k): v for k, v in vocab.LATIN_LEGAL.items() if _latin_key(k)}
    latin_prefix = {tuple(k.split()): v for k, v in vocab.LATIN_LEGAL_PREFIX.items()}
    latin_regions = {tuple(k.split()): v for k, v in t["latin"].items()}
    return {
        "prefix_re": prefix_re, "cn_regions": t["cn"], "abbrev": t["abbrev"],
        "cn_legal": sorted(vocab.CN_LEGAL, key=len, reverse=True),
        "cn_industry": cn_industry, "latin_industry": latin_industry,
        "latin_legal": latin_legal, "latin_prefix": latin_prefix, "latin_regions": latin_regions,
        "annotations": set(vocab.ANNOTATIONS_CN) | set(vocab.ANNOTATIONS_LATIN),
    }


def _split_phrases(words: str) -> list[str]:
    """Latin industry entries are comma-separated words or phrases."""
    return [w.strip() for w in words.split(",") if w.strip()]


def _latin_key(phrase: str) -> tuple[str, ...]:
    """A vocabulary phrase as the token tuple a folded name would contain."""
    text = re.sub(r"[^a-z0-9]+", " ", _fold_latin(phrase).replace("&", " and "))
    return tuple(t for t in text.split() if t not in vocab.LATIN_STOP or t in ("as", "e"))


@functools.lru_cache(maxsize=500_000)
def _pinyin(text: str) -> str:
    return german_fold("".join(pinyin_syllables(text)).lower().replace("ü", "v"))


def _classify_bracket(content: str, lex: dict) -> tuple[str, str]:
    """What a bracketed segment is: ("region", id) / ("legal", form) / ("note", "") / ("keep", text)."""
    c = content.strip()
    low = _fold_latin(c).strip(" .-")
    if not c or low in lex["annotations"] or any(a in c for a in vocab.ANNOTATIONS_CN if len(a) > 1):
        return "note", ""
    if c in lex["abbrev"] and len(c) == 1:
        return "region", f"P:{lex['abbrev'][c]}"
    m = lex["prefix_re"].match(c)
    if m and m.end() == len(c):
        return "region", lex["cn_regions"][m.group(1)]
    toks = tuple(re.sub(r"[^a-z0-9]+", " ", low).split())
    if toks in lex["latin_regions"]:
        return "region", lex["latin_regions"][toks]
    if c in ("集团", "控股集团") or toks in ((g,) for g in vocab.LATIN_GROUP):
        return "group", ""
    if toks in lex["latin_legal"]:
        return "legal", lex["latin_legal"][toks]
    return "keep", c


@functools.lru_cache(maxsize=200_000)
def parse_name(raw: str) -> NameParts:
    """Split one company name into :class:`NameParts`.

    Example:
        >>> p = parse_name("山西华阳煤业有限公司")
        >>> (p.brand, p.brand_key, sorted(p.regions), sorted(p.industry), p.legal)
        ('华阳', 'huayang', ['P:山西'], ['coal'], 'ltd')
        >>> parse_name("Shanxi Huayang Coal Co., Ltd.").brand_key
        'huayang'
    """
    lex = _lexicon()
    text = _fold_width(raw or "")
    text = re.sub(r"^[*#!\s]+", "", text)
    regions: set[str] = set()
    legal, group = "", False
    # bracketed segments
    kept = []
    for piece in re.split(r"(\([^()]*\))", text):
        if piece.startswith("(") and piece.endswith(")"):
            kind, value = _classify_bracket(piece[1:-1], lex)
            if kind == "region":
                regions.add(value)
            elif kind == "legal":
                legal = legal or value
            elif kind == "group":
                group = True
            elif kind == "keep":
                kept.append(" " + value + " ")
            continue
        kept.append(piece)
    text = "".join(kept).replace("(", " ").replace(")", " ")
    # trailing "- note" / "/ region" segments
    m = re.match(r"^(.*\S)\s*[-–—/|]+\s*([^-–—/|]+)$", text)
    if m:
        kind, value = _classify_bracket(m.group(2), lex)
        if kind in ("region", "note"):
            text = m.group(1)
            if kind == "region":
                regions.add(value)
    display = re.sub(r"\s+", " ", text).strip(" .")
    if _CJK.search(text):
        return _parse_cjk(display, regions, legal, group, lex)
    return _parse_latin(display, regions, legal, group, lex)


#: Punctuation an ERP clerk leaves at the end of a name ("…有限公司。", "…Ltd.,").
_TRAILING_PUNCTUATION = "。．.,，;；、:：!！?？ \t"


def clean_display(display: str) -> str:
    """A name fit for a golden record: trailing punctuation dropped and a region prefix
    typed twice collapsed to its first spelling.

    Examples:
        >>> clean_display("北京中建钢材有限公司。")
        '北京中建钢材有限公司'
        >>> clean_display("北京北京中建钢材有限公司")
        '北京中建钢材有限公司'
        >>> clean_display("北京市北京中建钢材有限公司")
        '北京市中建钢材有限公司'
        >>> clean_display("北京北方钢材有限公司")  # another name that starts like a region
        '北京北方钢材有限公司'
        >>> clean_display("Foshan Tiles Co., Ltd.")
        'Foshan Tiles Co., Ltd'
    """
    text = display.strip().rstrip(_TRAILING_PUNCTUATION)
    lex = _lexicon()
    first = lex["prefix_re"].match(text)
    if first:
        second = lex["prefix_re"].match(text[first.end():])
        if (second and lex["cn_regions"][first.group(1)] == lex["cn_regions"][second.group(1)]
                and len(text) - first.end() - second.end() >= 2):
            text = text[:first.end()] + text[first.end() + second.end():]
    return text


def _strip_regions_prefix(s: str, regions: set[str], lex: dict, min_rest: int = 2) -> str:
    after_city = False
    while True:
        m = lex["prefix_re"].match(s)
        if m and len(s) - m.end() >= min_rest:
            regions.add(lex["cn_regions"][m.group(1)])
            s = s[m.end():]
            after_city = True
            continue
        if after_city:
            d = re.match(r"^[\u3400-\u9fff]{1,4}?(?:新区|区|县|旗)", s)
            if d and len(s) - d.end() >= max(min_rest, 1):
                s = s[d.end():]
                continue
        return s


def _parse_cjk(display: str, regions: set[str], legal: str, group: bool, lex: dict) -> NameParts:
    s = _digits_to_cn(re.sub(r"[^0-9a-zA-Z\u3400-\u9fff]", "", display).lower())
    numbers = _numbers(s)
    branch = ""
    for marker in vocab.CN_BRANCH:
        idx = s.rfind(marker)
        if idx > 0 and idx + len(marker) >= len(s) - 1:
            head = s[:idx]
            cut = max((head.rfind(f) + len(f) for f in lex["cn_legal"] if f in head), default=-1)
            if cut > 0:
                branch_regions: set[str] = set()
                rest = _strip_regions_prefix(head[cut:], branch_regions, lex, 0)
                branch = marker + "|" + ",".join(sorted(branch_regions)) + "|" + rest
                s = head[:cut]
            else:
                branch = marker + "||" + head
                s = head
            break
    changed = True
    while changed and s:  # legal forms, group words and trailing regions, from the end
        changed = False
        for form in lex["cn_legal"]:
            if s.endswith(form) and len(s) > len(form):
                legal = legal or vocab.CN_LEGAL[form]
                s, changed = s[: -len(form)], True
                break
        if not changed and s.endswith("集团") and len(s) > 2:
            group, s, changed = True, s[:-2], True
        if not changed:
            s, changed = _strip_region_tail(s, regions, lex)
    s = _strip_regions_prefix(s, regions, lex)
    industry: set[str] = set()
    industry_words: list[str] = []
    changed = True
    while changed and len(s) > 2:  # industry words (and regions/group words between them)
        if s in lex["cn_industry"]:
            break
        changed = False
        for n in range(min(6, len(s) - 2), 0, -1):
            tail = s[-n:]
            if tail in lex["cn_industry"]:
                industry |= lex["cn_industry"][tail]
                industry_words.insert(0, tail)
                s, changed = s[:-n], True
                break
        if not changed and s.endswith("集团") and len(s) > 3:
            group, s, changed = True, s[:-2], True
        if not changed:
            s, changed = _strip_region_tail(s, regions, lex)
    alt_key, alt_regions = "", frozenset()
    if len(s) >= 3 and s[0] in lex["abbrev"]:
        alt_regions = frozenset(regions | {f"P:{lex['abbrev'][s[0]]}"})
        alt_key = _pinyin(s[1:])
    brand = s
    if brand in lex["cn_industry"]:  # the brand is itself a generic word (上海电气 → 电气)
        industry |= lex["cn_industry"][brand]
        industry_words.insert(0, brand)
        brand = ""
    industry = _drop_generic(industry)
    industry_text = "".join(industry_words)
    brand_key = _fallback_key(brand, industry, regions) if not brand else _pinyin(brand)
    return NameParts(display, "cjk", brand, brand_key, alt_key, alt_regions, frozenset(regions),
                     frozenset(industry), industry_text, _pinyin(brand + industry_text),
                     legal, group, branch, numbers)


def _strip_region_tail(s: str, regions: set[str], lex: dict) -> tuple[str, bool]:
    for n in range(min(6, len(s) - 2), 1, -1):
        tail = s[-n:]
        base = tail[:-1] if tail[-1] in "省市" else tail
        if base in lex["cn_regions"] and len(base) >= 2:
            regions.add(lex["cn_regions"][base])
            return s[:-n], True
    return s, False


def _drop_generic(industry: set[str]) -> frozenset[str]:
    """"Coal Industry" is coal: the generic 'industrial' concept only counts alone."""
    if len(industry) > 1:
        industry = industry - {"industrial"}
    return frozenset(industry)


def _fallback_key(brand: str, industry: frozenset[str] | set[str], regions: set[str]) -> str:
    if brand:
        return brand
    if industry:
        return "#" + "+".join(sorted(industry))
    return "@" + ",".join(sorted(regions))


def _match_tail(toks: list[str], table: dict, max_n: int = 5) -> tuple[int, object]:
    for n in range(min(max_n, len(toks)), 0, -1):
        key = tuple(toks[-n:])
        if key in table:
            return n, table[key]
    return 0, None


def _parse_latin(display: str, regions: set[str], legal: str, group: bool, lex: dict) -> NameParts:
    text = _fold_latin(display).replace("&", " and ").replace("'", " ")
    text = re.sub(r"(?<![a-z0-9])([a-z])\.", r"\1", text)  # s.p.a. -> spa, n.v. -> nv
    toks = [t for t in re.sub(r"[^a-z0-9]+", " ", text).split()]
    numbers = frozenset(int(t) for t in toks if t.isdigit())
    branch = ""
    for i, tok in enumerate(toks):
        if tok in vocab.LATIN_BRANCH and i > 0:
            branch = tok + "||" + " ".join(toks[i + 1:])
            toks = toks[:i]
            break
    toks = [t for t in toks if t not in vocab.LATIN_STOP or t in ("as", "e")]
    changed = True
    while changed and toks:  # legal forms, group words, trailing regions
        changed = False
        n, form = _match_tail(toks, lex["latin_legal"])
        if n and len(toks) > n:
            legal, toks, changed = legal or form, toks[:-n], True
            continue
        if toks[-1] in vocab.LATIN_GROUP and len(toks) > 1:
            group, toks, changed = True, toks[:-1], True
            continue
        n, region = _match_tail(toks, lex["latin_regions"], 3)
        if n and len(toks) > n:
            regions.add(region)
            toks, changed = toks[:-n], True
    lead_region: list[tuple[list[str], str]] = []
    while toks:  # leading legal words and regions
        n = next((k for k in (2, 1) if tuple(toks[:k]) in lex["latin_prefix"] and len(toks) > k), 0)
        if n:
            legal = legal or lex["latin_prefix"][tuple(toks[:n])]
            toks = toks[n:]
            continue
        n = next((k for k in (3, 2, 1) if tuple(toks[:k]) in lex["latin_regions"] and len(toks) > k), 0)
        if n:
            lead_region.append((toks[:n], lex["latin_regions"][tuple(toks[:n])]))
            regions.add(lead_region[-1][1])
            toks = toks[n:]
            continue
        break
    industry: set[str] = set()
    industry_words: list[str] = []
    changed = True
    while changed and len(toks) > 1:
        changed = False
        n, concepts = _match_tail(toks, lex["latin_industry"], 4)
        if n and len(toks) > n:
            industry |= concepts
            industry_words[:0] = toks[-n:]
            toks, changed = toks[:-n], True
            continue
        if toks[-1] in vocab.LATIN_GROUP:
            group, toks, changed = True, toks[:-1], True
            continue
        n, region = _match_tail(toks, lex["latin_regions"], 3)
        if n and len(toks) > n:
            regions.add(region)
            toks, changed = toks[:-n], True
    toks = [t for t in toks if t not in vocab.LATIN_GROUP or len(toks) == 1]
    brand = " ".join(toks)
    if tuple(toks) in lex["latin_industry"]:
        industry |= lex["latin_industry"][tuple(toks)]
        industry_words[:0] = toks
        brand = ""
    industry = _drop_generic(industry)
    legal = _LATIN_LEGAL_CLASS.get(legal, legal)
    brand_key = german_fold(brand.replace(" ", "")) if brand else _fallback_key("", industry, regions)
    alt_key, alt_regions = "", frozenset()
    if lead_region:  # "Baoshan Iron & Steel": the leading place name may be the brand (宝山)
        words, region = lead_region[-1]
        alt_key = german_fold("".join(words) + brand.replace(" ", ""))
        alt_regions = frozenset(regions - {region})
    core = german_fold((brand + " ".join(industry_words)).replace(" ", ""))
    return NameParts(display, "latin", brand, brand_key, alt_key, alt_regions, frozenset(regions),
                     frozenset(industry), " ".join(industry_words), core, legal, group, branch,
                     numbers)
