"""Document identity: who reported (``org``), for which year, published when, under which title.

Reports name themselves in many places: a title line (with the year first or
the body first), the page's own metadata (meta tags, 发布机构, 来源, the
publication line), a signature or author line, the opening sentence
(2024年，某某街道坚持…), or only 我县 / 我局 with the site's name. Every field
is taken from the most trusted place that gives it, and says which one
(``org_from``, ``report_year_from``, ``published_from``, ``title_from``).

Order of trust, per field (the first that gives a value wins):

- ``title``: the page's ``ArticleTitle`` (``meta``), else a title line of the
  text (``text``; the title field of an information list or table first, 标  题：…,
  | 标题: | … |, 名  称:…; two lines joined when the body stands on a line of its own,
  or when the title is broken after its topic: …关于2023年度法治政府建设 / 工作的报告;
  a column tag before it dropped, 【法治建设报告】; the cells of an
  information table, [ 体裁分类 ] 工作报告, are never one; a long first line, a banner or
  injected chrome, and a bulleted long line do not start the body), else a title run into
  a banner or the body on one long line when it names its body
  (…www.example.com某某省人民政府关于2023年度…报告2023年，…).
- ``org``: ``title`` (the body a title names: 某某区人民政府关于…, 2022年某某区…);
  ``meta`` (发布机构, 来源, ContentSource, in the page's metadata or the text's
  publication line; a bulletin's 主办单位, a 行政执法统计年报's 本级行政机关) when it
  agrees with how the report speaks of itself (我镇 -> a town); ``signature`` (a body standing alone on one of the first or
  last lines, or after 作者：); ``opening`` (the subject of the opening
  sentence, helped by the NER stage's ORG/GPE entities; the name stops where the
  sentence runs on past it: 2022年，某某区法治政府建设工作在市委… is 某某区; a
  county of one character and its level, 息县人民政府坚持…, by the gazetteer; when
  the first sentence names none, a later one of the opening paragraph that starts
  with it: …之年。某某街道始终坚持…; 特编制某某办公室2023年…年度报告 and 某某镇2023年…情况
  报告如下, the body before its report's year; 我代表国务院向大会作…报告, the body speaking);
  ``self`` (我局 / 我县 / 我街, and the government by its level alone: 县人民政府,
  省政府, resolved with the site's name, the entities and the names the text
  gives: the one division of that level it names clearly most, by its full
  name, a province or city also by its short name after ``self.short_name_after``
  (法治湖南, 到长治工作), else the division above the ones it names (延安市,
  西安市 -> 陕西省; a province's report naming one city and nothing outside that
  province: 驻马店市 -> 河南省); 我街 the street by its short form as written
  (《某某街理论学习中心组…》), else the one a document's title starts with, even once
  (《某某街道政府信息…规程》); two named about as often: none. An abbreviated 省司法厅
  with the province the site or the text names, 对广东系列重要讲话 -> 广东省司法厅;
  我局 with the system it leads, 全市司法行政系统 -> 某市司法局, ``self.systems``);
  ``frequency`` (the town named most often, a plausible name only: 乡村 and
  乡镇 are words, not a name's end, and a name holds no ``frequency.not_in_name``
  word: no 所长列席乡, 发展乡; an ethnic township whole, 桐木漯瑶族乡); then any signature or metadata
  body, even one that disagrees with 我X. A title wins over the metadata: a
  reposted report keeps its 来源 of the office that posted it
  (来源：自治区人民政府法制办), while the title names the government that reports.
- ``published``: ``meta`` (the ``PubDate`` tag or the page's publication
  line), ``publication_line`` (发布日期：…, 发布时间 2024年03月29日,
  时间：2023-03-27 in the text's first lines, also in a bulleted or tabular
  metadata list), ``title_line`` (the title line with its date in brackets, as
  a list of articles gives it: …工作情况 (2015-04-23)), ``date_line`` (a date
  standing alone under the title or under the signature, also as a bulleted
  value of an information list that lost its labels: • 2021-01-29, or right
  after the dash of a delivery line: ——2024年3月5日在…;
  never a date inside a line of the body: --…规定于2024年1月1日起施行). A page clock (今天是：2020年6月1日 星期一) never counts;
  a date with its weekday after a publication label does (发布日期：2024年1月15日 星期一).
- ``report_year``: ``title`` (its year), ``opening`` (现将2023年…报告如下,
  2023年，某某街道…, 一、2019年…), ``published`` (a report signed in the
  first half of a year covers the year before), ``frequency`` (the most
  frequent year), ``plan`` (with no year outside titles, the year of the one
  annual plan the text names, 《某某市2022年…工作要点》). A plan's range
  (2021—2025年), any other 《title》's year and a page clock are never a
  report year.

User corrections (a sources file's ``org`` / ``report_year`` / ``published``,
a corrections file keyed by doc_id) win over all of it: :func:`with_overrides`,
provenance ``override``.

``org`` is the name without the higher levels above it (spec §4):
龙岩市永定区卫生健康局 -> 永定区卫生健康局, 丰都县树人镇人民政府 -> 树人镇,
鲤城区人民政府金龙街道办事处 -> 金龙街道 (the higher level's government word
goes with it), 国家税务总局某县税务局 -> 某县税务局; a department keeps its own
government (江苏省司法厅). A short form (…卫生健康委, …卫健委) is written out
when the text writes the body in full (``org.full_forms``). It is resolved to its
administrative division (``division_code``, ``level``, ``parent_org``) by
:mod:`extractors.divisions`.

``org`` and ``title`` are in the text's own script: they are found on a
simplified copy (same offsets) and read back from the original where they
stand (小龍門鄉, not 小龙门乡). A body that names itself by a short form in its
opening sentence keeps it (2024年，鹤龙街坚持… -> 鹤龙街); one with two names
keeps both (高新区(新市区)人民政府… -> 高新区(新市区)).

Pure: text and dictionaries in, a :class:`DocumentMeta` out. The rule data is
``rules/meta.toml``, checked like every rule file; ``document_meta(..., rules=)``
takes it from a run's rules folder (``--rules``), whose id it is part of.
"""
from __future__ import annotations

import re
import tomllib
import weakref
from collections import Counter
from contextvars import ContextVar
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Optional

from . import divisions
from .numbers import parse_chinese
from .record import DocumentMeta
from .rulecheck import check_file
from .scanner import GLOSS
from .script import to_simplified

META_RULES = Path(__file__).with_name("rules") / "meta.toml"
HAN = "\u4e00-\u9fff"

_CN_DIGIT = "〇○零一二三四五六七八九十"
_DATE = re.compile(
    rf"(?<![0-9])(?P<y>(?:19|20)[0-9]{{2}}|[二][{_CN_DIGIT}]{{3}})\s*(?:年|[.．/\-])\s*"
    rf"(?P<m>[0-9]{{1,2}}|[{_CN_DIGIT}]{{1,3}})\s*(?:月|[.．/\-])\s*"
    rf"(?P<d>[0-9]{{1,2}}|[{_CN_DIGIT}]{{1,3}})(?![0-9])\s*日?"
)
_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2}|二[〇○零一二三四五六七八九]{3})\s*年")
_CN_YEAR = str.maketrans("〇○零一二三四五六七八九", "00012345678" + "9")


def _year(s: str) -> int:
    """2023 or 二〇二三 as a number."""
    return int(s.translate(_CN_YEAR))
# a plan's range: 2021—2025年, 2015-2020年, 2023至2027年
_RANGE = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}\s*年?\s*[—–\-－~～至到]+\s*(?:19|20)[0-9]{2}\s*年?")
_BOOK = re.compile(r"《[^《》\n]{0,80}》")
# a range lies in one stretch of its own characters (digits, spaces, 年 and the dashes), around a run
# of dashes with a digit before it (spaces and a 年 between) and a year of 19xx or 20xx after it
_DASHES = "—–-－~～至到"
_RANGE_CHARS = frozenset("0123456789年" + _DASHES)
_RANGE_NEXT = frozenset("12" + _DASHES)  # after a dash: another, a space, or the 1 or 2 of a year


def _without_ranges(text: str) -> str:
    """``_RANGE.sub(" ", text)``, the pattern run only on the stretches of its characters around a
    dash that may be a range's (the same result, without scanning a long text with it)."""
    n, stretches = len(text), set()
    for c in _DASHES:
        i = text.find(c)
        while i >= 0:
            nxt, prev = text[i + 1:i + 2], text[i - 1:i] if i else ""
            if not ((nxt in _RANGE_NEXT or nxt.isspace()) and (prev in _RANGE_CHARS or prev.isspace())):
                i = text.find(c, i + 1)
                continue  # 达到, 至今: no year around this dash
            j = i
            while j > 0 and text[j - 1] in _DASHES:
                j -= 1
            while j > 0 and text[j - 1].isspace():
                j -= 1
            if j > 0 and text[j - 1] == "年":
                j -= 1
                while j > 0 and text[j - 1].isspace():
                    j -= 1
            k = i + 1
            while k < n and text[k] in _DASHES:
                k += 1
            while k < n and text[k].isspace():
                k += 1
            if (j > 0 and "0" <= text[j - 1] <= "9" and text[k:k + 2] in ("19", "20")
                    and "0" <= text[k + 2:k + 3] <= "9" and "0" <= text[k + 3:k + 4] <= "9"):
                a, b = i, i + 1
                while a > 0 and (text[a - 1] in _RANGE_CHARS or text[a - 1].isspace()):
                    a -= 1
                while b < n and (text[b] in _RANGE_CHARS or text[b].isspace()):
                    b += 1
                stretches.add((a, b))
            i = text.find(c, i + 1)
    out, pos = [], 0
    for a, b in sorted(stretches):
        out.append(text[pos:a])
        out.append(_RANGE.sub(" ", text[a:b]))
        pos = b
    out.append(text[pos:])
    return "".join(out)


def _year_strings(text: str) -> list[str]:
    """``_YEAR.findall(text)``, in the same order: the pattern read backwards on the text reversed,
    where it starts with 年 (a scan for one character instead of one for a year)."""
    return [y[::-1] for y in reversed(_YEAR_REVERSED.findall(text[::-1]))]


_YEAR_REVERSED = re.compile(r"年\s*([0-9]{2}(?:91|02)|[〇○零一二三四五六七八九]{3}二)(?![0-9])")
_SECTION_START = re.compile(r"^[一二三四五六七八九十]+、|^[（(][一二三四五六七八九十]+[)）]|^[0-9]+[.．、]")
_PUNCT = re.compile(r"[，,。；;！!？?]")
_BREADCRUMB = re.compile(r"[>›»→]|首页|当前位置|您的位置|所在位置")


class MetaRules:
    """The rules of ``meta.toml`` (checked against its schema) and the patterns made from them."""

    def __init__(self, data: dict, path: str = str(META_RULES)):
        self.data = data
        self.path = path
        self._patterns: dict[str, re.Pattern] | None = None

    @property
    def patterns(self) -> dict[str, re.Pattern]:
        if self._patterns is None:
            self._patterns = _make_patterns(self.data)
        return self._patterns


@lru_cache(maxsize=1)
def _bundled() -> MetaRules:
    raw = META_RULES.read_text(encoding="utf-8")
    data = tomllib.loads(raw)
    check_file("meta.toml", str(META_RULES), data, raw)
    return MetaRules(data)


_BY_RULESET: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_ACTIVE: ContextVar[Optional[MetaRules]] = ContextVar("meta_rules", default=None)


def meta_rules(rules=None) -> MetaRules:
    """The identity rules of a rule set: ``None`` (the bundled rules), a rules folder, a loaded
    :class:`~extractors.ruleset.RuleSet` (its ``meta.toml``) or a :class:`MetaRules`."""
    if rules is None:
        return _bundled()
    if isinstance(rules, MetaRules):
        return rules
    if isinstance(rules, (str, Path)):
        from .ruleset import load_rules

        rules = load_rules(rules)
    if not getattr(rules, "meta", None):
        return _bundled()
    mr = _BY_RULESET.get(rules)
    if mr is None:
        mr = _BY_RULESET[rules] = MetaRules(rules.meta, str(Path(rules.path) / "meta.toml"))
    return mr


def _active() -> MetaRules:
    return _ACTIVE.get() or _bundled()


def _rules() -> dict:
    return _active().data


