"""Chinese vocabulary for pilot-unit names and parent unions, combined so names rarely repeat.

Every string here must be encodable in GBK: the county CSV is written in GBK and tests check the
whole vocabulary.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from unionflow.synth.schema import CITY_FEDERATION, DISTRICTS

CITY = "包头市"

DEPARTMENTS: tuple[str, ...] = (
    "人力资源和社会保障局",
    "工业和信息化局",
    "发展和改革委员会",
    "国有资产监督管理委员会",
    "教育局",
    "卫生健康委员会",
    "住房和城乡建设局",
    "交通运输局",
    "科学技术局",
    "市场监督管理局",
    "应急管理局",
    "生态环境局",
    "商务局",
    "农牧局",
    "水务局",
    "自然资源局",
    "文化旅游广电局",
    "能源局",
    "城市管理综合执法局",
    "公共资源交易中心",
)
DEPARTMENT_OFFICES: tuple[str, ...] = (
    "",
    "",
    "",
    "机关",
    "综合行政执法支队",
    "事务服务中心",
    "信息中心",
    "培训中心",
    "质量监测站",
    "稽查大队",
)

# Streets, towns and sumu per district (one list per entry of DISTRICTS, same order).
TOWNSHIPS: tuple[tuple[str, ...], ...] = (
    (
        "少先路街道",
        "沼潭街道",
        "林荫路街道",
        "友谊大街街道",
        "阿尔丁大街街道",
        "市府东路街道",
        "团结大街街道",
        "前进道街道",
        "鞍山道街道",
        "白云路街道",
        "昆北街道",
        "卜尔汉图镇",
    ),
    (
        "幸福路街道",
        "万青路街道",
        "青山路街道",
        "自由路街道",
        "先锋道街道",
        "富强路街道",
        "青福镇",
        "兴胜镇",
    ),
    ("和平路街道", "西脑包街道", "南圪洞街道", "河东街道", "东站街道", "沙尔沁镇"),
    ("萨如拉街道", "赛汗街道", "沙河街道", "白音席勒街道", "哈林格尔镇", "麻池镇"),
    ("大发街道", "石拐街道", "五当召镇", "吉忽伦图苏木"),
    ("通阳道街道", "矿山路街道"),
    ("萨拉齐镇", "美岱召镇", "沟门镇", "将军尧镇", "双龙镇", "明沙淖乡"),
    ("金山镇", "西斗铺镇", "下湿壕镇", "银号镇", "兴顺西镇"),
    ("百灵庙镇", "石宝镇", "乌克忽洞镇", "满都拉镇", "希拉穆仁镇"),
    ("万水泉镇", "稀土路街道", "民馨路街道"),
)
COMMUNITY_WORDS: tuple[str, ...] = (
    "阳光",
    "和谐",
    "幸福",
    "钢城",
    "友谊",
    "团结",
    "光明",
    "富强",
    "民主",
    "文明",
    "青年",
    "朝阳",
    "春晖",
    "丰收",
    "新兴",
    "兴盛",
    "安康",
    "平安",
    "宏达",
    "锦绣",
    "翠苑",
    "康乐",
    "惠民",
    "欣荣",
    "金桥",
    "银河",
    "北梁",
    "南湖",
    "西园",
    "东方",
)
TOWNSHIP_UNITS: tuple[str, ...] = ("", "", "", "社区", "工会联合会", "便民服务中心")

PARKS: tuple[str, ...] = (
    "稀土高新技术产业开发区",
    "装备制造产业园区",
    "九原工业园区",
    "青山区工业园区",
    "金山工业园区",
    "土右新型工业园区",
    "达茂巴润工业园区",
    "石拐工业园区",
    "铝业产业园区",
    "东河区铝业园区",
    "昆都仑区钢铁物流园区",
    "白云鄂博稀土园区",
)
PARK_UNITS: tuple[str, ...] = (
    "管理委员会",
    "工会联合会",
    "企业服务中心",
    "联合工会",
    "职工服务中心",
    "人才服务站",
)

# (group name, its own sub-units): SOE pilot units are usually a plant or branch of a group.
CENTRAL_SOES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "内蒙古第一机械集团有限公司",
        (
            "铸造分厂",
            "热处理分厂",
            "机加工分厂",
            "装配分厂",
            "车辆研究所",
            "动力分公司",
            "工具分厂",
        ),
    ),
    (
        "内蒙古北方重工业集团有限公司",
        (
            "冶金装备分公司",
            "特钢事业部",
            "锻造分厂",
            "重型机械分公司",
            "检测中心",
            "能源动力分公司",
        ),
    ),
    ("中核北方核燃料元件有限公司", ("元件制造分厂", "机修车间", "理化检测中心", "设备动力分厂")),
    (
        "中国二冶集团有限公司",
        ("第一建筑分公司", "机电安装分公司", "钢结构分公司", "装饰工程分公司", "路桥分公司"),
    ),
    ("中铝包头铝业有限公司", ("电解一厂", "电解二厂", "炭素厂", "铸造厂", "动力厂")),
    ("华电包头发电有限公司", ("运行部", "检修部", "燃料部", "热控车间")),
    (
        "中国铁路呼和浩特局集团有限公司包头",
        ("车务段", "机务段", "工务段", "供电段", "车辆段", "电务段"),
    ),
    ("中国移动通信集团内蒙古有限公司包头分公司", ("网络部", "客户服务中心", "政企客户部")),
)
REGIONAL_SOES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "包头钢铁(集团)有限责任公司",
        (
            "稀土钢板材厂",
            "炼铁厂",
            "炼钢厂",
            "薄板厂",
            "轨梁厂",
            "钢管公司",
            "焦化厂",
            "能源动力厂",
            "运输部",
            "白云鄂博铁矿",
            "巴润矿业公司",
            "长材厂",
        ),
    ),
    (
        "中国北方稀土(集团)高科技股份有限公司",
        ("冶炼分公司", "稀土研究院", "华美稀土公司", "磁材公司", "抛光材料公司"),
    ),
    (
        "内蒙古电力(集团)有限责任公司包头供电分公司",
        ("变电运维中心", "输电运检中心", "配电运检中心", "客户服务中心"),
    ),
    ("包头市公共交通集团有限责任公司", ("第一客运公司", "第二客运公司", "维修公司", "调度中心")),
    ("包头市自来水有限公司", ("第一净水厂", "管网公司", "水质检测中心", "营业所")),
    ("包头城市建设投资集团有限公司", ("市政工程公司", "园林公司", "路桥养护公司")),
    ("包头能源集团有限公司", ("热电厂", "供热公司", "燃气公司", "检修公司")),
)
SOE_SHOPS: tuple[str, ...] = (
    "",
    "炼钢",
    "轧钢",
    "机修",
    "电修",
    "运行",
    "检修",
    "质检",
    "仓储",
    "动力",
    "装配",
    "铸造",
    "锻压",
    "焊接",
    "物流",
    "安全",
    "计量",
    "维护",
    "调度",
    "备件",
)
SOE_TEAMS: tuple[str, ...] = (
    "作业区",
    "工段",
    "班组",
    "车间",
    "工区",
    "项目部",
    "维修站",
    "质检站",
)
CHINESE_NUMERALS: tuple[str, ...] = (
    "一",
    "二",
    "三",
    "四",
    "五",
    "六",
    "七",
    "八",
    "九",
    "十",
    "十一",
    "十二",
)

PLACE_PREFIXES: tuple[str, ...] = ("包头市", "包头", "内蒙古", "包头市", "包头")
BRAND_CHARS: tuple[str, ...] = (
    "鑫",
    "华",
    "达",
    "宏",
    "泰",
    "恒",
    "瑞",
    "兴",
    "鼎",
    "盛",
    "远",
    "通",
    "昌",
    "隆",
    "丰",
    "创",
    "新",
    "金",
    "德",
    "安",
    "博",
    "凯",
    "天",
    "海",
    "明",
    "诚",
    "信",
    "源",
    "益",
    "佳",
    "正",
    "伟",
    "光",
    "富",
    "永",
    "晟",
    "润",
    "嘉",
    "辰",
    "荣",
    "骏",
    "峰",
    "科",
    "联",
    "众",
    "合",
    "和",
    "宇",
)
INDUSTRIES: tuple[str, ...] = (
    "稀土新材料",
    "机械制造",
    "冶金设备",
    "建材",
    "物流",
    "电子科技",
    "化工",
    "食品",
    "能源科技",
    "环保科技",
    "铝业",
    "钢结构",
    "汽车零部件",
    "风电设备",
    "光伏科技",
    "煤炭",
    "乳业",
    "纺织",
    "医药",
    "建筑工程",
    "信息技术",
    "商贸",
    "重型机械",
    "焊接材料",
    "耐火材料",
    "矿业",
    "农牧业",
    "电力设备",
    "稀土永磁",
    "装备制造",
)
COMPANY_FORMS: tuple[str, ...] = ("有限公司", "有限责任公司", "股份有限公司", "有限公司")

INSTITUTION_KINDS: tuple[str, ...] = (
    "医院",
    "中医医院",
    "妇幼保健院",
    "职业技术学校",
    "中学",
    "小学",
    "技师学院",
    "疾病预防控制中心",
    "图书馆",
    "职工服务中心",
)

# Which industry union an enterprise reports to, by words in its name.
INDUSTRY_UNIONS: tuple[tuple[str, str], ...] = (
    ("钢", "包头市冶金工会"),
    ("稀土", "包头市冶金工会"),
    ("铝", "包头市冶金工会"),
    ("矿", "包头市冶金工会"),
    ("机械", "包头市机械工会"),
    ("装备", "包头市机械工会"),
    ("汽车", "包头市机械工会"),
    ("重工", "包头市机械工会"),
    ("风电", "包头市能源化工工会"),
    ("电力", "包头市能源化工工会"),
    ("发电", "包头市能源化工工会"),
    ("能源", "包头市能源化工工会"),
    ("煤", "包头市能源化工工会"),
    ("化工", "包头市能源化工工会"),
    ("光伏", "包头市能源化工工会"),
    ("核", "包头市能源化工工会"),
    ("建", "包头市建设建材工会"),
    ("冶", "包头市建设建材工会"),
    ("铁路", "包头市交通运输工会"),
    ("交通", "包头市交通运输工会"),
    ("物流", "包头市交通运输工会"),
    ("水", "包头市建设建材工会"),
)
DEFAULT_INDUSTRY_UNION = "包头市财贸轻纺工会"
CITY_ORGANS_UNION = "包头市直属机关工会"
CITY_EDUCATION_UNION = "包头市教科文卫工会"


def all_vocabulary() -> list[str]:
    """Every word the name generator can emit (tests check it is GBK-encodable)."""
    words: list[str] = [CITY, CITY_FEDERATION, CITY_ORGANS_UNION, CITY_EDUCATION_UNION]
    words += [DEFAULT_INDUSTRY_UNION, *DISTRICTS, *DEPARTMENTS, *DEPARTMENT_OFFICES]
    for towns in TOWNSHIPS:
        words += towns
    words += [*COMMUNITY_WORDS, *TOWNSHIP_UNITS, *PARKS, *PARK_UNITS, *SOE_TEAMS, *SOE_SHOPS]
    for group, subs in (*CENTRAL_SOES, *REGIONAL_SOES):
        words += [group, *subs]
    words += [*CHINESE_NUMERALS, *PLACE_PREFIXES, *BRAND_CHARS, *INDUSTRIES, *COMPANY_FORMS]
    words += [*INSTITUTION_KINDS, *(union for _, union in INDUSTRY_UNIONS)]
    return words


def _pick(rng: np.random.Generator, options: Sequence[str], size: int) -> list[str]:
    return [options[i] for i in rng.integers(0, len(options), size)]


def _department_names(rng: np.random.Generator, places: list[str]) -> list[str]:
    size = len(places)
    return [
        f"{place}{dept}{office}"
        for place, dept, office in zip(
            places, _pick(rng, DEPARTMENTS, size), _pick(rng, DEPARTMENT_OFFICES, size), strict=True
        )
    ]


def _township_names(rng: np.random.Generator, district_codes: np.ndarray) -> list[str]:
    names = []
    picks = rng.random(len(district_codes))
    words = _pick(rng, COMMUNITY_WORDS, len(district_codes))
    units = _pick(rng, TOWNSHIP_UNITS, len(district_codes))
    for code, pick, word, unit in zip(district_codes, picks, words, units, strict=True):
        towns = TOWNSHIPS[int(code)]
        town = towns[int(pick * len(towns))]
        # A community of the street/town is itself a pilot unit in some districts.
        suffix = f"{word}社区" if unit == "社区" else unit
        names.append(f"{DISTRICTS[int(code)]}{town}{suffix}")
    return names


def _park_names(rng: np.random.Generator, size: int) -> list[str]:
    return [
        f"包头{park}{unit}"
        for park, unit in zip(_pick(rng, PARKS, size), _pick(rng, PARK_UNITS, size), strict=True)
    ]


def _soe_names(
    rng: np.random.Generator, groups: tuple[tuple[str, tuple[str, ...]], ...], size: int
) -> list[str]:
    group_idx = rng.integers(0, len(groups), size)
    sub_pick = rng.random(size)
    numeral = rng.integers(1, 61, size)
    team = rng.integers(0, len(SOE_TEAMS), size)
    # About a third of SOE pilot units are a whole plant, the rest a section inside one.
    whole = rng.random(size) < 0.35
    shops = rng.integers(0, len(SOE_SHOPS), size)
    names = []
    for g, s, n, t, w, h in zip(group_idx, sub_pick, numeral, team, whole, shops, strict=True):
        group, subs = groups[int(g)]
        sub = subs[int(s * len(subs))]
        shop = SOE_SHOPS[int(h)]
        ordinal = CHINESE_NUMERALS[int(n) - 1] if n <= len(CHINESE_NUMERALS) else str(int(n))
        tail = "" if w else f"{shop}第{ordinal}{SOE_TEAMS[int(t)]}"
        names.append(f"{group}{sub}{tail}")
    return names


def _company_names(rng: np.random.Generator, size: int) -> list[str]:
    first = _pick(rng, BRAND_CHARS, size)
    second = _pick(rng, BRAND_CHARS, size)
    return [
        f"{place}{a}{b}{industry}{form}"
        for place, a, b, industry, form in zip(
            _pick(rng, PLACE_PREFIXES, size),
            first,
            second,
            _pick(rng, INDUSTRIES, size),
            _pick(rng, COMPANY_FORMS, size),
            strict=True,
        )
    ]


def _institution_names(rng: np.random.Generator, places: list[str]) -> list[str]:
    size = len(places)
    numbers = rng.integers(1, 61, size)
    kinds = _pick(rng, INSTITUTION_KINDS, size)
    names = []
    for place, number, kind in zip(places, numbers, kinds, strict=True):
        # Hospitals and schools are numbered: 包头市第三医院, 昆都仑区第28中学.
        n = int(number)
        ordinal = CHINESE_NUMERALS[n - 1] if n <= len(CHINESE_NUMERALS) else str(n)
        if kind in ("中学", "小学") and n % 2 == 0:
            # Schools are also named after their street: 昆都仑区阳光路小学.
            names.append(f"{place}{COMMUNITY_WORDS[n % len(COMMUNITY_WORDS)]}路{kind}")
        elif kind in ("医院", "中学", "小学"):
            names.append(f"{place}第{ordinal}{kind}")
        else:
            names.append(f"{place}{kind}")
    return names


def unit_names(
    rng: np.random.Generator, sectors: np.ndarray, levels: np.ndarray, district_codes: np.ndarray
) -> np.ndarray:
    """Realistic Chinese names for pilot units, one per row of the three aligned arrays."""
    size = len(sectors)
    names = np.empty(size, dtype=object)
    places = np.where(levels == "city", CITY, np.asarray(DISTRICTS, dtype=object)[district_codes])
    for sector in np.unique(sectors):
        rows = np.flatnonzero(sectors == sector)
        count = len(rows)
        if sector == "department":
            names[rows] = _department_names(rng, list(places[rows]))
        elif sector == "county_district":
            names[rows] = [DISTRICTS[int(code)] for code in district_codes[rows]]
        elif sector == "township_street":
            names[rows] = _township_names(rng, district_codes[rows])
        elif sector == "industrial_park":
            names[rows] = _park_names(rng, count)
        elif sector == "central_soe":
            names[rows] = _soe_names(rng, CENTRAL_SOES, count)
        elif sector == "regional_soe":
            names[rows] = _soe_names(rng, REGIONAL_SOES, count)
        elif sector == "private_enterprise":
            names[rows] = _company_names(rng, count)
        else:
            names[rows] = _institution_names(rng, list(places[rows]))
    return names


def industry_union(name: str) -> str:
    """The municipal industry union an enterprise belongs to, judged from its name."""
    for word, union in INDUSTRY_UNIONS:
        if word in name:
            return union
    return DEFAULT_INDUSTRY_UNION


def parent_unions(
    names: np.ndarray, sectors: np.ndarray, levels: np.ndarray, district_codes: np.ndarray
) -> np.ndarray:
    """The union each pilot unit reports to: city federation, a district federation or an industry
    union, following the usual Chinese union hierarchy."""
    district_feds = np.asarray([f"{d}总工会" for d in DISTRICTS], dtype=object)
    result = np.asarray(district_feds[district_codes], dtype=object)
    city = levels == "city"
    result[sectors == "county_district"] = CITY_FEDERATION
    result[city & (sectors == "department")] = CITY_ORGANS_UNION
    result[city & (sectors == "industrial_park")] = CITY_FEDERATION
    result[city & (sectors == "institution")] = CITY_EDUCATION_UNION
    enterprise = np.isin(sectors, ["central_soe", "regional_soe"]) | (
        city & (sectors == "private_enterprise")
    )
    result[enterprise] = [industry_union(str(n)) for n in names[enterprise]]
    return result
