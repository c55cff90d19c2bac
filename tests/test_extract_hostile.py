"""Hostile inputs (issue 16): the scanner and the subject finder stay linear
in the length of digit runs, numeral runs and clauses, and the title finder in
the length of a line of spaces; a lone surrogate does
not make OpenCC raise. Each input runs in a child process with a generous
time bound, so a regression fails here instead of hanging the suite."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Wall-clock bound for the child (imports included, on a loaded machine); the
# extraction itself is measured in CPU seconds, which load does not inflate:
# each input takes well under 1 s (a quadratic scan took > 30 s).
BOUND = 30.0
CPU_BOUND = 1.0

HOSTILE = {
    "ascii digits": "'1' * 10000",
    "ascii digits and a unit": "'1' * 10000 + '件'",
    "full-width digits": "'１' * 10000",
    "spaced digits": "'1 ' * 5000",
    "separators": "'1,' * 5000 + '１，' * 5000",
    "decimal points": "'1.' * 5000",
    "chinese numerals": "'一' * 10000 + '人'",
    "spaced chinese numerals": "'一 ' * 5000",
    "spaced numerals with powers": "'一百 ' * 5000",
    "spaced digits and powers": "'一 百 ' * 5000",
    "spaced digits and powers, a unit": "'一 百 ' * 5000 + '件'",
    "numerals between spaces": "'一百 二百 ' * 3000",
    "arabic digits with powers": "'5万4千' * 3000 + '件'",
    "spaced arabic with powers": "'5 万 4 千 ' * 2000 + '件'",
    "repeated multipliers": "'一' + '万' * 10000 + '件'",
    "tenths": "'七成六' * 3000",
    "yue run before a count": "'约' * 10000 + '5人'",
    "yue runs with numbers": "'约1' * 5000",
    "rate word and digits": "'率' + '1' * 10000",
    "one clause, many counts": "'甲5人' * 4000",
    "coordination": "'率和' * 5000 + '均为5%'",
    "signs": "'负-' * 5000 + '1%'",
    # the title finder's chrome and bracketed-date patterns on one long line of spaces
    "a run of spaces in a line": "'1' + ' ' * 10000 + '件'",
    "a run of ideographic spaces": "'1' + '\\u3000' * 10000 + '件'",
    "spaces before a bracketed date": "'工作情况' + ' ' * 10000 + 'x(2015-04-23)'",
    "open brackets without a close": "'【' * 5000 + '[' * 5000 + '报告'",
    "spaced-out characters": "'发 ' * 5000 + '日期：2023-03-30'",
    # groups of three set apart by spaces, and points in one long sentence about scores
    "spaced thousands": "'1' + ' 234' * 5000 + '元'",
    "thin-spaced thousands": "'1' + '\\u2009234' * 5000",
    "scores in one sentence": "'考评得分' + '东区95.5分、' * 4000",
    "scores without a sentence end": "'得分' + '1分 ' * 5000",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_finishes_in_linear_time(name):
    code = ("import time; from extractors import extract\n"
            f"s = {HOSTILE[name]}\n"
            "t = time.process_time(); extract(s); print(time.process_time() - t)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=BOUND, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert float(out.stdout) < CPU_BOUND, (name, out.stdout)


def test_lone_surrogate_is_replaced_with_offsets_kept():
    from extractors import document_meta, extract

    text = "共办理案件12件\ud800，合格率100%。\udfff"
    recs = extract(text)
    assert [(r.text, r.value) for r in recs] == [("12件", 12), ("100%", 100)]
    for r in recs:
        assert text[r.start:r.end] == r.text
        r.sentence.encode("utf-8")  # storable
    document_meta(text)
