"""The layout of a report: sentences, section paths and protected spans.

Computed once per document in linear time, then looked up per number with
``bisect``, so the cost per record stays small on long texts.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

# A sentence: up to and with a run of stops (。！？!?, a closing quote after them), or up to a
# line break or the end; line breaks belong to no sentence.
_SENTENCE = re.compile(r"[^。！？!?\n]*[。！？!?]+[”’」』]?|[^。！？!?\n]+")

_CN = "一二三四五六七八九十"
# Headings at the start of a line, outermost first.
_HEADINGS = [
    (1, re.compile(rf"[ \u3000\t]*([{_CN}]+)[、.．]")),
    (2, re.compile(rf"[ \u3000\t]*[（(]([{_CN}]+)[)）]")),
    (3, re.compile(r"[ \u3000\t]*(\d{1,2})[.．、](?!\d)")),
    (4, re.compile(r"[ \u3000\t]*[（(](\d{1,2})[)）]")),
]
_HEADING_FIRST = set(_CN + "0123456789（(")
_LABEL = {1: "{}", 2: "({})", 3: "{}.", 4: "({})"}
# Inline list markers inside a paragraph: 一是…二是…, 第一，…
_INLINE = re.compile(rf"(?:^|(?<=[。；;：:\n]))[ \u3000]*([{_CN}]是)")
_INLINE_CUE = re.compile(f"[{_CN}]是")  # what every inline marker holds: a line without it has none


@dataclass(frozen=True)
class Section:
    path: str       # 一 > (三) > 二是
    headings: str   # the heading lines' text, for category cues


class Layout:
    """Sentence and section lookups for one text."""

    def __init__(self, text: str):
        self.text = text
        self._sent_starts, self._sent_ends = self._sentences(text)
        self._sec_pos, self._sec_val = self._sections(text)

    @staticmethod
    def _sentences(text: str) -> tuple[list[int], list[int]]:
        spans = [m.span() for m in _SENTENCE.finditer(text)]
        return [s for s, _ in spans], [e for _, e in spans]

    def sentence_span(self, pos: int) -> tuple[int, int]:
        i = bisect_right(self._sent_starts, pos) - 1
        if i < 0:
            return 0, 0
        start, end = self._sent_starts[i], self._sent_ends[i]
        # strip leading spaces so the sentence reads cleanly
        while start < end and self.text[start] in " \u3000\t":
            start += 1
        return start, end

    @staticmethod
    def _sections(text: str) -> tuple[list[int], list[Section]]:
        positions: list[int] = [0]
        values: list[Section] = [Section("", "")]
        stack: list[tuple[int, str, str]] = []  # (level, label, heading text)
        pos = 0
        for line in text.split("\n"):
            line_start = pos
            pos += len(line) + 1
            first = line.lstrip(" \u3000\t")[:1]
            for level, rx in (_HEADINGS if first and first in _HEADING_FIRST else ()):
                m = rx.match(line)
                if m:
                    stack = [s for s in stack if s[0] < level]
                    head = line[m.end():].strip()[:40]
                    stack.append((level, _LABEL[level].format(m.group(1)), head))
                    positions.append(line_start)
                    values.append(_section(stack))
                    break
            # inline markers live under the current heading, one at a time
            base = [s for s in stack if s[0] < 9]
            for m in (_INLINE.finditer(line) if "是" in line and _INLINE_CUE.search(line) else ()):
                clause = line[m.end(1):m.end(1) + 40]
                clause = re.split(r"[。；;，,]", clause, maxsplit=1)[0]
                stack = base + [(9, m.group(1), clause)]
                positions.append(line_start + m.start(1))
                values.append(_section(stack))
            if stack and stack[-1][0] == 9:
                # an inline marker ends with its paragraph
                stack = base
                positions.append(pos)
                values.append(_section(stack))
        return positions, values

    def section(self, pos: int) -> Section:
        return self._sec_val[bisect_right(self._sec_pos, pos) - 1]


def _section(stack: list[tuple[int, str, str]]) -> Section:
    return Section(" > ".join(s[1] for s in stack), " ".join(s[2] for s in stack))


def protected_spans(text: str, names: list, quotes: list, max_quote: int, phrases_rx: re.Pattern | None) -> list[tuple[int, int]]:
    """Spans whose numbers are names: 《titles》, short “quoted” slogans, fixed phrases."""
    spans: list[tuple[int, int]] = []
    for open_, close in names:
        for m in re.finditer(re.escape(open_) + r"[^" + re.escape(close) + r"\n]{0,200}" + re.escape(close), text):
            spans.append((m.start(), m.end()))
    for open_, close in quotes:
        if open_ == close:
            rx = re.escape(open_) + r"[^" + re.escape(close) + r"\n]{1,%d}" % max_quote + re.escape(close)
        else:
            rx = (re.escape(open_) + r"[^" + re.escape(open_) + re.escape(close)
                  + r"\n。]{1,%d}" % max_quote + re.escape(close))
        for m in re.finditer(rx, text):
            spans.append((m.start(), m.end()))
    if phrases_rx is not None:
        for m in phrases_rx.finditer(text):
            spans.append((m.start(), m.end()))
    spans.sort()
    return spans


class SpanSet:
    """Fast 'is this position inside a protected span' for sorted spans."""

    def __init__(self, spans: list[tuple[int, int]]):
        merged: list[list[int]] = []
        for s, e in spans:
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self._starts = [s for s, _ in merged]
        self._ends = [e for _, e in merged]

    def covers(self, start: int, end: int) -> bool:
        """True when [start, end) overlaps a protected span."""
        i = bisect_right(self._starts, end - 1) - 1
        return i >= 0 and self._ends[i] > start