def _alt(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _patterns() -> dict[str, re.Pattern]:
    mr = _ACTIVE.get() or _bundled()  # _active(), called often enough to be inlined
    return mr._patterns if mr._patterns is not None else mr.patterns


def _make_patterns(r: dict) -> dict[str, re.Pattern]:
    suffix = _alt(r["org"]["suffixes"])
    gov = _alt(r["org"]["government_words"])
    labels = _alt(r["published"]["labels"])
    stops = _alt(r["opening"]["name_stops"])
    run_in = re.compile(r["title"]["run_in"])  # its group "title" checked with the file (rulecheck.GROUPS)
    name_char = f"(?:(?!{stops})[{HAN}])" if stops else f"[{HAN}]"
    peoples = r["org"].get("ethnic_groups", [])
    return {
        "suffix_end": re.compile(f"(?:{suffix})$"),
        "suffix_in": re.compile(f"(?:{suffix})"),  # a name's suffix anywhere: where a name may be
        "gov_tail": re.compile(f"(?:{gov})(?:[、，, ]*(?:{gov}))*$"),
        "gov_head": re.compile(f"^(?:{gov})"),
        # the subject of an opening sentence: a name ending in a suffix, then what it does; the
        # name never runs on past a stop word (…区法治政府建设工作在市委… is 某区 and what it did)
        # (a comma may stand between them: …领导下，某某市林业和草原局，以…为目标)
        "subject": re.compile(f"^(?P<name>{name_char}{{2,24}}?(?:{suffix})(?:{gov})?)"
                              f"(?=[，,]?(?:{_alt(r['opening']['after_subject'])}))"),
        # a county or city whose name is one character and its level (息县人民政府|坚持…): the gazetteer decides
        "short_division": re.compile(f"^(?P<name>[{HAN}](?:县|旗|市))(?:{gov})?"
                                     f"(?=(?:{_alt(r['opening']['after_subject'])}))"),
        # a street by its short form (2024年，某某街坚持…): the name as written, from the opening only
        "short_subject": re.compile(f"^(?P<name>{name_char}{{2,6}}?(?:{_alt(r['opening']['short_suffixes'])}))"
                                    f"(?=(?:{_alt(r['opening']['after_subject'])}))")
        if r["opening"]["short_suffixes"] else re.compile(r"(?!)"),
        "lead_in": re.compile(f"^(?:{_alt(r['opening']['lead_ins'])})") if r["opening"]["lead_ins"] else re.compile(r"(?!)"),
        "clause_lead_in": (re.compile(f"[，,]\\s*(?:{_alt(r['opening']['clause_lead_ins'])})")
                           if r["opening"].get("clause_lead_ins") else re.compile(r"(?!)")),
        # 本部门 (本地区本部门规范性文件) is any department, not a 部 speaking of itself (``self.not_words``)
        "self": re.compile(f"(?:我|本)(?!{_alt(r['self'].get('not_words', [])) or '(?!)'})({_alt(r['self']['words'])})"),
        # 发布日期：2023-04-12 · 发布时间 2024年03月29日 · [ 发布日期 ] | 2026-02-11 · 发布时间:\n2026-03-04
        "pub_label": re.compile(f"(?P<label>{labels})\\s*[\\]】]?\\s*[:：]?\\s*[|｜]?\\s*"),
        "pub_label_before": re.compile(f"(?:{labels})\\s*[\\]】]?\\s*[:：]?\\s*[|｜]?\\s*$"),
        "clock": re.compile(f"(?:{_alt(r['published']['clock'])})\\s*[:：]?\\s*"),
        # what _without_clock blanks begins with one of these: a clock word before the first character
        # of a date, a weekday (a text without them is kept as it is; one flat alternation, as a group
        # in it makes the search try every position)
        "clock_or_weekday": re.compile("|".join([re.escape(w) + "\\s*[:：]?\\s*[12二]" for w in r["published"]["clock"]]
                                                + [f"{w}[一二三四五六日天]" for w in ("星期", "周", "礼拜")])),
        # 发布机构：X · 来源：X · 信息来源：X · [ 发布机构 ] | X · 发文机关: | X
        # 主办单位 / 本级行政机关: the masthead of a bulletin, the first item of a 行政执法统计年报
        "org_label": re.compile(r"(?P<label>发布机构|发文机关|发文单位|信息来源|文章来源|稿件来源|稿源|来源|作者|发布单位"
                                r"|主办单位|本级行政机关)"
                                r"\s*[\]】]?\s*[:：]?\s*[|｜]?\s*"),
        "run_in": run_in,
        # the peoples before an ethnic township's 乡 (某某|苗族侗族|乡): part of its suffix
        "ethnic_end": re.compile(f"(?:(?:{_alt(peoples)})族)+$" if peoples else r"(?!)"),
        "not_in_name": re.compile(_alt(r.get("frequency", {}).get("not_in_name", [])) or r"(?!)"),
    }


# ---------------------------------------------------------------- dates

def _num(s: str) -> int:
    return int(s) if s.isdigit() else int(parse_chinese(s.replace("○", "〇")))


def _date_of(m: re.Match) -> str | None:
    try:
        y, mo, d = _num(m.group("y")), _num(m.group("m")), _num(m.group("d"))
    except ValueError:
        return None
    if not (1 <= mo <= 12 and 1 <= d <= 31 and 1949 <= y <= 2100):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def parse_date(s: str) -> str | None:
    """The first full date in ``s``, ISO (2019年12月2日, 2021.12.18, 二〇二四年一月二十日)."""
    m = _DATE.search(s)
    return _date_of(m) if m else None


def _without_clock(text: str) -> str:
    """``text`` with the date of a page clock (今天是：2020年6月1日 星期一) blanked, offsets kept."""
    if not _patterns()["clock_or_weekday"].search(text):
        return text
    out, pos = [], 0
    for m in _patterns()["clock"].finditer(text):
        if m.start() < pos:
            continue
        d = _DATE.match(text, m.end())
        if not d:
            continue
        out.append(text[pos:m.start()])
        out.append(" " * (d.end() - m.start()))
        pos = d.end()
    out.append(text[pos:])
    # a date with its weekday is a clock too: 2019年12月3日星期二
    text = "".join(out)
    return _WEEKDAY_DATE.sub(_blank_unless_labelled, text) if _may_hold_weekday_date(text) else text


def _blank_unless_labelled(m: re.Match) -> str:
    """A date with its weekday blanked (a clock), unless a publication label stands right before it:
    发布日期：2024年1月15日 星期一 is the page's publication line."""
    if _patterns()["pub_label_before"].search(m.string, max(0, m.start() - 12), m.start()):
        return m.group(0)
    return " " * len(m.group(0))


_WEEKDAY_DATE = re.compile(_DATE.pattern + r"\s*(?:星期|周|礼拜)[一二三四五六日天]")
_WEEKDAY = re.compile(r"(?:星期|周|礼拜)[一二三四五六日天]")
_DATE_END = frozenset("0123456789" + _CN_DIGIT + "日")


def _may_hold_weekday_date(text: str) -> bool:
    """False when ``text`` holds no :data:`_WEEKDAY_DATE` (a weekday whose last character before it,
    spaces skipped, cannot end a date): the scan for dates over a long text only where one may be."""
    if "周" not in text and "星期" not in text and "礼拜" not in text:
        return False
    for m in _WEEKDAY.finditer(text):
        i = m.start()
        while i > 0 and text[i - 1].isspace():
            i -= 1
        if i > 0 and text[i - 1] in _DATE_END:
            return True
    return False


# ---------------------------------------------------------------- lines

def _lines(text: str) -> list[str]:
    return [ln.strip(" \u3000\t\xa0") for ln in text.split("\n") if ln.strip(" \u3000\t\xa0")]


_SPACED_OUT = re.compile(f"(?<![{HAN}])[{HAN}](?:[ \u3000]+[{HAN}](?![{HAN}]))+")


def _unspaced(ln: str) -> str:
    """``ln`` with words spaced out character by character written together, as a metadata table
    pads its labels (发 文 日 期: 2023-03-30 -> 发文日期: 2023-03-30); other spaces kept."""
    if " " not in ln and "\u3000" not in ln:
        return ln
    return _SPACED_OUT.sub(lambda m: re.sub(r"[ \u3000]+", "", m.group(0)), ln)


def _is_meta_line(ln: str) -> bool:
    """A line of page metadata rather than report text: labels (also spaced out: 发 布 机 构),
    table cells, counters."""
    ln = _unspaced(ln)
    p = _patterns()
    label = p["pub_label"].match(ln)
    if label and label.group("label") in ("时间", "日期") and not _LABEL_COLON.match(ln, 2):
        label = None  # 时间紧、任务重…: a sentence, not a label
    return bool(ln.startswith("|") or label or p["org_label"].match(ln)
                or _COUNTER_WORDS.search(ln)
                or _BULLET_LABEL.match(ln)
                # an information table's cells: [ 主题分类 ] 卫生 [ 体裁分类 ] 工作报告 · - [ 有效性 ] 有效
                or _TABLE_CELL.match(ln)
                or (len(ln) <= 150 and len(_BRACKET_LABEL.findall(ln)) >= 2))


_BRACKET_LABEL = re.compile(f"[\\[【]\\s*[{HAN}]{{2,8}}\\s*[\\]】]")
_LABEL_COLON = re.compile(r"\s*[:：\]】|｜]")
_COUNTER_WORDS = re.compile(r"浏览次数|阅读次数|访问量|字体[:：]|【\s*大\s*中\s*小\s*】|索引号|分享到")
_BULLET_LABEL = re.compile(r"^[•·●\-*]\s*\S{2,6}\s*[:：]")
_TABLE_CELL = re.compile(r"^(?:[•·●\-*]\s*)?\[\s*[^\]\s]{2,8}\s*\]")
_ORG_VALUE = re.compile(f"[{HAN}（）()]{{2,40}}")


def _value_start(ln: str, i: int) -> int:
    """Where ``ln[i:].lstrip(" |｜")`` starts in ``ln`` (no copy of a long line's rest)."""
    while i < len(ln) and ln[i] in " |｜":
        i += 1
    return i


# ---------------------------------------------------------------- labelled metadata

def labelled_dates(lines: Iterable[str]) -> list[tuple[str, str]]:
    """``(label, iso date)`` of every publication-line label followed by a date (a label spaced
    out as a metadata table pads it, 发 文 日 期: 2023-03-30, read without its spaces):
    发布日期：2023-04-12, • 发布时间 2024年03月29日, [ 成文日期 ] | 2026-02-11, a label
    whose date stands on the next line; an empty cell (发文日期: | |) gives nothing."""
    return [(label, iso) for label, iso, _ in _labelled_dates(lines)]


_CLOCK_AFTER = re.compile(r"\s*[0-9]{1,2}[:：][0-9]{2}")


def _labelled_dates(lines: Iterable[str]) -> list[tuple[str, str, bool]]:
    """:func:`labelled_dates` with, for each, whether a time of day follows the date (时间:2026-01-09
    09:36: a publishing system's stamp)."""
    lines = [_unspaced(ln) for ln in lines]
    out = []
    pub_label = _patterns()["pub_label"]
    for i, ln in enumerate(lines):
        end = len(ln.rstrip())
        for m in pub_label.finditer(ln):
            label = m.group("label")
            if label in ("时间", "日期") and m.start() > 0 and "\u4e00" <= ln[m.start() - 1] <= "\u9fff":
                continue  # 会议时间, 截止日期 … inside words
            if m.end() >= end and i + 1 < len(lines):  # nothing after the label: the next line
                value = lines[i + 1].lstrip(" |｜")
                d = _DATE.match(value)
            else:  # the rest of the line, read in place (unless a digit before it would change the date's look-behind)
                k = _value_start(ln, m.end())
                value = ln if not "0" <= ln[k - 1] <= "9" else ln[k:]
                d = _DATE.match(ln, k) if value is ln else _DATE.match(value)
            if d:
                iso = _date_of(d)
                if iso:
                    out.append((label, iso, bool(_CLOCK_AFTER.match(value, d.end()))))
    return out


def labelled_orgs(lines: Iterable[str]) -> list[tuple[str, str]]:
    """``(label, name)`` for 发布机构：X, 来源：X, 信息来源：X, 发文机关: | X |, 作者：X."""
    lines = [_unspaced(ln) for ln in lines]
    out = []
    org_label = _patterns()["org_label"]
    for i, ln in enumerate(lines):
        end = len(ln.rstrip())
        for m in org_label.finditer(ln):
            if m.start() > 0 and "\u4e00" <= ln[m.start() - 1] <= "\u9fff" and m.group("label") == "来源":
                if ln[m.start() - 2:m.start()] not in ("信息", "文章", "稿件"):
                    continue
            if m.end() >= end and i + 1 < len(lines) and not _is_meta_line(lines[i + 1]):
                v = _ORG_VALUE.match(lines[i + 1].lstrip(" |｜"))
            else:  # the rest of the line, read in place
                v = _ORG_VALUE.match(ln, _value_start(ln, m.end()))
            if v:
                name = v.group(0)
                # the next label on the same line ends the value: 来源：某某县发布时间…
                name = re.split(_alt(_rules()["published"]["labels"] + ["浏览", "字体", "作者", "来源"]), name)[0]
                if len(name) >= 2:
                    out.append((m.group("label"), name))
    return out


# ---------------------------------------------------------------- names

def normalize_org(name: str | None) -> str | None:
    """A body's name as the contract wants it: government words dropped (人民政府,
    办事处, 党工委、管委会), the higher levels dropped (丰都县树人镇 -> 树人镇,
    某某市梅溪区卫生健康局 -> 梅溪区卫生健康局), a department's own level kept
    (江苏省司法厅). None when what is left is no name."""
    if not name:
        return None
    name = _SHORT_FORM_NOTE.sub("", name)  # 某某区人民政府办公室（以下简称区政府办公室）
    n = re.sub(r"\s+", "", name)
    if not _patterns()["suffix_in"].search(n):
        return None  # the name kept is part of this and ends in a suffix
    n = _strip_brackets(n.strip("、，,：:"))
    # 中共某县委 某县人民政府 / 党工委、管委会: the government, the last of a list
    parts = [p for p in re.split(r"[、，,\s]+", name.strip()) if p]
    if len(parts) > 1:
        govs = [p for p in parts if _patterns()["suffix_end"].search(_strip_gov(p) or "")]
        n = _strip_gov(parts[-1]) or ""
        if not _name_ok(n) and govs:
            n = _strip_gov(govs[0]) or ""
    n = _strip_gov(n) or ""
    # 某某地区行政公署司法局, 某某盟行署教育局: a prefecture's government word before its department
    n = _PREFECTURE_GOV.sub("", n)
    # 中共某某镇委员会某某镇人民政府, 某某镇党委某某镇政府: the government after the party committee
    m = _PARTY_THEN_GOV.match(n)
    if m:
        n = m.group("rest")
    if n.endswith("街道办"):
        n = n[:-1]
    n = _without_doubled_level(n)
    n = _drop_higher_levels(n)
    return n if _name_ok(n) else None


def _strip_brackets(n: str) -> str:
    """Brackets off the ends of a name, but not a closing one whose opening is in it:
    藏语委办(编译局) keeps its (编译局)."""
    n = n.lstrip("（(")
    while n.endswith((")", "）")) and not re.search(r"[（(][^（）()]*$", n[:-1]):
        n = n[:-1]
    while n.endswith(("(", "（")):
        n = n[:-1]
    return n


# what the level's character starts after a division's name without being a doubled level (市场, 县城, 区域)
_LEVEL_WORDS = re.compile(r"(?:市场|市政|市容|市民|县城|县域|县级|区域|区划|省级)")


def _without_doubled_level(n: str) -> str:
    """某某县县卫生健康局 -> 某某县卫生健康局: a division's level written twice (a slip of the
    page), when what follows the second is no word of its own (市场监督管理局, 县城管理局)."""
    m = _DOUBLED_LEVEL.search(n)
    if m and len(n) - m.end() >= 2 and not _LEVEL_WORDS.match(n, m.start() + 1):
        return n[:m.start() + 1] + n[m.end():]
    return n


_DOUBLED_LEVEL = re.compile(f"(?<=[{HAN}]{{2}})(?P<level>[省市县区])(?P=level)")


_PREFECTURE_GOV = re.compile(f"(?:(?<=地区)|(?<=盟))(?:行政公署|行署)(?=[{HAN}]{{2}})")
_SHORT_FORM_NOTE = re.compile(r"[（(]\s*(?:以下简称|下称|简称)[^（）()]{0,20}[)）]")
_PARTY_THEN_GOV = re.compile(f"^(?:中共)?[{HAN}]{{2,20}}?(?:委员会|党工委|党委|工委|委)"
                             f"(?P<rest>[{HAN}]{{2,20}}(?:自治区|自治州|自治县|省|市|州|县|区|旗|街道|镇|乡|苏木))$")


def _strip_gov(n: str) -> str:
    before = n
    n = _patterns()["gov_tail"].sub("", n)
    if before.endswith("街道办事处") or (before.endswith("办事处") and n and not n.endswith("街道")
                                      and before[:-3].endswith("街道")):
        n = before[: -len("办事处")]
    return n.strip("、，, ")


_HIGHER = re.compile(f"^(?P<hi>[{HAN}]{{2,6}}?(?:省|自治区|市|自治州|州|地区|盟|县|新区))"
                     f"(?P<rest>[{HAN}]{{2,8}}?(?:自治县|县|区|市|旗|街道|民族乡|镇|乡|苏木).*)$")


def _drop_higher_levels(n: str) -> str:
    """Drop the divisions above the body: a leading division whose rest is again a division, and
    a vertically managed body's higher office (国家税务总局|岳西县税务局)."""
    for hi in sorted(_rules()["org"]["higher_bodies"], key=len, reverse=True):
        rest = n[len(hi):]
        if n.startswith(hi) and (divisions.leading_divisions(rest) or _is_place_name(rest)):
            n = rest
            break
    # 天津滨海高新区, 重庆两江新区: a zone under its province or municipality written without its level
    m = _ZONE.match(n)
    if m and m.group("province") in divisions.province_short_names() and not divisions.leading_divisions(n) \
            and _is_place_name(m.group("zone")):
        n = m.group("zone")
    for _ in range(4):
        lead = divisions.leading_divisions(n)
        if lead and len(lead[0]) < len(n):
            rest = _after_government(n[len(lead[0]):])
            if divisions.leading_divisions(rest) or _is_place_name(rest):
                n = rest
                continue
        m = _HIGHER.match(n)
        if m and not lead and _is_place_name(_after_government(m.group("rest"))):
            n = _after_government(m.group("rest"))
            continue
        break
    return n


_ZONE = re.compile(f"^(?P<province>[{HAN}]{{2,3}}?)(?P<zone>[{HAN}]{{2,8}}(?:高新区|开发区|新区|示范区|试验区|管理区))$")


def _after_government(rest: str) -> str:
    """What follows a higher level's government word: 鲤城区|人民政府|金龙街道 -> 金龙街道."""
    m = _patterns()["gov_head"].match(rest)
    return rest[m.end():] if m and len(rest) - m.end() >= 2 else rest


_PLACE_START = re.compile(f"^[{HAN}]{{2,8}}?(?:自治县|县|区|市|旗|街道|民族乡|镇|乡|苏木)")


def _is_place_name(rest: str) -> bool:
    """梅溪区卫生健康局, 树人镇, 罗子山瑶族乡: a place (with its department), not 司法厅 or 市场监督管理局."""
    m = _PLACE_START.match(rest)
    if not m:
        return False
    head = m.group(0)
    if head in _rules()["org"]["not_names"] or (_bad_start(head) and not divisions.leading_divisions(rest)):
        return False
    # 司法局桥头分局: a department word before the place suffix is not a place; nor a word that
    # ends like one (住房和城乡|建设委员会: ``frequency.not_in_name``)
    return not re.search(r"[局厅委办部署院所]", head) and _plausible(head)


_DOUBLE_NAME = re.compile(f"^(?P<a>[{HAN}]{{2,20}})[(（](?P<b>[{HAN}]{{2,20}})[)）]$")


def _name_ok(n: str | None) -> bool:
    if not n or len(n) < 2 or len(n) > 30:
        return False
    d = _DOUBLE_NAME.match(n)
    if d:  # one body, two names: 高新区(新市区)
        return _name_ok(d.group("a")) and _name_ok(d.group("b"))
    if n in _rules()["org"]["not_names"] or not re.fullmatch(f"[{HAN}（）()]+", n):
        return False
    if _bad_start(n) and not divisions.leading_divisions(n):
        return False
    return bool(_patterns()["suffix_end"].search(n))


def _bad_start(n: str) -> bool:
    """全镇, 各乡, 该局, 上级政府, 下辖街道: a word that starts like no name. A name the gazetteer
    knows is a name whatever it starts with (上城区, 市中区, 镇江市): see the callers."""
    o = _rules()["org"]
    return n[:1] in o["not_name_starts"] or n.startswith(tuple(o["not_name_prefixes"]))


def _kind(n: str) -> str | None:
    """What a name is, in the words the report uses for itself: 镇, 街道, 局, 县 …"""
    for w in _rules()["self"]["words"]:
        if n.endswith(w) or (w == "委" and n.endswith("委员会")) or (w == "办" and n.endswith("办公室")):
            return w
    if n.endswith(("自治区",)):
        return "区"
    if n.endswith("分局"):
        return "局"
    return None


def self_reference(text: str) -> str | None:
    """How the report speaks of itself: 我镇, 我局, 本街道 … (the most frequent)."""
    c = Counter(_patterns()["self"].findall(text))  # group 1 of each match, in order
    c.pop("市", None) if c.get("市", 0) and sum(c.values()) > 2 * c["市"] else None
    return c.most_common(1)[0][0] if c else None


def _agrees(org: str, kind: str | None) -> bool:
    if kind is None:
        return True
    k = _kind(org)
    if k == kind:
        return True
    return {kind, k} <= {"镇", "乡"} or {kind, k} <= {"街道", "街"}


# ---------------------------------------------------------------- title

# (?<!\s): the chrome's spaces start after a non-space (the leftmost match anyway), so a long run
# of spaces is scanned once, not once per space (issue 16); the lookahead first makes most
# places fail at one character
_TITLE_CHROME = re.compile(r"(?=[\s【\[字打关分])(?<!\s)\s*(?:【[^【】]*】|\[[^\[\]]*\]|(?:字体|字号)\s*[:：].*|(?:打印|关闭|分享)(?:本页|窗口)?)\s*$")


_COLUMN_TAG = re.compile(f"^\\s*【[{HAN}]{{2,12}}】\\s*(?=[{HAN}])")
# a page's list item: its menus, banners and, on some mirrors, every line (• 某某省人民政府关于…报告)
_BULLET = ("•", "·", "●")
# a title line with its date in brackets, as a list of articles gives it: …工作情况 (2015-04-23)
_BRACKET_DATE = re.compile(r"(?=[\s（(])(?<!\s)\s*[（(]\s*(?:" + _DATE.pattern + r")\s*[)）]\s*$")


def _title_line(ln: str) -> str:
    """A title line without the chrome around it: a column tag or a list item's bullet before it
    (【法治建设报告】, • ), 【字体：大 中 小】, [打印], a date or a table row's end (|) after it."""
    if ln.startswith(_BULLET):
        ln = ln.lstrip("".join(_BULLET) + " \u3000")
    if ln.rstrip().endswith(("|", "｜")):
        ln = ln.rstrip("|｜ \u3000")  # the end of a table's row: 某某街道2024年度…报告 |
    ln = _COLUMN_TAG.sub("", ln)
    m = _EXPLAINED.match(ln.strip())
    if m:
        return m.group("t").strip()  # 【政策解读】关于《某某县人民政府关于2023年度…的报告》的解读: the report it explains
    for _ in range(3):
        before = ln
        # each pattern only where the line's end allows it (a long line of body text ends in 。)
        if ln.rstrip().endswith((")", "）")):
            ln = _BRACKET_DATE.sub("", ln)
        if ln.rstrip().endswith(_CHROME_ENDS) or "字体" in ln or "字号" in ln:
            ln = _TITLE_CHROME.sub("", ln)
        if ln.rstrip()[-1:] in _DATE_END:
            d = _DATE.search(ln)
            if d and d.start() >= 8 and not ln[d.end():].strip():
                ln = ln[:d.start()]
        if ln == before:
            break  # the same line again the next time
    return ln.strip()


# the title of a page explaining a report: 【文字解读】《…关于2024年法治政府建设情况的报告》文件解读,
# 关于《…报告》的政策解读
_EXPLAINED = re.compile(r"^(?:【[^【】]{0,8}】)?(?:关于)?《(?P<t>[^《》]{4,80})》(?:的)?(?:文件|政策|图文|文字)?解读$")


# what a line ends with when _TITLE_CHROME may take something off its end (字体/字号 anywhere)
_CHROME_ENDS = ("】", "]", "打印", "关闭", "分享", "本页", "窗口")


def _title_ok(ln: str) -> bool:
    r = _rules()["title"]
    if ln.endswith((")", "）", ")\n", "）\n")):
        ln = re.sub(r"\s*[（(][^（）()]{0,14}[)）]$", "", ln)  # …的报告（2023年度）, …报告（全文）
    # a genre alone (工作报告, a value of the page's information list) names no report
    return (4 <= len(ln) <= 80 and ln.endswith(tuple(r["endings"])) and ln not in r["endings"] and not _PUNCT.search(ln)
            and not _SECTION_START.match(ln) and not _BREADCRUMB.search(ln) and not ln.startswith("现将")
            and any(w in ln for w in r["topic"]) and not _is_meta_line(ln))


# the title as a field of the page's information list or table: 标  题：…, | 标题: | … | ||, • 名称:…,
# 内 容 概 述: … (spaced labels read without their spaces), cut before a next label on its line
_LABELLED_TITLE = re.compile(r"^(?:[•·●*|｜]\s*)*(?:标题|名称|题名|文件名称|内容概述)\s*[:：]\s*[|｜]?\s*(?P<t>[^|｜]+?)"
                             r"\s*(?:[|｜].*|\s+\S{1,8}[:：].*)?$")
# a table of one cell holding the title: | 某某街道2025年度法治政府建设情况报告 |
_CELL_TITLE = re.compile(r"^[|｜]\s*(?P<t>[^|｜]{4,80}?)\s*[|｜]$")


def _labelled_title(ln: str) -> str | None:
    if not ("题" in ln or "称" in ln or "述" in ln or ln.startswith(("|", "｜"))):
        return None
    m = _LABELLED_TITLE.match(_unspaced(ln)) or _CELL_TITLE.match(ln)
    t = m.group("t").strip() if m else None
    return t if t and _title_ok(t) else None


def _title(lines: list[str]) -> str | None:
    for ln in lines[:16]:
        t = _labelled_title(ln)
        if t:
            return t
    head = []
    for raw in lines[:40]:
        if len(raw) > 80 and raw.startswith(_BULLET):
            continue  # a list item of the page's chrome (• 高举…而团结奋斗。, a banner): not the body's start
        t = _title_line(raw)
        if t and not _is_meta_line(t):
            head.append(t)
            if len(head) == 12 or (len(t) > 80 and len(head) >= 2):
                break  # what follows is never read: the loop below stops at a long line
    for i, ln in enumerate(head):
        if len(ln) > 80:
            if i == 0:
                continue  # the page's first line, before any short one: a banner or injected chrome
            break  # the body has begun
        if _title_ok(ln):
            prev = head[i - 1] if i else ""
            # 东安县应急管理局 / 2025年法治政府建设报告: the body on a line of its own
            if (prev and len(prev) <= 30 and not _PUNCT.search(prev) and not _is_meta_line(prev)
                    and not _BREADCRUMB.search(prev) and re.match(r"^(?:关于|(?:19|20)[0-9]{2}年)", ln)
                    and normalize_org(re.sub(r"关于$", "", prev) if not ln.startswith("关于") else prev)):
                return prev + ln    # (某某市人民政府关于 / 2023年度…的报告: the break after 关于)
            # 某某乡人民政府关于2023年度法治政府建设 / 工作的报告: a title broken over two lines
            if (prev and len(ln) <= 20 and not _PUNCT.search(prev) and not _BREADCRUMB.search(prev)
                    and re.search(r"关于|(?:19|20)[0-9]{2}\s*年", prev) and not re.match(r"^(?:关于|(?:19|20)[0-9]{2})", ln)
                    and not prev.endswith(tuple(_rules()["title"]["endings"])) and _title_ok(prev + ln)
                    and org_from_title(prev + ln) and not org_from_title(ln)):
                return prev + ln
            return ln
    return _run_in_title(head[:2])


def _run_in_title(lines: list[str]) -> str | None:
    """A title run together with a banner or the body when the page lost its line breaks:
    某某网www.example.com某某省人民政府关于2023年度法治政府建设情况的报告2023年，省政府坚持…"""
    for ln in lines:
        if len(ln) <= 80:
            continue
        m = _patterns()["run_in"].search(ln[:300])
        # a title that names its body (根据2023年度…工作总结要求 is a sentence, not a title)
        if m and _title_ok(m.group("title")) and org_from_title(m.group("title")):
            return m.group("title")
    return None


_TITLE_SUBJECT = re.compile(r"关于|(?:19|20)[0-9]{2}\s*年|[二][〇○零一二三四五六七八九]{3}年|法治|依法|法制|年度|贯彻|推进|上半年|工作")


def org_from_title(title: str) -> str | None:
    """The body a title names: 大寺镇2021年度…报告, 某某区人民政府关于2023年…的报告,
    2022年某某区法治政府建设工作报告 (the year first), 中共某县委 某县人民政府关于…"""
    t = re.sub(r"^关于", "", _DOC_NUMBER.sub("", title.strip()))
    t = re.sub(r"^(?:关于)?(?:(?:19|20)[0-9]{2}\s*年度?|[二][〇○零一二三四五六七八九]{3}年度?)", "", t)
    head = _TITLE_SUBJECT.split(t, maxsplit=1)[0]
    # a tag the page's markup left in its title (某某省人民政府br关于…): no part of the name
    head = _MARKUP_LEFT.sub("", head).strip(" 　、，,")
    if _TITLE_STREET.match(head) and not _bad_start(head):
        return head     # 某某街 2020 年法治政府建设情况报告: a street by its short form, in its own title
    return normalize_org(head)


_TITLE_STREET = re.compile(f"^[{HAN}]{{2,4}}街$")


# the document's number written before its title: [天政发〔2026〕7号], 某府发〔2025〕12号
_DOC_NUMBER = re.compile(r"^[\[［【(（]?\s*[\u4e00-\u9fff]{1,10}\s*[〔\[［(（]\s*(?:19|20)[0-9]{2}\s*[〕\]］)）]\s*[0-9]{1,4}\s*号"
                         r"\s*[\]］】)）]?\s*")
_MARKUP_LEFT = re.compile(r"(?<=[\u4e00-\u9fff])\s*(?:</?[a-z]{1,6}\s*/?>|&nbsp;?|nbsp|br|p)\s*$", re.I)


# ---------------------------------------------------------------- org

def _opening(lines: list[str], start: int = 0) -> tuple[int, str] | None:
    """The opening sentence: the first line of report text (not the title, the metadata, a salutation)."""
    for i, ln in enumerate(lines[start:start + 20], start):
        if (len(ln) < 30 or _is_meta_line(ln) or _BREADCRUMB.search(ln[:20])
                or (ln.rstrip().endswith(("：", ":")) and not _PUNCT.search(ln))):  # a salutation: 某某区委…委员会：
            continue
        if _SECTION_START.match(ln):
            continue
        return i, ln
    return None


_LEAD = re.compile(r"^(?:(?:今年|本年度?|近年|过去的?一年|一年)(?:以来|来)?|(?:19|20)[0-9]{2}\s*年(?:度)?(?:以来|来|中|上半年)?)"
                   r"\s*[，,、]?\s*")
_CONTEXT = re.compile(r"^(?:在[^，,。；;]{2,120}?(?:下|中|上|之际|背景下|之年|以来)\s*[，,]\s*|"
                      r"是(?:《[^《》\n]{0,80}》|[^，,。；;《]){2,60}?(?:之年|一年)\s*[，,]\s*|"
                      r"(?:按照|根据|围绕)[^，,。；;]{2,80}?[，,]\s*)")


# the government's office after 市政府 (办公室, or 办 before its report's year or its verb: not 办好, 办理)
_OFFICE_AFTER_GOV = re.compile(r"办公室|办(?=(?:19|20)\d\d|深入|坚持|认真|始终|全面|紧紧|积极|扎实)")
_LEVEL_GOV = re.compile(r"^(?P<level>省|市|县|区|镇|乡|旗)(?:委\s*[、和及]?\s*(?P=level)?)?(?:人民)?政府")
_ABBREVIATED = re.compile(f"^(?P<level>省|市|州|县|区|旗|镇|乡)(?P<dept>[{HAN}]{{2,12}}(?:委员会|办公室|局|厅|委|办|中心))$")


# a department's short name right after 区政府 / 县政府, before its report's year (not the government's office)
_GOV_DEPARTMENT = re.compile(f"(?P<dept>(?!办公)[{HAN}]{{1,10}}?(?:局|委员会|委|中心))(?=(?:19|20)[0-9]{{2}}\\s*年)")
_REPORT_NAMED = re.compile(f"(?:19|20)[0-9]{{2}}\\s*年度?[{HAN}“”]{{0,30}}?(?:报告|总结|汇报)(?:如下|[:：])")
_BEFORE_YEAR = re.compile(f"(?P<name>[{HAN}（）()]{{2,30}}?)(?=(?:19|20)[0-9]{{2}}\\s*年)")
_PREFECTURE_SHORT = re.compile(f"(?P<name>[{HAN}]{{1,2}}州)(?=党委|州委|人民政府|政府)")
_GOV_OFFICE = re.compile(r"(?:人民政府|政府)(?:办公室|办公厅)")


def org_from_opening(sentence: str) -> tuple[str | None, str | None, int, str | None]:
    """``(name, self word, offset, department)``: the subject of an opening sentence
    (2024年，某某街道坚持…; 2019年，在…领导下，南昌县全面…), or its 我X, and where the subject
    starts; for an abbreviated department (市司法局坚持…) its self word and its department."""
    s = sentence
    pos = 0
    m = _LEAD.match(s)
    if m:
        pos = m.end()
    for _ in range(5):  # 在…指引下，在…领导下，在…支持下，在…努力下，某某乡…
        m = _CONTEXT.match(s[pos:])
        if not m:
            break
        pos += m.end()
    # 现将|县人民政府2022年…报告如下: the words before the subject
    ml = _patterns()["lead_in"].match(s[pos:])
    if ml:
        pos += ml.end()
        pos += s[pos:pos + 1] == "《"  # 现将|《某某区2023年政府信息公开工作年度报告》予以公布
    rest = s[pos:]
    note = _SHORT_FORM_NOTE.search(rest, 0, 40)
    if note:  # 某某新区（以下简称“新区”）始终坚持…: the subject as if written without its short form's note
        rest = rest[:note.start()] + rest[note.end():]
    # 《某县某某镇人民政府2023年政府信息公开工作年度报告》已经编制完成: the report's own title starts the sentence
    if rest.startswith("《"):
        mbk = _BEFORE_YEAR.match(rest, 1)
        if mbk and _BOOK_OF_REPORT.match(rest, mbk.end()):
            n = normalize_org(mbk.group("name"))
            if n and _plausible(n) and not _bad_start(mbk.group("name")):
                return n, None, pos + 1, None
    # 本年度报告由某某区人民政府办公室编制: the report itself is the sentence's subject
    mb = _COMPILED_BY.match(rest) if rest.startswith("报告") else None
    if mb:
        n = normalize_org(_GOV_OFFICE_END.sub("", mb.group("name")))
        if n and not _bad_start(mb.group("name")):
            return n, None, pos + mb.start("name"), None
    # 特编制|某市人民政府地方志办公室|2023年政府信息公开工作年度报告, 某某镇|2023年法治政府建设工作
    # 情况报告如下: the body before its report's year (after a lead-in, or with its report named)
    my = _BEFORE_YEAR.match(rest)
    if my and (ml or _REPORT_NAMED.match(rest, my.end())):
        n = normalize_org(my.group("name"))
        if n and _plausible(n) and not _bad_start(my.group("name")):
            return n, None, pos, None
    me = _patterns()["self"].match(rest)  # (?:我|本)(words), made once
    if me:
        return None, me.group(1), pos, None
    # 县政府坚持…, 区委、区政府高度重视…: the government by its level alone
    mg = _LEVEL_GOV.match(rest)
    mo = _OFFICE_AFTER_GOV.match(rest, mg.end()) if mg else None
    if mg and mo and not mg.group(0).startswith(mg.group("level") + "委"):
        # 市政府办公室坚持…, 区政府办2025年…: the government's general office, a department of that
        # level (its division from the text, the site), named as the text writes it
        office = mg.group(0)[1:] + mo.group(0)
        return None, _kind(office), pos, office
    if mg:
        # 现公布|区政府国资局2022年…报告: a department of that level's government, abbreviated
        md = _GOV_DEPARTMENT.match(rest, mg.end())
        if md and not mg.group(0).startswith(mg.group("level") + "委"):
            return None, _kind(md.group("dept")), pos, md.group("dept")
        return None, mg.group("level"), pos, None
    # 巴州党委、政府坚持…: an autonomous prefecture by its short form, kept as written (not 杭州, whose
    # full name 杭州市 the gazetteer knows)
    mp = _PREFECTURE_SHORT.match(rest)
    if (mp and not _bad_start(mp.group("name")) and mp.group("name") not in _rules()["org"]["not_names"]
            and mp.group("name") + "市" not in divisions.gazetteer()[1] and mp.group("name") not in divisions.gazetteer()[1]):
        return mp.group("name"), None, pos, None
    mc = _patterns()["short_division"].match(rest)
    if mc and mc.group("name") in divisions.gazetteer()[1] and normalize_org(mc.group("name")):
        return mc.group("name"), None, pos, None
    ms = _patterns()["subject"].match(rest)
    if ms:
        n = normalize_org(ms.group("name"))
        mo = _GOV_OFFICE.match(rest, ms.end("name"))
        if mo and n:  # 某县人民政府办公室坚持…: the government's general office is a body of its own
            n = normalize_org(ms.group("name") + mo.group(0)) or n
        if n and _plausible(n):
            return n, None, pos, None
        ab = _ABBREVIATED.match(_strip_gov(ms.group("name")))
        if ab:
            return None, _kind(ab.group("dept")), pos, ab.group("dept")
    mt = _patterns()["short_subject"].match(rest)
    if mt and not _bad_start(mt.group("name")) and mt.group("name") not in _rules()["org"]["not_names"]:
        return mt.group("name"), None, pos, None
    # 本报告根据…编制，全面总结|某市某区人民政府某某街道办事处|2025年政府信息公开工作情况: a later
    # clause that names the body before the year of its work (``opening.clause_lead_ins``)
    for mc in _clause_starts(s, pos):
        at = mc.end() + (s[mc.end():mc.end() + 1] == "《")  # 现公布《某某市2021年…报告》
        my = _BEFORE_YEAR.match(s, at)
        if my and _YEAR_OF_WORK.match(s, my.end()):
            n = normalize_org(my.group("name"))
            if n and _plausible(n) and not _bad_start(my.group("name")):
                return n, None, at, None
    # 本报告依据…要求，由某某经济开发区管委会结合有关统计数据编制: the body that compiled the report
    mb = _COMPILED_BY.search(s, pos)
    if mb:  # 由…编制 bounds the name: no clause runs on inside it (经济技术开发区 holds 技术)
        # 由某县人民政府办公室组织编制: the government's office compiles the government's report
        n = normalize_org(_GOV_OFFICE_END.sub("", mb.group("name")))
        if n and not _bad_start(mb.group("name")):
            return n, None, mb.start("name"), None
    return None, None, pos, None


_COMPILED_BY = re.compile(f"(?:[，,]|报告)\\s*由(?P<name>[{HAN}（）()]{{2,30}}?)(?:结合[^，,。；;]{{0,20}}?)?(?:负责|汇总|组织)?编制")
_GOV_OFFICE_END = re.compile(r"(?<=[\u4e00-\u9fff])(?:人民政府|政府)(?:办公室|办公厅)$")


def _clause_starts(s: str, pos: int):
    """Where a clause with a ``opening.clause_lead_ins`` word starts: at ``pos`` (after the context
    read off: 根据…要求，|现公布《…), or after a later comma."""
    m = _patterns()["clause_lead_in"].match(s, pos - 1) if pos and s[pos - 1] in "，," else None
    if m:
        yield m
    yield from _patterns()["clause_lead_in"].finditer(s, pos)


# the rest of a report's title in a book title after the body's name: 2023年政府信息公开工作年度报告》
_BOOK_OF_REPORT = re.compile(f"(?:19|20)[0-9]{{2}}\\s*年度?[{HAN}“”]{{0,30}}?(?:报告|总结)》")
# the year of a body's work or report after its name: 2025年政府信息公开工作情况, 2024年度法治政府建设报告
_YEAR_OF_WORK = re.compile(f"(?:19|20)[0-9]{{2}}\\s*年度?[{HAN}“”]{{0,20}}?(?:工作|情况|报告|总结)")


_SENTENCE_END = re.compile(r"[。！？；!?;]")
# a section's number and its short heading before the paragraph's first sentence: （一）主动公开方面。
_SECTION_HEAD = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])[^。，,；;]{0,15}[。：:]\s*")


