"""Words that are not the brand: legal forms, branch markers, industries, ERP annotations.

A company name is region + brand (字号) + industry + legal form (+ branch). Matching compares
these parts separately, so each list here says which words belong to which part. Industry
words carry a language-neutral concept (``coal``) so that 煤业 meets "Coal" and "Kohle".
Everything here is general knowledge of company naming, in Chinese and in Latin-script
languages (English, German, Dutch, French, Italian, Spanish, Nordic, Japanese romanisation).
"""

from __future__ import annotations

#: Chinese legal-form suffixes -> canonical form (longest first when matching).
CN_LEGAL = {
    "股份有限公司": "jsc", "股份公司": "jsc", "有限责任公司": "ltd", "有限公司": "ltd",
    "集团公司": "group", "集团有限公司": "group", "总公司": "hq", "公司": "co",
    "有限合伙": "lp", "普通合伙": "gp", "合伙企业": "lp", "个人独资企业": "sole",
    "厂": "works", "经营部": "shop", "商行": "shop", "商店": "shop", "门市部": "shop",
    "店": "shop", "工作室": "shop", "个体工商户": "sole", "个体": "sole",
    "事务所": "firm", "合作社": "coop", "专业合作社": "coop",
}
#: words that mark a group (集团) — a legal-form-like part, kept as a flag.
CN_GROUP = ("集团",)
#: branch markers: the text before them (after the parent's legal form) names the branch.
CN_BRANCH = ("分公司", "支公司", "分厂", "分店", "支行", "分行", "营业部", "办事处", "代表处",
             "分部", "分所", "分中心")

#: Latin legal forms as token sequences (after folding, dots removed) -> canonical form.
LATIN_LEGAL = {
    "co ltd": "ltd", "company limited": "ltd", "co limited": "ltd", "limited": "ltd",
    "ltd": "ltd", "pvt ltd": "ltd", "private limited": "ltd", "pte ltd": "ltd", "pty ltd": "ltd",
    "sdn bhd": "ltd", "bhd": "ltd", "llc": "ltd", "l l c": "ltd",
    "inc": "inc", "incorporated": "inc", "corp": "inc", "corporation": "inc",
    "co": "co", "company": "co", "cie": "co", "plc": "plc", "public limited company": "plc",
    "gmbh": "ltd", "g m b h": "ltd", "gesellschaft mit beschrankter haftung": "ltd",
    "gmbh and co kg": "kg", "gmbh and co kgaa": "kg", "se and co kg": "kg", "se and co kgaa": "kg",
    "ag and co kg": "kg", "ag and co kgaa": "kg", "kg": "kg", "kgaa": "kg", "ohg": "kg",
    "ug": "ltd", "ek": "sole", "ev": "assoc",
    "ag": "jsc", "aktiengesellschaft": "jsc", "se": "jsc", "societas europaea": "jsc",
    "nv": "jsc", "naamloze vennootschap": "jsc", "bv": "ltd", "besloten vennootschap": "ltd",
    "sa": "jsc", "societe anonyme": "jsc", "sas": "ltd", "sasu": "ltd", "sarl": "ltd",
    "sa rl": "ltd", "s a r l": "ltd", "sca": "jsc", "snc": "kg",
    "spa": "jsc", "societa per azioni": "jsc", "srl": "ltd", "sapa": "jsc",
    "sociedad anonima": "jsc", "sl": "ltd", "slu": "ltd", "sab de cv": "jsc", "sa de cv": "jsc",
    "ltda": "ltd", "sa nv": "jsc", "sanv": "jsc", "nv sa": "jsc",
    "ab": "jsc", "ab publ": "jsc", "aktiebolag": "jsc", "aktiebolag publ": "jsc", "publ": "jsc",
    "as": "jsc", "a s": "jsc", "asa": "jsc", "aps": "ltd", "oy": "ltd", "oyj": "jsc",
    "oyj abp": "jsc", "abp": "jsc", "osakeyhtio": "ltd", "aktieselskab": "jsc",
    "sp z oo": "ltd", "spolka z oo": "ltd", "sro": "ltd", "spol s ro": "ltd", "kft": "ltd",
    "zrt": "jsc", "rt": "jsc", "doo": "ltd", "dd": "jsc", "ad": "jsc", "jsc": "jsc",
    "pjsc": "jsc", "ojsc": "jsc", "ooo": "ltd", "zao": "jsc", "oao": "jsc", "tbk": "jsc",
    "kk": "jsc", "kabushiki kaisha": "jsc", "kabushikigaisha": "jsc", "gk": "ltd",
    "godo kaisha": "ltd", "yk": "ltd", "yugen kaisha": "ltd", "youxian gongsi": "ltd",
    "youxian zeren gongsi": "ltd", "gufen youxian gongsi": "jsc", "gongsi": "co",
}
#: legal words that may lead a Latin name ("Kabushiki Kaisha Kubota", "AB Volvo", "PT …").
LATIN_LEGAL_PREFIX = {
    "kabushiki kaisha": "jsc", "kk": "jsc", "ab": "jsc", "pt": "ltd", "ooo": "ltd",
    "oao": "jsc", "pao": "jsc", "compagnie de": "co", "compagnie": "co", "societe": "co",
    "the": "", "l": "", "la": "", "le": "", "koninklijke": "", "royal": "",
}
LATIN_GROUP = ("group", "groupe", "gruppe", "grupo", "gruppo", "groep", "jituan")
LATIN_BRANCH = ("branch", "branch office", "zweigniederlassung", "niederlassung", "succursale",
                "filiale", "fengongsi", "representative office", "rep office")
