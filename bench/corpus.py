"""The bench corpora, as folders of UTF-8 files under ``bench/.cache/`` (git-ignored).

- ``reports``: the 72 Government Work Reports of ``../shared/corpora`` (``$FAZHI_SHARED``
  overrides ``../shared``; without it, the bundled samples), one file each.
- ``rep-5mb`` / ``rep-50mb``: real documents repeated until the folder holds
  about 5 or 50 MB, each copy a distinct source (its own file, so its own
  ``doc_id``) and a distinct version (a first line naming the copy). Written
  one file at a time, never held in memory.

Folders are made once and reused (a ``.done`` marker says complete).
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".cache"
def _shared() -> Path:
    """``$FAZHI_SHARED``, else the first ``shared`` folder beside the checkout or one level up."""
    if os.environ.get("FAZHI_SHARED"):
        return Path(os.environ["FAZHI_SHARED"])
    for up in (ROOT.parent, ROOT.parent.parent):
        if (up / "shared" / "corpora").is_dir():
            return up / "shared"
    return ROOT.parent / "shared"


SHARED = _shared()
REPORTS = SHARED / "corpora" / "government_work_reports.jsonl"
SAMPLES = ROOT / "data" / "samples"

MB = 1_000_000


def source_name() -> str:
    return str(REPORTS) if REPORTS.is_file() else str(SAMPLES)


def real_docs() -> list[tuple[str, str]]:
    """(name, raw text) of the real documents the corpora are made of."""
    if REPORTS.is_file():
        out = []
        with open(REPORTS, encoding="utf-8") as f:
            for i, line in enumerate(f):
                row = json.loads(line)
                out.append((f"gwr_{i:03d}_{row.get('year') or 'na'}", row["content"]))
        return out
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(SAMPLES.iterdir()) if p.is_file()]


def _fresh(path: Path) -> bool:
    return (path / ".done").is_file()


def reports_dir() -> Path:
    dest = CACHE / "reports"
    if not _fresh(dest):
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        for name, text in real_docs():
            (dest / f"{name}.txt").write_text(text, encoding="utf-8")
        (dest / ".done").write_text(source_name())
    return dest


def repeated_dir(megabytes: int) -> Path:
    """A folder of about ``megabytes`` MB: the real documents repeated as distinct sources."""
    dest = CACHE / f"rep-{megabytes}mb"
    if _fresh(dest):
        return dest
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    docs = real_docs()
    target, written, i = megabytes * MB, 0, 0
    while written < target:
        name, text = docs[i % len(docs)]
        data = f"副本{i:06d}\n{text}".encode("utf-8")
        sub = dest / f"{i // 1000:03d}"  # at most 1,000 files per folder
        sub.mkdir(exist_ok=True)
        (sub / f"c{i:06d}_{name}.txt").write_bytes(data)
        written += len(data)
        i += 1
    (dest / ".done").write_text(json.dumps({"files": i, "bytes": written}))
    return dest


def files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def iter_texts(folder: Path, max_chars: int | None = None) -> Iterator[str]:
    """The documents of ``folder`` one at a time (cut at ``max_chars`` characters in total)."""
    left = max_chars
    for p in files(folder):
        text = p.read_text(encoding="utf-8")
        if left is not None:
            if left <= 0:
                return
            text = text[:left]
            left -= len(text)
        yield text


def reports_times(times: int) -> Path:
    """The reports ``times`` over as distinct files: ``x0/`` … ``x{times-1}/``, 72 files each (a first
    line naming the copy, so every file is its own document and version)."""
    dest = CACHE / f"reports-x{times}"
    if _fresh(dest):
        return dest
    shutil.rmtree(dest, ignore_errors=True)
    docs = real_docs()
    for k in range(times):
        sub = dest / f"x{k}"
        sub.mkdir(parents=True)
        for name, text in docs:
            (sub / f"{name}.txt").write_text(f"副本{k}\n{text}", encoding="utf-8")
    (dest / ".done").write_text(source_name())
    return dest


def reports_head(n: int) -> Path:
    """The first ``n`` reports."""
    dest = CACHE / f"reports-head{n}"
    if _fresh(dest):
        return dest
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for name, text in real_docs()[:n]:
        (dest / f"{name}.txt").write_text(text, encoding="utf-8")
    (dest / ".done").write_text(source_name())
    return dest


PER_FOLDER = 1000

_SMALL = ("某县{year}年法治政府建设年度报告\n"
          "全年办理行政复议案件{a}件，办结率{p}%，投入法治宣传经费{m}万元。\n"
          "第{k}号文件。\n")


def small_docs(count: int) -> Path:
    """``count`` small generated reports (about 70 characters each, three records), ``PER_FOLDER`` a
    folder, so a lake of the first k folders holds k × PER_FOLDER of them. Made once; a larger
    count extends the same folder."""
    dest = CACHE / "small-docs"
    dest.mkdir(parents=True, exist_ok=True)
    marker = dest / ".done"
    have = int(marker.read_text()) if marker.is_file() else 0
    for k in range(have, count):
        sub = dest / f"f{k // PER_FOLDER:03d}"
        if k % PER_FOLDER == 0:
            sub.mkdir(exist_ok=True)
        (sub / f"d{k:06d}.txt").write_text(
            _SMALL.format(year=2010 + k % 15, a=k % 997 + 3, p=90 + k % 10, m=k % 500 + 1, k=k), encoding="utf-8")
    if count > have:
        marker.write_text(str(count))
    return dest