def _year_led_opening(lines: list[str], i: int, kind: str | None) -> tuple[str | None, tuple[str, int] | None]:
    """When the opening paragraph names no body (an open-government report's boilerplate: 本报告根据
    《条例》…编制。), the next paragraphs that start with the year (2020年，武汉市坚持…; （一）主动公开方面。
    2022年，某某县认真贯彻…): the subject the first of them names, agreeing with the report's 我X,
    and that sentence with where its subject starts (for 全区… as the subject)."""
    for ln in lines[i + 1:i + 8]:
        ln = _SECTION_HEAD.sub("", ln, count=1)
        if len(ln) < 30 or _is_meta_line(ln) or not _LEAD.match(ln):
            continue
        name, _, pos, _ = org_from_opening(ln)
        if name and (not _agrees(name, kind) or not _plausible(name)):
            name = None
        return name, (ln, pos)
    return None, None

# 全省法治政府建设工作坚持…, 全省各级政府(及其组成部门)…: the whole area as the subject (not
# 全市司法行政系统 or 全省市场监管部门, a department's)
_WHOLE_AREA = re.compile(r"^全(?P<level>省|市|县|区|旗)(?:(?=各级(?:人民)?政府)|(?![^，,。；;]{0,12}(?:系统|行业|部门|战线)))")


