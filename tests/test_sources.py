"""Expanding SOURCES: files, folders, URLs and sources files."""
from __future__ import annotations

from conftest import SAMPLE_NAMES, SAMPLES
from fazhi.ingest.fetch import source_name
from fazhi.ingest.sources import expand_sources


def test_folder_expands_to_its_files_sorted(tmp_path):
    (tmp_path / "b.txt").write_text("b")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("a")
    (tmp_path / ".hidden").write_text("h")
    assert expand_sources([str(tmp_path)]) == [str(tmp_path / "b.txt"), str(tmp_path / "sub" / "a.txt")]


def test_sources_file_with_relative_paths_urls_and_comments(tmp_path):
    (tmp_path / "r1.txt").write_text("报告正文", encoding="utf-8")
    listing = tmp_path / "reports.sources"
    listing.write_text("# reports\nr1.txt\n\nhttps://example.org/a/report.txt#frag\n", encoding="utf-8")
    assert expand_sources([str(listing)]) == [str(tmp_path / "r1.txt"), "https://example.org/a/report.txt#frag"]
    # the same file under a name that is not a sources file's is a report, unless flagged
    other = tmp_path / "list.txt"
    other.write_text(listing.read_text(encoding="utf-8"), encoding="utf-8")
    assert expand_sources([str(other)]) == [str(other)]
    assert expand_sources([], sources_files=[str(other)]) == [str(tmp_path / "r1.txt"),
                                                            "https://example.org/a/report.txt#frag"]


def test_a_report_is_not_taken_for_a_sources_file():
    path = SAMPLES / SAMPLE_NAMES[0]
    assert expand_sources([str(path)]) == [str(path.resolve())]


def test_repeats_are_dropped_and_unknowns_passed_on(tmp_path):
    path = str((SAMPLES / SAMPLE_NAMES[0]).resolve())
    assert expand_sources([path, path, "nope.txt"]) == [path, "nope.txt"]


def test_source_name_keeps_the_basename():
    assert source_name("/x/y/000_32e74e8d8d829c3b.txt") == "000_32e74e8d8d829c3b.txt"
    assert source_name("https://h.gov.cn/a/000_32e74e8d8d829c3b.txt?x=1") == "000_32e74e8d8d829c3b.txt"
    assert source_name("https://h.gov.cn/") == "h.gov.cn"
