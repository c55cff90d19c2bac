"""``fazhi review`` without a browser: the one-pass highlighter, the pages built
from the sample lake, document selection, and ``--diff`` on a small lake with
two rule sets written here from the Arrow schemas."""
from __future__ import annotations

import datetime as dt
import html
import re

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from conftest import SAMPLE_NAMES
from fazhi.cli import app
from fazhi.lake.store import Lake
from fazhi.review import Span, build, highlight, page_file
from schemas import TABLES

runner = CliRunner()


def _spans(*triples):
    return [Span(s, e, f"<{t}>", f"<{t}+>", f"</{t}>") for s, e, t in triples]


def test_highlight_escapes_and_nests():
    assert highlight("a<b>&c", _spans((1, 4, "m"))) == "a<m>&lt;b&gt;</m>&amp;c"
    # the same range twice: two nested elements, the earlier one outside
    assert highlight("xy99%z", _spans((2, 5, "a"), (2, 5, "b"))) == "xy<a><b>99%</b></a>z"
    # a longer span encloses a shorter one that starts with it
    assert highlight("abcdef", _spans((1, 3, "s"), (1, 5, "l"))) == "a<l><s>bc</s>de</l>f"


def test_highlight_splits_partial_overlaps_and_drops_bad_spans():
    out = highlight("abcdefg", _spans((1, 4, "a"), (3, 6, "b"), (5, 5, "z"), (9, 12, "q")))
    assert out == "a<a>bc<b>d</b></a><b+>ef</b>g"
    assert re.sub(r"<[^>]+>", "", out) == "abcdefg"


def test_highlight_is_linear_enough_for_long_documents():
    text = "共办理信访件87件，办结率100%。" * 20000  # 340,000 characters
    spans = [Span(i * 17 + 7, i * 17 + 10, "<m>", "<m>", "</m>") for i in range(20000)]
    out = highlight(text, spans)
    assert out.count("<m>") == 20000


def _record_ids(page: str) -> set[str]:
    return set(re.findall(r'<mark[^>]*class="rec[^"]*" data-i="(\d+)"', page))


def test_pages_of_the_sample_lake(sample_run, tmp_path):
    lake = Lake(sample_run[0])
    result = build(lake.root, tmp_path / "review")
    docs = lake.read("documents").to_pylist()
    assert len(result.pages) == len(SAMPLE_NAMES)
    records = lake.read("records").to_pylist()
    index = result.index.read_text(encoding="utf-8")
    for doc in docs:
        page = result.pages[doc["doc_id"]].read_text(encoding="utf-8")
        mine = [r for r in records if r["doc_id"] == doc["doc_id"]]
        assert len(_record_ids(page)) == len(mine), doc["name"]
        # the visible text is the clean text, character for character
        pre = re.search(r'<pre id="text"[^>]*>(.*?)</pre>', page, re.S).group(1)
        text = lake.read("texts").filter(pa.compute.equal(lake.read("texts")["doc_id"], doc["doc_id"]))
        assert html.unescape(re.sub(r"<[^>]+>", "", pre)) == text["clean_text"][0].as_py()
        # nothing is loaded from the network
        assert not re.search(r'(?:src|href)\s*=\s*["\']?(?:https?:)?//', page)
        assert "<link" not in page and "@import" not in page
        assert "Noto Sans CJK SC" in page and "WenQuanYi" in page
        assert f'href="{page_file(doc)}"' in index
    assert index.count("<svg") >= 2 and "办结率" in index
    assert not re.search(r'(?:src|href)\s*=\s*["\']?(?:https?:)?//', index)
    for t in ("case", "count", "amount", "percentage"):
        assert f"</span>{t}</th>" in index