_LEAD_IN_CLAUSES = re.compile(r"^(?:在[^，,。；;]{0,80}?下[，,])+")


def _whole_area(rest: str, text: str) -> str | None:
    """The level word (省, 市 …) of an opening whose subject is the whole area (2023年，全省法治
    政府建设工作坚持…) in a text that names no body of its own, when the text also speaks of that
    level's government or party committee (省政府, 省委): the report of that area's government,
    reposted anywhere (a county's site carries the province's report)."""
    m = _WHOLE_AREA.match(_LEAD_IN_CLAUSES.sub("", rest))   # after 在…领导下，在…监督下，
    if not m:
        return None
    level = m.group("level")
    return level if re.search(f"(?<![{HAN}]){level}(?:人民)?政府|[，,、。；;在和及与]{level}(?:委|政府)", text) else None


# 2020年，自治区党委和政府坚持…: an autonomous region speaking of itself by its level alone
_REGION_SUBJECT = re.compile(r"^(?:全)?自治区(?:党委|人民政府|政府|各级)")


def _autonomous_region(rest: str, text: str) -> str | None:
    """The autonomous region whose report opens with 自治区党委和政府… / 自治区人民政府…: the one of
    the five the text names (习近平总书记视察宁夏), when it names only that one."""
    if not _REGION_SUBJECT.match(rest):
        return None
    return _region_named(text)


