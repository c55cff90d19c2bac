"""TOML sources files: URLs, paths and listing pages whose links are followed by a pattern."""
from __future__ import annotations

import pytest
from faultserver import FaultServer, Route

from conftest import SAMPLE_NAMES, SAMPLES
from fazhi.ingest.sources import Listing, NoLinks, SourcesFileError, expand_sources, listing_links, read_sources_toml
from fazhi.lake.store import Lake

LISTING = """<html><head><base href="/fzzf/"></head><body>
<a href="/">首页</a>
<a href="2023/t20240120_1.html">2023年度观音堂镇法治政府建设工作报告</a>
<a href="2022/t20230115_2.html#top">2022年度法治政府建设情况报告</a>
<a href="2022/t20230115_2.html">（重复）</a>
<a href="https://elsewhere.example/fzzf/2023/t1.html">外站报告</a>
<a href="file:///etc/passwd">本地文件</a>
<a href="javascript:void(0)">更多</a>
<a href="2023/notice.html">关于召开会议的通知</a>
</body></html>"""


def test_listing_links_follow_the_pattern_and_stay_on_http():
    links = listing_links(Listing(url="http://gov.example/fzzf/index.html", pattern=r"/t\d+_\d+\.html$"),
                          LISTING, "http://gov.example/fzzf/index.html")
    assert links == ["http://gov.example/fzzf/2023/t20240120_1.html", "http://gov.example/fzzf/2022/t20230115_2.html"]
    by_text = listing_links(Listing(url="http://gov.example/x", text="法治政府建设.*报告", same_host=False),
                            LISTING, "http://gov.example/fzzf/index.html")
    assert by_text == ["http://gov.example/fzzf/2023/t20240120_1.html", "http://gov.example/fzzf/2022/t20230115_2.html"]


def test_toml_parses_sources_and_listings(tmp_path):
    (tmp_path / "local.txt").write_text("报告", encoding="utf-8")
    spec = tmp_path / "sources.toml"
    spec.write_text('sources = ["https://gov.example/a.html", "local.txt"]\n\n'
                    '[[listing]]\nurl = "https://gov.example/fzzf/"\npattern = \'/t\\d+\\.html$\'\nlimit = 3\n',
                    encoding="utf-8")
    parsed = read_sources_toml(spec)
    assert parsed.sources == ["https://gov.example/a.html", str(tmp_path / "local.txt")]
    assert parsed.listings == [Listing(url="https://gov.example/fzzf/", pattern=r"/t\d+\.html$", limit=3)]


@pytest.mark.parametrize("text", [
    'sources = "not a list"',
    'urls = ["https://gov.example/"]',
    '[[listing]]\npattern = "x"',
    '[[listing]]\nurl = "file:///etc/"',
    '[[listing]]\nurl = "https://gov.example/"\npattern = "(["',
    'sources = [',
])
def test_a_bad_toml_file_is_a_failure_not_a_crash(tmp_path, text):
    spec = tmp_path / "bad.toml"
    spec.write_text(text, encoding="utf-8")
    with pytest.raises(SourcesFileError):
        read_sources_toml(spec)
    expanded = expand_sources([str(spec)])
    assert list(expanded) == []
    [(source, exc)] = expanded.failures
    assert source == str(spec.resolve()) and isinstance(exc, SourcesFileError)


def test_run_on_a_toml_file_with_a_listing(prefect_server, tmp_path):
    from flows.pipeline import run_pipeline

    report = (SAMPLES / SAMPLE_NAMES[2]).read_bytes()
    with FaultServer() as server:
        server.add("/fzzf/index.html", Route(LISTING.encode("utf-8"), "text/html; charset=utf-8"))
        server.add("/fzzf/2023/t20240120_1.html", Route(report, "text/plain; charset=utf-8"))
        server.add("/fzzf/2022/t20230115_2.html", Route(report, "text/plain"))  # same bytes: one document
        server.add("/empty-listing.html", Route(b"<html><body><a href='/x'>x</a></body></html>", "text/html"))
        spec = tmp_path / "sources.toml"
        # a sources file names files under its own folder only
        (tmp_path / SAMPLE_NAMES[0]).write_bytes((SAMPLES / SAMPLE_NAMES[0]).read_bytes())
        spec.write_text(
            f'sources = ["{SAMPLE_NAMES[0]}"]\n\n'
            f'[[listing]]\nurl = "{server.url("/fzzf/index.html")}"\npattern = \'/t\\d+_\\d+\\.html$\'\n\n'
            f'[[listing]]\nurl = "{server.url("/empty-listing.html")}"\npattern = "report"\n\n'
            f'[[listing]]\nurl = "{server.url("/gone.html")}"\n',
            encoding="utf-8")
        result = run_pipeline(sources=[str(spec)], lake=str(tmp_path / "lake"))
    lake = Lake(tmp_path / "lake")
    docs = lake.read("documents").to_pylist()
    assert len(docs) == 2
    web = [d for d in docs if d["source"].startswith("http")][0]
    assert web["sources"] == [server.url("/fzzf/2023/t20240120_1.html"), server.url("/fzzf/2022/t20230115_2.html")]
    failures = {f["source"]: f["error_class"] for f in result.failures}
    assert failures == {server.url("/empty-listing.html"): "NoLinks", server.url("/gone.html"): "HTTPStatusError"}
    assert {f["stage"] for f in result.failures} == {"ingest"}
    assert NoLinks.__name__ == "NoLinks"
