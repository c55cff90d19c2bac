"""``fazhi diff`` compares the document versions both rule sets extracted, one version at a time.

A document whose content changed between the two runs has a version only the
old rule set saw and one only the new saw: they are counted, not compared
(their offsets point into different texts). The other versions' records are
compared span by span.
"""
from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from conftest import SAMPLE_NAMES
from extractors.ruleset import DEFAULT_RULES_DIR
from fazhi.cli import app
from fazhi.lake.store import Lake
from fazhi.pipeline.batch import run_local
from fazhi.query import diff
from fazhi.query.sql import query
from fazhi.settings import Settings


@pytest.mark.slow
def test_a_changed_document_is_counted_and_the_others_compared(samples_copy, tmp_path):
    lake = Lake(tmp_path / "lake")
    run_local([str(samples_copy)], Settings.load(lake=lake.root, ner_model="none", progress=False))
    _, rows = query(lake, "SELECT doc_id, start, \"end\", value FROM records WHERE unit = '人次'")
    # the new rules: 人次 is no longer a unit, so each such record becomes 人, one character shorter
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    units = rules / "units.toml"
    units.write_text(units.read_text(encoding="utf-8").replace('"人次", ', "", 1), encoding="utf-8")
    # and one report gets another sentence: a new version, which only the new rule set extracts
    edited = samples_copy / SAMPLE_NAMES[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n全年另受理群众来信32件。\n", encoding="utf-8")
    run_local([str(samples_copy)], Settings.load(lake=lake.root, ner_model="none", progress=False, rules=rules))

    d = diff.compute(lake)
    assert d.versions == {"compared": len(SAMPLE_NAMES) - 1, "only_from": 1, "only_to": 1}
    _, docs = query(lake, f"SELECT DISTINCT doc_id FROM documents WHERE name = '{SAMPLE_NAMES[0]}'")
    edited_id = docs[0][0]
    expected = sorted((doc, start, end - 1, value) for doc, start, end, value in rows if doc != edited_id)
    assert expected, "the samples have 人次 records outside the edited report"
    got = sorted((c["new"]["doc_id"], c["new"]["start"], c["new"]["end"], c["new"]["value"]) for c in d.changed)
    assert got == expected
    assert all(c["fields"] == ["unit", "text", "end"] for c in d.changed)
    assert not d.added and not d.removed

    res = CliRunner().invoke(app, ["diff", "--lake", str(lake.root), "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["counts"] == d.counts()