def _region_named(text: str) -> str | None:
    """The one autonomous region a text names by its short name (视察宁夏, 法治内蒙古), else None."""
    named = [full for short, full in _rules()["self"].get("regions", {}).items() if short in text]
    return named[0] if len(named) == 1 else None


def later_subject(paragraph: str, kind: str | None = None) -> str | None:
    """The subject of a later sentence of the opening paragraph, when the first names none
    (2024年是…之年，也是某某街道…之年。某某街道始终坚持…): a division or a body named with its
    division, followed by what a subject does (``opening.after_subject``), within the first
    ``opening.later_sentences`` sentences after the first; it must agree with the report's 我X."""
    n = _rules()["opening"].get("later_sentences", 0)
    for sentence in _SENTENCE_END.split(paragraph)[1:n + 1]:
        name, _, _, _ = org_from_opening(sentence.strip())
        if (name and _agrees(name, kind) and _plausible(name)
                and (divisions.level_of(name) != divisions.DEPARTMENT or divisions.leading_divisions(name))):
            return name
    return None


def _as_named_most(name: str, text: str) -> str:
    """A town's name read from a clause that ran on before it (及时调整|某某镇法治政府建设领导小组)
    cut back to the name the text writes most (:func:`stable_names`), when the longer form is
    written less often and what it adds before the name is no division."""
    s = stable_names(text) if _kind(name) in ("镇", "乡", "街道") else None
    if (not s or name == s or not name.endswith(s) or text.count(name) >= text.count(s)
            or divisions.leading_divisions(name[: len(name) - len(s)])):
        return name
    return s


def _plausible(name: str) -> bool:
    """A name, not a clause that ends like one: no ``frequency.not_in_name`` word (建立司法所长列席乡镇
    holds 所长, 列席), no suffix inside it that starts a word (乡镇, 乡村: ``frequency.word_after``)."""
    freq = _rules().get("frequency", {})
    end_ok = freq.get("name_end_ok", {})
    for w in freq.get("not_in_name", []):
        i = name.find(w)
        if i < 0:
            continue
        if not (i + len(w) == len(name) and len(w) < len(name) <= end_ok.get(w, 0) and name.count(w) == 1):
            return False
    for suffix, chars in freq.get("word_after", {}).items():
        i = name.find(suffix)
        while 0 <= i < len(name) - len(suffix):
            if name[i + len(suffix)] in chars:
                return False
            i = name.find(suffix, i + 1)
    return True


def _entity_subject(entities: list[dict], offset: int) -> str | None:
    """An ORG or GPE entity of the NER stage that starts at the subject's offset."""
    for e in entities or ():
        if e.get("label") in ("ORG", "GPE") and abs(int(e.get("start", -99)) - offset) <= 1:
            n = normalize_org(e.get("text"))
            if n:
                return n
    return None


_AUTHOR = re.compile(r"^(?:作者|撰稿|撰稿人|报送单位|署名)\s*[:：]\s*")


def _signature(lines: list[str], title: str | None) -> tuple[list[str], list[str]]:
    """``(signers, lone names)``. Signers: a body on one of the last lines, on an author line
    (作者：…), or on a first line with its date beside or under it (徂汶景区党工委、管委会 /
    2024年1月20日). Lone names: a body alone on one of the first lines, often the site's header."""
    strong: list[str] = []
    weak: list[str] = []
    n_lines = len(lines)
    bottom = max(4, n_lines - 5)
    for i in sorted(set(range(min(4, n_lines))) | set(range(bottom, n_lines))):
        ln = lines[i]
        if (title and ln in title) or _SECTION_START.match(ln):
            continue  # the title again, or a section heading ((三)省局及各市…情况), never a signer
        author = _AUTHOR.match(ln)
        s = ln[author.end():] if author else ln
        if _PUNCT.search(s):
            continue  # a sentence (taking its dates out leaves its punctuation)
        dated = bool(_DATE.search(s))
        s = _DATE.sub("", s).strip("（）() \u3000")
        if (not s or len(s) > 30 or _PUNCT.search(s) or _BREADCRUMB.search(s) or ln.endswith(("：", ":"))
                or (not author and _is_meta_line(ln))):
            continue
        n = normalize_org(s)
        if not n:
            continue
        dated = dated or (i + 1 < n_lines and _date_line(lines[i + 1]) is not None)
        (strong if author or i >= bottom or dated else weak).append(n)
    return strong, weak


_TOWN_SUFFIX = re.compile("民族乡|街道|镇|乡|景区|开发区")
_ALL_HAN = re.compile(f"[{HAN}]+")


