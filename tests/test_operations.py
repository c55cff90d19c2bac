"""Runs on a busy machine and side by side; what a run says; sources files; errors of every command.

The concurrency tests run real `fazhi run` processes, each choosing its own
Prefect API (flows/server.py): a temporary server whose database lives in its
own lake, so runs on different lakes share nothing.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SAMPLE_NAMES, SAMPLES
from fazhi.cli import app
from fazhi.lake.store import Lake

RUN_TIMEOUT = 900  # seconds, for one `fazhi run` on a machine kept busy on purpose


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update({"FAZHI_NER_MODEL": "none", "FAZHI_PREFECT_SERVER": "temporary", "PYTHONPATH": os.getcwd()})
    env.update(extra)
    return env


def _fazhi(*args, env=None, timeout=RUN_TIMEOUT, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fazhi.cli", *args], env=env or _env(), capture_output=True,
                          text=True, timeout=timeout, cwd=cwd)


def _burn(seconds: float) -> None:
    end = time.monotonic() + seconds
    x = 0
    while time.monotonic() < end:
        x = (x * 31 + 7) % 1000003


def _records(lake: Path) -> list[tuple]:
    rows = Lake(lake).read("records").select(["source", "start", "end", "type", "value", "unit", "subject"])
    return sorted((Path(r["source"]).name, r["start"], r["end"], r["type"], r["value"], r["unit"], r["subject"])
                  for r in rows.to_pylist())


def test_three_runs_at_once_on_a_busy_machine(tmp_path):
    """Three `fazhi run` on three lakes at the same moment, two CPU-bound processes beside them:
    all three exit 0 with the same records."""
    burners = [multiprocessing.Process(target=_burn, args=(RUN_TIMEOUT,), daemon=True) for _ in range(2)]
    for b in burners:
        b.start()
    try:
        lakes = [tmp_path / f"lake{i}" for i in range(3)]
        procs = [subprocess.Popen([sys.executable, "-m", "fazhi.cli", "run", str(SAMPLES), "--lake", str(lake)],
                                  env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for lake in lakes]
        outs = [p.communicate(timeout=RUN_TIMEOUT) for p in procs]
    finally:
        for b in burners:
            b.terminate()
            b.join(timeout=10)
    for p, (stdout, stderr) in zip(procs, outs):
        assert p.returncode == 0, stderr[-3000:]
        assert f"documents: {len(SAMPLE_NAMES)} of {len(SAMPLE_NAMES)} sources" in stdout
        assert "Traceback" not in stderr
    first = _records(lakes[0])
    assert first and all(_records(lake) == first for lake in lakes[1:])
    # each run's Prefect database is its lake's own
    assert all((lake / ".prefect" / "prefect.db").is_file() for lake in lakes)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else "fazhi serve exited"
        try:
            if httpx.get(url + "/health", timeout=2).text.strip() == "true":
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"no Prefect server at {url} after {timeout} s")


def test_a_run_while_fazhi_serve_is_up_uses_its_server(tmp_path):
    """`fazhi serve` starts a Prefect server; a `fazhi run` meanwhile records its flow run there, and
    Prefect's own CLI lists the deployment and the run (no 422 on the pinned stack)."""
    api = f"http://127.0.0.1:{_free_port()}/api"
    home = tmp_path / "prefect-home"
    sources = tmp_path / "sources.txt"
    sources.write_text(f"{SAMPLES / SAMPLE_NAMES[0]}\n", encoding="utf-8")
    env = _env(FAZHI_PREFECT_SERVER="auto", FAZHI_PREFECT_SERVER_URL=api, PREFECT_HOME=str(home))
    serve = subprocess.Popen([sys.executable, "-m", "fazhi.cli", "serve", "--sources", str(sources),
                              "--lake", str(tmp_path / "nightly-lake")], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    try:
        _wait_healthy(api, serve, RUN_TIMEOUT)
        run = _fazhi("run", str(SAMPLES), "--lake", str(tmp_path / "lake"), "--verbose", env=env)
        assert run.returncode == 0, run.stderr[-3000:]
        assert f"Prefect API: {api} (running)" in run.stderr
        prefect = str(Path(sys.executable).with_name("prefect"))
        penv = {**env, "PREFECT_API_URL": api, "COLUMNS": "250"}
        deadline = time.monotonic() + 300
        while True:  # the deployment is registered once `fazhi serve` has started serving
            deps = subprocess.run([prefect, "deployment", "ls"], env=penv, capture_output=True, text=True,
                                  timeout=120)
            assert deps.returncode == 0, deps.stdout + deps.stderr
            if "fazhi-nightly/nightly" in deps.stdout or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert "fazhi-nightly/nightly" in deps.stdout
        runs = subprocess.run([prefect, "flow-run", "ls"], env=penv, capture_output=True, text=True, timeout=120)
        assert runs.returncode == 0, runs.stdout + runs.stderr
        assert "fazhi-run" in runs.stdout
    finally:
        serve.terminate()
        try:
            serve.wait(timeout=60)
        except subprocess.TimeoutExpired:
            serve.kill()
    assert not _port_answers(api), "the server `fazhi serve` started outlived it"


def _port_answers(api: str) -> bool:
    import httpx

    try:
        httpx.get(api + "/health", timeout=2)
        return True
    except httpx.HTTPError:
        return False


def test_a_sources_file_with_a_missing_path(prefect_server, samples_copy, tmp_path):
    """The missing line is one failures row; every other listed report loads."""
    listing = tmp_path / "sources.txt"  # it names files under its own folder (samples_copy is below it)
    missing = tmp_path / "gone" / "2023.docx"
    listing.write_text("\n".join([str(samples_copy / SAMPLE_NAMES[0]), str(missing), str(samples_copy / SAMPLE_NAMES[1]),
                                  "# a comment", str(samples_copy / SAMPLE_NAMES[2])]) + "\n", encoding="utf-8")
    lake = tmp_path / "lake"
    result = CliRunner().invoke(app, ["run", str(listing), "--lake", str(lake)])
    assert result.exit_code == 1, result.output
    names = sorted(Lake(lake).read("documents").column("name").to_pylist())
    assert names == sorted(SAMPLE_NAMES[:3])
    failures = Lake(lake).read("failures").to_pylist()
    assert [(f["stage"], f["error_class"], f["source"]) for f in failures] == [
        ("ingest", "MissingListedSource", str(missing))]
    assert "line 2" in failures[0]["message"]
    # the summary says it in one line, without a traceback
    line = [ln for ln in result.output.splitlines() if "MissingListedSource" in ln]
    assert len(line) == 1 and str(missing) in line[0]
    assert "Traceback" not in result.output


def test_a_file_is_a_sources_file_by_its_name_or_the_flag(prefect_server, samples_copy, tmp_path):
    """A text file whose lines happen to be paths is a report unless named or flagged a sources file."""
    notes = tmp_path / "notes.txt"
    notes.write_text(f"{samples_copy / SAMPLE_NAMES[0]}\n{samples_copy / SAMPLE_NAMES[1]}\n", encoding="utf-8")
    lake = tmp_path / "lake"
    plain = CliRunner().invoke(app, ["run", str(notes), "--lake", str(lake), "--ner-model", "none"])
    assert plain.exit_code == 0, plain.output
    assert Lake(lake).read("documents").column("name").to_pylist() == ["notes.txt"]
    flagged = CliRunner().invoke(app, ["run", "--sources-file", str(notes), "--lake", str(tmp_path / "lake2"),
                                       "--ner-model", "none"])
    assert flagged.exit_code == 0, flagged.output
    assert sorted(Lake(tmp_path / "lake2").read("documents").column("name").to_pylist()) == sorted(SAMPLE_NAMES[:2])


def test_the_summary_is_a_prefect_artifact(prefect_server, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.pipeline import run_pipeline

    result = run_pipeline(sources=[str(SAMPLES / SAMPLE_NAMES[0]), str(tmp_path / "missing.txt")],
                          lake=str(tmp_path / "lake"))
    with get_client(sync_client=True) as client:
        arts = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["fazhi-run-summary"])))
    mine = [a for a in arts if str(a.flow_run_id) == result.run_id]
    assert len(mine) == 1
    md = mine[0].data
    assert f"| **total** | **{result.report.records}** |" in md
    assert "failures: 1" in md and "missing.txt" in md


