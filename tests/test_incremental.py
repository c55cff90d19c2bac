"""Issue 6: incremental nightly runs, reextract after a rule change, diff, the served deployment.

Real flows under the session's Prefect test harness, real Parquet and DuckDB,
a real HTTP server on 127.0.0.1 that counts requests.
"""
from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SAMPLE_NAMES, SAMPLES
from extractors.ruleset import DEFAULT_RULES_DIR, load_rules
from fazhi.cli import app
from fazhi.lake.store import Lake

runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_ner(monkeypatch):
    """These tests are about the rule extractors' stages; the NER stage (issue 4) is off."""
    monkeypatch.setenv("FAZHI_NER_MODEL", "none")


class _CountingHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass

    def do_GET(self):
        with self.server.count_lock:
            self.server.requests.append(self.path)
        super().do_GET()


@pytest.fixture
def counting_server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    for name in SAMPLE_NAMES:
        shutil.copy(SAMPLES / name, root / name)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(_CountingHandler, directory=str(root)))
    server.requests, server.count_lock = [], threading.Lock()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _files(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in (root / "raw").rglob("*") if p.is_file()}


def _rows(lake: Lake, name: str) -> list[dict]:
    """The table's rows in key order (the order of rows in a file is not part of the contract)."""
    return sorted(lake.read(name).to_pylist(), key=lambda r: json.dumps(r, sort_keys=True, default=str))


def _sql(lake: Lake, query: str) -> list[tuple]:
    con = lake.connect()
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def _cli(*args):
    res = runner.invoke(app, list(args))
    assert res.exit_code == 0, res.output
    return res.output


def test_nightly_twice_on_unchanged_input_extracts_nothing(prefect_server, samples_copy, tmp_path):
    from flows.nightly import nightly

    sources = tmp_path / "sources.txt"
    sources.write_text(f"# nightly\n{samples_copy}\n", encoding="utf-8")
    lake = Lake(tmp_path / "lake")

    first = nightly(sources_file=str(sources), lake=str(lake.root))
    assert first.stats == {"sources": 5, "extracted": 5, "reused": 0, "entities_again": 0, "failed": 0}
    tables = {n: _rows(lake, n) for n in ("documents", "texts", "records", "entities", "records_all", "extractions")}
    history_files = {n: lake.table_path(n).stat().st_ino for n in ("texts", "records_all", "extractions")}

    second = nightly(sources_file=str(sources), lake=str(lake.root))
    assert second.stats == {"sources": 5, "extracted": 0, "reused": 5, "entities_again": 0, "failed": 0}
    assert second.report.records == first.report.records > 150
    for name, rows in tables.items():
        assert _rows(lake, name) == rows, name
    # nothing rewritten: the new generation hard-links the same files
    assert {n: lake.table_path(n).stat().st_ino for n in history_files} == history_files

    # one document changes: only that one is extracted
    changed = samples_copy / SAMPLE_NAMES[0]
    changed.write_text("2025年,某镇共办理信访件12件,办结率100%。\n", encoding="utf-8")
    third = nightly(sources_file=str(sources), lake=str(lake.root))
    assert third.stats == {"sources": 5, "extracted": 1, "reused": 4, "entities_again": 0, "failed": 0}
    assert _sql(lake, "SELECT count(*) FROM records WHERE text IN ('12件', '100%') AND source LIKE '%"
                + SAMPLE_NAMES[0] + "'") == [(2,)]


def _drop_unit(rules: Path, unit: str) -> None:
    units = rules / "units.toml"
    text = units.read_text(encoding="utf-8")
    assert f'"{unit}", ' in text
    units.write_text(text.replace(f'"{unit}", ', "", 1), encoding="utf-8")


