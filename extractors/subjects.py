"""What a quantity counts: the subject, in the report's own words.

Two places hold it. Before the number, in the same clause (合格率100%,
调解纠纷800余件, 审计资金共计301,383万元); or after the classifier, when the
number comes first (举办一期领导干部法治专题培训班, 聘请了9名专职调解员).
The clause before is trimmed of time words, pronouns, adverbs and linking
verbs (lists in ``rules/subjects.toml``).
"""
from __future__ import annotations

import re
from functools import lru_cache

from .ruleset import RuleSet

# Comparisons are looked for in the last this many characters of a subject.
_COMPARISON_TAIL = 16
_QUOTES = "“”\"‘’「」『』"
_TITLE = re.compile(r"《[^》]{0,60}》")
_ENDS_QUOTED = re.compile(r"[“\"]([^“”\"]{2,})[”\"]$")


class Affixes:
    """Longest-first prefix/suffix lookup in a word list, by set membership
    per length (a loop of startswith over ~100 words was the hot spot)."""

    def __init__(self, words):
        self._by_len: dict[int, set[str]] = {}
        for w in words:
            self._by_len.setdefault(len(w), set()).add(w)
        self._lengths = sorted(self._by_len, reverse=True)

    def prefix(self, phrase: str, min_rest: int = 0) -> str:
        for n in self._lengths:
            if len(phrase) >= n + min_rest and phrase[:n] in self._by_len[n]:
                return phrase[:n]
        return ""

    def suffix(self, phrase: str) -> str:
        for n in self._lengths:
            if len(phrase) >= n and phrase[-n:] in self._by_len[n]:
                return phrase[-n:]
        return ""


