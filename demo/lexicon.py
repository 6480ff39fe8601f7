"""Word lists the company-name generator draws from.

Chinese enterprise names follow 行政区划 + 字号 + 行业 + 组织形式 (region + brand + industry +
legal form). This module holds curated lists for each part, the homophone table used for
同音字 typos (and for homophone near-twin brands), English renderings of industries and
legal forms, and the pieces of foreign (German, Dutch, US, Japanese, Australian,
Indonesian) supplier names. Data only; no logic beyond tiny lookups.
"""

from __future__ import annotations

#: Characters used in brands (字号): the auspicious, common ones real companies use.
BRAND_CHARS = (
    "华阳鑫源泰通达恒盛隆兴宏丰金安昌德利瑞嘉凯祥富天宇腾辉博汇联众诚信旺振坤晶远鼎润峰"
    "海龙东方明光永正和新亿万顺友合成开元乾森荣茂诺中国建科力英伟平胜长江山云星宝美"
)

#: 同音字: characters that sound alike (same pinyin, tone ignored). Symmetric use.
HOMOPHONES: dict[str, str] = {
    "华": "化桦骅", "阳": "扬洋杨", "鑫": "新欣馨", "源": "元园原", "泰": "太钛",
    "通": "同桐彤", "恒": "衡珩亨", "盛": "晟胜圣", "隆": "龙珑", "兴": "星幸",
    "宏": "鸿弘洪", "丰": "峰锋沣", "金": "锦今津", "安": "鞍岸", "昌": "畅常",
    "德": "得", "利": "力立莉", "瑞": "睿锐蕊", "嘉": "佳家加", "凯": "恺铠楷",
    "祥": "翔详", "富": "福复甫", "天": "添田", "宇": "禹雨羽", "腾": "滕藤",
    "辉": "晖徽", "博": "波搏柏", "汇": "惠慧", "联": "连廉", "众": "中忠",
    "诚": "城成承", "信": "新欣", "旺": "望汪", "振": "镇震", "坤": "昆鲲",
    "晶": "京精菁", "远": "源元苑", "鼎": "顶定", "润": "闰", "峰": "丰锋",
    "龙": "隆珑", "东": "冬栋", "明": "铭鸣", "光": "广", "永": "勇咏",
    "正": "政铮", "和": "合禾", "新": "鑫欣", "亿": "益毅艺", "顺": "舜",
    "友": "有佑", "合": "和禾", "成": "诚城", "元": "源园", "乾": "前虔",
    "荣": "融蓉", "茂": "贸懋", "中": "忠钟", "建": "健剑", "科": "柯",
    "力": "利立", "英": "鹰瑛", "伟": "威玮", "平": "萍坪", "胜": "盛晟",
    "长": "昌畅", "江": "疆姜", "山": "杉珊", "云": "芸耘", "星": "兴", "宝": "保葆",
    "美": "镁",
}

#: Industries (行业表述): Chinese word, English rendering, supply sector.
INDUSTRIES: tuple[tuple[str, str, str], ...] = (
    ("煤业", "Coal", "coal"),
    ("煤炭", "Coal", "coal"),
    ("矿业", "Mining", "coal"),
    ("能源", "Energy", "coal"),
    ("洗煤", "Coal Washing", "coal"),
    ("电力设备", "Power Equipment", "power_equipment"),
    ("电气", "Electric", "power_equipment"),
    ("电缆", "Cable", "power_equipment"),
    ("化工", "Chemical", "chemicals"),
    ("化学", "Chemical", "chemicals"),
    ("石化", "Petrochemical", "chemicals"),
    ("新材料", "New Materials", "chemicals"),
    ("建材", "Building Materials", "building_materials"),
    ("水泥", "Cement", "building_materials"),
    ("陶瓷", "Ceramics", "building_materials"),
    ("涂料", "Coatings", "building_materials"),
    ("钢铁", "Iron & Steel", "steel"),
    ("钢材", "Steel", "steel"),
    ("特钢", "Special Steel", "steel"),
    ("机械", "Machinery", "machinery"),
    ("机电", "Mechanical & Electrical", "machinery"),
    ("重工", "Heavy Industry", "machinery"),
    ("五金", "Hardware", "machinery"),
    ("轴承", "Bearing", "machinery"),
    ("物流", "Logistics", "logistics"),
    ("运输", "Transportation", "logistics"),
    ("供应链", "Supply Chain", "logistics"),
    ("贸易", "Trading", "trading"),
    ("商贸", "Trading", "trading"),
    ("有色金属", "Nonferrous Metals", "nonferrous"),
    ("铝业", "Aluminium", "nonferrous"),
)

#: Legal forms (组织形式) with their relative frequency and English rendering.
LEGAL_FORMS: tuple[tuple[str, float, str], ...] = (
    ("有限公司", 0.50, "Co., Ltd."),
    ("有限责任公司", 0.24, "Co., Ltd."),
    ("股份有限公司", 0.14, "Co., Ltd."),
    ("集团有限公司", 0.10, "Group Co., Ltd."),
    ("集团股份有限公司", 0.02, "Group Co., Ltd."),
)

