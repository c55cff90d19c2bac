"""Bytes -> str for text and HTML documents, naming the encoding found.

Chinese government pages come in UTF-8 (with or without a BOM), in GBK /
GB2312 / GB18030 and sometimes in Big5, and the charset they declare (HTTP
header or ``<meta charset>``) is often wrong. So a declared charset is only a
hint:

1. a BOM decides;
2. bytes that are valid UTF-8 are UTF-8;
3. otherwise each legacy candidate (the hint, GB18030, Big5, CP950,
   Big5-HKSCS) that decodes the bytes is scored by the share of its Chinese
   characters that are common ones (both scripts): bytes read in the wrong
   one of GB18030 / Big5 give rare characters, kana and symbols, and score
   far lower;
4. a page whose lines are partly UTF-8 and partly a legacy encoding (a UTF-8
   template around GBK content) is decoded line by line (``utf-8+gb18030``);
5. anything else goes to charset-normalizer; text with many NUL characters,
   or more than a few undecodable bytes, is not text (``DecodeError``).

Damage that a real download shows is tolerated and noted (``Decoded.notes``):
UTF-8 cut inside its last character (a truncated download) loses that
character; UTF-16 without a BOM is told by where its NUL bytes fall (ASCII
in UTF-16 has one NUL per character, all at even or all at odd offsets) or,
without any ASCII, by scoring both byte orders; a few stray NUL bytes in
otherwise good text are dropped.

GB2312 and GBK are subsets of GB18030, so all three decode as ``gb18030``.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import lru_cache

from charset_normalizer import from_bytes


class DecodeError(ValueError):
    """The bytes are not text in any encoding we can trust."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str                   # the codec that read the bytes
    notes: tuple[str, ...] = ()     # what was tolerated: "last character cut", "2 NUL dropped" …

    @property
    def label(self) -> str:
        """The encoding with its notes, as the ``documents.encoding`` column shows it."""
        return f"{self.encoding} ({'; '.join(self.notes)})" if self.notes else self.encoding


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Declared names -> the codec that reads them (supersets where safe).
_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
    "euc-cn": "gb18030", "hz-gb-2312": "gb18030",
    "big5": "big5", "big-5": "big5", "x-x-big5": "big5", "cp950": "cp950", "big5-hkscs": "big5hkscs",
    "big5hkscs": "big5hkscs",
    "utf-8": "utf-8", "utf8": "utf-8",
}
_LEGACY = ("gb18030", "big5", "cp950", "big5hkscs")

# The most frequent Chinese characters of the bundled reports and gold
# corpora (simplified); their traditional forms are added at first use.
_FREQUENT = (
    "法的政工一和作治建年行进大实全化人展设制重业发镇国务力有加推中在开了增理民执是强等成经新会度公提要调我学生主动府面区社改"
    "三策平合不体定性分信依用五部决高解产以二上到律九为步项持济基规能领导十完件现员四对落事保责出地服入机万点方管问程长任革"
    "党各众过农群格好市多范文施百续深村普办得目习育及次题水审通来教效时组共查下职宣善企升传案委活访网家比取资量本权结积督八立"
    "位严技坚整科自明创构心标关个专计利同息品稳代率达之亿级与并前极造议式放元系监期单核干做协内层运意支向近求城总小局场快"
    "情六正商金七投安思应条台接乡外障统织防序门优第确营顾环促批电供将论集头速清处断挥已义考识所充于口域质矛果由值指盾可际研想"
    "两综诉备广线收术相费准助宗形就报况布切交今控础些特参余受纠培维努划种转源引认知试均谁态流境路战继着显观健纷护表按证"
    "排后履风千东消困措贯精真节联融复负居财倍围突类训记型存桥逐道超从寺个们险见累数少户究示子起站难央彻宪降其据还这把"
    "评使功需手根省扩食告照涉税原料较而景举纳变抓打书例每视里固神间常益录队减日约讲校去色良违容司扎请模都粮世守份预价"
)

