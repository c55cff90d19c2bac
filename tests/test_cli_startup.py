"""``fazhi sql`` starts without the heavy packages: what it skips must still give the same answers.

The lake's directory is found without pydantic-settings (``fazhi.defaults.lake_dir``,
the same answer as ``Settings``), and opening a lake asks for the schemas'
column names without pyarrow once they are remembered
(``fazhi.lake.columns``, keyed by the digest of the files that define them).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

import pytest

from fazhi.defaults import lake_dir
from fazhi.lake import columns
from fazhi.settings import Settings

# packages `fazhi sql` has no use for: each costs tens of milliseconds (pyarrow with numpy about 0.15 s)
HEAVY = {"pyarrow", "numpy", "pydantic_settings", "prefect", "extractors", "schemas", "flows", "ner", "spacy"}

PROBE = """
import json, sys
from fazhi.cli import app
try:
    app(["sql", "SELECT 42 AS x", "--lake", sys.argv[1], "--format", "json"])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "heavy": sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[2:]))}),
      file=sys.stderr)
"""


def test_sql_imports_none_of_the_heavy_packages_once_the_columns_are_known(sample_run, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAZHI_")}
    env["TMPDIR"] = str(tmp_path)  # a cold cache of column names (and of verified files)

    def probe():
        proc = subprocess.run([sys.executable, "-c", PROBE, str(sample_run[0]), *sorted(HEAVY)], env=env,
                              capture_output=True, text=True, timeout=120)
        assert json.loads(proc.stdout) == [{"x": 42}], proc.stderr
        return json.loads(proc.stderr.strip().splitlines()[-1])

    first = probe()
    assert first["code"] == 0
    assert {"schemas", "pyarrow"} <= set(first["heavy"])  # nothing remembered yet: the schemas were read
    second = probe()
    assert second == {"code": 0, "heavy": []}


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_remembered_columns_are_the_schemas(private_tmp):
    expected = columns.from_schemas()
    assert "records" in expected and "record_id" in expected["records"]
    assert columns.table_columns() == expected       # taken from the schemas, then written
    assert columns.cache_path().is_file()
    assert columns.table_columns() == expected       # read back


@pytest.mark.parametrize("stored", [
    {"digest": "another digest", "tables": {"records": ["nothing", "like", "it"]}},
    "DIGEST",  # the right digest, but the names are not lists of strings
    "not json at all",
])
def test_stale_or_damaged_remembered_columns_are_not_used(private_tmp, stored):
    if stored == "DIGEST":
        stored = {"digest": columns.source_digest(), "tables": {"records": [1, 2]}}
    text = stored if isinstance(stored, str) else json.dumps(stored)
    columns.cache_path().write_text(text, encoding="utf-8")
    assert columns.table_columns() == columns.from_schemas()
    assert json.loads(columns.cache_path().read_text(encoding="utf-8"))["digest"] == columns.source_digest()


@pytest.mark.parametrize("value", ["", "rel/lake", "~/lake", "/abs/a/../b", " spaced "])
def test_lake_dir_is_what_settings_say(value, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in [k for k in os.environ if k.lower() == "fazhi_lake"]:
        monkeypatch.delenv(name)
    assert lake_dir() == Settings.load().lake                  # the default
    assert lake_dir(value) == Settings.load(lake=value).lake    # --lake
    monkeypatch.setenv("FAZHI_LAKE", value)
    assert lake_dir() == Settings.load().lake                  # $FAZHI_LAKE
    monkeypatch.delenv("FAZHI_LAKE")
    monkeypatch.setenv("fazhi_lake", value + "x")              # pydantic-settings ignores the case
    assert lake_dir() == Settings.load().lake