def stable_names(text: str) -> str | None:
    """The most frequent place name ending in 镇/乡/街道/景区 …, extended to the
    left as long as (nearly) every occurrence agrees (音堂镇 -> 观音堂镇). Only plausible
    names count: a suffix that starts a word is no name's end (发展乡村, 所长列席乡镇:
    ``frequency.word_after``), a name never holds ``frequency.not_in_name``; an ethnic
    township's people are part of its suffix (桐木漯|瑶族乡); a city whose name ends in 镇 is
    that city when the text writes its level (景德镇 -> 景德镇市)."""
    counts: Counter = Counter()
    suffix_len: dict[str, int] = {}
    o = _rules()["org"]
    freq = _rules().get("frequency", {})
    after = freq.get("word_after", {})
    starts = set(o["not_name_starts"])
    # before 镇/乡 these end a word, not a name's first part (城镇, 村镇, 下乡); a street may (新城街道)
    stop = starts | set("治强城村两小集建兴每上下")
    p = _patterns()
    for m in _TOWN_SUFFIX.finditer(text):
        s = m.start()
        if m.group(0) == "乡" and text[s - 1:s] == "族":
            # an ethnic township: its people are part of the suffix (桐木漯|瑶族乡, 某某|苗族侗族乡)
            e = p["ethnic_end"].search(text, max(0, s - 12), s)
            if e:
                s = e.start()
        if s == 0 or text[s - 1] in (stop if m.group(0) in ("镇", "乡") and s == m.start() else starts):
            continue
        if m.end() < len(text) and text[m.end()] in after.get(m.group(0), ""):
            continue  # 乡村, 乡镇: a word, not the end of a name
        # the text has run on past the name (所长列席|乡镇): a name never reaches back over such a word
        run_on = max((w.start() for w in p["not_in_name"].finditer(text, max(0, s - 5), s)), default=-1)
        for k in (2, 3, 4, 5):
            if 0 <= run_on and s - k <= run_on:
                break
            name = text[max(0, s - k):m.end()]
            if len(name) < k + (m.end() - s) or not _ALL_HAN.fullmatch(name):
                break
            counts[name] += 1
            suffix_len[name] = m.end() - s
    base = [(nm, c) for nm, c in counts.items() if len(nm) - suffix_len[nm] == 2 and c >= 2]
    if not base:
        return None
    best, n = max(base, key=lambda x: x[1])
    while True:
        longer = [(nm, c) for nm, c in counts.items() if nm.endswith(best) and len(nm) == len(best) + 1]
        if not longer:
            break
        nm, c = max(longer, key=lambda x: x[1])
        if c < n * 0.8:
            break
        best, n = nm, c
    # a city or county whose name ends like a town's (景德镇|市): that division, when the text writes it so
    for level in ("市", "县", "区"):
        if best + level in divisions.gazetteer()[1] and best + level in text:
            return best + level
    return best


_SHORT_STREET = re.compile(f"(?:^|(?<=[《“\"，,。；;：:\n（(、\\s]))(?P<name>[{HAN}]{{2,3}}?街)(?![道区巷头面景角坊口镇乡])")


def _short_streets(text: str) -> list[str]:
    """Streets named by their short form at the start of a phrase (《某某街…》, ，某某街…), as written:
    the one named most often (two as often: none); ``org.short_street_not_names`` (商业街) never."""
    o = _rules()["org"]
    never = set(o.get("short_street_not_names", [])) | set(o["not_names"])
    c = Counter(m.group("name") for m in _SHORT_STREET.finditer(text)
                if m.group("name") not in never and not _bad_start(m.group("name"))
                and not _bad_start(m.group("name")[-2:]))  # 现将我街, 为全街: no name
    top = c.most_common(2)
    if not top or (len(top) == 2 and top[0][1] == top[1][1]):
        return []
    return [top[0][0]]


_BOOK_TOWN = re.compile(f"(?<=《)(?:中共)?(?P<name>[{HAN}]{{2,4}}?(?P<suffix>街道|镇|乡))")


_SELF_CHARS = frozenset("我本全各该此其")


def _book_towns(text: str, suffixes: tuple[str, ...]) -> list[str]:
    """A town or street named in full at the start of a document's title (…制定了《某某街道政府信息…》,
    《中共某某镇委…》 without the party's 中共), even once: what 我街 / 我镇 is in a text that names it nowhere else; a plausible name only (no
    《全镇…》), the one named most (two as often: none)."""
    freq = _rules().get("frequency", {})
    after = freq.get("word_after", {})
    c: Counter = Counter()
    for m in _BOOK_TOWN.finditer(text):
        name, suffix = m.group("name"), m.group("suffix")
        if (suffix not in suffixes or text[m.end():m.end() + 1] in after.get(suffix, "")
                or any(ch in _SELF_CHARS for ch in name)  # 现结合我镇, 推动全镇: no name
                or name in _rules()["org"]["not_names"] or _bad_start(name) or not _plausible(name)
                or not _name_ok(name)):
            continue
        c[name] += 1
    top = c.most_common(2)
    if not top or (len(top) == 2 and top[0][1] == top[1][1]):
        return []
    return [top[0][0]]


def _named_in_text(text: str, kind: str, dept: str | None = None) -> list[str]:
    """Names of the kind 我X speaks of, as the text writes them, most frequent first:
    for 我局 the departments written with their division (《龙岩市永定区卫生健康局…》),
    for 我县 the counties of the gazetteer, for 我镇 the towns."""
    c: Counter = Counter()
    if kind == "街":
        # 我街: the street the text names in full most often, else the one it names by its short
        # form (《某某街理论学习中心组…》), kept as written, else the one it names in full once
        s = stable_names(text)
        return [s] if s and _kind(s) == "街道" else (_short_streets(text) or _book_towns(text, ("街道",)))
    if kind in ("镇", "乡", "街道"):
        s = stable_names(text)
        if s and _kind(s) in (kind, "镇", "乡"):
            return [s]
        s = _slogan_town(text, kind)
        books = _book_towns(text, ("街道",) if kind == "街道" else ("镇", "乡"))
        if s and books and books[0] != s and _names_division(s[: len(s) - len(kind)]):
            # 法治东莞 in a town of 东莞市: the slogan may name the city above the town; a town named
            # in full in a document's title (《中共洪梅镇委…》) is surer
            return books
        return [s] if s else books
    if kind in ("县", "旗", "区", "市", "省"):
        # the one division of that level the text names clearly most (《某某县人民政府…制度》,
        # 法治长治, 到长治工作); two named about as often: none
        n = divisions.dominant_of_level(text, kind, _rules()["self"]["short_name_after"])
        if n is None and kind == "省":
            n = _province_by_abbreviation(text)
        if n and text.count(n) == 1 and _OBJECT_BEFORE.search(text[max(0, text.find(n) - 1):text.find(n)]):
            return []   # 我市 … 将平度市25个政府部门…: a division named once, as what the body acts on
        return [n] if n else []
    # a department: the department word with the divisions written before it
    # (…审议了《龙岩市永定区卫生健康局…》 -> 龙岩市永定区卫生健康局)
    word = {"委": "(?:委员会|委)", "办": "(?:办公室|办)"}.get(kind, re.escape(kind))
    for m in re.finditer(f"{word}(?![{HAN}]?(?:局|厅|办|委))", text):
        best = None
        for p in range(m.start() - 2, max(-1, m.start() - 20), -1):
            seg = text[p:m.end()]
            if not re.fullmatch(f"[{HAN}]+", seg):
                break
            lead = divisions.leading_divisions(seg)
            if lead and len(seg) - sum(map(len, lead)) >= 2:
                best = seg
        n = normalize_org(best) if best else None
        if n and _kind(n) == kind and (dept is None or n.endswith(dept)):
            c[n] += 1
    return [n for n, _ in c.most_common()]


# the word before a division named as the object of the body's action (将某市…, 对某县…, 赴某区…)
_OBJECT_BEFORE = re.compile("[将对向赴到与帮]$")

_SLOGAN = re.compile(f"法治(?P<x>[{HAN}]{{2,3}}?)建设|(?:建设|打造|推进)“?法治(?P<y>[{HAN}]{{2,3}})(?=[”，,。；;、\\s])")


def _names_division(x: str) -> bool:
    """Whether ``x`` with a level word is a city, county or district of the gazetteer (东莞 -> 东莞市)."""
    return any(x + level in divisions.gazetteer()[1] for level in ("市", "县", "区"))


def _slogan_town(text: str, kind: str) -> str | None:
    """我乡 in a text that names its town only in a slogan (法治某某建设, 打造“法治某某”): the one
    place the slogans name, with the self word's suffix (某某乡). Words that follow 法治 without
    naming a body (法治政府, 法治乡村: ``self.slogan_not_names``) do not count; two places: none."""
    never = set(_rules()["self"].get("slogan_not_names", []))
    found = set()
    for m in _SLOGAN.finditer(text):
        x = m.group("x") or m.group("y")
        if x in never or _bad_start(x) or any(w in x for w in never) or x.endswith(("镇", "乡", "街", "区", "县", "市")):
            continue
        found.add(x)
    if len(found) != 1:
        return None
    n = found.pop() + kind
    return n if _name_ok(n) and _plausible(n) else None


def _resolve_self(kind: str, text: str, page: Mapping, entities: list[dict], meta_orgs: list[str],
                  dept: str | None = None, level: str | None = None) -> str | None:
    """我X with the page: the site's name or its metadata body of that kind, an entity of that
    kind, else the names the text gives (see :func:`_named_in_text`). ``dept``: the department an
    abbreviated subject names (市司法局 -> 司法局), which the name must end with; ``level``: the
    level it was abbreviated to (省, 市, 县 …), whose division the site or the text names."""
    for raw in (page.get("site_name"), *meta_orgs):
        n = normalize_org(raw) if raw else None
        # 我街 on the site of 某某街道办事处: the street as the site names it
        if n and (_kind(n) == kind or (kind == "街" and _kind(n) == "街道")) and (dept is None or n.endswith(dept)):
            return n
    named = _named_in_text(text, kind, dept)
    if named:
        return named[0]
    if kind == "区" and dept is None and re.search("自治区(?:人民政府|党委|政府)", text):
        # 我区 that names no district, in a text that speaks of its 自治区人民政府: the region
        region = _region_named(text)
        if region:
            return region
    if dept:
        # 市司法局 on the site of 九江市人民政府: 九江市司法局
        lead = divisions.leading_divisions(page.get("site_name") or "")
        if lead:
            return normalize_org(lead[-1] + dept)
        # 省司法厅 in a text that names its province (…对广东系列重要讲话, 《广东省…》): 广东省司法厅
        # (市生态环境局 in a text that names its city only in a slogan: 建设美丽福州 -> 福州市生态环境局)
        # (区司法局 in a text naming two districts, one of them in its own plan's title: 《荣昌区…方案》)
        division = ((divisions.dominant_of_level(text, level, _rules()["self"]["short_name_after"])
                     or divisions.named_of_level(text, level) or divisions.opening_books(text, level))
                    if level else None)
        return normalize_org(division + dept) if division else None
    if kind not in ("县", "区", "市", "省", "镇", "乡", "街道"):
        n = _department_of_system(kind, text)
        if n:
            return n
        if dept is None:
            # 我局 in a text that names itself elsewhere by its level and department where a clause
            # starts (。区司法局党委书记…): that department of the division the text names
            abbreviated = {(m.group(1), m.group(2)) for m in _ABBREVIATED_DEPT.finditer(text)
                           if m.group(2).endswith(kind) and _name_ok(m.group(2))}
            if len(abbreviated) == 1:
                lv, d = abbreviated.pop()
                return _resolve_self(kind, text, page, entities, meta_orgs, d, lv)
    ents: Counter[str] = Counter()
    for e in entities or ():
        at = e.get("start")
        if isinstance(at, int) and at > 0 and _OBJECT_BEFORE.search(text[at - 1:at]):
            continue    # 将平度市…: what the body acts on, not the body
        if e.get("label") in ("ORG", "GPE"):
            n = normalize_org(e.get("text"))
            if n and _kind(n) == kind and (divisions.leading_divisions(e.get("text", ""))
                                           or (kind in ("镇", "乡", "街道") and _name_ok(n))):
                ents[n] += 1
    if ents:
        return ents.most_common(1)[0][0]
    return None


