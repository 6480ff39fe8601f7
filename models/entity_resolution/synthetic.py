"""A small seeded generator of supplier records with ground truth: the model's prior.

When an input has too few pairs labelled by valid credit codes to learn from, the match
model still needs examples; it is fitted on records generated here (plus whatever the
input's codes label). The generator is written from general knowledge of how Chinese and
foreign supplier names vary (the same transformations :mod:`normalise` undoes) and is
deliberately independent of the demo-group simulator in ``demo`` (which the
benchmark evaluates on) and of the hand-labelled pairs (which nothing trains on).

Example:
    >>> records, truth = generate(50, seed=1)
    >>> len(records) == len(truth), set(truth.columns)
    (True, {'record_id', 'company_id'})
"""

from __future__ import annotations

import random

import pandas as pd

from infra.uscc import ALPHABET
from models.entity_resolution.regions import _PROVINCES
from models.entity_resolution.uscc import make_uscc

_BRAND_CHARS = ("华恒鑫宏达源通盛昌泰兴利丰隆瑞祥福安顺金天宇中新海龙凤德信诚永亿嘉佳正和合成远航东方"
                "博长光明辉晟汇惠力立腾飞创鼎峰阳晨星美康健宁世纪联众科元衡鸿扬锦益晋冀鲁豫蒙"
                "润泽宝聚富贵祺锐凯旭豪胜威盈鹏翔英杰俊")
_HOMOPHONES = ("阳扬洋", "恒衡", "宏鸿红", "盛晟胜", "源元圆", "金锦今", "汇惠会", "利立力", "嘉佳家",
               "鑫新欣", "达大", "通同", "祥翔", "泰太", "隆龙", "兴星", "德得", "瑞锐", "凯恺", "旭煦")
_INDUSTRIES = (
    ("煤业", "Coal"), ("化工", "Chemical"), ("建材", "Building Materials"), ("物流", "Logistics"),
    ("机械", "Machinery"), ("钢铁贸易", "Steel Trading"), ("矿山机械", "Mining Machinery"),
    ("五金", "Hardware"), ("电气", "Electric"), ("电缆", "Cable"), ("水泥", "Cement"),
    ("能源", "Energy"), ("科技", "Technology"), ("商贸", "Trading"), ("进出口", "Import & Export"),
    ("运输", "Transport"), ("机电设备", "Electromechanical Equipment"), ("焦化", "Coking"),
    ("耐火材料", "Refractory Materials"), ("液压", "Hydraulic"), ("汽车", "Automobile"),
    ("包装", "Packaging"), ("纺织", "Textile"), ("食品", "Food"), ("医药", "Pharmaceutical"),
    ("劳保用品", "Safety Products"), ("建设工程", "Construction Engineering"), ("环保", "Environmental"),
    ("轴承", "Bearing"), ("阀门", "Valve"), ("管道", "Pipe"), ("煤炭运销", "Coal Sales"),
    ("重工", "Heavy Industry"), ("电子", "Electronics"), ("塑料", "Plastics"), ("仪表", "Instruments"),
)
_CN_LEGAL = (("有限公司", 60), ("有限责任公司", 15), ("股份有限公司", 15), ("集团有限公司", 5), ("厂", 3),
             ("经营部", 2))
_CN_LEGAL_SWAP = ("有限公司", "有限责任公司", "股份有限公司", "股份公司", "公司", "")
_EN_LEGAL = ("Co., Ltd.", "Co. Ltd", "Company Limited", "Co.,Ltd", "Ltd.", "")
_FOREIGN_SYL = ("kra", "vel", "hart", "stein", "berg", "lin", "mar", "tor", "sen", "vik", "rho",
                "dal", "wen", "ter", "gaard", "mann", "ost", "ven", "kon", "sul", "dor", "ax",
                "bel", "fen", "gro", "hol", "ise", "jun", "kai", "lux", "mit", "nor")
_FOREIGN_LEGAL = (("GmbH", "Gesellschaft mit beschränkter Haftung"), ("AG", "Aktiengesellschaft"),
                  ("N.V.", "NV"), ("B.V.", "BV"), ("S.A.", "SA"), ("S.p.A.", "SpA"), ("Oy", "Oy"),
                  ("AB", "Aktiebolag"), ("Inc.", "Incorporated"), ("Ltd.", "Limited"),
                  ("K.K.", "Kabushiki Kaisha"), ("Corporation", "Corp."), ("SE", "S.E."), ("A/S", "AS"))
_FOREIGN_IND = (("Maschinenbau", ""), ("Elektronik", ""), ("Stahl", ""), ("Chemicals", ""),
                ("Engineering", ""), ("Logistics", ""), ("Industries", ""), ("Technology", ""),
                ("", ""), ("", ""), ("Bearings", ""), ("Pumps", ""))
