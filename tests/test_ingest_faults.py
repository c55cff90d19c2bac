"""The ingestion fault suite: bad documents and network faults, all served from 127.0.0.1.

One pipeline run takes every case at once, then a second run takes the good
ones again: each good document's records must be in the lake exactly once,
each bad input must be exactly one ``failures`` row with the expected stage
and error class, and nothing else may be in the lake.
"""
from __future__ import annotations

import io
import random
import zipfile
from collections import Counter
from dataclasses import dataclass

import pytest
from docfactory import docx_bytes, gov_page, image_only_pdf, pdf_bytes, png_bytes, record_multiset, wrap, zip_bomb_docx
from faultserver import FaultServer, Route

from conftest import SAMPLES
from fazhi.lake.store import Lake

SEED = (SAMPLES / "002_8be8c960c0460749.txt").read_text(encoding="utf-8")
SEED2 = (SAMPLES / "004_886a198405337fe9.txt").read_text(encoding="utf-8")
SEED3 = (SAMPLES / "000_32e74e8d8d829c3b.txt").read_text(encoding="utf-8")
TITLE, *BODY = [ln for ln in SEED.splitlines() if ln.strip()]
MAX_BYTES = 2 * 1024 * 1024


def _traditional(text: str) -> str:
    import opencc

    return opencc.OpenCC("s2tw").convert(text)


def _short_report(town: str) -> str:
    return (f"{town}2023年法治政府建设情况报告\n"
            f"一、基本情况\n全年共受理信访件{len(town) * 37}件，办结率98.5%。\n"
            f"开展普法宣传活动{len(town) * 11}场次，发放宣传资料3200余份。\n"
            f"二、下一步工作\n投入法治建设资金120万元。\n")


@dataclass
class Case:
    name: str
    path: str
    route: Route
    kind: str                      # good | partial | bad
    expected: Counter | None = None  # good: the record multiset
    stage: str | None = None         # bad: the failures row
    error: str | None = None
    encoding: str | None = None
    fmt: str | None = None


