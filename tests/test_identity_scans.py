"""The identity's quicker scans give what the patterns they stand for give.

``extractors.meta`` and ``extractors.divisions`` skip work a pattern would do for nothing
(a title line's chrome only where the line's end allows it, a clock only where a clock word
stands before a date, years read from 年 on the reversed text, ranges only around a dash
with a year beside it, gazetteer names only where one can end). Each is checked
here against the plain reading (the pattern itself, or the loop it replaced) on many
strings made of the pieces those patterns care about.
"""
import random
import re

from extractors import divisions
from extractors import meta as M

PIECES = [
    "2021", "2025", "2023", "1998", "19", "20", "0", "7", "年", "年度", "月", "日", "—", "——", "–", "-", "－",
    "~", "～", "至", "到", " ", "\u3000", "\t", "\n", "今天是", "今天", "今日是", "北京时间", "现在是", "：", ":",
    "星期二", "周五", "周", "礼拜天", "12月", "3日", "二〇二三", "二〇二四年", "一月", "《法治规划》", "《",
    "》", "（", "）", "(", ")", "【法治建设报告】", "【", "】", "[打印]", "[", "]", "字体：大 中 小", "关闭窗口",
    "报告", "工作情况", "法治政府建设", "某某县", "龙岩市永定区", "永定区", "九江市", "广东省", "市", "区",
    "县", "全市", "我局", "街道", "镇", "乡", "城乡", "景区", "开发区", "观音堂", "大寺", "，", "。", "；",
    "发布时间", "发布日期", "时间", "来源", "|", "｜", " |", "•", "浏览次数", "2024-03-05", "（2015-04-23）",
]


def _strings(n: int, seed: int, longest: int = 24):
    rng = random.Random(seed)
    for _ in range(n):
        yield "".join(rng.choice(PIECES) for _ in range(rng.randint(0, longest)))


def _reference_without_clock(text: str) -> str:
    out, pos = [], 0
    for m in M._patterns()["clock"].finditer(text):
        if m.start() < pos:
            continue
        d = M._DATE.match(text, m.end())
        if not d:
            continue
        out.append(text[pos:m.start()])
        out.append(" " * (d.end() - m.start()))
        pos = d.end()
    out.append(text[pos:])
    # a date with its weekday is a clock, unless a publication label stands right before it
    return M._WEEKDAY_DATE.sub(M._blank_unless_labelled, "".join(out))


def _reference_title_line(ln: str) -> str:
    ln = re.sub("^[•·●][•·● \u3000]*", "", ln)  # a list item's bullet
    ln = re.sub("[|｜][|｜ \u3000]*$", "", ln)  # a table row's end
    ln = M._COLUMN_TAG.sub("", ln)
    for _ in range(3):
        ln = M._BRACKET_DATE.sub("", ln)
        ln = M._TITLE_CHROME.sub("", ln)
        d = M._DATE.search(ln)
        if d and d.start() >= 8 and not ln[d.end():].strip():
            ln = ln[:d.start()]
    return ln.strip()


def _reference_mentioned(t: str) -> dict:
    c: dict = {}
    by_name, lengths = divisions.gazetteer()[1], divisions._lengths()
    for pos in range(len(t)):
        hit = next((t[pos + 1 - k:pos + 1] for k in lengths
                    if k >= 3 and pos + 1 - k >= 0 and t[pos + 1 - k:pos + 1] in by_name), None)
        if hit:
            c[hit] = c.get(hit, 0) + 1
    return c


def _reference_labelled_dates(lines: list[str]) -> list[tuple[str, str]]:
    out = []
    for i, ln in enumerate(lines):
        for m in M._patterns()["pub_label"].finditer(ln):
            label = m.group("label")
            if label in ("时间", "日期") and m.start() > 0 and re.match(f"[{M.HAN}]", ln[m.start() - 1]):
                continue
            rest = ln[m.end():]
            if not rest.strip() and i + 1 < len(lines):
                rest = lines[i + 1]
            d = M._DATE.match(rest.lstrip(" |｜"))
            if d and M._date_of(d):
                out.append((label, M._date_of(d)))
    return out


def test_years_are_the_patterns_years():
    for s in _strings(4000, 1):
        assert M._year_strings(s) == M._YEAR.findall(s), s


def test_ranges_are_blanked_as_the_pattern_blanks_them():
    for s in _strings(4000, 2):
        assert M._without_ranges(s) == M._RANGE.sub(" ", s), s


def test_clock_dates_are_blanked_as_before():
    for s in _strings(4000, 3):
        assert M._without_clock(s) == _reference_without_clock(s), s


def test_title_lines_lose_the_same_chrome():
    for s in _strings(4000, 5, longest=12):
        assert M._title_line(s.replace("\n", "")) == _reference_title_line(s.replace("\n", "")), s


def test_gazetteer_names_are_counted_in_the_same_order():
    for s in _strings(600, 6):
        got = divisions.mentioned([s])
        assert list(got.items()) == list(_reference_mentioned(s).items()), s


def test_labelled_dates_read_in_place_are_the_same():
    for s in _strings(3000, 7):
        lines = M._lines(s)
        assert M.labelled_dates(lines) == _reference_labelled_dates(lines), s

