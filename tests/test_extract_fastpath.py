"""The shortcuts ``extract`` takes give what the long way gives.

- The reporting body kept out of subjects: found once by the documents stage (a
  text without page metadata) and passed in, or found by ``extract`` with
  ``pipeline.text_org``; both are ``meta_of_simplified(text).org``.
- Flattened tables: recognised only when some line holds a figure cell
  (``pipeline._may_hold_table``); a text it turns away has no table.

Checked on every real text at hand (the seeds, the bundled samples, the 72
government work reports, the corpora gold excerpts, the table probe pages when
their texts are rebuilt) and on small tables written for the test.
"""
import json
import os
from pathlib import Path

import pytest

from extractors import extract, meta, pipeline
from extractors.flattables import recognise
from extractors.ruleset import load_rules
from extractors.script import to_simplified
from fazhi.ingest.clean import clean_text

RULES = load_rules()
ROOT = Path(__file__).resolve().parents[1]
_UP = Path(__file__).resolve().parents
SHARED = next((d / "shared" for d in (_UP[2], _UP[3]) if (d / "shared/corpora").is_dir()), _UP[2] / "shared")
CORPUS = SHARED / "corpora" / "government_work_reports.jsonl"


def real_texts() -> list[tuple[str, str]]:
    out = [(f"sample:{p.name}", p.read_text(encoding="utf-8")) for p in sorted((ROOT / "data/samples").glob("*.txt"))]
    out += [(f"gold:{p.name}", p.read_text(encoding="utf-8")) for p in sorted((ROOT / "tests/gold/corpora").glob("*.txt"))]
    out += [(f"seed:{p.name}", p.read_text(encoding="utf-8")) for p in sorted((SHARED / "seeds").glob("*.txt"))]
    if CORPUS.is_file():
        for i, line in enumerate(CORPUS.read_text(encoding="utf-8").splitlines()):
            out.append((f"corpus:{i}", json.loads(line)["content"]))
    return out


REAL = real_texts()

# Small tables in each flattened form, written for the test, some where a gate could slip:
# at the very start of the text, at its very end, after CRLF, after a no-break space, a sign.
TABLES = {
    "pipe": "表1 行政复议案件\n| 类别 | 收案(件) | 结案(件) |\n| 维持 | 12 | 10 |\n| 纠正 | 3 | 3 |\n",
    "pipe at the start": "| 维持 | 12 | 10 |\n| 纠正 | 3 | 3 |",
    "full-width bars": "类别｜收案｜结案\n维持｜12｜10\n纠正｜3｜3",
    "one cell a line": "序号\n处理方式\n数量\n1\n作出维持决定\n35件\n2\n作出撤销决定\n4件\n",
    "figures from the first character": "1472  1300  12\n95  80  3",
    "spaces": "项目  本年  上年\n行政许可  1472  1300\n行政处罚  95  -12\n",
    "tabs and CRLF": "项目\t本年\t上年\r\n行政许可\t1472\t1300\r\n行政处罚\t95\t80\r\n",
    "no-break spaces": "项目\xa0\xa0本年\xa0\xa0上年\n行政许可\xa0\xa01,472\xa0\xa01,300\n行政处罚\xa0\xa095\xa0\xa080",
    "full-width digits": "项目　　本年　　上年\n行政许可　　１４７２　　１３００\n行政处罚　　９５　　８０\n",
    "traditional": "項目  本年  上年\n行政許可  1472  1300\n行政處罰  95  80\n",
}


def test_white_space_class_is_what_strip_strips():
    import re

    every = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
    found = re.findall(f"[{pipeline.WHITE_SPACE}]", "".join(chr(c) for c in range(0x110000)))
    assert "".join(found) == every


@pytest.mark.parametrize("name", list(TABLES))
def test_a_flattened_table_passes_the_gate(name):
    simple = to_simplified(TABLES[name])
    assert recognise(simple, RULES), "the case must hold a table"
    assert pipeline._may_hold_table(simple)
    assert len(pipeline.find_tables(TABLES[name])) == len(recognise(simple, RULES))


def test_prose_is_turned_away():
    text = "全年办理行政复议案件12件，同比上升5%。\n　　2023年，共受理信访件87件，办结率100%。\n"
    assert not pipeline._may_hold_table(to_simplified(text))
    assert pipeline.find_tables(text) == []