_CJK = re.compile(r"[\u3040-\u30ff\u3100-\u312f\u3400-\u9fff\ue000-\uf8ff\uf900-\ufaff]")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]{2,40})", re.IGNORECASE)

# below this share of common characters a decoding is not trusted on its own
_MIN_SCORE = 0.35
# a few undecodable bytes (a truncated last character) are tolerated
_MAX_BAD_SHARE = 0.002
# stray NUL bytes dropped from otherwise good text: at most one per this many bytes (and a few)
_NUL_SHARE = 1000


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    chars = set(_FREQUENT)
    try:
        import opencc

        for config in ("s2t", "s2tw", "s2hk"):
            chars.update(opencc.OpenCC(config).convert(_FREQUENT))
    except Exception:  # pragma: no cover - OpenCC is a dependency; scoring still works on simplified
        pass
    return frozenset(chars)


def plausibility(text: str) -> float:
    """Share of the text's CJK-range characters that are common Chinese characters (0 when it has none)."""
    cjk = _CJK.findall(text)
    if not cjk:
        return 0.0
    common = _common()
    return sum(c in common for c in cjk) / len(cjk)


def declared_charset(data: bytes, content_type: str | None = None) -> str | None:
    """The charset a page claims: the HTTP header's, else the first ``<meta>``'s; normalised, or None."""
    header = _HEADER_CHARSET.search(content_type or "")
    meta = _META_CHARSET.search(data[:8192])
    for raw in (header.group(1) if header else None, meta.group(1).decode("ascii", "replace") if meta else None):
        if raw:
            name = raw.strip().lower()
            codec = _ALIASES.get(name)
            if codec is None:
                try:
                    codec = codecs.lookup(name).name
                except LookupError:
                    continue
            return codec
    return None


def decode_bytes(data: bytes, hint: str | None = None) -> Decoded:
    """Decode document bytes, naming the encoding used (see the module docstring).

    ``hint`` is a declared charset (already normalised by :func:`declared_charset`).
    """
    if not data:
        raise DecodeError("empty document")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(enc), enc)
            except UnicodeDecodeError as exc:
                raise DecodeError(f"{enc} byte-order mark but invalid {enc}: {exc}") from None
    # UTF-16 without a BOM: ASCII in it gives NUL bytes; pure CJK in it is not valid UTF-8 (tried below)
    utf16 = _utf16_without_bom(data) if b"\x00" in data else None
    if utf16 is not None:
        return utf16
    notes: tuple[str, ...] = ()
    nul = data.count(b"\x00")
    if nul:
        if nul > 3 + len(data) // _NUL_SHARE:
            raise DecodeError(f"{nul} NUL bytes in a document that is not UTF-16/32 (binary?)")
        data = data.replace(b"\x00", b"")
        notes = (f"{nul} NUL byte{'s' if nul > 1 else ''} dropped",)
        if not data:
            raise DecodeError("only NUL bytes")
    try:
        return _noted(_checked(data.decode("utf-8"), "utf-8"), notes)
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            # a truncated download: the last character lost some of its bytes
            return _noted(_checked(data[:exc.start].decode("utf-8"), "utf-8"), notes + ("last character cut",))
    utf16 = None if nul else _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    decoded = _decode_legacy(data, hint)
    return _noted(decoded, notes)


def _noted(decoded: Decoded, notes: tuple[str, ...]) -> Decoded:
    return Decoded(decoded.text, decoded.encoding, decoded.notes + notes) if notes else decoded


