"""The house: no import cycles, and the README's package graph is the code's."""
from __future__ import annotations

import re
from pathlib import Path

from scripts import package_graph

ROOT = Path(__file__).resolve().parent.parent


def test_no_import_cycles():
    pk, deps = package_graph.graph()
    assert package_graph.cycles(deps) == []
    assert package_graph.cycles(pk) == []


def test_the_readme_graph_is_the_code_graph():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"Which package imports which.*?```\n(.*?)\n```", readme, re.S)
    assert block, "the README's layout section lost its package graph"
    pk, _ = package_graph.graph()
    assert block.group(1).strip() == package_graph.render(pk).strip()


def test_extractors_import_nothing_of_the_plumbing():
    pk, _ = package_graph.graph()
    assert pk["extractors"] <= set(), pk["extractors"]
    assert "fazhi" not in {p.split(".")[0] for p in pk["extractors"] | pk["schemas"]}
