"""Places the demo group lives in: Chinese provinces and cities, and a few foreign cities.

Each Chinese city carries its real administrative-division code (GB/T 2260, prefecture
level; a district for the four municipalities), its telephone area code and approximate
coordinates, so that generated credit codes, phone numbers, warehouse locations and GPS
tracks agree with one another. Province weights say where an energy group's suppliers
cluster (coal provinces, the eastern industrial belt).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    """A prefecture-level city (or a municipality district)."""

    name: str  # short name without 市, e.g. 太原
    code: str  # 6-digit administrative division code
    area_code: str  # telephone area code with the leading 0
    lat: float
    lon: float
    pinyin: str


@dataclass(frozen=True)
class Province:
    """A provincial-level division."""

    code: str  # 2-digit prefix of every division code inside it
    name: str  # full name, e.g. 山西省
    short: str  # 山西
    abbr: str  # one-character abbreviation, e.g. 晋
    pinyin: str  # official romanisation (Shaanxi for 陕西)
    region: str  # 华北, 东北, 华东, 华中, 华南, 西南, 西北
    weight: float  # relative share of suppliers registered here
    cities: tuple[City, ...]

    @property
    def is_municipality(self) -> bool:
        return self.name.endswith("市")


def _c(name: str, code: str, area: str, lat: float, lon: float, pinyin: str) -> City:
    return City(name, code, area, lat, lon, pinyin)


PROVINCES: tuple[Province, ...] = (
    Province("11", "北京市", "北京", "京", "Beijing", "华北", 3.0, (
        _c("北京", "110108", "010", 39.96, 116.30, "Beijing"),)),
    Province("12", "天津市", "天津", "津", "Tianjin", "华北", 2.0, (
        _c("天津", "120116", "022", 39.03, 117.70, "Tianjin"),)),
    Province("13", "河北省", "河北", "冀", "Hebei", "华北", 6.0, (
        _c("石家庄", "130100", "0311", 38.04, 114.51, "Shijiazhuang"),
        _c("唐山", "130200", "0315", 39.63, 118.18, "Tangshan"),
        _c("邯郸", "130400", "0310", 36.61, 114.49, "Handan"),
        _c("保定", "130600", "0312", 38.87, 115.46, "Baoding"),
        _c("张家口", "130700", "0313", 40.77, 114.88, "Zhangjiakou"),
        _c("沧州", "130900", "0317", 38.30, 116.84, "Cangzhou"))),
    Province("14", "山西省", "山西", "晋", "Shanxi", "华北", 10.0, (
        _c("太原", "140100", "0351", 37.87, 112.55, "Taiyuan"),
        _c("大同", "140200", "0352", 40.08, 113.30, "Datong"),
        _c("阳泉", "140300", "0353", 37.86, 113.58, "Yangquan"),
        _c("长治", "140400", "0355", 36.20, 113.12, "Changzhi"),
        _c("晋城", "140500", "0356", 35.49, 112.85, "Jincheng"),
        _c("朔州", "140600", "0349", 39.33, 112.43, "Shuozhou"),
        _c("临汾", "141000", "0357", 36.09, 111.52, "Linfen"),
        _c("吕梁", "141100", "0358", 37.52, 111.14, "Lvliang"))),
    Province("15", "内蒙古自治区", "内蒙古", "蒙", "Inner Mongolia", "华北", 7.0, (
        _c("呼和浩特", "150100", "0471", 40.84, 111.75, "Hohhot"),
        _c("包头", "150200", "0472", 40.66, 109.84, "Baotou"),
        _c("乌海", "150300", "0473", 39.66, 106.79, "Wuhai"),
        _c("赤峰", "150400", "0476", 42.26, 118.89, "Chifeng"),
        _c("鄂尔多斯", "150600", "0477", 39.61, 109.78, "Ordos"))),
    Province("21", "辽宁省", "辽宁", "辽", "Liaoning", "东北", 3.0, (
        _c("沈阳", "210100", "024", 41.81, 123.43, "Shenyang"),
        _c("大连", "210200", "0411", 38.91, 121.61, "Dalian"),
        _c("鞍山", "210300", "0412", 41.11, 122.99, "Anshan"))),
    Province("22", "吉林省", "吉林", "吉", "Jilin", "东北", 1.0, (
        _c("长春", "220100", "0431", 43.82, 125.32, "Changchun"),
        _c("吉林", "220200", "0432", 43.84, 126.55, "Jilin"))),
    Province("23", "黑龙江省", "黑龙江", "黑", "Heilongjiang", "东北", 1.5, (
        _c("哈尔滨", "230100", "0451", 45.80, 126.53, "Harbin"),
        _c("鸡西", "230300", "0467", 45.30, 130.97, "Jixi"),
        _c("大庆", "230600", "0459", 46.59, 125.10, "Daqing"))),
    Province("31", "上海市", "上海", "沪", "Shanghai", "华东", 4.0, (
        _c("上海", "310115", "021", 31.22, 121.54, "Shanghai"),)),
    Province("32", "江苏省", "江苏", "苏", "Jiangsu", "华东", 7.0, (
        _c("南京", "320100", "025", 32.06, 118.80, "Nanjing"),
        _c("无锡", "320200", "0510", 31.49, 120.31, "Wuxi"),
        _c("徐州", "320300", "0516", 34.20, 117.28, "Xuzhou"),
        _c("苏州", "320500", "0512", 31.30, 120.58, "Suzhou"),
        _c("南通", "320600", "0513", 31.98, 120.89, "Nantong"),
        _c("连云港", "320700", "0518", 34.60, 119.22, "Lianyungang"))),
    Province("33", "浙江省", "浙江", "浙", "Zhejiang", "华东", 5.0, (
        _c("杭州", "330100", "0571", 30.27, 120.16, "Hangzhou"),
        _c("宁波", "330200", "0574", 29.87, 121.54, "Ningbo"),
        _c("温州", "330300", "0577", 28.00, 120.70, "Wenzhou"),
        _c("绍兴", "330600", "0575", 30.00, 120.58, "Shaoxing"))),
    Province("34", "安徽省", "安徽", "皖", "Anhui", "华东", 3.5, (
        _c("合肥", "340100", "0551", 31.82, 117.23, "Hefei"),
        _c("芜湖", "340200", "0553", 31.35, 118.43, "Wuhu"),
        _c("淮南", "340400", "0554", 32.63, 117.00, "Huainan"),
        _c("淮北", "340600", "0561", 33.96, 116.80, "Huaibei"))),
    Province("35", "福建省", "福建", "闽", "Fujian", "华东", 2.0, (
        _c("福州", "350100", "0591", 26.07, 119.30, "Fuzhou"),
        _c("厦门", "350200", "0592", 24.48, 118.09, "Xiamen"),
        _c("泉州", "350500", "0595", 24.87, 118.68, "Quanzhou"))),
    Province("36", "江西省", "江西", "赣", "Jiangxi", "华东", 1.5, (
        _c("南昌", "360100", "0791", 28.68, 115.86, "Nanchang"),
        _c("萍乡", "360300", "0799", 27.62, 113.85, "Pingxiang"),
        _c("九江", "360400", "0792", 29.70, 116.00, "Jiujiang"))),
    Province("37", "山东省", "山东", "鲁", "Shandong", "华东", 8.0, (
        _c("济南", "370100", "0531", 36.65, 117.12, "Jinan"),
        _c("青岛", "370200", "0532", 36.07, 120.38, "Qingdao"),
        _c("淄博", "370300", "0533", 36.81, 118.05, "Zibo"),
        _c("枣庄", "370400", "0632", 34.81, 117.32, "Zaozhuang"),
        _c("烟台", "370600", "0535", 37.46, 121.45, "Yantai"),
        _c("潍坊", "370700", "0536", 36.71, 119.16, "Weifang"),
        _c("济宁", "370800", "0537", 35.41, 116.59, "Jining"))),
    Province("41", "河南省", "河南", "豫", "Henan", "华中", 6.0, (
        _c("郑州", "410100", "0371", 34.75, 113.63, "Zhengzhou"),
        _c("洛阳", "410300", "0379", 34.62, 112.45, "Luoyang"),
        _c("平顶山", "410400", "0375", 33.77, 113.19, "Pingdingshan"),
        _c("鹤壁", "410600", "0392", 35.75, 114.30, "Hebi"),
        _c("焦作", "410800", "0391", 35.22, 113.24, "Jiaozuo"))),
    Province("42", "湖北省", "湖北", "鄂", "Hubei", "华中", 3.0, (
        _c("武汉", "420100", "027", 30.59, 114.31, "Wuhan"),
        _c("宜昌", "420500", "0717", 30.69, 111.29, "Yichang"),
        _c("襄阳", "420600", "0710", 32.01, 112.14, "Xiangyang"))),
    Province("43", "湖南省", "湖南", "湘", "Hunan", "华中", 2.5, (
        _c("长沙", "430100", "0731", 28.23, 112.94, "Changsha"),
        _c("株洲", "430200", "0731", 27.83, 113.13, "Zhuzhou"),
        _c("衡阳", "430400", "0734", 26.89, 112.57, "Hengyang"))),
    Province("44", "广东省", "广东", "粤", "Guangdong", "华南", 5.0, (
        _c("广州", "440100", "020", 23.13, 113.26, "Guangzhou"),
        _c("深圳", "440300", "0755", 22.54, 114.06, "Shenzhen"),
        _c("佛山", "440600", "0757", 23.02, 113.12, "Foshan"),
        _c("湛江", "440800", "0759", 21.27, 110.36, "Zhanjiang"),
        _c("东莞", "441900", "0769", 23.02, 113.75, "Dongguan"))),
    Province("45", "广西壮族自治区", "广西", "桂", "Guangxi", "华南", 1.5, (
        _c("南宁", "450100", "0771", 22.82, 108.37, "Nanning"),
        _c("柳州", "450200", "0772", 24.33, 109.41, "Liuzhou"),
        _c("防城港", "450600", "0770", 21.69, 108.35, "Fangchenggang"))),
    Province("46", "海南省", "海南", "琼", "Hainan", "华南", 0.5, (
        _c("海口", "460100", "0898", 20.04, 110.32, "Haikou"),)),
    Province("50", "重庆市", "重庆", "渝", "Chongqing", "西南", 2.0, (
        _c("重庆", "500112", "023", 29.72, 106.63, "Chongqing"),)),
    Province("51", "四川省", "四川", "川", "Sichuan", "西南", 3.0, (
        _c("成都", "510100", "028", 30.57, 104.07, "Chengdu"),
        _c("攀枝花", "510400", "0812", 26.58, 101.72, "Panzhihua"),
        _c("宜宾", "511500", "0831", 28.77, 104.63, "Yibin"),
        _c("达州", "511700", "0818", 31.21, 107.47, "Dazhou"))),
    Province("52", "贵州省", "贵州", "黔", "Guizhou", "西南", 2.0, (
        _c("贵阳", "520100", "0851", 26.65, 106.63, "Guiyang"),
        _c("六盘水", "520200", "0858", 26.59, 104.83, "Liupanshui"),
        _c("毕节", "520500", "0857", 27.30, 105.29, "Bijie"))),
    Province("53", "云南省", "云南", "滇", "Yunnan", "西南", 1.5, (
        _c("昆明", "530100", "0871", 25.04, 102.71, "Kunming"),
        _c("曲靖", "530300", "0874", 25.49, 103.80, "Qujing"))),
    Province("61", "陕西省", "陕西", "陕", "Shaanxi", "西北", 6.0, (
        _c("西安", "610100", "029", 34.34, 108.94, "Xi'an"),
        _c("铜川", "610200", "0919", 34.90, 108.95, "Tongchuan"),
        _c("宝鸡", "610300", "0917", 34.36, 107.24, "Baoji"),
        _c("延安", "610600", "0911", 36.59, 109.49, "Yan'an"),
        _c("榆林", "610800", "0912", 38.29, 109.73, "Yulin"))),
    Province("62", "甘肃省", "甘肃", "甘", "Gansu", "西北", 1.0, (
        _c("兰州", "620100", "0931", 36.06, 103.83, "Lanzhou"),
        _c("金昌", "620300", "0935", 38.52, 102.19, "Jinchang"))),
    Province("63", "青海省", "青海", "青", "Qinghai", "西北", 0.5, (
        _c("西宁", "630100", "0971", 36.62, 101.78, "Xining"),)),
    Province("64", "宁夏回族自治区", "宁夏", "宁", "Ningxia", "西北", 2.0, (
        _c("银川", "640100", "0951", 38.49, 106.23, "Yinchuan"),
        _c("石嘴山", "640200", "0952", 38.98, 106.38, "Shizuishan"))),
    Province("65", "新疆维吾尔自治区", "新疆", "新", "Xinjiang", "西北", 2.5, (
        _c("乌鲁木齐", "650100", "0991", 43.83, 87.62, "Urumqi"),
        _c("克拉玛依", "650200", "0990", 45.58, 84.89, "Karamay"),
        _c("哈密", "650500", "0902", 42.82, 93.51, "Hami"))),
)

PROVINCE_BY_NAME: dict[str, Province] = {p.short: p for p in PROVINCES}


@dataclass(frozen=True)
class ForeignCity:
    """A city abroad where foreign suppliers or overseas subsidiaries sit."""

    country: str  # ISO 3166-1 alpha-2
    country_name: str
    name: str
    currency: str  # ISO 4217
    lat: float
    lon: float
    phone_prefix: str  # international dialling code with +


FOREIGN_CITIES: tuple[ForeignCity, ...] = (
    ForeignCity("DE", "Germany", "Hamburg", "EUR", 53.55, 9.99, "+49"),
    ForeignCity("DE", "Germany", "Duisburg", "EUR", 51.43, 6.76, "+49"),
    ForeignCity("NL", "Netherlands", "Rotterdam", "EUR", 51.92, 4.48, "+31"),
    ForeignCity("US", "United States", "Houston", "USD", 29.76, -95.37, "+1"),
    ForeignCity("US", "United States", "Pittsburgh", "USD", 40.44, -79.99, "+1"),
    ForeignCity("JP", "Japan", "Osaka", "JPY", 34.69, 135.50, "+81"),
    ForeignCity("JP", "Japan", "Nagoya", "JPY", 35.18, 136.91, "+81"),
    ForeignCity("AU", "Australia", "Newcastle", "AUD", -32.93, 151.78, "+61"),
    ForeignCity("AU", "Australia", "Brisbane", "AUD", -27.47, 153.03, "+61"),
    ForeignCity("ID", "Indonesia", "Samarinda", "IDR", -0.50, 117.15, "+62"),
    ForeignCity("ID", "Indonesia", "Jakarta", "IDR", -6.21, 106.85, "+62"),
    ForeignCity("SG", "Singapore", "Singapore", "USD", 1.29, 103.85, "+65"),
)

#: Ports where sea freight from abroad lands (name, lat, lon).
CHINA_PORTS: tuple[tuple[str, float, float], ...] = (
    ("秦皇岛港", 39.93, 119.60),
    ("天津港", 38.97, 117.78),
    ("青岛港", 36.08, 120.32),
    ("上海港", 31.35, 121.60),
    ("广州港", 22.78, 113.60),
    ("防城港", 21.61, 108.33),
)



def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km; accepts floats or numpy arrays."""
    import numpy as np

    lat1, lon1, lat2, lon2 = (np.radians(x) for x in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(a))
