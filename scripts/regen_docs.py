"""Rewrite the generated part of docs/data-dictionary.md from schemas/ (``python -m scripts.regen_docs``)."""
from __future__ import annotations

from pathlib import Path

from schemas import docs

PATH = Path(__file__).resolve().parent.parent / "docs" / "data-dictionary.md"


def main() -> None:
    text = PATH.read_text(encoding="utf-8")
    head, rest = text.split(docs.GENERATED_BEGIN, 1)
    tail = rest.split(docs.GENERATED_END, 1)[1]
    PATH.write_text(head + docs.GENERATED_BEGIN + "\n\n" + docs.markdown(docs.dictionary()).strip() + "\n\n"
                    + docs.GENERATED_END + tail, encoding="utf-8")


if __name__ == "__main__":
    main()