def _cases() -> list[Case]:
    rnd = random.Random(5)
    trad = _traditional(SEED2)
    trad_title, *trad_body = [ln for ln in trad.splitlines() if ln.strip()]
    short = _short_report("静观镇")
    pdf_text = _short_report("大寺镇") + "\n" + SEED3
    cut_page = gov_page(BODY, TITLE).encode("gb18030")
    cut_at = cut_page.index("<p".encode()) + len(cut_page[cut_page.index(b"<p"):]) // 2
    utf8_template = gov_page(["@@BODY@@"], TITLE, meta_charset="utf-8").encode("utf-8")
    mixed = utf8_template.replace("<span>@@BODY@@</span>".encode(), "\n".join(
        f"<span>{ln}</span><br>" for ln in BODY).encode("gbk"))
    docx_paras = [ln for ln in SEED3.splitlines() if ln.strip()]
    good = [
        # encodings and charsets
        Case("gbk page, wrong meta (utf-8), navigation around the seed", "/gbk-seed.html",
             Route(gov_page(BODY, TITLE, meta_charset="utf-8").encode("gbk"), "text/html; charset=utf-8"),
             "good", record_multiset(SEED), encoding="gb18030", fmt="html"),
        Case("gb2312 page, no charset anywhere", "/gb2312-nocharset.htm",
             Route(gov_page(short.splitlines()[1:], short.splitlines()[0], meta_charset=None).encode("gb2312"), "text/html"),
             "good", record_multiset(short), encoding="gb18030", fmt="html"),
        Case("utf-8 text with a BOM", "/bom.txt",
             Route(b"\xef\xbb\xbf" + SEED2.encode("utf-8"), "text/plain"), "good", record_multiset(SEED2),
             encoding="utf-8-sig", fmt="text"),
        Case("big5 traditional page, meta says gb2312", "/big5.html",
             Route(_traditional(gov_page(trad_body, trad_title, meta_charset="gb2312")).encode("cp950"), "text/html"),
             "good", record_multiset(trad), fmt="html"),
        Case("utf-8 template with gbk content (mixed encodings)", "/mixed.html",
             Route(mixed, "text/html; charset=utf-8"), "good", record_multiset(SEED), encoding="utf-8+gb18030",
             fmt="html"),
        Case("gb18030 plain text served as application/octet-stream", "/download.do?id=7",
             Route(SEED3.encode("gb18030"), "application/octet-stream"), "good", record_multiset(SEED3),
             encoding="gb18030", fmt="text"),
        # formats
        Case("docx with an image and a table", "/report.docx",
             Route(docx_bytes(docx_paras, table=[["指标", "数值"], ["调解纠纷", "126件"]]),
                   "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
             "good", record_multiset("\n".join(docx_paras) + "\n指标 数值\n调解纠纷 126件"), fmt="docx"),
        Case("pdf with a text layer, lines wrapped by the page", "/report.pdf",
             Route(pdf_bytes(wrap(pdf_text, 38)), "application/pdf"), "good", record_multiset(pdf_text), fmt="pdf"),
        Case("html served as a .pdf download (format by content)", "/fake.pdf",
             Route(gov_page(short.splitlines()[1:], short.splitlines()[0]).encode("utf-8"), "application/pdf"),
             "good", record_multiset(short), fmt="html"),
        # network: recovers
        Case("503 then 200 (retried)", "/flaky.txt",
             Route(SEED2.encode("utf-8"), "text/plain", statuses=[503, 200]), "good", record_multiset(SEED2)),
        Case("connection reset then 200 (retried)", "/reset-once.txt",
             Route(_short_report("观音堂镇").encode("utf-8"), "text/plain", statuses=[599, 200], behaviour="reset"),
             "good", record_multiset(_short_report("观音堂镇"))),
        Case("gzip-encoded page", "/gz.html",
             Route(gov_page(BODY, TITLE).encode("utf-8"), "text/html; charset=utf-8", behaviour="gzip"),
             "good", record_multiset(SEED)),
        Case("etag page (conditional request on the second run)", "/etag.txt",
             Route(_short_report("徂汶景区").encode("utf-8"), "text/plain", behaviour="etag",
                   headers={"ETag": '"v1"', "Last-Modified": "Sat, 20 Jan 2024 08:00:00 GMT"}),
             "good", record_multiset(_short_report("徂汶景区"))),
        # partial: the page stops in the middle of the report
        Case("truncated html (cut mid-report, mid-tag)", "/truncated.html",
             Route(cut_page[:cut_at], "text/html; charset=gbk"), "partial", record_multiset(SEED)),
    ]
    bad = [
        Case("empty body", "/empty.html", Route(b"", "text/html"), "bad", stage="clean", error="DecodeError"),
        Case("binary bytes with NULs", "/blob.txt", Route(bytes(rnd.randrange(256) for _ in range(4000)) + b"\x00",
                                                          "text/plain"), "bad", stage="clean", error="DecodeError"),
        Case("random high bytes (no encoding fits)", "/garbage.txt",
             Route(bytes(rnd.randrange(128, 256) for _ in range(4000)), "text/plain"), "bad", stage="clean",
             error="DecodeError"),
        Case("control characters", "/controls.txt", Route(b"\x01\x02\x03\x04abc\x05\x06" * 200, "text/plain"),
             "bad", stage="clean", error="DecodeError"),
        Case("png served as text/html", "/image.html", Route(png_bytes(), "text/html"), "bad", stage="clean",
             error="UnsupportedFormat"),
        Case("zip-bomb docx", "/bomb.docx", Route(zip_bomb_docx(80), "application/octet-stream"), "bad",
             stage="clean", error="DecompressionBomb"),
        Case("docx with broken xml", "/broken.docx", Route(_broken_docx(), "application/octet-stream"), "bad",
             stage="clean", error="BrokenDocument"),
        Case("zip that is not a docx", "/archive.zip", Route(_plain_zip(), "application/zip"), "bad",
             stage="clean", error="UnsupportedFormat"),
        Case("legacy .doc (OLE2)", "/old.doc", Route(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000,
                                                      "application/msword"), "bad", stage="clean",
             error="UnsupportedFormat"),
        Case("image-only pdf (a scan)", "/scan.pdf", Route(image_only_pdf(), "application/pdf"), "bad",
             stage="clean", error="NoTextLayer"),
        Case("damaged pdf", "/damaged.pdf", Route(b"%PDF-1.4\n" + bytes(rnd.randrange(256) for _ in range(3000)),
                                                  "application/pdf"), "bad", stage="clean", error="BrokenDocument"),
        Case("page of chrome only", "/chrome.html", Route(
            "<html><body><nav><a>首页</a><a>政务公开</a></nav><footer>版权所有 某区人民政府</footer></body></html>"
            .encode("utf-8"), "text/html"), "bad", stage="clean", error="EmptyDocument"),
        Case("html cut inside <head>", "/cut-head.html",
             Route(b'<!DOCTYPE html><html><head><meta charset="gbk"><scr', "text/html"), "bad", stage="clean",
             error="EmptyDocument"),
        Case("whitespace only", "/blank.txt", Route("\u3000 \n\t\n".encode("utf-8"), "text/plain"), "bad",
             stage="clean", error="EmptyDocument"),
        Case("huge document (past the size cap)", "/huge.txt",
             Route(("法治" * (MAX_BYTES // 3)).encode("utf-8"), "text/plain"), "bad", stage="ingest",
             error="TooLarge"),
        Case("gbk bytes a third corrupted", "/corrupt-gbk.txt",
             Route(_corrupt(SEED2.encode("gbk"), rnd), "text/plain; charset=gbk"), "bad", stage="clean",
             error="DecodeError"),
        # network faults
        Case("500 every time", "/500.html", Route(b"", statuses=[500]), "bad", stage="ingest", error="HTTPStatusError"),
        Case("404", "/404.html", Route(b"", statuses=[404]), "bad", stage="ingest", error="HTTPStatusError"),
        Case("server holds the answer (timeout)", "/hold.html", Route(behaviour="hold"), "bad", stage="ingest",
             error="FetchTimeout"),
        Case("slow drip", "/drip.txt", Route(SEED2.encode("utf-8")[:400], "text/plain", behaviour="drip"), "bad",
             stage="ingest", error="FetchTimeout"),
        Case("redirect loop", "/loop-a", Route(behaviour="redirect", location="/loop-b"), "bad", stage="ingest",
             error="RedirectError"),
        Case("redirect to file:///etc/passwd", "/to-file", Route(behaviour="redirect", location="file:///etc/passwd"),
             "bad", stage="ingest", error="RedirectError"),
        Case("oversize with Content-Length", "/big.html", Route(b"x" * (MAX_BYTES + 10), "text/html"), "bad",
             stage="ingest", error="TooLarge"),
        Case("oversize, chunked without a length", "/big-chunked.html",
             Route(b"y" * (MAX_BYTES + 10), "text/html", behaviour="chunked"), "bad", stage="ingest", error="TooLarge"),
        Case("gzip bomb", "/gzbomb.html", Route(b"\x00" * (16 * 1024 * 1024), "text/html", behaviour="gzip"), "bad",
             stage="ingest", error="TooLarge"),
        Case("wrong content type (image/png)", "/pic", Route(gov_page(BODY, TITLE).encode("utf-8"), "image/png"),
             "bad", stage="ingest", error="ContentTypeRefused"),
        Case("connection reset every time", "/reset.txt", Route(b"", statuses=[599], behaviour="reset"), "bad",
             stage="ingest", error="ConnectionFailed"),
    ]
    return good + bad


def _broken_docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types")
        zf.writestr("word/document.xml", "<w:document><w:body><w:p>未闭合")
    return buf.getvalue()


def _plain_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("report.txt", "报告")
    return buf.getvalue()


def _corrupt(data: bytes, rnd: random.Random) -> bytes:
    out = bytearray(data)
    for i in range(0, len(out), 3):
        out[i] = rnd.choice([0x80, 0xFF, 0xA0, 0x7F])
    return bytes(out)


CASES = _cases()
EXTRA_SOURCES = ("file:///etc/passwd", "ftp://127.0.0.1/report.txt")


@pytest.fixture(scope="module")
def faults(prefect_server, tmp_path_factory):
    """Serve every case, run the pipeline on all of them twice; yield what the tests look at."""
    from flows.pipeline import run_pipeline

    mp = pytest.MonkeyPatch()
    for key, value in {"FAZHI_HTTP_TIMEOUT": "0.5", "FAZHI_HTTP_DEADLINE": "1.5", "FAZHI_HTTP_RETRIES": "2",
                       "FAZHI_HTTP_BACKOFF": "0.01", "FAZHI_MAX_DOWNLOAD_BYTES": str(MAX_BYTES),
                       "FAZHI_HOST_DELAY": "0"}.items():
        mp.setenv(key, value)
    lake = Lake(tmp_path_factory.mktemp("fault-lake"))
    try:
        with FaultServer() as server:
            for case in CASES:
                server.add(case.path.split("?")[0], case.route)
            dup = server.add("/mirror/same-as-bom.txt", Route(b"\xef\xbb\xbf" + SEED2.encode("utf-8"), "text/plain"))
            server.add("/loop-b", Route(behaviour="redirect", location="/loop-a"))
            sources = [server.url(c.path) for c in CASES] + [dup, *EXTRA_SOURCES]
            first = run_pipeline(sources=sources, lake=str(lake.root))
            snapshot = {name: lake.read(name) for name in ("documents", "texts", "records", "failures", "sources")}
            hits_first = dict(server.hits)
            again = [server.url(c.path) for c in CASES if c.kind != "bad"] + [dup, server.url("/404.html")]
            second = run_pipeline(sources=again, lake=str(lake.root))
            yield {"lake": lake, "server": server, "first": first, "second": second, "snapshot": snapshot,
                   "hits_first": hits_first, "dup": dup}
    finally:
        mp.undo()


def _doc(lake: Lake, url: str) -> dict | None:
    rows = [d for d in lake.read("documents").to_pylist() if url in (d["sources"] or [d["source"]])]
    assert len(rows) <= 1, f"{url}: {len(rows)} document rows"
    return rows[0] if rows else None


def _records(lake: Lake, doc: dict) -> Counter:
    # the unit as the report writes it (條): the classifier as written in the lake's `unit`
    return Counter((r["value"], r["type"], r["unit"], r["subject"])
                   for r in lake.read("records").to_pylist()
                   if r["doc_id"] == doc["doc_id"] and r["content_sha256"] == doc["content_sha256"])


def test_there_are_enough_cases():
    bad_documents = [c for c in CASES if c.kind == "bad" and (c.stage == "clean" or c.path == "/huge.txt")]
    network = [c for c in CASES if c.kind == "bad" and c.stage == "ingest" and c.path != "/huge.txt"]
    network += [c for c in CASES if c.kind == "good" and (c.route.statuses or c.route.behaviour != "static")]
    assert len(bad_documents) >= 15 and len(network) >= 8, (len(bad_documents), len(network))


@pytest.mark.parametrize("case", [c for c in CASES if c.kind in ("good", "partial")], ids=lambda c: c.name)
def test_good_document_records_exactly_once(faults, case):
    lake = faults["lake"]
    url = faults["server"].url(case.path)
    doc = _doc(lake, url)
    assert doc is not None, f"{case.name}: no document"
    got = _records(lake, doc)
    assert got, f"{case.name}: no records"
    if case.kind == "good":
        assert got == case.expected, f"{case.name}: lost {case.expected - got}, extra {got - case.expected}"
    else:
        assert not (got - case.expected), f"{case.name}: records that the full page lacks: {got - case.expected}"
    if case.encoding:
        assert doc["encoding"] == case.encoding
    if case.fmt:
        assert doc["format"] == case.fmt
    assert not [f for f in lake.read("failures").to_pylist() if f["source"] == url]


@pytest.mark.parametrize("case", [c for c in CASES if c.kind == "bad"], ids=lambda c: c.name)
def test_bad_input_is_one_failure_row_per_run(faults, case):
    lake = faults["lake"]
    url = faults["server"].url(case.path)
    rows = [f for f in lake.read("failures").to_pylist() if f["source"] == url]
    assert len(rows) == (2 if case.path == "/404.html" else 1), rows  # one per run that had it
    for row in rows:
        assert (row["stage"], row["error_class"]) == (case.stage, case.error), row
        assert row["message"] and row["time"] is not None and row["run_id"]
    assert _doc(lake, url) is None


def test_non_http_schemes_are_refused(faults):
    rows = {f["source"]: f for f in faults["lake"].read("failures").to_pylist() if f["source"] in EXTRA_SOURCES}
    assert set(rows) == set(EXTRA_SOURCES)
    assert {r["error_class"] for r in rows.values()} == {"FetchError"}


def test_nothing_else_in_the_lake(faults):
    lake = faults["lake"]
    good = {faults["server"].url(c.path) for c in CASES if c.kind != "bad"} | {faults["dup"]}
    listed = {s for d in lake.read("documents").to_pylist() for s in d["sources"]}
    assert listed == good
    n_good_docs = len([c for c in CASES if c.kind != "bad"])  # the mirror joins the BOM case's document
    assert lake.read("documents").num_rows == n_good_docs
    n_bad = len([c for c in CASES if c.kind == "bad"]) + len(EXTRA_SOURCES)
    assert len(faults["first"].failures) == n_bad and len(faults["second"].failures) == 1
    records = lake.read("records")
    assert len(set(records.column("record_id").to_pylist())) == records.num_rows


def test_the_second_run_changes_nothing_but_the_failure_log(faults):
    lake, before = faults["lake"], faults["snapshot"]
    for name in ("documents", "texts", "records"):
        assert lake.read(name).to_pylist() == before[name].to_pylist(), name
    assert faults["second"].report.new_versions == 0


def test_same_content_from_two_urls_is_one_document(faults):
    lake, server = faults["lake"], faults["server"]
    doc = _doc(lake, faults["dup"])
    assert doc["sources"] == [server.url("/bom.txt"), faults["dup"]]
    assert doc["source"] == server.url("/bom.txt")
    assert _records(lake, doc) == record_multiset(SEED2)
    rows = {r["source"]: r for r in lake.read("sources").to_pylist()}
    assert rows[faults["dup"]]["doc_id"] == rows[server.url("/bom.txt")]["doc_id"] == doc["doc_id"]


def test_retries_on_5xx_and_resets_but_not_on_4xx(faults):
    hits = faults["hits_first"]
    assert hits["/404.html"] == 1
    assert hits["/500.html"] == 3            # 1 + FAZHI_HTTP_RETRIES
    assert hits["/reset.txt"] == 3
    assert hits["/flaky.txt"] == 2 and hits["/reset-once.txt"] == 2
    assert hits["/hold.html"] == 3
    assert hits["/drip.txt"] == 1            # a slow body is not fetched again
    assert hits["/loop-a"] + hits["/loop-b"] == 2
    assert hits["/pic"] == 1 and hits["/big.html"] == 1


def test_conditional_request_on_the_second_run(faults):
    server, lake = faults["server"], faults["lake"]
    first, second = server.request_headers["/etag.txt"]
    assert "If-None-Match" not in first
    assert second["If-None-Match"] == '"v1"'
    assert second["If-Modified-Since"] == "Sat, 20 Jan 2024 08:00:00 GMT"
    row = {r["source"]: r for r in lake.read("sources").to_pylist()}[server.url("/etag.txt")]
    assert row["http_status"] == 304 and row["etag"] == '"v1"'
    doc = _doc(lake, server.url("/etag.txt"))
    assert doc["http_status"] == 200


def test_user_agent_names_the_project(faults):
    headers = faults["server"].request_headers["/bom.txt"][0]
    assert headers["User-Agent"].startswith("fazhi-extract/")


def test_the_summary_counts_the_failures(faults):
    result = faults["first"]
    assert result.report.failures == len(result.failures) > 0
