"""A damaged lake: a truncated Parquet file and flipped bits are found by ``fazhi check`` (and on
open, before any query or run reads them) and rebuilt by ``fazhi repair``; a full disk fails clean."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pyarrow as pa
import pytest

from fazhi.lake.store import CURRENT, DiskFull, Lake, LakeDamaged
from fazhi.query.sql import query
from schemas import table_spec

pytestmark = pytest.mark.slow  # real runs of the stages and of the commands

KEY_DOC_COLUMNS = ["doc_id", "content_sha256", "source", "name", "org", "report_year", "published", "title",
                   "n_bytes", "n_chars", "format", "raw_path"]


def fazhi(*args, cwd):
    return subprocess.run([sys.executable, "-m", "fazhi.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def plain_lake(tmp_path_factory):
    import plainlake

    return plainlake.build(tmp_path_factory.mktemp("plain") / "lake")


@pytest.fixture
def lake_copy(plain_lake, tmp_path):
    dest = tmp_path / "lake"
    shutil.copytree(plain_lake, dest, symlinks=True)  # a copy: the damage stays in this test
    return Lake(dest)


def _truncate(path, keep=0.5):
    os.truncate(path, int(os.path.getsize(path) * keep))


def _flip(path, n=3):
    """Flip bits in the middle of the file (the footer stays valid, so only a checksum sees it)."""
    data = bytearray(path.read_bytes())
    size = len(data)
    for k in range(n):
        data[size // 4 + k * (size // (2 * n))] ^= 0x24
    path.write_bytes(bytes(data))


def _state(lake: Lake):
    records = sorted(lake.read("records").drop_columns([]).to_pylist(), key=lambda r: r["record_id"])
    docs = sorted(lake.read("documents").select(KEY_DOC_COLUMNS).to_pylist(), key=lambda d: d["doc_id"])
    texts = sorted((t["doc_id"], t["clean_text"]) for t in lake.read("texts").to_pylist())
    return records, docs, texts


@pytest.mark.parametrize("damage", [
    {"records": _truncate},
    {"records": _flip},
    {"records": _flip, "records_all": _truncate},   # nothing to copy from: extracted again from the texts
    {"texts": _truncate, "documents": _flip},      # from the raw bytes
    {"sources": _flip, "extractions": _truncate, "entities": _flip, "failures": _truncate},
])
def test_check_finds_the_damage_and_repair_rebuilds_the_tables(lake_copy, tmp_path, damage):
    lake = lake_copy
    before = _state(lake)
    gen = lake.generation()
    for name, how in damage.items():
        how(lake.root / CURRENT / f"{name}.parquet")

    proc = fazhi("check", "--lake", str(lake.root), "--no-raw", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout
    for name in damage:
        assert f"{name}.parquet" in proc.stdout
    # every reader refuses the damaged tables instead of giving wrong rows
    with pytest.raises(LakeDamaged, match="fazhi repair"):
        query(lake, "SELECT count(*) FROM records")
    with pytest.raises(LakeDamaged):
        with lake.transaction():
            pass
    proc = fazhi("sql", "SELECT count(*) FROM documents", "--lake", str(lake.root), cwd=tmp_path)
    assert proc.returncode == 1 and "fazhi repair" in proc.stderr

    proc = fazhi("repair", "--lake", str(lake.root), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in damage:
        assert f"{name}:" in proc.stdout
    assert lake.generation() != gen
    assert fazhi("check", "--lake", str(lake.root), cwd=tmp_path).returncode == 0
    assert _state(lake) == before
    assert query(lake, "SELECT count(*) FROM records")[1] == [(len(before[0]),)]


def test_repair_of_an_intact_lake_does_nothing(lake_copy, tmp_path):
    gen = lake_copy.generation()
    proc = fazhi("repair", "--lake", str(lake_copy.root), cwd=tmp_path)  # a copy: its views, for its place
    assert proc.returncode == 0 and "views written again" in proc.stdout
    proc = fazhi("repair", "--lake", str(lake_copy.root), cwd=tmp_path)
    assert proc.returncode == 0 and "nothing to repair" in proc.stdout
    assert lake_copy.generation() == gen


def test_check_finds_a_damaged_raw_blob(lake_copy, tmp_path):
    blob = next(p for p in (lake_copy.root / "raw").glob("*/*") if not p.name.startswith("."))
    _flip(blob, n=1)
    proc = fazhi("check", "--lake", str(lake_copy.root), cwd=tmp_path)
    assert proc.returncode == 1 and blob.name in proc.stdout and "raw bytes differ" in proc.stdout


def test_a_table_missing_from_the_generation_is_rebuilt(lake_copy, tmp_path):
    (lake_copy.root / CURRENT / "texts.parquet").unlink()
    proc = fazhi("check", "--lake", str(lake_copy.root), "--no-raw", cwd=tmp_path)
    assert proc.returncode == 1 and "texts.parquet: missing" in proc.stdout
    assert fazhi("repair", "--lake", str(lake_copy.root), cwd=tmp_path).returncode == 0
    assert lake_copy.read("texts").num_rows == 5


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB tmpfs (needs root and a kernel that lets the test mount; skipped elsewhere)."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here: " + proc.stderr.decode(errors="replace").strip())
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_a_full_disk_fails_clean_and_leaves_the_lake_as_it_was(small_disk):
    import random

    lake = Lake(small_disk / "lake")
    rows = [{"run_id": "r", "stage": "ingest", "source": f"s{i}", "error_class": "X", "message": "m",
             "time": pa.scalar(0, pa.timestamp("us", tz="UTC")).as_py()} for i in range(3)]
    lake.write("failures", pa.Table.from_pylist(rows, schema=table_spec("failures").schema))
    gen = lake.generation()
    before = sorted(p.relative_to(lake.root) for p in lake.root.rglob("*"))
    rng = random.Random(7)
    big = "".join(chr(0x4E00 + rng.randrange(20000)) for _ in range(600_000))  # ~1.8 MB of text, incompressible
    with pytest.raises(DiskFull, match="no space left"):
        lake.write("texts", pa.Table.from_pylist([{"doc_id": "d", "content_sha256": "s", "clean_text": big,
                                                    "cleaner": "c"}], schema=table_spec("texts").schema))
    assert lake.generation() == gen
    assert sorted(p.relative_to(lake.root) for p in lake.root.rglob("*")) == before   # nothing left behind
    assert lake.read("failures").num_rows == 3 and not lake.verify()


def test_a_run_that_fills_the_disk_leaves_no_raw_bytes_behind(small_disk):
    """The samples' raw bytes fit, their tables do not: the load fails with one message, and the
    run leaves neither a generation nor the raw blobs it brought."""
    from conftest import SAMPLES
    from fazhi.ingest.sources import expand_sources
    from fazhi.lake.load import load
    from fazhi.pipeline.batch import process_batch
    from fazhi.pipeline.incremental import make_plan
    from fazhi.settings import Settings

    root = small_disk / "lake"
    settings = Settings.load(lake=root, ner_model="none")
    batch = process_batch(list(expand_sources([str(SAMPLES)])), settings, "run-1", make_plan(str(root), None))
    done = batch.extracted
    assert len(done) == 5 and not batch.failures and len(list((root / "raw").glob("*/*"))) == 5
    free = os.statvfs(small_disk)
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * max(free.f_bavail * free.f_frsize - 40_000, 0))   # leave ~40 kB
    with pytest.raises(DiskFull, match="no space left"):
        load(Lake(root), done, [])
    assert Lake(root).generation() is None
    assert not list((root / "raw").glob("*/*")) and not list(root.glob("gen/*"))
    filler.unlink()


def test_flipped_bits_are_found_on_open_even_after_an_earlier_verification(lake_copy):
    """Opening remembers the files it hashed; a file changed since, even with its modification time
    put back, is hashed again (its change time moved)."""
    assert query(lake_copy, "SELECT count(*) FROM records")[1]        # verified, and remembered
    path = (lake_copy.root / CURRENT / "records.parquet").resolve()
    st = path.stat()
    _flip(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    with pytest.raises(LakeDamaged, match="SHA-256 differs"):
        query(lake_copy, "SELECT count(*) FROM records")


def test_repair_reads_a_version_again_with_the_rules_folder_it_was_read_with(tmp_path):
    """A lake made with ``--rules my-rules``: the documents and records rebuilt from the raw bytes and
    the clean text use my-rules (its meta.toml and units.toml), not the bundled rules."""
    from extractors.ruleset import DEFAULT_RULES_DIR
    from fazhi.pipeline.batch import run_local
    from fazhi.pipeline.repair import repair
    from fazhi.settings import Settings

    page = tmp_path / "report.txt"
    page.write_text("发布机构：万州区卫生健康委\n2025年，万州区卫生健康委员会坚持依法行政，结合我委实际推进法治建设。"
                    "现将有关情况报告如下：\n一、主要举措\n我委召开党委会专题研究法治工作3次，开展普法宣传活动12场。\n",
                    encoding="utf-8")
    rules = tmp_path / "my-rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    meta_file, units_file = rules / "meta.toml", rules / "units.toml"
    meta_file.write_text(meta_file.read_text(encoding="utf-8").replace('"委" = "委员会", ', "", 1), encoding="utf-8")
    units_file.write_text(units_file.read_text(encoding="utf-8").replace('never = ["级", "届"]', 'never = ["级", "届", "场"]', 1), encoding="utf-8")
    lake = Lake(tmp_path / "lake")
    report, failures = run_local([str(page)], Settings.load(lake=lake.root, ner_model="none", rules=rules))
    assert not failures, failures
    before = _state(lake)
    assert [d["org"] for d in before[1]] == ["万州区卫生健康委"]          # my meta.toml: no full form
    assert [r["text"] for r in before[0]] == ["3次"]                    # my units.toml: 场 never counts

    for name in ("documents", "records", "records_all"):
        _truncate(lake.root / CURRENT / f"{name}.parquet")
    rep = repair(lake)
    assert {"documents", "records"} <= set(rep.rebuilt), rep.rebuilt
    assert _state(lake) == before