def _utf16_without_bom(data: bytes) -> Decoded | None:
    """UTF-16 (LE or BE) without a byte-order mark, or None when the bytes do not look like it."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:65536]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    pairs = len(sample) // 2
    # ASCII (digits, punctuation, line ends) puts its NUL on one side; CJK rarely has a NUL byte
    # (a CJK character has a NUL byte only when its code ends in 00: about one in a hundred)
    if odd >= max(2, 0.01 * pairs) and odd >= 2 * even:
        order: tuple[str, ...] = ("utf-16-le",)
    elif even >= max(2, 0.01 * pairs) and even >= 2 * odd:
        order = ("utf-16-be",)
    else:
        order = ("utf-16-le", "utf-16-be")   # no telling side: only a plausible reading counts
    best = None
    for codec in order:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = plausibility(text)
        if len(order) > 1 and score < 0.6:
            continue
        if best is None or score > best[0]:
            best = (score, codec, text)
    if best is None:
        return None
    score, codec, text = best
    if _CJK.search(text) and score < _MIN_SCORE:
        return None
    try:
        return Decoded(_checked(text, codec).text, codec, ("UTF-16 without byte-order mark",))
    except DecodeError:
        return None


def _decode_legacy(data: bytes, hint: str | None) -> Decoded:
    """Bytes that are not UTF-8: mixed lines, the best legacy Chinese encoding, else charset-normalizer."""
    mixed = _decode_mixed(data, hint)
    if mixed is not None:
        return mixed
    legacy = _best_legacy(data, hint)
    if legacy is not None:
        return legacy
    best = from_bytes(data).best()
    if best is None:
        raise DecodeError("no text encoding fits these bytes (binary?)")
    text = str(best)
    if _CJK.search(text) and plausibility(text) < _MIN_SCORE:
        raise DecodeError(f"bytes read as {best.encoding} give no plausible Chinese text (binary or mixed encodings?)")
    return _checked(text, best.encoding)


def _candidates(hint: str | None) -> list[str]:
    order = [hint] if hint and hint in _LEGACY else []
    return order + [c for c in _LEGACY if c not in order]


def _best_legacy(data: bytes, hint: str | None) -> Decoded | None:
    """The legacy Chinese encoding that reads ``data`` most plausibly, or None."""
    scored = []
    for rank, codec in enumerate(_candidates(hint)):
        text, bad = _lenient(data, codec)
        if text is None:
            continue
        score = plausibility(text)
        scored.append((score, -rank, codec, text))
        if bad == 0 and score >= 0.9 and codec == hint:
            break
    if not scored:
        return None
    score, _, codec, text = max(scored)
    if score < _MIN_SCORE:
        return None
    return _checked(text, codec)


def _lenient(data: bytes, codec: str) -> tuple[str | None, int]:
    """Strict decoding, else decoding with replacement when only a few bytes are bad."""
    try:
        return data.decode(codec), 0
    except UnicodeDecodeError:
        pass
    text = data.decode(codec, errors="replace")
    bad = text.count("\ufffd")
    if bad > max(1, int(len(text) * _MAX_BAD_SHARE)):
        return None, bad
    return text, bad


def _decode_mixed(data: bytes, hint: str | None) -> Decoded | None:
    """Line-by-line decoding of a page that mixes UTF-8 lines with legacy-encoded ones."""
    lines = data.split(b"\n")
    utf8_lines, other = 0, []
    for line in lines:
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_lines += 1
        except UnicodeDecodeError:
            other.append(line)
    if not utf8_lines or not other:
        return None
    legacy = _best_legacy(b"\n".join(other), hint)
    if legacy is None:
        return None
    out = []
    for line in lines:
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode(legacy.encoding, errors="replace"))
    return _checked("\n".join(out), f"utf-8+{legacy.encoding}")


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _checked(text: str, encoding: str) -> Decoded:
    if "\x00" in text:
        raise DecodeError(f"NUL characters after decoding as {encoding} (binary?)")
    controls = len(_CONTROL.findall(text[:100_000]))
    if controls > max(3, len(text[:100_000]) // 100):
        raise DecodeError(f"{controls} control characters after decoding as {encoding} (binary?)")
    return Decoded(text=text, encoding=encoding)
