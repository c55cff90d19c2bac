"""Fetching over real HTTP from a server on 127.0.0.1 (no mocks)."""
from __future__ import annotations

import functools
import http.server
import threading

import httpx
import pytest

from conftest import SAMPLE_NAMES, SAMPLES
from fazhi.ingest.fetch import fetch
from fazhi.lake.store import Lake


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def http_root(tmp_path_factory):
    """A directory served on 127.0.0.1: the samples, plus a GBK copy of one."""
    root = tmp_path_factory.mktemp("www")
    for name in SAMPLE_NAMES:
        (root / name).write_bytes((SAMPLES / name).read_bytes())
    text = (SAMPLES / SAMPLE_NAMES[0]).read_text(encoding="utf-8")
    (root / "gbk.txt").write_bytes(text.encode("gb18030"))
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_fetch_url_returns_bytes_and_metadata(http_root):
    name = SAMPLE_NAMES[1]
    got = fetch(f"{http_root}/{name}")
    assert got.data == (SAMPLES / name).read_bytes()
    assert got.http_status == 200
    assert got.name == name
    assert got.content_type.startswith("text/plain")
    assert got.final_url == f"{http_root}/{name}"


def test_fetch_url_404_raises(http_root):
    with pytest.raises(httpx.HTTPStatusError):
        fetch(f"{http_root}/missing.txt")


def test_fetch_url_size_cap(http_root):
    from fazhi.ingest.fetch import FetchError

    with pytest.raises(FetchError):
        fetch(f"{http_root}/{SAMPLE_NAMES[1]}", max_bytes=100)


def test_flow_over_http_matches_the_files(prefect_server, sample_run, http_root, tmp_path):
    from flows.pipeline import run_pipeline

    name = SAMPLE_NAMES[0]
    lake = Lake(tmp_path / "lake")
    result = run_pipeline(sources=[f"{http_root}/{name}", f"{http_root}/gbk.txt", f"{http_root}/nope.txt"],
                          lake=str(lake.root))

    docs = {d["name"]: d for d in lake.read("documents").to_pylist()}
    assert set(docs) == {name, "gbk.txt"}
    assert docs[name]["source"] == f"{http_root}/{name}"
    assert docs[name]["http_status"] == 200
    assert docs["gbk.txt"]["encoding"] in ("gb18030", "gbk", "gb2312")
    [failure] = result.failures
    assert (failure["stage"], failure["error_class"]) == ("ingest", "HTTPStatusError")

    def quantities(lake_, doc_id):
        return [(r["type"], r["value"], r["unit"], r["start"], r["end"])
                for r in lake_.read("records").to_pylist() if r["doc_id"] == doc_id]

    file_lake = Lake(sample_run[0])
    file_doc = [d for d in file_lake.read("documents").to_pylist() if d["name"] == name][0]
    from_file = quantities(file_lake, file_doc["doc_id"])
    assert from_file
    assert quantities(lake, docs[name]["doc_id"]) == from_file
    assert quantities(lake, docs["gbk.txt"]["doc_id"]) == from_file
