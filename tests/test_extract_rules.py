"""Rule files are checked before any document runs (issue 12), and the
rule-set id is derived from the rule files and the extractor code."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from extractors import RulesError, explain, extract, format_explanation, load_rules
from extractors.ruleset import DEFAULT_RULES_DIR

ROOT = Path(__file__).resolve().parents[1]


def _copy_rules(tmp_path: Path) -> Path:
    d = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, d)
    return d


def _edit(path: Path, old: str, new: str) -> int:
    """Replace ``old`` once; return the line number of the edit."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def test_bundled_rules_load():
    rs = load_rules()
    assert rs.version.startswith("r") and len(rs.version) == 13


@pytest.mark.parametrize("file, old, new, key, problem", [
    # a misspelled key
    ("units.toml", "subject_cues = [", "subject_cue = [", "case_as_count.subject_cue", "did you mean 'subject_cues'"),
    # an unknown key
    ("qualifiers.toml", "[suffix]\n", "[suffix]\nsometimes = [\"偶尔\"]\n", "suffix.sometimes", ""),
    # a wrong type: a string where a list is expected
    ("exclusions.toml", 'durations = [', 'durations = "小时" #', "after.durations", "expected a list"),
    # a wrong type: a string where an integer is expected
    ("subjects.toml", "max_clause_chars = 60", 'max_clause_chars = "60"', "max_clause_chars", "expected an integer"),
    # a bad regular expression
    ("subjects.toml", '"(?:同比|环比)$"', '"(?:同比|环比$"', "comparisons.1", "bad regular expression"),
])
def test_rule_file_errors_name_file_key_and_line(tmp_path, file, old, new, key, problem):
    rules = _copy_rules(tmp_path)
    line = _edit(rules / file, old, new)
    with pytest.raises(RulesError) as info:
        load_rules(rules)
    err = info.value
    assert err.file.endswith(file) and err.key == key, str(err)
    assert problem in str(err)
    if new.count("\n") == 0:
        assert err.line == line, str(err)
    else:
        assert err.line in (line, line + 1), str(err)
    assert f"{file}:{err.line}: {key}" in str(err)


def test_missing_key_and_bad_toml(tmp_path):
    rules = _copy_rules(tmp_path)
    _edit(rules / "units.toml", 'half = "半"\n', "")
    with pytest.raises(RulesError, match=r"units.toml:\d+: amount.half: missing key"):
        load_rules(rules)
    rules2 = _copy_rules(tmp_path / "b")
    _edit(rules2 / "categories.toml", "[[category]]", "[[category]")
    with pytest.raises(RulesError, match="categories.toml:.*not valid TOML"):
        load_rules(rules2)


def test_errors_come_before_any_document(tmp_path):
    rules = _copy_rules(tmp_path)
    _edit(rules / "units.toml", 'units = ["件次"', 'unit = ["件次"')
    with pytest.raises(RulesError):
        extract("共办理信访件87件。", rules=rules)


def test_ruleset_id_follows_a_rule_edit(tmp_path):
    same = _copy_rules(tmp_path / "same")
    assert load_rules(same).version == load_rules().version
    rules = _copy_rules(tmp_path)
    _edit(rules / "units.toml", '"票",', '"票", "艇",')
    assert load_rules(rules).version != load_rules().version


def test_ruleset_id_follows_a_code_edit(tmp_path):
    """Edit a copy of an extractor module (no rule file touched): the id changes."""
    pkg = tmp_path / "extractors"
    shutil.copytree(ROOT / "extractors", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas", ignore=shutil.ignore_patterns("__pycache__"))
    code = "import extractors; print(extractors.RULESET)"

    def ruleset_of(where: Path) -> str:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=where,
                             env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin"})
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    same = ruleset_of(tmp_path)
    assert same == load_rules().version
    _edit(pkg / "filters.py", "_LOOK = 80", "_LOOK = 81")
    edited = ruleset_of(tmp_path)
    assert edited != same
    # the code that derives a record's lake columns (unit, display) is part of what makes them
    values = tmp_path / "schemas" / "values.py"
    values.write_text(values.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert ruleset_of(tmp_path) != edited


def test_explain_says_why_each_number_was_dropped():
    rows = explain("2024年，第3次会议要求每半年专题学法不少于2次；全年办理信访件87件，“八进”活动。")
    got = {r["text"]: (r["outcome"], r["why"]) for r in rows}
    assert got["3次"] == ("dropped", "ordinal")
    assert got["2次"] == ("dropped", "requirement")
    assert got["87件"] == ("record", "")
    assert all(r["why"] == "name" for r in rows if "八" in r["text"])
    rec = next(r for r in rows if r["outcome"] == "record")
    assert (rec["type"], rec["value"], rec["unit"], rec["subject"]) == ("case", 87, "件", "信访件")
    assert rec["scan"] == "unit:件"
    lines = format_explanation(rows).splitlines()
    assert len(lines) == len(rows)
    assert any("dropped  requirement" in x for x in lines)
    assert any("record   case 87 件" in x and "subject=信访件" in x for x in lines)
    assert format_explanation([]) == "(no numbers with a unit found)"


def test_rules_readme_documents_every_key():
    from extractors.rulecheck import SCHEMA

    readme = (DEFAULT_RULES_DIR / "README.md").read_text(encoding="utf-8")

    def keys(node, prefix=""):
        if isinstance(node, dict) and "*" not in node:
            for k, v in node.items():
                k = k.rstrip("?")
                yield prefix + k
                yield from keys(v, prefix + k + ".")
        elif isinstance(node, list) and node and isinstance(node[0], dict):
            yield from keys(node[0], prefix)

    missing = [f"{f}: {k}" for f, schema in SCHEMA.items() for k in keys(schema)
               if k.rsplit(".", 1)[-1] not in readme]
    assert not missing, missing


def test_explain_lists_what_the_scanner_refused_or_never_read():
    rows = explain("2024年，依托12345热线；合同期限为3个月；办理信访件87件。")
    got = [(r["text"], r["outcome"], r["scan"], r["why"]) for r in rows]
    assert ("2024", "dropped", "none", "no unit") in got
    assert ("12345", "dropped", "none", "no unit") in got
    assert any(t == "3个" and s == "scanner" and "stop_after" in w for t, _, s, w in got)
    assert [r["start"] for r in rows] == sorted(r["start"] for r in rows)
    assert sum(r["outcome"] == "record" for r in rows) == 1
