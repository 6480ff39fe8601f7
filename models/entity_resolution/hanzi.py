"""Traditional → simplified characters common in company names (Hong Kong / Taiwan records).

Not a full converter (no OpenCC here): the few hundred characters that recur in company,
industry, legal-form and place names, so that 華陽煤業有限公司 parses like 华阳煤业有限公司.
Pinyin already agrees for the rest (pypinyin reads traditional characters).
"""

from __future__ import annotations

import functools

_PAIRS = (
    "華华陽阳業业團团開开發发電电氣气機机鐵铁鋼钢礦矿實实產产貿贸際际國国東东廣广灣湾臺台膠胶興兴"
    "豐丰寶宝龍龙鳳凤聯联衛卫車车運运輸输輪轮進进齊齐雲云廈厦門门網网絡络財财險险銀银務务貨货號号"
    "與与為为學学醫医藥药紡纺織织體体設设計计劃划製制農农漁渔蘇苏濟济場场價价貝贝順顺達达鴻鸿長长"
    "質质層层廠厂區区縣县線线纜缆幣币歐欧亞亚術术館馆島岛書书圖图會会協协當当潤润澤泽濱滨燈灯熱热"
    "煙烟愛爱時时動动勞劳勢势萬万億亿錦锦鋁铝銅铜鋒锋鎮镇陝陕晉晋遼辽閩闽贛赣魯鲁鄭郑漢汉粵粤瓊琼"
    "陸陆嶺岭滬沪蘭兰資资訊讯軟软碼码腦脑視视聲声義义壓压舊旧環环節节費费貴贵營营維维韓韩銷销倉仓"
    "儲储備备裝装鍋锅爐炉輕轻紙纸鹽盐湯汤滿满樂乐顧顾問问諮咨詢询傳传報报證证創创麗丽風风飛飞馬马"
    "鳥鸟魚鱼麥麦黃黄紅红綠绿藍蓝誠诚優优勝胜匯汇彙汇滙汇鑄铸鍛锻鋅锌鎳镍鉛铅錫锡鈦钛鉬钼釩钒鎢钨"
    "鋰锂礦矿煉炼輥辊軸轴閥阀儀仪錶表測测纖纤維维塑塑廢废舊旧環环衆众眾众祿禄歲岁壽寿廟庙縂总總总"
    "處处員员題题專专業业莊庄鄉乡鎮镇橋桥紀纪組组織织權权標标準准軍军鐵铁職职銘铭頓顿蘋苹謝谢"
    "廳厅樓楼電电葉叶廣广潔洁淨净溫温濕湿氫氢鹼碱氧氧硝硝礬矾漿浆彈弹穩稳瑪玛鐘钟鑽钻錢钱鏈链"
    "鏡镜門门閃闪開开闊阔關关陣阵隊队階阶際际隨随險险雜杂雞鸡難难電电靈灵韻韵頁页項项順顺須须"
    "頭头顆颗願愿類类飛飞飯饭館馆饒饶駐驻騰腾驗验髮发鬆松魯鲁鮮鲜鳴鸣鵬鹏鶴鹤麵面黨党齡龄"
)
TRAD_TO_SIMP = str.maketrans({_PAIRS[i]: _PAIRS[i + 1] for i in range(0, len(_PAIRS) - 1, 2)})


def to_simplified(text: str) -> str:
    """Map the traditional characters listed above to simplified ones.

    Example:
        >>> to_simplified("山西華陽煤業有限公司")
        '山西华阳煤业有限公司'
    """
    return text.translate(TRAD_TO_SIMP)


@functools.lru_cache(maxsize=200_000)
def _word_pinyin(word: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin

    return tuple(lazy_pinyin([word]))  # a list input is converted as given, not re-segmented


@functools.lru_cache(maxsize=500_000)
def pinyin_syllables(text: str) -> tuple[str, ...]:
    """``pypinyin.lazy_pinyin(text)``, with the conversion of each segmented word cached.

    lazy_pinyin segments the text (hanzi runs, then maximum matching of phrases) and converts
    each word on its own, so converting the same words one by one gives the same syllables;
    company names share few words, which makes the cache pay.

    Example:
        >>> pinyin_syllables("重庆华阳")
        ('chong', 'qing', 'hua', 'yang')
    """
    from pypinyin.seg.simpleseg import seg

    return tuple(syl for word in seg(text) for syl in _word_pinyin(word))