def test_reextract_after_a_rule_change_and_diff(prefect_server, counting_server, tmp_path):
    from fazhi import review
    from flows.pipeline import run_pipeline

    server, base = counting_server
    lake = Lake(tmp_path / "lake")
    run = run_pipeline(sources=[f"{base}/{n}" for n in SAMPLE_NAMES], lake=str(lake.root))
    assert run.stats["extracted"] == 5 and not run.failures
    fetched, raw = len(server.requests), _files(lake.root)
    assert fetched == 5
    old_rs = load_rules().version
    before = {r["record_id"]: r for r in _rows(lake, "records")}
    texts = _rows(lake, "texts")

    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    _drop_unit(rules, "人次")
    new_rs = load_rules(rules).version
    assert new_rs != old_rs

    out = _cli("reextract", "--lake", str(lake.root), "--rules", str(rules))
    assert f"rule set {new_rs} (was {old_rs})" in out and "extracted: 5, unchanged (not extracted again): 0" in out
    assert len(server.requests) == fetched, "reextract fetched documents"
    assert _files(lake.root) == raw, "the raw store changed"
    assert _rows(lake, "texts") == texts

    # records: the new rule set only; records_all: both
    assert _sql(lake, "SELECT DISTINCT ruleset FROM records") == [(new_rs,)]
    assert dict(_sql(lake, "SELECT ruleset, count(*) FROM records_all GROUP BY 1")) == {
        old_rs: len(before), new_rs: len(before)}
    assert {r["ruleset"] for r in _rows(lake, "documents")} == {new_rs}

    # the expected change: every 人次 record is now 人, one character shorter; nothing else
    expected = sorted((r["doc_id"], r["start"], r["end"] - 1, r["text"][:-1], r["value"])
                      for r in before.values() if r["unit"] == "人次")
    assert expected and all(r["text"].endswith("人次") for r in before.values() if r["unit"] == "人次")
    d = json.loads(_cli("diff", "--lake", str(lake.root), "--format", "json"))
    assert (d["from"], d["to"]) == (old_rs, new_rs)
    assert d["counts"] == {"added": 0, "removed": 0, "changed": len(expected),
                           "unchanged": len(before) - len(expected)}
    assert d["by_type"] == {"count": {"added": 0, "removed": 0, "changed": len(expected)}}
    got = sorted((c["new"]["doc_id"], c["new"]["start"], c["new"]["end"], c["new"]["text"], c["new"]["value"])
                 for c in d["changed"])
    assert got == expected
    for c in d["changed"]:
        assert c["fields"] == ["unit", "text", "end"]
        assert (c["old"]["unit"], c["new"]["unit"]) == ("人次", "人")
        assert c["old"]["value"] == c["new"]["value"] and c["old"]["subject"] == c["new"]["subject"]
    table = _cli("diff", "--lake", str(lake.root))
    assert f"rule change {old_rs} -> {new_rs}" in table and f"0 added, 0 removed, {len(expected)} changed" in table

    # the review page's --diff reads records_all and orders the rule sets the same way
    rd, _ = review.compute_diff(lake, review.current_documents(lake))
    assert (rd.old_ruleset, rd.new_ruleset) == (old_rs, new_rs)

    # back to the bundled rules: nothing extracted, the old records are current again
    out = _cli("reextract", "--lake", str(lake.root))
    assert "extracted: 0, unchanged (not extracted again): 5" in out
    assert {r["record_id"]: r for r in _rows(lake, "records")} == before
    d = json.loads(_cli("diff", "--lake", str(lake.root), "--format", "json"))
    assert (d["from"], d["to"]) == (new_rs, old_rs) and d["counts"]["changed"] == len(expected)
    rd, _ = review.compute_diff(lake, review.current_documents(lake))
    assert (rd.old_ruleset, rd.new_ruleset) == (new_rs, old_rs)
    assert len(server.requests) == fetched

    # the nightly run with the bundled rules still extracts nothing (conditional requests: 304)
    again = run_pipeline(sources=[f"{base}/{n}" for n in SAMPLE_NAMES], lake=str(lake.root))
    assert again.stats["extracted"] == 0 and again.stats["reused"] == 5


def test_diff_needs_two_rule_sets(sample_run):
    res = runner.invoke(app, ["diff", "--lake", str(sample_run[0])])
    assert res.exit_code == 1 and "only one rule set" in res.output


def test_nightly_deployment_has_the_cron_schedule(prefect_server, tmp_path):
    from prefect import get_client

    from flows.nightly import deployment

    sources = tmp_path / "sources.txt"
    sources.write_text(f"{SAMPLES}\n", encoding="utf-8")
    dep_id = deployment(str(sources), str(tmp_path / "lake")).apply()
    with get_client(sync_client=True) as client:
        dep = client.read_deployment(dep_id)
    assert dep.name == "nightly"
    assert [(s.schedule.cron, s.schedule.timezone, s.active) for s in dep.schedules] == [
        ("0 2 * * *", "Asia/Shanghai", True)]
    assert dep.parameters == {"sources_file": str(sources), "lake": str(tmp_path / "lake"), "rules": None}

    # configurable from the command line (registered without starting the serve loop)
    out = _cli("serve", "--sources", str(sources), "--lake", str(tmp_path / "lake"), "--cron", "30 3 * * 1-5",
               "--timezone", "UTC", "--name", "weekdays", "--apply-only")
    assert "registered" in out
    with get_client(sync_client=True) as client:
        dep = client.read_deployment_by_name("fazhi-nightly/weekdays")
    assert [(s.schedule.cron, s.schedule.timezone) for s in dep.schedules] == [("30 3 * * 1-5", "UTC")]


def test_a_file_the_lake_never_read_is_known_to_need_entities_before_it_is_read(samples_copy, tmp_path):
    # so the NER worker can start loading its pipeline while the first file of a batch is read; a file
    # already read, a URL, or a run with NER off tells nothing before it is read
    from fazhi.ingest.sources import expand_sources
    from fazhi.pipeline.batch import run_local
    from fazhi.pipeline.incremental import make_plan
    from fazhi.settings import Settings

    lake = tmp_path / "lake"
    first = expand_sources([sorted(str(p) for p in samples_copy.iterdir())[0]])[0]  # as the flow has it
    fresh = make_plan(str(lake), None, "rules")
    assert fresh.never_read(first) and not fresh.never_read("http://127.0.0.1:9/report.html")
    assert not make_plan(str(lake), None, "off").never_read(first)
    run_local([first], Settings.load(lake=str(lake), ner_model="rules"))
    again = make_plan(str(lake), None, "rules")
    assert not again.never_read(first)
    (samples_copy / "a_new_report.txt").write_text("2024年，某某镇办理案件3件。", encoding="utf-8")
    assert again.never_read(expand_sources([str(samples_copy / "a_new_report.txt")])[0])
