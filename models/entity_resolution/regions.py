"""Chinese provinces, prefecture-level cities and their Latin names, for region extraction.

Region words in a company name are evidence of *which* company it is (山西华阳煤业 is not
内蒙古华阳煤业), so :mod:`normalise` takes them out of the brand and keeps them as a
separate part. This table is general knowledge (administrative divisions of the PRC, plus
Hong Kong, Macao, Taiwan and a few county-level cities that commonly head company names),
not fitted to any data set.

Each region is identified by a canonical short Chinese name; cities know their province.
"""

from __future__ import annotations

import functools

#: province short name, abbreviations, Latin names, prefecture-level (and common county-level) cities
_PROVINCES: tuple[tuple[str, str, str, str], ...] = (
    ("北京", "京", "beijing peking", "北京"),
    ("天津", "津", "tianjin tientsin", "天津"),
    ("上海", "沪申", "shanghai", "上海"),
    ("重庆", "渝", "chongqing chungking", "重庆"),
    ("河北", "冀", "hebei", "石家庄 唐山 秦皇岛 邯郸 邢台 保定 张家口 承德 沧州 廊坊 衡水 武安 迁安 定州 辛集"),
    ("山西", "晋", "shanxi", "太原 大同 阳泉 长治 晋城 朔州 晋中 运城 忻州 临汾 吕梁 古交 孝义 介休 霍州 河津 高平"),
    ("内蒙古", "蒙", "inner mongolia|nei mongol|neimenggu",
     "呼和浩特 包头 乌海 赤峰 通辽 鄂尔多斯 呼伦贝尔 巴彦淖尔 乌兰察布 兴安 锡林郭勒 阿拉善 满洲里 霍林郭勒"),
    ("辽宁", "辽", "liaoning", "沈阳 大连 鞍山 抚顺 本溪 丹东 锦州 营口 阜新 辽阳 盘锦 铁岭 朝阳 葫芦岛 瓦房店"),
    ("吉林", "吉", "jilin", "长春 吉林 四平 辽源 通化 白山 松原 白城 延边 延吉"),
    ("黑龙江", "黑", "heilongjiang",
     "哈尔滨 齐齐哈尔 鸡西 鹤岗 双鸭山 大庆 伊春 佳木斯 七台河 牡丹江 黑河 绥化 大兴安岭"),
    ("江苏", "苏", "jiangsu",
     "南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁 昆山 江阴 张家港 常熟 宜兴 太仓"),
    ("浙江", "浙", "zhejiang", "杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水 义乌 慈溪 余姚 乐清"),
    ("安徽", "皖", "anhui",
     "合肥 芜湖 蚌埠 淮南 马鞍山 淮北 铜陵 安庆 黄山 滁州 阜阳 宿州 六安 亳州 池州 宣城"),
    ("福建", "闽", "fujian", "福州 厦门 莆田 三明 泉州 漳州 南平 龙岩 宁德 晋江 石狮"),
    ("江西", "赣", "jiangxi", "南昌 景德镇 萍乡 九江 新余 鹰潭 赣州 吉安 宜春 抚州 上饶"),
    ("山东", "鲁", "shandong",
     "济南 青岛 淄博 枣庄 东营 烟台 潍坊 济宁 泰安 威海 日照 临沂 德州 聊城 滨州 菏泽 邹城 兖州 龙口 寿光"),
    ("河南", "豫", "henan",
     "郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 漯河 三门峡 南阳 商丘 信阳 周口 驻马店 济源 巩义"),
    ("湖北", "鄂楚", "hubei", "武汉 黄石 十堰 宜昌 襄阳 鄂州 荆门 孝感 荆州 黄冈 咸宁 随州 恩施"),
    ("湖南", "湘", "hunan", "长沙 株洲 湘潭 衡阳 邵阳 岳阳 常德 张家界 益阳 郴州 永州 怀化 娄底 湘西 醴陵"),
    ("广东", "粤", "guangdong",
     "广州 韶关 深圳 珠海 汕头 佛山 江门 湛江 茂名 肇庆 惠州 梅州 汕尾 河源 阳江 清远 东莞 中山 潮州 揭阳 云浮"),
    ("广西", "桂", "guangxi", "南宁 柳州 桂林 梧州 北海 防城港 钦州 贵港 玉林 百色 贺州 河池 来宾 崇左"),
    ("海南", "琼", "hainan", "海口 三亚 三沙 儋州"),
    ("四川", "川蜀", "sichuan",
     "成都 自贡 攀枝花 泸州 德阳 绵阳 广元 遂宁 内江 乐山 南充 眉山 宜宾 广安 达州 雅安 巴中 资阳 凉山 阿坝 甘孜"),
    ("贵州", "黔贵", "guizhou", "贵阳 六盘水 遵义 安顺 毕节 铜仁 黔西南 黔东南 黔南"),
    ("云南", "滇云", "yunnan", "昆明 曲靖 玉溪 保山 昭通 丽江 普洱 临沧 楚雄 红河 文山 西双版纳 大理 德宏"),
    ("西藏", "藏", "tibet|xizang", "拉萨 日喀则 昌都 林芝 山南 那曲 阿里"),
    ("陕西", "陕秦", "shaanxi", "西安 铜川 宝鸡 咸阳 渭南 延安 汉中 榆林 安康 商洛 神木 韩城"),
    ("甘肃", "甘陇", "gansu", "兰州 嘉峪关 金昌 白银 天水 武威 张掖 平凉 酒泉 庆阳 定西 陇南 临夏 甘南"),
    ("青海", "青", "qinghai", "西宁 海东 海西 玉树 果洛 格尔木"),
    ("宁夏", "宁", "ningxia", "银川 石嘴山 吴忠 固原 中卫 灵武"),
    ("新疆", "新", "xinjiang",
     "乌鲁木齐 克拉玛依 吐鲁番 哈密 昌吉 阿克苏 喀什 和田 伊犁 塔城 阿勒泰 石河子 库尔勒 巴音郭楞 博尔塔拉"),
    ("香港", "港", "hong kong|hongkong", "香港"),
    ("澳门", "澳", "macau|macao", "澳门"),
    ("台湾", "台", "taiwan", "台北 新北 桃园 台中 台南 高雄 基隆 新竹"),
)

