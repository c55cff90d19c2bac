"""Whole commands that read a lake: how fast ``fazhi sql`` starts, how memory grows for ``diff`` and ``review``.

    python -m bench.run --only sqlstart [--sql-before CHECKOUT]
    python -m bench.run --only stream [--quick]

- **sqlstart**: ``fazhi sql "SELECT 1"`` on the samples' lake as a child
  process (CPU from ``os.wait4``, wall, load), and where its import time goes
  (``python -X importtime``, the self time of every module summed by top-level
  package). ``--sql-before CHECKOUT`` alternates the same command run from
  another checkout (``PYTHONPATH``) with this one: a before/after in one go.
- **stream**: peak RSS (``VmHWM``, through ``bench.peak``: not ``os.wait4``'s
  ``ru_maxrss``, which starts from the bench process's own peak) of ``fazhi diff --format json`` and of ``fazhi review``
  (every page) on lakes of N and 4N reports that hold two rule sets (the
  reports loaded with the bundled rules, then with a copy carrying one comment
  more: the same records under another rule set, so ``diff`` compares every
  record), alternated N, 4N, 4N, N …, with ``fazhi sql "SELECT 1"`` on the same
  lakes as the floor (the interpreter, DuckDB and the imports).
"""
from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from .alternate import alternate, load1
from .peak import command as peak_command
from .peak import read_mb
from .sections import CACHE, ROOT, Row, _s, built, changed_rules, child_env, copies, fazhi, mark_built, run_child

SELECT_1_BEFORE = "1.15 s (README, load 10-20)"


def samples_lake() -> Path:
    """The bundled samples loaded once without Prefect, NER off (cached)."""
    lake = CACHE / "samples-lake"
    if not (lake / ".done").is_file():
        from fazhi.pipeline.batch import run_local
        from fazhi.settings import Settings, samples_dir

        shutil.rmtree(lake, ignore_errors=True)
        run_local([str(samples_dir())], Settings.load(lake=str(lake), ner_model="none", progress=False))
        (lake / ".done").write_text("")
    return lake


def import_split(cmd: list[str], env: dict) -> dict[str, float]:
    """Seconds of import time by top-level package (``-X importtime``: each module's self time, so a
    package that imports another is not counted twice); the standard library summed as ``stdlib``."""
    proc = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], env=env, capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent)
    stdlib = set(sys.stdlib_module_names)
    out: dict[str, float] = defaultdict(float)
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+\d+ \| ( *)(\S+)", line)
        if not m:
            continue
        top = m.group(3).split(".")[0].lstrip("_")
        out["stdlib" if top in stdlib or m.group(3).split(".")[0] in stdlib else top] += int(m.group(1)) / 1e6
    return dict(out)


def sql_start_rows(rounds: int, before: str | None = None) -> list[Row]:
    lake = samples_lake()
    logs = CACHE / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    cmd = fazhi("sql", "SELECT 1", "--lake", str(lake), "--format", "json")
    walls: dict[str, list[float]] = {"now": [], "before": []}

    def side(name: str, env: dict):
        # `python -m` puts the working directory first on sys.path: the other checkout runs from its folder
        cwd = Path(before).resolve() if name == "before" and before else ROOT

        def go() -> float:
            wall, _, rc, out, cpu = run_child(cmd, env, logs / "sqlstart.log", cwd=cwd)
            if rc or out.strip() != '[{"1": 1}]':
                raise RuntimeError(f"fazhi sql exited {rc}: {out[-300:]}")
            walls[name].append(wall)
            return cpu
        return go

    now_env = child_env()
    other = child_env(PYTHONPATH=str(Path(before).resolve())) if before else now_env
    # warm first (the page cache, the remembered columns, the verified files); without a before
    # checkout the command is alternated with itself, which gives twice the rounds of it
    side("now", now_env)()
    side("before", other)()
    walls = {"now": [], "before": []}
    c = alternate("sqlstart", side("now", now_env), side("before" if before else "now", other), rounds,
                  "now", "before" if before else "now")
    now = c.a + ([] if before else c.b)
    rows = [Row("sqlstart", '`fazhi sql "SELECT 1"`, samples lake: CPU (wall)',
                f"{_s(statistics.median(now))} ({_s(statistics.median(walls['now']))})",
                f"{_s(min(now))}-{_s(max(now))}", c.load_text(), SELECT_1_BEFORE, "goal < 0.5 s CPU",
                c.as_dict())]
    if before:
        rows += [Row("sqlstart", f"  the same from {before}", f"{_s(c.median_b)} ({_s(statistics.median(walls['before']))})",
                     f"{_s(min(c.b))}-{_s(max(c.b))}", c.load_text()),
                 Row("sqlstart", "  that / this, alternated", f"{c.ratio:.2f}×", f"{c.spread[0]:.2f}×-{c.spread[1]:.2f}×",
                     c.load_text())]
    split = import_split(cmd, now_env)
    top = sorted(split.items(), key=lambda kv: -kv[1])
    shown = [f"{k} {_s(v)}" for k, v in top[:6]]
    rest = sum(v for _, v in top[6:])
    rows.append(Row("sqlstart", "  its imports (-X importtime, self time by package; wall)",
                    f"{_s(sum(split.values()))}", "", f"{load1():.1f}",
                    note=", ".join(shown) + (f", other {_s(rest)}" if rest else ""), data=split))
    return rows


