"""Name normalisation, table-driven: what is brand, region, industry and legal form."""

from __future__ import annotations

import pytest

from models.entity_resolution.normalise import parse_name
from models.entity_resolution.records import normalise_bank, normalise_city, normalise_phone

CASES = [
    # name, brand_key, regions, industry, legal
    ("山西华阳煤业有限公司", "huayang", {"P:山西"}, {"coal"}, "ltd"),
    ("华阳煤业（阳泉）有限责任公司", "huayang", {"C:阳泉"}, {"coal"}, "ltd"),
    ("Shanxi Huayang Coal Co., Ltd.", "huayang", {"P:山西"}, {"coal"}, "corp"),
    ("SHANXI HUA YANG COAL CO LTD", "huayang", {"P:山西"}, {"coal"}, "corp"),
    ("山西華陽煤業有限公司", "huayang", {"P:山西"}, {"coal"}, "ltd"),
    ("内蒙古自治区鄂尔多斯市东胜区永昌煤炭运销有限公司", "yongchang", {"P:内蒙古", "C:鄂尔多斯"}, {"coal", "logistics"}, "ltd"),
    ("ＡＢＢ（中国）有限公司", "abb", {"X:CN"}, set(), "ltd"),
    ("Inner Mongolia Yitai Coal Co., Ltd.", "yitai", {"P:内蒙古"}, {"coal"}, "corp"),
    ("Siemens Aktiengesellschaft", "siemens", set(), set(), "corp"),
    ("Würth Elektronik GmbH & Co. KG", "wurth", set(), {"electronics"}, "kg"),
    ("Wuerth Elektronik GmbH & Co KG", "wurth", set(), {"electronics"}, "kg"),
    ("Kabushiki Kaisha Kubota", "kubota", set(), set(), "corp"),
    ("北京京东世纪贸易有限公司", "jingdongshiji", {"P:北京"}, {"trade"}, "ltd"),
    ("上海电气集团股份有限公司", "#electric", {"P:上海"}, {"electric"}, "jsc"),
    ("Shanghai Electric Group Co., Ltd.", "#electric", {"P:上海"}, {"electric"}, "corp"),
    ("太原恒达建材有限公司（停用）", "hengda", {"C:太原"}, {"building_materials"}, "ltd"),
    ("鑫源钢铁贸易有限公司-唐山", "xinyuan", {"C:唐山"}, {"steel", "trade"}, "ltd"),
]


@pytest.mark.parametrize(("name", "brand", "regions", "industry", "legal"), CASES)
def test_parse_name(name: str, brand: str, regions: set, industry: set, legal: str) -> None:
    p = parse_name(name)
    assert (p.brand_key, set(p.regions), set(p.industry), p.legal) == (brand, regions, industry, legal)


def test_province_abbreviation_gives_an_alternative_parse() -> None:
    p = parse_name("晋华阳煤业有限公司")
    assert p.brand_key == "jinhuayang"
    assert (p.alt_brand_key, set(p.alt_regions)) == ("huayang", {"P:山西"})
    assert parse_name("晋中市宏盛机电设备有限公司").regions == {"C:晋中"}  # a city, not 晋 + 中


def test_branch_group_and_numbers() -> None:
    p = parse_name("中国石化销售股份有限公司山西石油分公司")
    assert p.branch == "分公司|P:山西|石油"
    assert parse_name("中铁十四局集团第２工程有限公司").numbers == {14, 2}
    assert parse_name("中铁十四局集团第二工程有限公司").brand_key == parse_name("中铁十四局集团第２工程有限公司").brand_key
    assert parse_name("太原重型机械集团有限公司").group or parse_name("太原重型机械集团有限公司").legal == "group"


@pytest.mark.parametrize(("raw", "key"), [
    ("0351-7078812", "03517078812"), ("(0351)7078812", "03517078812"), ("+86 351 707 8812", "03517078812"),
    ("+86 10 5813 3355", "01058133355"), ("138 3415 6720", "13834156720"), ("+86 139 4771 2650", "13947712650"),
    ("+49 (89) 63600", "498963600"), ("12", ""),
])
def test_phone(raw: str, key: str) -> None:
    assert normalise_phone(raw) == key


def test_bank_and_city() -> None:
    assert normalise_bank("工行唐山丰南支行 1310 2020 0900 0123 459") == "1310202009000123459"
    assert normalise_city("太原市") == normalise_city("Taiyuan") == "C:太原"
    assert normalise_city("Xi'an") == "C:西安" and normalise_city("陽泉") == "C:阳泉"
    assert normalise_city("München") == "munchen"


@pytest.mark.parametrize(("raw", "golden"), [
    ("北京中建钢材有限公司。", "北京中建钢材有限公司"),          # trailing full stop
    ("北京中建钢材有限公司，；", "北京中建钢材有限公司"),        # several trailing marks
    ("北京北京中建钢材有限公司", "北京中建钢材有限公司"),        # region typed twice
    ("北京市北京中建钢材有限公司", "北京市中建钢材有限公司"),    # twice, first with its suffix
    ("上海上海市宝钢物流有限公司。", "上海宝钢物流有限公司"),    # both at once
    ("北京北方钢材有限公司", "北京北方钢材有限公司"),            # 北方 is not a second 北京
    ("北京北京", "北京北京"),                                  # nothing left after the prefix: kept
    ("Foshan Tiles Co., Ltd.", "Foshan Tiles Co., Ltd"),
])
def test_golden_display_names_lose_source_noise(raw: str, golden: str) -> None:
    from models.entity_resolution.normalise import clean_display

    assert clean_display(raw) == golden
