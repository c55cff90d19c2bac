"""The NER stage (issue 4): the pipeline loads offline, finds LAW/ORG on every seed,
maps zh_core_web_* labels, and fills the entities table through the flow.

The pkuseg model is built by ``make model`` at install (models/pkuseg_compact/).
When it is missing these tests fail with that instruction; they never download.
"""
from __future__ import annotations

import json
import socket

import pytest

from conftest import SAMPLES, SAMPLE_NAMES


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
    rows = document_entities(text, "d", "sha", model="fazhi")
    labels = {r["label"] for r in rows}
    assert {"LAW", "ORG", "DATE"} <= labels, labels
    for r in rows:
        assert text[r["start"]:r["end"]] == r["text"]
        assert r["text"] in r["sentence"]
        assert r["model"].startswith("fazhi@")


def test_gazetteer_person_and_office_names(nlp):
    doc = nlp("湖南省华容县人民政府印发通知。以习近平同志为核心的党中央。石水口工作站参与调解的286宗。")
    got = {(e.label_, e.text) for e in doc.ents}
    assert ("ORG", "湖南省华容县人民政府") in got
    assert ("PERSON", "习近平") in got
    assert ("ORG", "石水口工作站") in got
    doc = nlp("西青区人民政府")
    assert [(e.label_, e.text) for e in doc.ents] == [("ORG", "西青区人民政府")]


def test_rules_rank_above_the_trained_model(nlp):
    # every rule match stays as the rules found it; the model fills only the gaps
    from ner.pipeline import load_nlp

    rules = load_nlp("rules")
    text = (SAMPLES / SAMPLE_NAMES[1]).read_text(encoding="utf-8")
    by_rules = {(e.start_char, e.end_char, e.label_) for e in rules(text).ents}
    doc = nlp(text)
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
        assert e["model"].startswith("fazhi@") and e["rule"] and e["content_sha256"]
    assert {e["rule"] for e in ents} >= {"law_title", "org", "ner"}


def test_ner_failure_is_a_failure_row_and_records_still_load(prefect_server, samples_copy, tmp_path, monkeypatch):
    from fazhi.pipeline import stages
    from fazhi.lake.store import Lake
    from flows.pipeline import run_pipeline

    real = stages.ner_entities
    calls = []

    def flaky(doc_id, sha, text, **kw):
        calls.append(doc_id)
        if len(calls) == 1:  # the first document's NER fails
            raise RuntimeError("NER blew up")
        return real(doc_id, sha, text, **kw)

    monkeypatch.setattr(stages, "ner_entities", flaky)
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
