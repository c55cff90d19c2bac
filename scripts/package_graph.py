"""Which package of the project imports which, read from the code's import statements.

    python -m scripts.package_graph           # the graph, one line per package
    python -m scripts.package_graph --cycles  # module-level import cycles (none expected; exit 1 if any)

Imports inside functions count too (a lazy import is still a dependency).
The README's layout section holds the output; a test keeps the two the same.
"""
from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOP = ("fazhi", "flows", "extractors", "schemas", "ner")
# the subpackages of fazhi shown as their own nodes; fazhi's own modules are "fazhi"
ROOMS = ("ingest", "lake", "pipeline", "query", "review", "cli")


def modules() -> dict[str, Path]:
    out = {}
    for top in TOP:
        for p in sorted((ROOT / top).rglob("*.py")):
            if "__pycache__" in p.parts:
                continue
            rel = p.relative_to(ROOT).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = p
    return out


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pkg = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = pkg.split(".")
                up = up[: len(up) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known]
            # `from pkg import submodule` depends on the submodule, not on the package's __init__
            targets = subs if len(subs) == len(node.names) else [base, *subs]
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name:
                found.add(t)
    return found


def node_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "fazhi" and len(parts) > 1 and parts[1] in ROOMS:
        return f"fazhi.{parts[1]}"
    return parts[0]


def graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    mods = modules()
    known = set(mods)
    deps = {m: imports_of(m, p, known) for m, p in mods.items()}
    pk: dict[str, set[str]] = {}
    for m, ds in deps.items():
        a = node_of(m)
        pk.setdefault(a, set())
        for d in ds:
            b = node_of(d)
            if b != a:
                pk[a].add(b)
    return pk, deps


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def render(pk: dict[str, set[str]]) -> str:
    width = max(len(a) for a in pk)
    return "\n".join(f"{a:<{width}} -> {', '.join(sorted(pk[a])) or '(nothing)'}" for a in sorted(pk))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cycles", action="store_true", help="list module-level import cycles")
    a = ap.parse_args(argv)
    pk, deps = graph()
    if a.cycles:
        found = cycles(deps) + cycles(pk)
        for c in found:
            print(" <-> ".join(c))
        return 1 if found else 0
    print(render(pk))
    return 0


if __name__ == "__main__":
    sys.exit(main())
