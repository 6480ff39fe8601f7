"""The cached pinyin conversion gives exactly what pypinyin's ``lazy_pinyin`` gives."""

from __future__ import annotations

from pypinyin import lazy_pinyin

from models.entity_resolution.hanzi import pinyin_syllables

TEXTS = (
    "华阳", "重庆华阳", "长城汽车", "银行", "行业", "中国重型机械", "重庆重型", "朝阳", "长沙长安",
    "huayang", "abc华阳2号", "华阳Coal", "", "阿里巴巴（中国）", "乐山乐器", "厦门",
)


def test_same_syllables_as_lazy_pinyin() -> None:
    for text in TEXTS:
        assert list(pinyin_syllables(text)) == lazy_pinyin(text), text


def test_every_substring_of_names_matches() -> None:
    for name in ("山西华阳煤业有限公司", "重庆长安汽车股份有限公司", "中国银行股份有限公司厦门分行"):
        for a in range(len(name)):
            for b in range(a + 1, len(name) + 1):
                assert list(pinyin_syllables(name[a:b])) == lazy_pinyin(name[a:b])