def probe_texts() -> list[tuple[str, str]]:
    """Real pages with tables when their texts were rebuilt (tests/probes/README.md; not in the repo)."""
    folder = Path(os.environ.get("FAZHI_PROBE_TEXTS", "/tmp/probe-texts"))
    return [(f"probe:{p.name}", p.read_text(encoding="utf-8")) for p in sorted(folder.glob("tables-*/*.txt"))]


def test_no_real_text_with_a_table_is_turned_away():
    for name, raw in REAL + probe_texts():
        for text in (raw, clean_text(raw)):
            simple = to_simplified(text)
            if recognise(simple, RULES):
                assert pipeline._may_hold_table(simple), name


def test_the_body_found_by_extract_is_the_identity_s():
    assert len(REAL) >= 11
    for name, raw in REAL:
        for text in (raw, clean_text(raw)):
            simple = to_simplified(text)
            assert pipeline.text_org(simple) == meta.meta_of_simplified(simple).org, name


def test_records_with_the_body_given_are_the_records_found_alone():
    """What the documents stage does (its identity's body passed in) gives extract's own records."""
    for name, raw in REAL:
        text = clean_text(raw)
        alone = extract(text)
        given = extract(text, org=meta.document_meta(text).org)
        assert [r.to_dict() for r in given] == [r.to_dict() for r in alone], name


def test_a_body_given_is_kept_out_of_subjects():
    text = "观音堂镇投资建设项目12个。"
    assert [r.subject for r in extract(text, org="观音堂镇")] == ["投资建设项目"]
    assert [r.subject for r in extract(text, org=None)] == ["观音堂镇投资建设项目"]


@pytest.mark.parametrize("rules", ["bundled", "a copy"])
def test_the_documents_stage_gives_the_records_extract_gives(tmp_path, rules):
    """A plain-text document: the stage passes its identity's body when that is the body extract
    would find (the bundled identity rules); the records are extract's either way."""
    import shutil

    from fazhi.pipeline import stages

    folder = None
    if rules != "bundled":
        folder = tmp_path / "rules"
        shutil.copytree(ROOT / "extractors" / "rules", folder)
    seeds = sorted((SHARED / "seeds").glob("*.txt")) or sorted((ROOT / "data/samples").glob("*.txt"))
    assert seeds
    rs = load_rules(str(folder) if folder else None)
    for p in seeds:
        cleaned = stages.clean(stages.ingest(str(p), tmp_path))
        assert not cleaned.meta
        got = stages.extract(cleaned, str(folder) if folder else None).records
        want = extract(cleaned.clean_text, rules=rs, tables=cleaned.tables)
        assert [(r["start"], r["end"], r["type"], r["value"], r["unit"], r["subject"], r["qualifier"]) for r in got] == \
            [(r.start, r.end, r.type, r.value, r.unit, r.subject, r.qualifier) for r in want], p.name


def test_a_lone_surrogate_is_replaced_once_and_only_then():
    with_one = "全年受理\ud800信访件87件。"
    doc = pipeline._Text(with_one)
    assert doc.original == "全年受理\ufffd信访件87件。" and doc.simple == doc.original
    assert [r.sentence for r in extract(with_one)] == ["全年受理\ufffd信访件87件。"]
    plain = "全年受理\ufffd信访件87件。"  # a replacement character written in the text itself
    assert pipeline._Text(plain).original is plain


def _sentences_by_their_ends(text: str) -> tuple[list[int], list[int]]:
    """Sentences as the pieces between their ends: a run of stops (with a closing quote)
    ends the sentence before it, a run of line breaks ends it without belonging to it."""
    import re

    starts, ends, pos = [], [], 0
    for m in re.finditer(r"[。！？!?]+[”’」』]?|\n+", text):
        end = m.end() if text[m.start()] != "\n" else m.start()
        if end > pos:
            starts.append(pos)
            ends.append(end)
        pos = m.end()
    if pos < len(text):
        starts.append(pos)
        ends.append(len(text))
    return starts, ends


def test_sentences_are_the_pieces_between_their_ends():
    import random

    from extractors.layout import Layout

    for _, raw in REAL:
        text = to_simplified(clean_text(raw))
        assert Layout._sentences(text) == _sentences_by_their_ends(text)
    rng = random.Random(20261202)
    alphabet = "。！？!?\n”’」』ab \u3000\r"
    for _ in range(20000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert Layout._sentences(s) == _sentences_by_their_ends(s), repr(s)