#: Latin names that pinyin does not give (Mongolian/Uyghur/Tibetan names, postal romanisation).
_CITY_LATIN_EXTRA = {
    "鄂尔多斯": "ordos", "呼和浩特": "hohhot", "乌鲁木齐": "urumqi", "哈尔滨": "harbin",
    "拉萨": "lhasa", "格尔木": "golmud", "喀什": "kashgar kashi", "齐齐哈尔": "qiqihar",
    "呼伦贝尔": "hulunbuir", "锡林郭勒": "xilingol", "克拉玛依": "karamay", "吐鲁番": "turpan",
    "日喀则": "shigatse", "西安": "xi an|sian", "青岛": "tsingtao|tsingtau", "广州": "canton",
    "厦门": "amoy", "南京": "nanking", "杭州": "hangchow", "苏州": "soochow", "福州": "foochow",
    "汕头": "swatow", "六安": "lu an", "包头": "baotou", "长治": "changzhi", "朝阳": "chaoyang",
    "漯河": "luohe", "阿勒泰": "altay", "库尔勒": "korla", "昌都": "qamdo",
}

#: Countries and macro-regions that appear in company names ("(China)", "Europe", 华东 …).
_COUNTRIES = {
    "CN": ("中国 中华 全国", "china prc chinese"),
    "DE": ("德国", "germany deutschland german"),
    "FR": ("法国", "france"),
    "NL": ("荷兰", "netherlands nederland holland"),
    "JP": ("日本", "japan nippon"),
    "KR": ("韩国", "korea"),
    "US": ("美国", "america usa us"),
    "UK": ("英国", "uk britain"),
    "IN": ("印度", "india"),
    "EU": ("欧洲", "europe european"),
    "ASIA": ("亚洲", "asia asian"),
    "IT": ("意大利", "italy italia"),
    "SG": ("新加坡", "singapore"),
}
#: county-level cities listed above -> their prefecture (a record in 邹城 is also in 济宁).
COUNTY_PARENT = dict(pair.split(":") for pair in ["武安:邯郸", "迁安:唐山", "定州:保定", "辛集:石家庄", "古交:太原", "孝义:吕梁", "介休:晋中", "霍州:临汾", "河津:运城", "高平:晋城", "满洲里:呼伦贝尔", "霍林郭勒:通辽", "瓦房店:大连", "延吉:延边", "昆山:苏州", "江阴:无锡", "张家港:苏州", "常熟:苏州", "宜兴:无锡", "太仓:苏州", "义乌:金华", "慈溪:宁波", "余姚:宁波", "乐清:温州", "晋江:泉州", "石狮:泉州", "邹城:济宁", "兖州:济宁", "龙口:烟台", "寿光:潍坊", "巩义:郑州", "醴陵:株洲", "神木:榆林", "韩城:渭南", "格尔木:海西", "灵武:银川", "库尔勒:巴音郭楞"])
MACRO_REGIONS = ("华北", "华东", "华南", "华中", "西北", "西南", "东北")


