"""Bytes -> str: UTF-8 (with or without BOM) first, charset detection otherwise."""
from __future__ import annotations

import codecs
from dataclasses import dataclass

from charset_normalizer import from_bytes


class DecodeError(ValueError):
    """The bytes are not text in any encoding we can trust."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_bytes(data: bytes) -> Decoded:
    """Decode document bytes, naming the encoding used.

    UTF-8 is tried strictly before detection: detectors sometimes call short
    UTF-8 Chinese text something else. Text containing NUL characters is
    taken for binary.
    """
    if not data:
        raise DecodeError("empty document")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return _checked(data.decode(enc), enc)
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise DecodeError("no text encoding fits these bytes (binary?)")
    return _checked(str(best), best.encoding)


def _checked(text: str, encoding: str) -> Decoded:
    if "\x00" in text:
        raise DecodeError(f"NUL characters after decoding as {encoding} (binary?)")
    return Decoded(text=text, encoding=encoding)