#: filler words dropped from Latin brands.
LATIN_STOP = {"and", "und", "en", "et", "e", "y", "of", "the", "de", "des", "du", "der", "die",
              "das", "von", "van", "den", "di", "del", "della", "da", "do", "für", "fur", "a"}

#: industry concept -> (Chinese words, Latin words/phrases). A word may carry several concepts.
INDUSTRY: dict[str, tuple[str, str]] = {
    "coal": ("煤业 煤炭 煤矿 精煤 煤 焦煤 煤焦 煤化 无烟煤 煤电",
             "coal, coal industry, refined coal, coal sales, kohle, charbon, carbon"),
    "coke": ("焦化 焦炭 焦 煤焦", "coke, coking, koks"),
    "mining": ("矿业 矿山 煤矿 矿产 矿", "mining, mining industry, mine, mines, minerals, mineral, bergbau"),
    "chemical": ("化工 化学 化学工业 化工科技",
                 "chemical, chemicals, chemical industries, chemical industry, chemie, chimie, chimica, quimica, kagaku"),
    "fibre": ("化纤 纤维 化学纤维", "fibre, fiber, fibres, fibers, chemical fibre, chemical fiber"),
    "petrochem": ("石化 石油化工", "petrochemical, petrochemicals, petrochemical industry"),
    "petroleum": ("石油 油田 油气", "petroleum, oil, petrol, oil and gas"),
    "gas": ("燃气 天然气 气体", "gas, gases, natural gas"),
    "power": ("动力 电力 发电 电", "power, electric power, power generation"),
    "energy": ("能源 新能源 能", "energy, energie, energia, renewable energy, new energy"),
    "electric": ("电气 电器 电工 机电", "electric, electrics, electrical, elektrik, elektro, electrique, denki, electromechanical, electrical appliances"),
    "electronics": ("电子 光电 微电子", "electronics, electronic, elektronik"),
    "cable": ("电缆 线缆 电线电缆 电线", "cable, cables, wire, wires, wires and cables, wire and cable, kabel"),
    "motor": ("电机 马达", "motor, motors, electric motor"),
    "machinery": ("机械 机器 重机 重型机械 工程机械 矿山机械 机械设备 机床 农机",
                  "machinery, machine, machines, construction machinery, mining machinery, heavy machinery, maschinenbau, officine meccaniche, meccaniche, kikai"),
    "heavy": ("重工 重型 重机 重型装备 重型机械", "heavy industry, heavy industries, heavy machinery, jukogyo"),
    "equipment": ("设备 装备 机电设备 成套设备", "equipment, equipments, apparatus, anlagenbau, electromechanical equipment"),
    "hydraulic": ("液压", "hydraulic, hydraulics, hydraulik"),
    "auto": ("汽车 客车 汽配 车辆", "automobile, automotive, auto, motor vehicles, bus, coach, motor"),
    "turbine": ("汽轮机", "turbine, turbines"),
    "boiler": ("锅炉", "boiler, boilers"),
    "steel": ("钢铁 钢材 钢贸 钢 不锈钢 特钢 钢管", "steel, iron and steel, iron, steels, stahl, staal, acier, acciaierie, tekko"),
    "metal": ("金属 有色 有色金属 铝业 铜业 铝 铜 钨业 锂业 钨 锂",
              "metal, metals, nonferrous, non ferrous, aluminium, aluminum, copper, tungsten, lithium, metall"),
    "cement": ("水泥", "cement, zement, ciment, cemento"),
    "building_materials": ("建材 新型建材 建筑材料 型材 耐火材料 石材",
                           "building materials, building material, construction materials, baustoffe, refractory, refractories"),
    "materials": ("材料 新材料 物资", "materials, material, new material, new materials, werkstoffe"),
    "construction": ("建设 建筑 建工 建筑工程 工程 市政 路桥 土木 建安",
                     "construction, engineering, civil engineering, bau, construcciones, costruzioni, kensetsu"),
    "logistics": ("物流 运输 货运 快递 速运 运销 供应链 仓储 储运 航运 港",
                  "logistics, logistik, transport, transportation, freight, shipping, express, supply chain, forwarding, port"),
    "trade": ("贸易 商贸 进出口 经贸 商务 营销 销售 物资贸易",
              "trading, trade, import and export, import export, imp and exp, handel, handelsgesellschaft, shoji, tsusho, sales"),
    "industrial": ("实业 工业 产业", "industrial, industries, industry, industrie, kogyo"),
    "technology": ("科技 技术 高科技 信息技术 数字技术 智能 数码 软件 信息",
                   "technology, technologies, tech, science and technology, sci tech, information technology, digital technology, software, technik, tecnologia"),
    "hardware": ("五金 五金制品 标准件 紧固件", "hardware, hardware products, fasteners"),
    "products": ("制品 用品 产品", "products, product"),
    "textile": ("纺织 服装 服饰", "textile, textiles, apparel, garments"),
    "food": ("食品 粮油 饮料 啤酒 乳业", "food, foods, beverage, brewery, beer, dairy"),
    "pharma": ("医药 制药 药业 生物", "pharmaceutical, pharmaceuticals, pharma, biotech"),
    "environment": ("环保 环境 节能", "environmental, environment, environmental protection"),
    "development": ("开发 发展 创业", "development, pioneering"),
    "investment": ("投资 资产管理 资本", "investment, investments, capital"),
    "holding": ("控股 集团控股", "holding, holdings, beteiligungen"),
    "resources": ("资源", "resources, resource"),
    "management": ("管理 咨询 服务 物业", "management, consulting, services, service"),
    "precision": ("精密", "precision"),
    "plastics": ("塑胶 塑料 橡胶 橡塑", "plastics, plastic, rubber"),
    "packaging": ("包装 印刷 纸业 造纸", "packaging, printing, paper"),
    "telecom": ("通信 网络通信 电信 移动通信", "telecom, telecommunications, communications, communication"),
    "finance": ("银行 保险 财产保险 金融 证券", "bank, banking, insurance, finance, financial"),
    "home": ("智家 家居 家电", "smart home, home appliances, home"),
    "bearing": ("轴承", "bearing, bearings"),
    "valve": ("阀门 阀业", "valve, valves"),
    "transformer": ("变压器 互感器", "transformer, transformers"),
    "footwear": ("鞋业 制鞋", "footwear, shoes"),
    "pump": ("泵业 水泵", "pump, pumps, pumpen"),
    "pipe": ("管业 管道", "pipe, pipes, tube, tubes"),
    "instrument": ("仪器 仪表 自动化", "instruments, instrument, automation, controls"),
    "safety": ("劳保 劳保用品 安全", "safety, safety products"),
    "design": ("勘测设计 设计 研究院 研究所 设计院 勘察", "design, institute, research institute, design institute"),
    "shipbuilding": ("造船 船舶", "shipbuilding, shipyard, zosen"),
    "wind": ("风电", "wind, wind systems, wind power"),
    "manufacturing": ("制造 制作所", "manufacturing, works, seisakusho, factory"),
    "supply": ("供电 供水 供热", "utility, utilities, power supply"),
    "agriculture": ("农业 农牧 畜牧 农机", "agriculture, agricultural, farming"),
}

#: ERP annotations that are not part of a name (checked inside brackets or after a dash).
ANNOTATIONS_CN = ("停用", "作废", "废弃", "旧", "新", "禁用", "备用", "重复", "勿用", "不用",
                  "一次性供应商", "一次性", "临时", "个体", "已注销", "注销", "冻结", "测试")
ANNOTATIONS_LATIN = ("do not use", "dont use", "old", "inactive", "blocked", "duplicate", "dup",
                     "obsolete", "deleted", "closed", "test", "one time", "one-time vendor", "new")