def test_cli_review_one_document_by_prefix(sample_run, tmp_path):
    out = tmp_path / "rev"
    res = runner.invoke(app, ["review", "000", "--lake", str(sample_run[0]), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "1 document pages" in res.output
    assert sorted(p.name for p in out.iterdir() if p.name != "index.html") == [
        page_file(d) for d in Lake(sample_run[0]).read("documents").to_pylist() if d["name"].startswith("000")]
    res = runner.invoke(app, ["review", "nosuchdoc", "--lake", str(sample_run[0]), "--out", str(out)])
    assert res.exit_code == 1 and "no document matches" in res.output
    res = runner.invoke(app, ["review", "00", "--lake", str(sample_run[0]), "--out", str(out)])
    assert res.exit_code == 1 and "matches 5 documents" in res.output


def test_diff_without_history_says_there_is_one_rule_set(sample_run, tmp_path):
    res = runner.invoke(app, ["review", "--diff", "--lake", str(sample_run[0]), "--out", str(tmp_path / "r")])
    assert res.exit_code == 0, res.output
    assert "only one rule set" in res.output
    assert "only one rule set" in (tmp_path / "r" / "index.html").read_text(encoding="utf-8")


# -- a small lake with two rule sets ------------------------------------------
TEXT = "信访件87件，办结率达94.88%。调解纠纷800余件。宣传折页3000份。"
SHA = "ab" * 32
DOC = "d0c0000000000001"


def _rec(ruleset, text, typ, value, unit, subject, category="信访", start=None):
    start = TEXT.index(text) if start is None else start
    return {"record_id": f"{ruleset}-{start}-{typ}-{subject}", "doc_id": DOC, "source": "/x/t.txt",
            "content_sha256": SHA, "type": typ, "value": value, "unit": unit, "qualifier": "exact",
            "direction": None, "subject": subject, "category": category, "text": text,
            "start": start, "end": start + len(text), "sentence": TEXT, "section": "",
            "rule": f"unit:{unit}", "extractor": "rules", "ruleset": ruleset}


OLD = [_rec("r_old", "87件", "case", 87, "件", "信访件"),
       _rec("r_old", "94.88%", "percentage", 94.88, "%", "办结率", "政务服务"),
       _rec("r_old", "3000份", "count", 3000, "份", "宣传折页", "普法")]          # removed later
NEW = [_rec("r_new", "87件", "case", 87, "件", "信访件"),                          # same
       _rec("r_new", "94.88%", "percentage", 94.88, "%", "信访办结率", "信访"),     # changed
       _rec("r_new", "800余件", "case", 800, "件", "调解纠纷", "调解")]            # added


@pytest.fixture(autouse=True)
def _hand_made_tables(monkeypatch):
    """These lakes get tables written beside the Lake (older shapes): no checksums to verify them by."""
    monkeypatch.setenv("FAZHI_VERIFY", "off")


def _small_lake(root, history: str | None, with_time: bool = False):
    lake = Lake(root)
    lake.root.mkdir(parents=True)
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    lake.write("documents", pa.Table.from_pylist([{
        "doc_id": DOC, "source": "/x/t.txt", "name": "t.txt", "org": "某某镇", "report_year": 2023,
        "content_sha256": SHA, "n_chars": len(TEXT), "fetched_at": t0, "ruleset": "r_new"}],
        schema=TABLES["documents"].schema))
    lake.write("texts", pa.Table.from_pylist([{"doc_id": DOC, "content_sha256": SHA, "clean_text": TEXT,
                                               "cleaner": "c1"}], schema=TABLES["texts"].schema))
    lake.write("records", pa.Table.from_pylist(NEW, schema=TABLES["records"].schema))
    lake.refresh_views()
    if history is None:
        return lake
    rows = OLD + NEW if history != "one" else NEW
    table = pa.Table.from_pylist(rows, schema=TABLES["records"].schema)
    if with_time:  # newest first in the file: only the timestamps tell the order
        times = [t0 + dt.timedelta(days=2 if r["ruleset"] == "r_new" else 1) for r in rows]
        table = table.append_column(pa.field("extracted_at", pa.timestamp("us", tz="UTC")),
                                    pa.array(times, pa.timestamp("us", tz="UTC")))[::-1]
    if history == "tables":  # what `fazhi run` / `fazhi reextract` keep: records_all and extractions
        loaded = {"r_old": t0 + dt.timedelta(days=1), "r_new": t0 + dt.timedelta(days=2)}
        with lake.transaction():
            lake.write("records_all", pa.Table.from_pylist(
                [dict(r, loaded_at=loaded[r["ruleset"]]) for r in rows], schema=TABLES["records_all"].schema))
            lake.write("extractions", pa.Table.from_pylist(
                [{"doc_id": DOC, "content_sha256": SHA, "cleaner": "c1", "ruleset": rs, "n_records": 3,
                  "extracted_at": t, "loaded_at": t} for rs, t in loaded.items()],
                schema=TABLES["extractions"].schema))
        return lake
    if history == "view":  # records_all as a DuckDB view over another file (as issue 6 may make it)
        path = lake.table_path("records").parent / "history.parquet"
        pq.write_table(table, path)
        con = lake.connect(read_only=False)
        rel = path.relative_to(lake.root).as_posix()
        con.execute(f"CREATE OR REPLACE VIEW records_all AS SELECT * FROM read_parquet('{rel}')")
        con.close()
    else:
        pq.write_table(table, lake.table_path("records_all"))
    return lake


@pytest.mark.parametrize("history,with_time", [
    ("parquet", False), ("parquet", True),
    pytest.param("view", False, marks=pytest.mark.skip(
        reason="fazhi builds its views from the schemas and no longer reads views added to lake.duckdb")),
    ("tables", False)])
def test_diff_marks_added_removed_changed(tmp_path, history, with_time):
    lake = _small_lake(tmp_path / "lake", history, with_time)
    out = tmp_path / "rev"
    res = runner.invoke(app, ["review", "--diff", "--lake", str(lake.root), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "rule change r_old -> r_new: 1 added, 1 removed, 1 changed" in res.output
    page = (out / "t-d0c000000000.html").read_text(encoding="utf-8")
    marks = dict(re.findall(r'<mark id="r-\d+" class="([^"]*)" data-i="\d+"[^>]*>([^<]*)<', page))
    by_text = {v: k for k, v in marks.items()}
    assert by_text == {"87件": "rec t-case", "94.88%": "rec t-percentage changed", "800余件": "rec t-case added"}
    assert re.search(r'<mark id="g-0" class="gone" data-g="0">3000份</mark>', page)
    assert '"old":[{"value":94.88,"unit":"%","qualifier":"exact","direction":null,"subject":"办结率"' in page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "+1 −1 ~1" in index
    if history == "tables":  # the same as `fazhi diff` says (its pairs carry the old span too)
        assert '"category":"政务服务","text":"94.88%","start":11,"end":17,' in page
        res = runner.invoke(app, ["diff", "--lake", str(lake.root)])
        assert res.exit_code == 0 and "1 added, 1 removed, 1 changed" in res.output, res.output


def test_diff_with_one_rule_set_in_history(tmp_path):
    lake = _small_lake(tmp_path / "lake", "one")
    res = runner.invoke(app, ["review", "--diff", "--lake", str(lake.root), "--out", str(tmp_path / "r")])
    assert res.exit_code == 0 and "only one rule set (r_new)" in res.output
    page = (tmp_path / "r" / "t-d0c000000000.html").read_text(encoding="utf-8")
    assert len(_record_ids(page)) == 3 and 'class="gone"' not in page