_ABBREVIATED_DEPT = re.compile(f"(?:^|(?<=[。；;，,！\n]))([省市县区])([{HAN}]{{1,8}}?[局厅委办])(?=党委|党组|领导|局长|厅长|主任|坚持|认真|始终|高度|把)")


def _system_subject(sentence: str) -> str | None:
    """A division's system as the opening's subject (…关键一年，某某区教育系统法治建设工作坚持…):
    the department that leads it (``self.systems``: 某某区教育局; a province's 厅)."""
    systems = _rules()["self"]["systems"]
    if not systems:
        return None
    for m in re.finditer(f"(?P<div>[{HAN}]{{2,12}}?)(?P<field>{_alt(systems)})系统(?=法治|工作|坚持|认真|深入|全面|始终)",
                         sentence[:300]):
        lead = divisions.leading_divisions_before(sentence, m.start("field"))
        if not lead:
            continue
        province = divisions.level_of(lead[-1]) == divisions.PROVINCE
        dept = next((d for d in systems[m.group("field")] if d.endswith("厅") == province), None)
        if dept:
            return normalize_org(lead[-1] + dept)
    return None


def _province_by_abbreviation(text: str) -> str | None:
    """The province a text names only by its one-character abbreviation where a visit is told
    (总书记来陕考察, 到皖视察: ``self.province_abbreviations``), when it names only one so."""
    abbr = _rules()["self"].get("province_abbreviations", {})
    if not abbr:
        return None
    found = {abbr[m.group(1)] for m in re.finditer(f"(?:来|到|赴|入)({_alt(abbr)})(?:考察|视察|调研|督察)", text)}
    return found.pop() if len(found) == 1 else None


def _department_of_system(kind: str, text: str) -> str | None:
    """我局 in a text that names no department but the system it leads (全市司法行政系统, 全省交通运输行业,
    ``self.systems``):
    that system's department of the self word's kind (司法局; a 厅 is a province's) with the division
    of that level the text names clearly most (遂宁市 -> 遂宁市司法局). Two systems, two levels, or no
    dominant division: None."""
    found = set()
    systems = _rules()["self"]["systems"]
    if not systems:
        return None
    for m in re.finditer(f"全(?P<level>省|市|州|县|区|旗)(?P<field>{_alt(systems)})(?:系统|行业)", text):
        for dept in systems[m.group("field")]:
            if _kind(dept) == kind and (dept.endswith("厅") == (m.group("level") == "省")):
                found.add((m.group("level"), dept))
    if len(found) != 1:
        return None
    level, dept = found.pop()
    division = divisions.dominant_of_level(text, level, _rules()["self"]["short_name_after"])
    return normalize_org(division + dept) if division else None


# ---------------------------------------------------------------- year

def _clean_for_years(text: str) -> str:
    return _BOOK.sub(" ", _without_ranges(_without_clock(text)))


_REPORT_LINE = re.compile(r"现将(?:我[^，,。]{0,4})?(?:[^，,。]{0,12}?)((?:19|20)[0-9]{2}|二[〇○零一二三四五六七八九]{3})\s*年[^，,。]{0,40}?(?:报告|总结|汇报)如下")


_YEAR_LED = re.compile(r"^\s*((?:19|20)[0-9]{2})\s*年(?:度)?(?:以来)?\s*[，,]")


def report_year_of(title: str | None, lines: list[str], published: str | None, text: str) -> tuple[int | None, str | None]:
    if title:
        m = _YEAR.search(_RANGE.sub(" ", title))
        if m:
            return _year(m.group(1)), "title"
    head = "\n".join(lines[:40])
    head = _clean_for_years(head)[:3000] if "现将" in head else ""  # _REPORT_LINE starts with 现将
    m = _REPORT_LINE.search(head)
    if m:
        return _year(m.group(1)), "opening"
    op = _opening(lines)
    if op:
        m = re.match(r"^\s*((?:19|20)[0-9]{2})\s*年(?:度)?(?:以来)?\s*(?:[，,]|是)", _clean_for_years(op[1]))
        if m:
            return int(m.group(1)), "opening"
    for ln in lines[:40]:
        m = re.match(r"^[一二]、\s*((?:19|20)[0-9]{2})\s*年", ln)
        if m:
            return int(m.group(1)), "opening"
    for ln in lines[:12]:
        # the opening under a page's header lines (当前位置… / a long page title / 更新时间…): the first
        # paragraph that starts with its year, 2021年，在…领导下，我省…
        m = _YEAR_LED.match(_clean_for_years(ln)) if len(ln) >= 40 else None
        if m:
            return int(m.group(1)), "opening"
    if published:
        # signed early in a year: the report covers the year before
        y, mo = int(published[:4]), int(published[5:7])
        return (y if mo >= 7 else y - 1), "published"
    years = Counter(_year(y) for y in _year_strings(_clean_for_years("\n".join(lines))))
    if years:
        return years.most_common(1)[0][0], "frequency"
    plans = {int(m.group(1)) for m in _YEAR_PLAN.finditer("\n".join(lines[:80]))}
    if len(plans) == 1:
        # no year anywhere but in titles (the copy cut the opening's: 年，我市坚持…): the year of the
        # one annual plan it carried out, 制定《某某市2022年法治政府建设工作要点》
        return plans.pop(), "plan"
    return None, None


_YEAR_PLAN = re.compile(r"《[^《》]{0,20}?(?<![0-9—–\-~至])((?:19|20)[0-9]{2})\s*年(?:度)?(?![0-9—–\-~至])[^《》]{0,30}?(?:工作要点|要点|工作计划)》")


# ---------------------------------------------------------------- published

def _label_rank(label: str, stamped: bool = False) -> float:
    """How far down ``published.labels`` a label is; a bare label (时间, 日期) whose date carries a
    time of day is the page's own stamp, ranked just before ``published.stamp_before`` (the
    dates a document carries itself: 成文日期, 生成日期 …)."""
    r = _rules()["published"]
    labels = r["labels"]
    if stamped and label in r.get("stamp_labels", ()) and r.get("stamp_before") in labels:
        return labels.index(r["stamp_before"]) - 0.5
    return labels.index(label) if label in labels else len(labels)


def _best_labelled(found: list[tuple[str, str, bool]]) -> str:
    return min(found, key=lambda x: _label_rank(x[0], x[2]))[1]


_BARE_DATE_LINE = re.compile(r"^\s*(?:19|20)[0-9]{2}-[0-9]{1,2}-[0-9]{1,2}\s+[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?\s*$")


def published_of(lines: list[str], page: Mapping) -> tuple[str | None, str | None]:
    pd = page.get("pub_date")
    if pd:
        iso = parse_date(str(pd))
        if iso:
            return iso, "meta"
    info = [str(page[k]) for k in ("info", "published_line") if page.get(k)]
    found = _labelled_dates(_lines("\n".join(info)))
    if found:
        return _best_labelled(found), "meta"
    header = lines[:16]  # also lines[:6] without their clock, below (no clock in any: one search)
    if _patterns()["clock_or_weekday"].search("\n".join(header)):
        header = [_without_clock(ln) for ln in header]
    found = _labelled_dates(header)
    if found:
        return _best_labelled(found), "publication_line"
    for ln in header:
        # a line that is only a date and its time, under the title (2024-02-29 08:57): the page's
        # publication line without its label
        if _BARE_DATE_LINE.match(ln):
            d = parse_date(ln)
            if d:
                return d, "publication_line"
    for ln in header:
        # a date without its label on the publication line: 2024-03-28 10:20 来源：区司法局 浏览次数：
        if len(ln) <= 120 and _INFO_WORDS.search(ln):
            d = parse_date(ln)
            if d:
                return d, "publication_line"
    for ln in lines[:3]:
        # the title line with its date in brackets: 2014年度…工作情况 (2015-04-23)
        m = _BRACKET_DATE.search(ln) if ln.rstrip().endswith((")", "）")) else None  # it ends the line
        if m and _title_ok(_title_line(ln)) and _date_of(m):
            return _date_of(m), "title_line"
        # the title line with its date after a space: 2024年度某某街道…情况报告 2025-02-28
        at_end = _DATE.search(ln)
        if (at_end and not ln[at_end.end():].strip() and at_end.start() and ln[at_end.start() - 1] in " \u3000\t"
                and _title_ok(ln[:at_end.start()].strip()) and _date_of(at_end)):
            return _date_of(at_end), "title_line"
    for i in range(2, len(header)):
        # a covering letter under the title (省委、省政府： … then 某某委 / 2024年3月8日): its signature's date
        d = _date_line(header[i]) if len(header[i]) <= 14 else None
        if d and normalize_org(header[i - 1]) and any(ln.rstrip().endswith((":", "：")) for ln in header[:i - 1]):
            return d, "signature"
    tail = lines[-4:]
    if _patterns()["clock_or_weekday"].search("\n".join(tail)):
        tail = [_without_clock(ln) for ln in tail]
    head = header[:6]
    for i, ln in enumerate(head + tail):
        d = _date_line(ln, source_line=i < len(head))  # a source beside the date: only in the head
        if d:
            return d, "date_line"
    return None, None


_INFO_WORDS = re.compile(r"来源\s*[:：]|浏览(?:次数|量)?\s*[:：]|浏览(?:次数|量)|访问量|点击(?:数|量|率)|阅读(?:次数|量)|字体\s*[:：]|作者\s*[:：]|【\s*大\s*中\s*小\s*】")


def _date_line(ln: str, source_line: bool = False) -> str | None:
    """A date standing alone (or with its signer in brackets): 2019年12月2日, （大寺镇  2021.12.18）,
    ——2024年3月5日在…上 (a delivery line)."""
    if _PUNCT.search(ln) and not (ln.startswith(("——", "—", "-")) and len(ln) <= 60):
        return None  # a sentence: what is left beside its date holds punctuation
    m = _DATE.search(ln)
    if not m:
        return None
    if ln.startswith(("——", "—", "-")) and len(ln) <= 60 and m.start() == len(ln) - len(ln.lstrip("—-－ ")):
        return _date_of(m)  # the date right after the dash (——2024年3月5日在…上); not --…于2024年1月1日施行
    if m.start() == len(ln) - len(ln.lstrip()) and _DELIVERED.match(ln[m.end():]):
        return _date_of(m)  # 2025年3月17日在某某旗第十六届人民代表大会 / 常务委员会第二十四次会议上: no dash
    rest = (ln[:m.start()] + ln[m.end():]).strip(" （）()[]【】\u3000•·●")  # • 2021-01-29: a bulleted metadata value
    if _DATE_CLOCK.fullmatch(rest):
        rest = ""  # • 2026-01-29 09:57, • 2021年03月22日 16时47分: the date with its time of day
    if not rest or (len(rest) <= 16 and not _PUNCT.search(rest) and normalize_org(rest)):
        return _date_of(m)
    signer = rest.split()[-1] if len(rest.split()) > 1 and m.end() == len(ln.rstrip()) else ""
    if signer and len(signer) <= 16 and not _PUNCT.search(rest) and normalize_org(signer):
        return _date_of(m)  # the report's name, its signer and the date on one line: …情况报告 某某局 2020-06-08
    if source_line and _source_name(rest):
        return _date_of(m)
    return None


# where a report was delivered, after its date under the title: 在…人民代表大会(常务委员会…会议上)
_DELIVERED = re.compile(r"^\s*在[\u4e00-\u9fff0-9０-９]{2,40}?(?:人民代表大会|代表大会|常务委员会|常委会)")
_CLOCK_TIME = re.compile(r"^[0-2]?[0-9][:：][0-5][0-9](?:[:：][0-5][0-9])?\s*")
_DATE_CLOCK = re.compile(r"[0-2]?[0-9](?:[:：][0-5][0-9](?:[:：][0-5][0-9])?|时[0-5]?[0-9]分(?:[0-5]?[0-9]秒)?)")


def _source_name(rest: str) -> bool:
    """What stands beside a date on a page's source line near its title: a clock time and the
    publishing site or section (10:14 某某省人民政府网, 政策法规科): a short run of Han characters
    ending in ``published.source_ends``, or a body's name."""
    rest = _CLOCK_TIME.sub("", rest).strip()
    if not rest or len(rest) > 20 or not _ALL_HAN.fullmatch(rest):
        return False
    return rest.endswith(tuple(_rules()["published"].get("source_ends", []))) or bool(normalize_org(rest))