_FOREIGN_CITIES = ("Hamburg", "München", "Stuttgart", "Rotterdam", "Lyon", "Milano", "Göteborg",
                   "Osaka", "Nagoya", "Houston", "Essen", "Graz", "Basel", "Turku", "Aarhus")
_ANNOTATIONS = ("（停用）", "(旧)", "-作废", "（一次性供应商）", "（重复）")


class _Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.cities = [(prov, city) for prov, _a, _l, cs in _PROVINCES[4:31]
                       for city in cs.split()[:6]]
        self.homo = {c: g for g in _HOMOPHONES for c in g}

    def pick(self, seq):
        return seq[self.r.randrange(len(seq))]

    def code(self, prefix: str) -> str:
        body = "MA" + "".join(self.pick(ALPHABET) for _ in range(6))
        return make_uscc(prefix, body)

    def phone(self) -> str:
        return f"0{self.r.randint(310, 999)}-{self.r.randint(2000000, 8999999)}"

    def company(self, cid: str) -> dict:
        r = self.r
        if r.random() < 0.1:
            name = "".join(self.pick(_FOREIGN_SYL) for _ in range(r.randint(2, 3))).capitalize()
            return {"id": cid, "foreign": True, "brand": name, "ind": self.pick(_FOREIGN_IND)[0],
                    "legal": self.pick(_FOREIGN_LEGAL), "city": self.pick(_FOREIGN_CITIES),
                    "uscc": "", "phone": f"+{r.randint(30, 49)} {r.randint(20, 99)} {r.randint(100000, 999999)}",
                    "bank": str(r.randint(10**15, 10**16)), "addr": f"{r.randint(1, 200)} Hauptstraße"}
        prov, city = self.pick(self.cities)
        brand = "".join(self.pick(_BRAND_CHARS) for _ in range(2 if r.random() < 0.85 else 3))
        legal = r.choices([f for f, _ in _CN_LEGAL], [w for _, w in _CN_LEGAL])[0]
        kind = r.choices(("province", "city", "prov_city", "none", "bracket"), (3, 4, 1, 1, 1))[0]
        return {"id": cid, "foreign": False, "brand": brand, "ind": self.pick(_INDUSTRIES),
                "legal": legal, "prov": prov, "city": city, "kind": kind,
                "uscc": self.code(f"91{r.randint(110000, 659999):06d}"), "phone": self.phone(),
                "bank": str(r.randint(10**17, 10**19)), "addr": f"{city}市{self.pick('东西南北中')}大街{r.randint(1, 300)}号",
                "branch": ""}

    def name(self, c: dict, variant: bool) -> str:
        r = self.r
        if c["foreign"]:
            short, long = c["legal"]
            legal = long if variant and r.random() < 0.4 else short
            brand = c["brand"].upper() if variant and r.random() < 0.2 else c["brand"]
            out = " ".join(x for x in (brand, c["ind"], legal) if x)
            if variant and r.random() < 0.2:
                out += " (old)"
            return out
        brand, (ind, _ind_en), legal = c["brand"], c["ind"], c["legal"]
        kind = c["kind"]
        if variant:
            op = r.choices(("legal", "region", "bracket", "abbrev", "homophone", "typo", "pinyin",
                            "width", "space", "note", "same"), (3, 3, 2, 1, 1, 1, 2, 1, 1, 1, 2))[0]
            if op == "legal":
                legal = self.pick(_CN_LEGAL_SWAP)
            elif op == "region":
                kind = self.pick(("province", "city", "prov_city", "none"))
            elif op == "bracket":
                kind = "bracket"
            elif op == "homophone":
                i = r.randrange(len(brand))
                if brand[i] in self.homo:
                    brand = brand[:i] + self.pick(self.homo[brand[i]]) + brand[i + 1:]
            elif op == "typo" and len(ind) >= 2:
                ind = ind[:-1] if r.random() < 0.5 else ind[::-1]
            elif op == "pinyin":
                return self.english(c)
            elif op == "abbrev":
                abbrev = next(a for p, a, _l, _c in _PROVINCES if p == c["prov"])[0]
                return abbrev + brand + ind + legal
        region = {"province": c["prov"], "city": c["city"] + ("市" if r.random() < 0.5 else ""),
                  "prov_city": c["prov"] + c["city"], "none": "", "bracket": ""}[kind]
        out = region + brand + ind + (f"（{c['city']}）" if kind == "bracket" else "") + legal + c["branch"]
        if variant and op == "width":
            out = out.replace("（", "(").replace("）", ")") if "（" in out else out + "　"
        if variant and op == "space":
            out = " ".join(out[k:k + 2] for k in range(0, len(out), 2))
        if variant and op == "note":
            out += self.pick(_ANNOTATIONS)
        return out

    def english(self, c: dict) -> str:
        from pypinyin import lazy_pinyin

        region = "".join(lazy_pinyin(c["city"] if self.r.random() < 0.6 else c["prov"])).capitalize()
        brand = "".join(lazy_pinyin(c["brand"])).capitalize()
        return f"{region} {brand} {c['ind'][1]} {self.pick(_EN_LEGAL)}".strip()

    def record(self, c: dict, rid: str, variant: bool) -> dict:
        r = self.r
        u = r.random()
        if c["foreign"] or u < 0.45:
            code = ""
        elif u < 0.85:
            code = c["uscc"]
        elif u < 0.95:
            k = r.randrange(18)
            code = c["uscc"][:k] + self.pick("0123456789") + c["uscc"][k + 1:]
        else:
            code = self.pick(("000000000000000000", "无", "/"))
        phone = c["phone"] if r.random() < 0.55 else ""
        if phone and r.random() < 0.3:
            phone = phone.replace("-", " ")
        city = c["city"] if r.random() < 0.85 else ""
        if c["foreign"] and city and r.random() < 0.3:  # head office vs the office a unit deals with
            city = self.pick(_FOREIGN_CITIES)
        return {"record_id": rid, "name": self.name(c, variant), "uscc": code,
                "city": city, "phone": phone,
                "address": c["addr"] if r.random() < 0.4 else "",
                "bank_account": c["bank"] if r.random() < 0.25 else ""}

    def twin(self, c: dict, cid: str) -> dict:
        t = dict(self.company(cid))
        if c["foreign"]:
            t = dict(c, id=cid, uscc="", phone=self.phone(), bank=str(self.r.randint(10**15, 10**16)))
            if self.r.random() < 0.5:  # the China subsidiary of a foreign company
                _prov, city = self.pick(self.cities)
                t.update(brand=f"{c['brand']} (China)", legal=("Co., Ltd.", "Company Limited"), city=city)
            else:  # same brand, another line of business
                t.update(ind=self.pick([x for x, _ in _FOREIGN_IND if x and x != c["ind"]]))
            return t
        if t["foreign"]:
            return t
        kind = self.pick(("region", "industry", "homophone", "branch", "branches"))
        t["brand"] = c["brand"]
        if kind == "region":
            t["ind"] = c["ind"]
            t["kind"] = c["kind"] if c["kind"] != "none" else "city"
        elif kind == "industry":
            t.update(prov=c["prov"], city=c["city"], kind=c["kind"])
        elif kind == "homophone":
            i = self.r.randrange(len(c["brand"]))
            ch = c["brand"][i]
            alt = [x for x in self.homo.get(ch, ch) if x != ch] or [self.pick(_BRAND_CHARS)]
            t.update(brand=c["brand"][:i] + self.pick(alt) + c["brand"][i + 1:], ind=c["ind"],
                     prov=c["prov"], city=c["city"], kind=c["kind"])
        else:
            t.update(ind=c["ind"], prov=c["prov"], city=c["city"], kind=c["kind"], legal=c["legal"],
                     branch=f"{self.pick([x for _, x in self.cities])}分公司")
            if kind == "branches" and not c["branch"]:  # two branches of one company
                c["branch"] = f"{self.pick([x for _, x in self.cities])}{self.pick(('分公司', '支行', '营业部'))}"
        return t


def generate(n_companies: int, seed: int, *, twin_rate: float = 0.35,
             max_variants: int = 4) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Records (``record_id, name, uscc, city, phone, address, bank_account``) and truth.

    Args:
        n_companies: companies to generate (near twins count as companies).
        seed: random seed; the output is a pure function of the arguments.
        twin_rate: share of companies that get a near-twin company.
        max_variants: most records per company.
    """
    g = _Gen(seed)
    companies: list[dict] = []
    while len(companies) < n_companies:
        c = g.company(f"C{len(companies):06d}")
        companies.append(c)
        if g.r.random() < twin_rate and len(companies) < n_companies:
            companies.append(g.twin(c, f"C{len(companies):06d}"))
    rows, truth = [], []
    for c in companies:
        for v in range(g.r.randint(1, max_variants)):
            rid = f"R{len(rows):07d}"
            rows.append(g.record(c, rid, variant=v > 0))
            truth.append({"record_id": rid, "company_id": c["id"]})
    return pd.DataFrame(rows), pd.DataFrame(truth)