# -- memory of diff and review in lake size ------------------------------------------------------

def two_ruleset_lake(n: int, times: int) -> Path:
    """The first ``n`` reports × ``times`` loaded with the bundled rules, then with
    :func:`bench.sections.changed_rules` (cached): ``records_all`` holds every record twice."""
    lake = CACHE / f"two-rulesets-lake-{n}x{times}"
    if not built(lake):
        from fazhi.pipeline.batch import run_local
        from fazhi.settings import Settings

        shutil.rmtree(lake, ignore_errors=True)
        sources = copies(n, times)
        run_local(sources, Settings.load(lake=str(lake), ner_model="none", progress=False))
        run_local(sources, Settings.load(lake=str(lake), ner_model="none", progress=False,
                                         rules=str(changed_rules())))
        mark_built(lake)
    return lake


def _counts(lake: Path) -> tuple[int, int]:
    from fazhi.lake.store import Lake
    from fazhi.query.sql import query

    _, rows = query(Lake(lake), "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM records_all)")
    return rows[0][0], rows[0][1]


def stream_rows(rounds: int, n: int = 18) -> list[Row]:
    logs = CACHE / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    lakes = {1: two_ruleset_lake(n, 1), 4: two_ruleset_lake(n, 4)}
    env = child_env()
    rows: list[Row] = []
    sizes = {k: _counts(lk) for k, lk in lakes.items()}
    label = {k: f"{sizes[k][0]} documents, {sizes[k][1]:,} records_all rows" for k in lakes}

    def command(name: str, args) -> tuple[dict[int, list[float]], dict[int, list[float]]]:
        rss: dict[int, list[float]] = {1: [], 4: []}
        cpu: dict[int, list[float]] = {1: [], 4: []}

        def on(k: int):
            def go() -> float:
                with tempfile.TemporaryDirectory(prefix="bench-out-") as tmp:
                    hwm = Path(tmp) / "peak"
                    cmd = peak_command(hwm, "fazhi.cli", *args(lakes[k], Path(tmp)))
                    wall, _, rc, out, used = run_child(cmd, env, logs / f"{name}.log")
                    if rc:
                        raise RuntimeError(f"fazhi {name} exited {rc}: {out[-300:]}")
                    peak = read_mb(hwm)  # this child's own (bench.peak)
                rss[k].append(peak)
                cpu[k].append(used)
                return peak
            return go

        alternate(name, on(1), on(4), rounds)
        return rss, cpu

    floor, _ = command("sql", lambda lk, _: ["sql", "SELECT 1", "--lake", str(lk), "--format", "json"])
    for name, args in (("diff", lambda lk, _: ["diff", "--lake", str(lk), "--format", "json"]),
                       ("review", lambda lk, tmp: ["review", "--lake", str(lk), "--out", str(tmp / "review")])):
        rss, cpu = command(name, args)
        r1, r4 = statistics.median(rss[1]), statistics.median(rss[4])
        f1, f4 = statistics.median(floor[1]), statistics.median(floor[4])
        grow = (r4 - f4) / max(r1 - f1, 1.0)
        rows.append(Row("stream", f"peak RSS `fazhi {name}`, N / 4N ({label[1]} / {label[4]})",
                        f"{r1:.0f} / {r4:.0f} MB", f"{min(rss[4]) / max(rss[1]):.2f}-{max(rss[4]) / min(rss[1]):.2f}×",
                        "", note=f"4N/N = {r4 / r1:.2f}×; above the floor {r1 - f1:.0f} / {r4 - f4:.0f} MB "
                                 f"({grow:.1f}×); CPU {_s(statistics.median(cpu[1]))} / "
                                 f"{_s(statistics.median(cpu[4]))}",
                        data={"rss": rss, "cpu": cpu, "floor": floor, "sizes": sizes}))
    rows.append(Row("stream", '  floor: `fazhi sql "SELECT 1"` on the same lakes',
                    f"{statistics.median(floor[1]):.0f} / {statistics.median(floor[4]):.0f} MB",
                    load=f"{os.getloadavg()[0]:.1f}"))
    return rows