# ---------------------------------------------------------------- the whole

def document_meta(text: str, page: Optional[Mapping] = None, entities: Optional[list[dict]] = None,
                  rules=None) -> DocumentMeta:
    """Identity of one report from its clean text, the page's metadata (``fazhi.ingest.html.page_meta``:
    site_name, article_title, pub_date, content_source, column_name, publisher, source, info,
    breadcrumb) and optionally the NER stage's entities (dicts with label, text, start, end).
    ``rules``: the rule set whose ``meta.toml`` to use (a rules folder or a loaded ``RuleSet``;
    default the bundled rules)."""
    if _GLOSS.search(text, 0, 2000):
        # 內(nèi)蒙古: pinyin glosses after the characters (a page's glossing runs from its head on),
        # read without them and given back with them
        bare, starts, ends = _without_glosses(text)
        meta = document_meta(bare, page, entities, rules)
        return replace(meta, org=_with_glosses(meta.org, bare, text, starts, ends),
                       title=_with_glosses(meta.title, bare, text, starts, ends),
                       parent_org=_with_glosses(meta.parent_org, bare, text, starts, ends))
    simplified = to_simplified(text)
    original_page = page or {}
    page = {k: to_simplified(v) if isinstance(v, str) else v for k, v in original_page.items()}
    meta = meta_of_simplified(simplified, page, entities, rules)
    if simplified == text and page == original_page:
        return meta
    # the names in the report's own script (小龍門鄉, not 小龙门乡): found on the simplified copy,
    # read back from the original where they stand
    pairs = [(simplified, text)] + [(page[k], v) for k, v in original_page.items()
                                    if isinstance(v, str) and page[k] != v]
    return replace(meta, org=as_written(meta.org, pairs), title=as_written(meta.title, pairs),
                   parent_org=as_written(meta.parent_org, pairs))


# a pinyin gloss right after a Han character: a parenthesized run of Latin letters with a tone mark
_GLOSS = re.compile(f"(?<=[{HAN}]){GLOSS}", re.I)


def _without_glosses(text: str) -> tuple[str, list[int], list[int]]:
    """The text without its pinyin glosses, and for each character left where it starts in the
    text and where it ends there (after its gloss, when it has one)."""
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    last = 0
    for m in _GLOSS.finditer(text):
        parts.append(text[last:m.start()])
        starts.extend(range(last, m.start()))
        ends.extend(range(last + 1, m.start() + 1))
        ends[-1] = m.end()
        last = m.end()
    parts.append(text[last:])
    starts.extend(range(last, len(text)))
    ends.extend(range(last + 1, len(text) + 1))
    return "".join(parts), starts, ends


def _with_glosses(s: str | None, bare: str, text: str, starts: list[int], ends: list[int]) -> str | None:
    """``s``, found in the text without its glosses, as the text writes it (內(nèi)蒙古); a name
    put together (not in the text as it stands) as it is."""
    if not s:
        return s
    i = bare.find(s)
    return text[starts[i]:ends[i + len(s) - 1]] if i >= 0 else s


def as_written(s: str | None, pairs: list[tuple[str, str]]) -> str | None:
    """``s``, found in a simplified copy, as the original writes it: the original's characters at
    the place it stands in one of ``pairs`` (simplified, original), else character by character
    (a name put together: 某某县 + 司法局)."""
    if not s:
        return s
    for simple, original in pairs:
        i = simple.find(s)
        if i >= 0:
            return original[i:i + len(s)]
    table: dict[int, str] = {}
    for simple, original in pairs:
        for a, b in zip(simple, original):
            if a != b:
                table.setdefault(ord(a), b)
    return s.translate(table)


def meta_of_simplified(text: str, page: Optional[Mapping] = None, entities: Optional[list[dict]] = None,
                       rules=None) -> DocumentMeta:
    token = _ACTIVE.set(meta_rules(rules))
    try:
        return _meta(text, page or {}, entities)
    finally:
        _ACTIVE.reset(token)


def org_of_simplified(text: str, rules=None) -> str | None:
    """The reporting body of a simplified text without page metadata or entities, as
    ``meta_of_simplified(text, rules=rules).org`` gives it, without the fields extraction
    does not use; ``rules`` as for :func:`document_meta`."""
    token = _ACTIVE.set(meta_rules(rules))
    try:
        lines = _lines(text)
        return _org(text, lines, _title(lines), {}, [])[0]
    finally:
        _ACTIVE.reset(token)


def _meta(text: str, page: Mapping, entities: Optional[list[dict]]) -> DocumentMeta:
    lines = _lines(text)

    title, title_from = None, None
    at = page.get("article_title")
    if at and _title_ok(at.strip()):
        title, title_from = at.strip(), "meta"
    else:
        title = _title(lines)
        title_from = "text" if title else None

    published, published_from = published_of(lines, page)
    year, year_from = report_year_of(title, lines, published, text)
    org, org_from, raw = _org(text, lines, title, page, entities or [])
    div = divisions.resolve(org, [raw or "", text[:4000]],
                            site=[page.get(k) or "" for k in ("site_name", "content_source", "publisher")])
    return DocumentMeta(org=org, report_year=year, published=published, title=title,
                        org_from=org_from, report_year_from=year_from, published_from=published_from,
                        title_from=title_from, division_code=div.code, level=div.level, parent_org=div.parent_org)


def _org(text: str, lines: list[str], title: str | None, page: Mapping, entities: list[dict]):
    """``(org, where from, the name as written)`` in the order of trust of the module docstring;
    a short form (大足区卫生健康委, from the page's 发布机构) is written out in full when the text
    writes it so (大足区卫生健康委员会)."""
    org, org_from, raw = _org_found(text, lines, title, page, entities)
    return short_form_used(full_form(org, text), text), org_from, raw


def short_form_used(org: str | None, text: str) -> str | None:
    """An autonomous county by the short form its report uses (焉耆回族自治县 in the title, 焉耆县 in
    the text: 焉耆县; 镇宁自治县), when the text writes that form at least twice and more often than
    the full name (spec §4: 云岭县 for 云岭彝族自治县人民政府)."""
    short = divisions.autonomous_short_forms(org) if org else ()
    if not short or org is None:
        return org
    full = text.count(org)
    counts = {s: text.count(s) for s in short}
    best = max(short, key=lambda s: counts[s])
    return best if counts[best] >= 2 and counts[best] > full else org


def full_form(org: str | None, text: str) -> str | None:
    """``org`` with its short ending (``org.full_forms``) written out when the text writes it that way."""
    if not org:
        return org
    for short, full in sorted(_rules()["org"]["full_forms"].items(), key=lambda kv: -len(kv[0])):
        if org.endswith(short) and not org.endswith(full):
            longer = org[: len(org) - len(short)] + full
            n_long = text.count(longer)
            # …unless the report names itself by the short form more often (海滨街 throughout, 海滨街道
            # once in a letter's title): spec §4, as the report names itself
            if n_long and n_long >= text.count(org) - n_long:
                return longer
    return org


_ADDRESSEE = re.compile(r"^[^\n。，,；;]{2,60}[:：][ \t\u3000]*$", re.M)

_DELIVERED_BY = re.compile(r"我代表([\u4e00-\u9fff]{0,10}?(?:国务院|人民政府))")


_FRAMING_YEAR = re.compile(r"^\s*(?:19|20)\d\d年(?:度)?是[^。]{2,80}?的一年。")


def _dept_level(sentence: str, pos: int, dept: str | None) -> str | None:
    """The level an abbreviated department is written with at ``pos`` (市司法局, 区政府办公室 -> 市, 区)."""
    if dept and pos < len(sentence) and re.match(f"(?:(?:人民)?政府)?{re.escape(dept)}", sentence[pos + 1:]):
        return sentence[pos]
    return None


def _org_found(text: str, lines: list[str], title: str | None, page: Mapping, entities: list[dict]):
    kind = self_reference(text[:6000])
    if title:
        n = org_from_title(title)
        if n:
            return n, "title", title
    meta_raw = [page.get(k) for k in ("publisher", "content_source", "source") if page.get(k)]
    info = _lines("\n".join(str(page[k]) for k in ("info", "published_line") if page.get(k)))
    meta_raw += [v for _, v in labelled_orgs(info)]
    meta_raw += [v for lab, v in labelled_orgs(lines[:16]) if lab != "作者"]
    meta_named = [(normalize_org(r), r) for r in meta_raw]
    for n, r in meta_named:
        if n and _agrees(n, kind) and kind is not None:
            return n, "meta", r
    sigs, lone = _signature(lines, title)
    for n in sigs:
        if _agrees(n, kind) and kind is not None:
            return n, "signature", n
    op = _opening(lines)
    if op:
        i, sentence = op
        name, word, pos, dept = org_from_opening(sentence)
        framing = _FRAMING_YEAR.match(sentence)
        if name is None and word is None and framing:
            # 2020年是…极不平凡的一年。在…领导下，省政府坚持…: the subject is the next sentence's
            sentence = sentence[framing.end():]
            name, word, pos, dept = org_from_opening(sentence)
        level = _dept_level(sentence, pos, dept)
        offset = text.find(sentence) + pos if entities else -1
        if name is None and word is None and entities:
            name = _entity_subject(entities, offset)
        if name is None and word is None:
            name = later_subject(sentence, kind)
        if name is None and word is None:
            name = _system_subject(sentence)
        if name is None and word is None:
            # 本报告根据《条例》…编制。/ 一、总体情况 / 2020年，某某市坚持…: the opening after the boilerplate
            name, later = _year_led_opening(lines, i, kind)
            if later:
                sentence, pos = later
                if name is None:
                    # 2023年，市市场监管局按照…: the later sentence's own self word and department
                    _, word, pos, dept = org_from_opening(sentence)
                    level = _dept_level(sentence, pos, dept)
        if name:
            name = _as_named_most(name, text)
            return name, "opening", name
        if word is None and kind is None:
            region = _autonomous_region(sentence[pos:], text)
            if region:
                return region, "self", region
            word = _whole_area(sentence[pos:], text)
        kind = word or kind
    else:
        dept = level = None
    # 我代表国务院向大会作…报告: the body speaking, before a 本省 somewhere in the text
    m = _DELIVERED_BY.search(text[:3000])
    if m and normalize_org(m.group(1)):
        return normalize_org(m.group(1)), "opening", m.group(1)
    if kind:
        n = _resolve_self(kind, text, page, entities, [r for _, r in meta_named if r], dept, level)
        if n:
            return n, "self", n
    # what the page says without the text's own word against it
    for n, r in meta_named:
        if n and _agrees(n, kind):
            return n, "meta", r
    for n in sigs + lone:
        if _agrees(n, kind):
            return n, "signature", n
    # (not the addressee: 中共某某市委、某某市人民政府： heads a report sent up, it is not the sender)
    s = stable_names(_ADDRESSEE.sub("", text))
    if s:
        return s, "frequency", s
    for n, r in meta_named:
        if n:
            return n, "meta", r
    if sigs or lone:
        return (sigs + lone)[0], "signature", (sigs + lone)[0]
    # 我代表国务院 / 我代表区人民政府: the body speaking
    m = _DELIVERED_BY.search(text[:3000])
    if m:
        return (normalize_org(m.group(1)) or m.group(1)), "opening", m.group(1)
    return None, None, None


# ---------------------------------------------------------------- corrections

_OVERRIDABLE = ("org", "report_year", "published", "title")


def with_overrides(meta: DocumentMeta, overrides: Optional[Mapping], text: str = "") -> DocumentMeta:
    """``meta`` with a user's corrections (``org``, ``report_year``, ``published``, ``title``)
    put in, each marked ``override``; a corrected org is resolved to its division again."""
    if not overrides:
        return meta
    changes: dict = {}
    for f in _OVERRIDABLE:
        v = overrides.get(f)
        if v is None or v == "":
            continue
        if f == "report_year":
            v = int(v)
        elif f == "published":
            v = parse_date(str(v)) or str(v)
        changes[f] = v
        changes[f"{f}_from"] = "override"
    if "org" in changes:
        raw = changes["org"]  # as the user wrote it; resolved by its name without higher levels
        div = divisions.resolve(normalize_org(raw) or raw, [raw, text[:4000]])
        changes.update(division_code=div.code, level=div.level, parent_org=div.parent_org)
    return replace(meta, **changes)