@pytest.mark.parametrize("command", [["sql", "SELECT 1"], ["export"], ["eval", "--gold", "."], ["diff"],
                                     ["review"], ["reextract"]])
def test_every_command_without_a_lake_says_one_line(command, tmp_path):
    proc = _fazhi(*command, "--lake", str(tmp_path / "nowhere"), timeout=120, cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "no lake at" in lines[0] and "fazhi run" in lines[0], proc.stderr


def test_a_url_without_a_scheme_and_a_legacy_word_file(prefect_server, tmp_path):
    doc = tmp_path / "2023年报告.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    lake = tmp_path / "lake"
    result = CliRunner().invoke(app, ["run", "www.example.gov.cn/art/2024/1/1/art_1.html", str(doc),
                                      "--lake", str(lake), "--ner-model", "none"])
    assert result.exit_code == 1, result.output
    messages = {f["error_class"]: f["message"] for f in Lake(lake).read("failures").to_pylist()}
    assert "https://www.example.gov.cn/art/2024/1/1/art_1.html" in messages["FileNotFoundError"]
    assert "save it as .docx or PDF" in messages["UnsupportedFormat"]


def test_settings_reach_the_flow_not_the_environment(prefect_server, tmp_path, monkeypatch):
    """`--ner-model none` is a setting passed to the flow: no FAZHI_* variable is written."""
    monkeypatch.delenv("FAZHI_NER_MODEL", raising=False)
    before = {k: v for k, v in os.environ.items() if k.startswith("FAZHI_")}
    lake = tmp_path / "lake"
    result = CliRunner().invoke(app, ["run", str(SAMPLES / SAMPLE_NAMES[0]), "--lake", str(lake),
                                      "--ner-model", "none", "--lock-timeout", "5"])
    assert result.exit_code == 0, result.output
    assert {k: v for k, v in os.environ.items() if k.startswith("FAZHI_")} == before
    assert Lake(lake).read("entities").num_rows == 0  # the NER stage was off


def test_json_summary_of_sql_after_a_quiet_run(tmp_path):
    """`--quiet` prints the summary only (no progress bar even when forced by the environment)."""
    lake = tmp_path / "lake"
    run = _fazhi("run", str(SAMPLES / SAMPLE_NAMES[0]), "--lake", str(lake), "--quiet",
                 env=_env(FAZHI_PROGRESS="1"))
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stderr.strip() == "", run.stderr
    assert "documents: 1 of 1 sources" in run.stdout
    rows = json.loads(_fazhi("sql", "SELECT count(*) AS n FROM documents", "--lake", str(lake), "--format",
                             "json").stdout)
    assert rows == [{"n": 1}]


def _code_copy(tmp_path: Path) -> Path:
    """A copy of the project's packages, to edit."""
    import shutil

    root = Path(__file__).resolve().parent.parent
    copy = tmp_path / "code"
    def ignore(folder: str, names: list[str]) -> list[str]:  # not fazhi/lake: only a lake under data/
        return [n for n in names if n == "__pycache__" or (n == "lake" and Path(folder).name == "data")]

    for pkg in ("fazhi", "flows", "extractors", "schemas", "ner", "data"):
        shutil.copytree(root / pkg, copy / pkg, ignore=ignore)
    return copy


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")


def _versions(code: Path) -> tuple[str, str]:
    out = subprocess.run([sys.executable, "-c", "from fazhi.ingest.clean import CLEANER_VERSION as c; "
                          "from extractors.ruleset import load_rules; print(c, load_rules().version)"],
                         env=_env(PYTHONPATH=str(code)), cwd=code, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    cleaner, ruleset = out.stdout.split()
    return cleaner, ruleset


def test_stage_versions_follow_the_code(tmp_path):
    """Editing any cleaning module gives a new cleaner version; editing an extractor module a new rule
    set; fetching code changes neither."""
    code = _code_copy(tmp_path)
    base = _versions(code)
    _append(code / "fazhi" / "ingest" / "fetch.py", "# how bytes arrive does not change the text")
    assert _versions(code) == base
    _append(code / "fazhi" / "ingest" / "html.py", "# an edit of the HTML reader")
    cleaner, ruleset = _versions(code)
    assert cleaner != base[0] and ruleset == base[1]
    _append(code / "extractors" / "record.py", "# an edit of the extractors")
    assert _versions(code)[1] != ruleset


def test_reextract_redoes_exactly_what_a_code_change_affects(tmp_path):
    """After an edit of an extractor module, `fazhi reextract` (a Prefect flow) extracts every document
    again without cleaning; after an edit of the cleaner it cleans them again; unchanged, it does neither."""
    from fazhi.pipeline.batch import run_local
    from fazhi.settings import Settings

    lake = tmp_path / "lake"
    code = _code_copy(tmp_path)
    run_local([str(code / "data" / "samples")], Settings.load(lake=lake, ner_model="none"))
    env = _env(PYTHONPATH=str(code))

    def reextract() -> str:
        proc = _fazhi("reextract", "--lake", str(lake), env=env, cwd=code)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return proc.stdout

    n = len(SAMPLE_NAMES)
    assert f"extracted: 0, unchanged (not extracted again): {n}" in reextract()
    _append(code / "extractors" / "record.py", "# an edit of the extractors")
    out = reextract()
    assert f"extracted: {n}, unchanged (not extracted again): 0" in out and "cleaned again" not in out
    _append(code / "fazhi" / "ingest" / "clean.py", "# an edit of the cleaner")
    out = reextract()
    assert f"extracted: {n}, unchanged (not extracted again): 0, cleaned again: {n}" in out
    rows = Lake(lake).read("extractions").to_pylist()
    # one bookkeeping row per document version and rule set, carrying the cleaner that made it last
    assert len(rows) == 2 * n and len({r["ruleset"] for r in rows}) == 2
    assert len({r["cleaner"] for r in rows}) == 2