@functools.lru_cache(maxsize=1)
def tables() -> dict[str, dict]:
    """Lookup tables, built once on first use (pinyin of city names via pypinyin).

    Returns:
        ``{"province_of": {city: province}, "cn": {chinese name: region id},
        "abbrev": {char: province}, "latin": {latin phrase: region id}, "province_ids": set}``
        Region ids are ``"P:<province>"``, ``"C:<city>"``, ``"X:<country>"``, ``"M:<macro>"``.
    """
    from pypinyin import lazy_pinyin

    cn: dict[str, str] = {}
    latin: dict[str, str] = {}
    abbrev: dict[str, str] = {}
    province_of: dict[str, str] = {}
    for prov, abbrs, lat, cities in _PROVINCES:
        pid = f"P:{prov}"
        cn[prov] = pid
        for ch in abbrs:
            abbrev.setdefault(ch, prov)
        for name in lat.split("|") if "|" in lat else lat.split():
            latin[name] = pid
        for city in cities.split():
            if city == prov:  # municipalities: the city is the province
                continue
            province_of[city] = prov
            cn.setdefault(city, f"C:{city}")
            extra = _CITY_LATIN_EXTRA.get(city)
            names = extra.split("|") if extra else []
            names.append("".join(lazy_pinyin(city)))
            for name in names:
                latin.setdefault(name, f"C:{city}")
    for name, extra in _CITY_LATIN_EXTRA.items():  # municipalities with postal names
        if name in cn and cn[name].startswith("P:"):
            for alias in extra.split("|"):
                latin.setdefault(alias, cn[name])
    for code, (cn_words, lat_words) in _COUNTRIES.items():
        for word in cn_words.split():
            cn.setdefault(word, f"X:{code}")
        for word in lat_words.split():
            latin.setdefault(word, f"X:{code}")
    for macro in MACRO_REGIONS:
        cn.setdefault(macro, f"M:{macro}")
    return {
        "cn": cn,
        "latin": latin,
        "abbrev": abbrev,
        "province_of": province_of,
    }


def province_of(region_id: str) -> str | None:
    """The province of a ``P:``/``C:`` region id (``None`` for countries and macro-regions)."""
    if region_id.startswith("P:"):
        return region_id[2:]
    if region_id.startswith("C:"):
        return tables()["province_of"].get(region_id[2:])
    return None
