"""Traditional characters read as simplified, offsets unchanged.

The rules are written in simplified Chinese. Reports before about 1980 (and
some local pages) are in traditional characters (電力一百零八億度). OpenCC's
t2s conversion is applied to a working copy that keeps every offset: when a
phrase conversion would change the length, the text is converted character
by character instead, so offsets into the working copy are offsets into the
original.
"""
from __future__ import annotations

import re
from functools import lru_cache

# A lone surrogate (from a PDF's text map) cannot be encoded, and OpenCC
# raises on it; it becomes U+FFFD, one character for one, offsets unchanged.
_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD (same length)."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


@lru_cache(maxsize=1)
def _converter():
    import opencc  # the OpenCC package ships its dictionaries; nothing is downloaded

    return opencc.OpenCC("t2s")


# the last long text converted and its copy: the documents stage converts each text twice, for the
# identity (document_meta) and for extraction; the same string object gives the same copy
_LAST: tuple[str, str] = ("", "")
_REMEMBERED_FROM = 1000  # characters: page fields and names in between never displace a text


def to_simplified(text: str) -> str:
    """A copy of ``text`` in simplified characters, of the same length."""
    global _LAST
    last = _LAST
    if last[0] is text:
        return last[1]
    out = _to_simplified(text)
    if len(text) >= _REMEMBERED_FROM:
        _LAST = (text, out)
    return out


def _to_simplified(text: str) -> str:
    conv = _converter()
    try:
        out = conv.convert(text)  # encodes the text: a lone surrogate raises (no scan for one first)
    except UnicodeEncodeError:
        text = without_surrogates(text)
        out = conv.convert(text)
    if len(out) == len(text):
        return out
    chars = []
    for ch in text:
        c = conv.convert(ch)
        chars.append(c if len(c) == 1 else ch)
    return "".join(chars)


def back_to_original(original: str, simplified: str):
    """A function turning strings of ``simplified`` back into the script of
    ``original`` (subjects and classifiers are kept in the report's own words).
    Identity when the text was simplified already."""
    if original == simplified:
        return lambda s: s
    table: dict[str, str] = {}
    for a, b in zip(simplified, original):
        if a != b and a not in table:
            table[a] = b
    trans = str.maketrans(table)
    return lambda s: s.translate(trans) if s else s