#: What each legal form is written as in another unit's ERP (legal_form_swap variants).
LEGAL_FORM_SWAPS: dict[str, tuple[str, ...]] = {
    "有限公司": ("有限责任公司", "公司", "股份有限公司"),
    "有限责任公司": ("有限公司", "公司"),
    "股份有限公司": ("股份公司", "有限公司", "股份有限责任公司"),
    "集团有限公司": ("集团公司", "集团", "集团有限责任公司"),
    "集团股份有限公司": ("集团股份公司", "集团有限公司", "集团"),
}

#: Streets used in addresses.
ROADS = (
    "建设路", "人民路", "解放路", "中山路", "长江路", "黄河路", "迎宾路", "新华路", "和平路",
    "胜利街", "工业大道", "开发区大道", "朝阳路", "文化路", "光明路", "滨河路", "创业路",
    "科技路", "振兴路", "友谊路", "学府街", "长治路", "煤机街", "产业园路",
)

#: District-like address parts and their common abbreviation (address_abbreviation).
DISTRICTS: tuple[tuple[str, str], ...] = (
    ("高新技术产业开发区", "高新区"),
    ("经济技术开发区", "经开区"),
    ("工业园区", "工业园"),
    ("新城区", "新城区"),
    ("城区", "城区"),
    ("综合保税区", "综保区"),
)

BANKS = (
    "中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "交通银行", "招商银行",
    "中信银行", "兴业银行", "浦发银行", "中国民生银行", "中国光大银行", "华夏银行",
)

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
)
GIVEN_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红文辉鹏宇浩凯俊帅玲燕飞斌波宁欣琳婷雪慧晨阳峰健亮林海成龙志春"

#: Foreign supplier name parts per country: (surname/place stems, industry words, legal forms).
FOREIGN_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "DE": (
        ("Müller", "Schröder", "Köhler", "Weiß", "Hoffmann", "Krämer", "Becker", "Rhein-Ruhr"),
        ("Anlagenbau", "Industrietechnik", "Maschinenfabrik", "Fördertechnik", "Chemie"),
        ("GmbH", "AG", "GmbH & Co. KG"),
    ),
    "NL": (
        ("Van der Berg", "De Vries", "Maasvlakte", "Van Dijk", "Bakker"),
        ("Logistics", "Chemicals", "Trading", "Bulk Handling"),
        ("N.V.", "B.V."),
    ),
    "US": (
        ("Summit", "Allegheny", "Gulf Coast", "Liberty", "Pioneer", "Keystone"),
        ("Industrial Supply", "Mining Equipment", "Chemical", "Bearing", "Power Systems"),
        ("Inc.", "LLC", "Corporation"),
    ),
    "JP": (
        ("Tanaka", "Yamamoto", "Nakamura", "Kobayashi", "Sumida", "Hokuto"),
        ("Seiki", "Kogyo", "Denki", "Kagaku", "Shoji"),
        ("Co., Ltd.", "K.K."),
    ),
    "AU": (
        ("Hunter Valley", "Bowen Basin", "Southern Cross", "Coral Sea", "Kestrel"),
        ("Coal", "Resources", "Mining", "Minerals"),
        ("Pty Ltd", "Limited"),
    ),
    "ID": (
        ("Kaltim", "Borneo", "Mahakam", "Sumber", "Bara"),
        ("Batubara", "Energi", "Tambang", "Resources"),
        ("Tbk", ""),
    ),
    "SG": (
        ("Straits", "Lion City", "Marina", "Orient"),
        ("Commodities", "Resources", "Trading"),
        ("Pte. Ltd.",),
    ),
}

#: How the same foreign legal form is written elsewhere (legal_form_swap for Latin names).
FOREIGN_LEGAL_SWAPS: dict[str, tuple[str, ...]] = {
    "GmbH": ("G.m.b.H.", "Gmbh", "GMBH"),
    "AG": ("A.G.", "Aktiengesellschaft"),
    "GmbH & Co. KG": ("GmbH & Co KG", "GmbH u. Co. KG"),
    "N.V.": ("NV", "N.V"),
    "B.V.": ("BV", "B.V"),
    "Inc.": ("Inc", "Incorporated", ", Inc."),
    "LLC": ("L.L.C.", "Llc"),
    "Corporation": ("Corp.", "Corp"),
    "Co., Ltd.": ("Co. Ltd.", "Company Limited", "Co Ltd"),
    "K.K.": ("Kabushiki Kaisha", "KK"),
    "Pty Ltd": ("Pty. Ltd.", "Pty Limited", "PTY LTD"),
    "Limited": ("Ltd", "Ltd."),
    "Tbk": ("Tbk.", "TBK"),
    "": ("Tbk",),
    "Pte. Ltd.": ("Pte Ltd", "Private Limited"),
}

#: Umlauts and their ASCII transliteration (the "transliteration" variant).
TRANSLITERATIONS = {"ü": "ue", "ö": "oe", "ä": "ae", "ß": "ss", "Ü": "Ue", "Ö": "Oe", "Ä": "Ae"}


def legal_form_english(legal_form: str) -> str:
    """English rendering of a Chinese legal form (``Co., Ltd.`` by default)."""
    for zh, _, en in LEGAL_FORMS:
        if zh == legal_form:
            return en
    return "Group Co., Ltd." if legal_form.startswith("集团") else "Co., Ltd."