class SubjectFinder:
    """Subject lookups for one rule set (lists compiled once)."""

    def __init__(self, rules: RuleSet):
        s = rules.subjects
        self.delims = set(s["clause_delimiters"])
        self.max_clause = s["max_clause_chars"]
        self.respectively_markers = tuple(sorted(s["respectively_markers"], key=len, reverse=True))
        self._respectively_ends = frozenset(w[-1] for w in self.respectively_markers)
        self.list_glue = "".join(s["coordination_joiners"]) + " \u3000，,"
        verbs = sorted(s["verbs_before_object"], key=len, reverse=True)
        self._object_verb = re.compile("(?s).+(?:" + "|".join(map(re.escape, verbs)) + ")") if verbs else None
        self._verb_first = re.compile("[" + re.escape("".join(sorted({v[0] for v in verbs}))) + "]") if verbs else None
        self._time = re.compile(s["time_start"])
        self._time_end = re.compile(s["time_end"])
        self._level_end = re.compile("(?:" + "|".join(map(re.escape, s["level_ends"])) + ")$")
        self._following_end = re.compile("(?:" + "|".join(map(re.escape, s["following_trailing"])) + ")$")
        self._leading = Affixes(s["leading"])
        self._trailing = Affixes(s["trailing"])
        self.empty = set(s["empty_words"])
        self.joiners = sorted(s["coordination_joiners"], key=len, reverse=True)
        self.coord_markers = tuple(sorted(s["coordination_markers"], key=len, reverse=True))
        self._joiner_rx = re.compile("(" + "|".join(map(re.escape, self.joiners)) + ")")
        self.directions = tuple(w for w, _ in rules.directions)
        self.not_start = tuple(s["not_subject_start"])
        self._filler = re.compile("|".join(map(re.escape, s["fillers"])))
        # one alternation, tried on the phrase's tail only (anchored at the end),
        # and only when the tail holds a character the expressions spell out
        self._comparisons = re.compile("|".join(f"(?:{c})" for c in s["comparisons"])) if s["comparisons"] else None
        self._comparison_ends = frozenset(s["comparison_ends"])
        self.rate_heads = tuple(s["rate_heads"])
        self.joiner_words = list(s["whole_words"])
        self._joiner_words_t = tuple(self.joiner_words)
        lp = s["leading_patterns"]
        self._leading_rx = re.compile("|".join(f"(?:{x})" for x in lp)) if lp else None
        singles = [j for j in self.joiners if len(j) == 1]
        self._shield_map = {ord(c): 0xE000 + i for i, c in enumerate(singles)}
        self._unshield = {v: k for k, v in self._shield_map.items()}
        self.totals = frozenset(s["totals"])
        stops = sorted(s["following_stops"], key=len, reverse=True)
        self._stop_rx = re.compile("|".join(map(re.escape, stops))) if stops else None

    def clause_start(self, text: str, pos: int, floor: int, across_lists: bool = False) -> int:
        """Start of the clause ending at ``pos`` (never before ``floor``);
        ``across_lists``: do not stop at 、 (for coordinated subjects). A clause
        is at most ``max_clause_chars`` long: the subject stands next to its
        number, and the bound keeps the cost per number constant."""
        if pos - self.max_clause > floor:
            floor = pos - self.max_clause
        i = pos - 1
        depth = 0
        while i >= floor:
            ch = text[i]
            if ch in ")）":
                depth += 1
            elif ch in "(（":
                if depth == 0:
                    return i + 1
                depth -= 1
            elif ch in self.delims and depth == 0 and not (across_lists and ch == "、"):
                return i + 1
            i -= 1
        return floor

    def trim(self, phrase: str) -> str:
        """Drop time words, pronouns, adverbs and linking words at both ends."""
        phrase = phrase.strip(" \u3000\t")
        m = self._leading_rx.match(phrase) if self._leading_rx is not None else None
        if m:  # a list marker (1. (三)) stands first
            phrase = phrase[m.end():]
        while True:
            prev = None
            while phrase != prev:
                prev = phrase
                phrase = phrase.strip(" \u3000\t")
                m = self._time.match(phrase)
                if m:
                    phrase = phrase[m.end():]
                w = self._leading.prefix(phrase, min_rest=2)
                if w and phrase.startswith(self._joiner_words_t):
                    w = ""  # 及时率, 即办率: a whole word, not 及 + 时率
                if w:
                    phrase = phrase[len(w):]
                w = self._trailing.suffix(phrase)
                if w and phrase.endswith(self._joiner_words_t):
                    w = ""  # 违法行为: a whole word, not 违法行 + 为
                if w:
                    phrase = phrase[: -len(w)]
                phrase = _strip_unbalanced(phrase)
            # a year at the end (增加到一九八五年) and comparisons (较上年相比)
            if not phrase or phrase[-1] not in self._comparison_ends:
                break
            m = self._time_end.search(phrase, max(0, len(phrase) - _COMPARISON_TAIL))
            cut = self._cut_comparisons(phrase[:m.start()] if m else phrase)
            if cut == phrase:
                break
            phrase = cut
        bare = self._level_end.sub("", phrase)  # 增加到, 提高到: a level of the indicator before
        if bare != phrase and self._only_direction(bare):
            return ""
        if bare != phrase and bare.endswith(self.directions):
            # 信访总量同比上升至: the level of the indicator named before the verb
            for w in self.directions:
                if bare.endswith(w):
                    rest = self.without_comparison(bare[: -len(w)])
                    if len(rest) >= 2:
                        phrase = rest
                    break
        if phrase in self.empty or phrase.endswith(self.directions) and self._only_direction(phrase):
            return ""
        return self.tidy(self._object_of_verb(phrase))

    def _object_of_verb(self, phrase: str) -> str:
        """组织全体人员开展专题学习 -> 专题学习: the object of the last action verb."""
        if (len(phrase) < 5 or self._object_verb is None or self._verb_first is None
                or not self._verb_first.search(phrase, 1)):
            return phrase
        last = self._object_verb.match(phrase)  # greedy: the last verb, not at the start
        if last is not None and len(phrase) - last.end() >= 2:
            return phrase[last.end():]
        return phrase

    def tidy(self, phrase: str) -> str:
        """Shorten a long subject to its head: drop 《titles》 and fillers
        (各类), and keep what follows 等 (A、B等事项 -> 事项)."""
        phrase = _TITLE.sub("", phrase)
        phrase = self._filler.sub("", phrase)
        if "等" in phrase:
            tail = phrase[phrase.rindex("等") + 1:]
            if len(tail) >= 2:
                phrase = tail
        return phrase

    def coordinated(self, raw_prefix: str, rate: bool) -> list[str] | None:
        """参考率和合格率均为 -> [参考率, 合格率]; None when not coordinated.

        Needs 均/都 before the number, or, for a percentage, every part being
        a rate (企业开通率和信息完善率达到100%)."""
        p = raw_prefix.rstrip(" \u3000")
        if not self._joiner_rx.search(p):
            return None  # nothing coordinated (the common case, checked first)
        for w in self.directions:  # 烤烟、桑蚕茧等都增长百分之五十
            if p.endswith(w) and len(p) > len(w) + 2:
                p = p[: -len(w)]
                break
        body = None
        for marker in self.coord_markers:
            if p.endswith(marker):
                body = p[: -len(marker)]
                break
        by_marker = body is not None
        if body is None:
            if not rate:
                return None
            body = p
        parts = [self.trim(q) for q in self._split(re.sub(r"等$", "", body))]
        parts = [q for q in parts if q]
        if len(parts) < 2:
            return None
        if not by_marker and not all(q.endswith(self.rate_heads) for q in parts):
            return None
        return parts

    def respectively(self, prefix: str) -> list[str] | None:
        """行政复议、行政诉讼案件分别为 -> [行政复议, 行政诉讼案件]: the
        subjects of the values that follow, in order; None if not so."""
        if not prefix or prefix[-1] not in self._respectively_ends:
            return None
        p = prefix
        if not p.endswith(self.respectively_markers):
            return None
        marker = next(w for w in self.respectively_markers if p.endswith(w))
        body = p[: -len(marker)]
        if not self._joiner_rx.search(body):
            return None
        parts = [q for q in (self.trim(x) for x in self._split(body)) if q]
        return parts if len(parts) >= 2 else None

    def _split(self, body: str) -> list[str]:
        """Split on joiners, re-attaching pieces too short to be a subject
        (参与率和通过率 must not split at the 与 inside 参与)."""
        shielded = self._shield(body)
        pieces = self._joiner_rx.split(shielded)
        if shielded is not body:
            pieces = [p.translate(self._unshield) for p in pieces]
        out: list[str] = []
        glue = ""
        for i, piece in enumerate(pieces):
            if i % 2:  # a joiner
                glue = piece
                continue
            if out and (len(out[-1]) < 2 or len(piece) < 2):
                out[-1] = out[-1] + glue + piece
            else:
                out.append(piece)
        return out

    def _shield(self, body: str) -> str:
        """Hide the joiner characters inside words (及时率, 普及率) from the
        split: each becomes a private-use character, restored afterwards."""
        for w in self.joiner_words:
            if w in body:
                body = body.replace(w, w.translate(self._shield_map))
        return body

    def following(self, text: str, end: int, stop: int) -> str:
        """The noun phrase right after a classifier, up to the clause end; none after a space (投诉3751件
        占比 82.13%: items set out with spaces, the word after the space is the next item's)."""
        if end < len(text) and text[end] in " \u3000\t":
            return ""
        i = end
        depth = 0
        limit = min(stop, end + 24)
        while i < limit:
            ch = text[i]
            if ch in "(（":
                depth += 1
            elif ch in ")）":
                if depth == 0:
                    break
                depth -= 1
            elif ch in self.delims and depth == 0:
                break
            elif ch.isdigit():
                break
            i += 1
        phrase = text[end:i].strip(" \u3000")
        cut = False
        if self._stop_rx is not None:
            # 12家行业协会建立联络机制 -> 行业协会: the noun ends at a verb
            m = self._stop_rx.search(phrase, 1)
            if m:
                phrase, cut = phrase[:m.start()], True
        phrase = self._following_end.sub("", phrase)
        phrase = phrase.lstrip("的")  # 三米半的围墙
        if len(phrase) < (1 if cut else 2) or not ("\u4e00" <= phrase[0] <= "\u9fff" or phrase[0] in _QUOTES):
            return ""
        return self.tidy(_strip_unbalanced(phrase))

    def indicator(self, phrase: str) -> str:
        """技术合同成交额增长 -> 技术合同成交额: for a change, the indicator."""
        phrase = self.without_comparison(phrase)
        for w in self.directions:
            if phrase.endswith(w) and len(phrase) > len(w) + 1:
                phrase = phrase[: -len(w)]
                break
        phrase = self.without_comparison(phrase)
        return self.trim(phrase)

    def _only_direction(self, phrase: str) -> bool:
        """同比上升, 较上年下降: a direction word with at most a comparison."""
        for w in self.directions:
            if phrase.endswith(w):
                rest = phrase[: -len(w)]
                return rest == "" or self.without_comparison(rest) == ""
        return False

    def common_head(self, subjects: list[str]) -> str:
        """行政复议案件, 行政诉讼案件 -> 案件: what a total of these counts."""
        subjects = [s for s in subjects if s]
        if len(subjects) < 2:
            return ""
        tail = subjects[0]
        for s in subjects[1:]:
            n = 0
            while n < min(len(tail), len(s)) and tail[-1 - n] == s[-1 - n]:
                n += 1
            tail = tail[len(tail) - n:] if n else ""
        return tail if len(tail) >= 2 else ""

    def without_comparison(self, phrase: str) -> str:
        """罚没款收入较上年相比 -> 罚没款收入 (``comparisons`` in the rules,
        each anchored at the end, removed until none is left)."""
        if not phrase or phrase[-1] not in self._comparison_ends:
            return phrase
        return self._cut_comparisons(phrase)

    def _cut_comparisons(self, phrase: str) -> str:
        rx = self._comparisons
        while rx is not None and phrase and phrase[-1] in self._comparison_ends:
            m = rx.search(phrase, max(0, len(phrase) - _COMPARISON_TAIL))
            if m is None or m.start() == len(phrase):
                break
            phrase = phrase[:m.start()]
        return phrase

    def without_org(self, phrase: str, org: str | None) -> str:
        """观音堂镇投资 -> 投资: the reporting body is not part of a subject."""
        if org and phrase.startswith(org) and len(phrase) >= len(org) + 2:
            return phrase[len(org):]
        return phrase

    def choose(self, prefix: str, following: str, type_: str) -> str:
        m = _ENDS_QUOTED.search(prefix)
        if m:
            prefix = m.group(1)  # 以“综合查一次”4次 -> 综合查一次
        if type_ == "percentage":
            if "的" in prefix:
                tail = prefix[prefix.rindex("的") + 1:]
                if len(tail) >= 2:
                    prefix = tail  # 机关干部的通过率 -> 通过率
            return prefix or following
        if following.startswith(self.directions):
            following = ""  # 由175元提高到240元: no noun after the number
        if following and not following.startswith(self.not_start):
            if not prefix or type_ != "amount":
                return following
        return prefix or following


def _strip_unbalanced(phrase: str) -> str:
    """Remove quote marks and brackets left unpaired at either end."""
    pairs = {"“": "”", "(": ")", "（": "）", "‘": "’", "「": "」", "《": "》"}
    changed = True
    while changed and phrase:
        changed = False
        first, last = phrase[0], phrase[-1]
        if first in pairs and pairs[first] not in phrase[1:]:
            phrase, changed = phrase[1:], True
        elif last in pairs.values() and not any(k in phrase[:-1] for k, v in pairs.items() if v == last):
            phrase, changed = phrase[:-1], True
        elif first in pairs and last == pairs[first] and phrase.count(first) == 1:
            inner = phrase[1:-1]
            phrase, changed = inner, True
        elif first in "\"'" or last in "\"'":
            phrase, changed = phrase.strip("\"'"), True
    return phrase


@lru_cache(maxsize=8)
def finder(rules: RuleSet) -> SubjectFinder:
    return SubjectFinder(rules)
