"""The measurements of ``make bench``, one function per section; each returns :class:`Row` objects.

Every comparison is alternated in one process (``bench.alternate``); what
must be measured as a whole command (``fazhi run``, ``fazhi reextract``,
``fazhi sql``) runs as a child process of this one, alternated the same way,
with its CPU read from the kernel's accounting of that child (``os.wait4``)
and, where a row gives a command's peak memory, that child's own high-water
mark (``bench.peak``; ``os.wait4``'s ``ru_maxrss`` starts from this process's).
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from . import corpus
from .alternate import Compared, alternate, load1, processes_cpu, timed, timed_tree
from .peak import command as peak_command
from .peak import read_mb

ROOT = corpus.ROOT
CACHE = corpus.CACHE

# the strong one-class floor: one pass of one character class (Arabic, full-width and Chinese
# digits, decimal points), then an optional percent sign or unit; no context, no grammar
STRONG_SCAN = re.compile(
    r"[0-9０-９.．零〇一二三四五六七八九十百千万亿两]+"
    r"(?:[%％‰]|[万亿]?元|平方米|公里|人次|件|个|人|次|项|户|家|名|起|条|天|年|月|日|亩|吨|所|场)?")


@dataclass
class Row:
    section: str
    figure: str
    now: str
    spread: str = ""
    load: str = ""
    before: str = ""
    note: str = ""
    data: dict | None = None


def _x(v: float) -> str:
    return f"{v:.2f}×" if v < 10 else f"{v:.1f}×" if v < 100 else f"{v:.0f}×"


def _s(v: float) -> str:
    return f"{v * 1000:.0f} ms" if v < 1 else f"{v:.2f} s" if v < 10 else f"{v:.1f} s"


def _rate(v: float) -> str:
    for div, suffix in ((1e6, "M"), (1e3, "k")):
        if v >= div:
            return f"{v / div:.2f}{suffix}"
    return f"{v:.0f}"


def ratio_row(section: str, figure: str, c: Compared, before: str = "", note: str = "", fmt=_x) -> Row:
    lo, hi = c.spread
    return Row(section, figure, fmt(c.ratio), f"{fmt(lo)}-{fmt(hi)}", c.load_text(), before, note, c.as_dict())


# -- child processes ------------------------------------------------------------------------

def child_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API_URL", "FAZHI_"))}
    env.update({"PYTHONPATH": str(ROOT), "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_HOME": str(CACHE / "prefect-home"), "FAZHI_NER_MODEL": "none"})
    env.update(extra)
    return env


def run_child(cmd: list[str], env: dict, log: Path | None = None,
              server: "RunningServer | None" = None, cwd: Path = ROOT) -> tuple[float, float, int, str, float]:
    """(wall seconds, peak RSS MB of the child, exit status, stdout, CPU seconds). The CPU seconds are
    the child's and its descendants' (a temporary Prefect server is one), plus, with ``server``,
    what the running Prefect server spent meanwhile: on a loaded machine the wall time mostly
    measures the other work, the CPU time the work of the command."""
    s0 = server.cpu() if server else 0.0
    out = tempfile.TemporaryFile()
    err = open(log, "ab") if log else subprocess.DEVNULL
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if log:
        err.close()
    out.seek(0)
    text = out.read().decode("utf-8", "replace")
    out.close()
    cpu = usage.ru_utime + usage.ru_stime + ((server.cpu() - s0) if server else 0.0)
    return wall, usage.ru_maxrss / 1024, proc.returncode, text, cpu


def fazhi(*args: str) -> list[str]:
    return [sys.executable, "-m", "fazhi.cli", *args]


class RunningServer:
    """``prefect server start`` on a free port of 127.0.0.1, for the rows "with a running server"."""

    def __init__(self):
        from flows.server import _free_port

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/api"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "RunningServer":
        from flows.server import healthy

        home = CACHE / "prefect-home"
        home.mkdir(parents=True, exist_ok=True)
        env = child_env(PREFECT_UI_ENABLED="false",
                        PREFECT_API_DATABASE_CONNECTION_URL="sqlite+aiosqlite:///" + str(home / "bench-server.db"))
        prefect = Path(sys.executable).with_name("prefect")
        log = open(CACHE / "logs" / "prefect-server.log", "ab")
        self.proc = subprocess.Popen([str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(self.port)],
                                     env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"prefect server start exited {self.proc.returncode} (see bench/.cache/logs)")
            if healthy(self.url, timeout=2):
                return self
            time.sleep(0.5)
        raise RuntimeError("prefect server start did not answer in 600 s")

    def cpu(self) -> float:
        """CPU seconds the server (and its child processes) has used so far."""
        return processes_cpu(self.proc.pid)

    def env(self) -> dict:
        return child_env(FAZHI_PREFECT_SERVER="auto", FAZHI_PREFECT_SERVER_URL=self.url)

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# -- 1. rules against the anchors and the floor ------------------------------------------------

def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n") if p.strip()]


def rules_rows(rounds: int, recognizers_chars: int, max_chars: int | None = None) -> list[Row]:
    from extractors import document_meta, extract
    from fazhi.ingest.clean import clean_text

    texts = [clean_text(t) for t in corpus.iter_texts(corpus.reports_dir(), max_chars)]
    paras = [p for t in texts for p in _paragraphs(t)]
    chars = sum(map(len, texts))
    rows: list[Row] = []

    def rules_on(ts):
        """The rules as the documents stage pays them on a text file: the document's identity
        (``document_meta``, for the documents row) and ``extract`` with its body (``org``), so the
        rules do not look for it again; both timed."""
        return timed(lambda: [extract(t, org=document_meta(t).org) for t in ts])

    rules_all = rules_on(texts)
    scan = alternate("scan", rules_all, timed(lambda: [sum(1 for _ in STRONG_SCAN.finditer(t)) for t in texts]),
                     rounds, "rules", "strong scan", warm=True)
    r_cps = chars / scan.median_a
    rows.append(Row("rules", f"rules chars/s ({len(texts)} reports, {chars / 1e6:.2f}M chars)", _rate(r_cps),
                    f"{_rate(chars / max(scan.a))}-{_rate(chars / min(scan.a))}", scan.load_text(),
                    "1.1-1.5M (loaded)", "as the documents stage pays them: document_meta + extract(org=…)",
                    data=scan.as_dict()))
    orgs = [document_meta(t).org for t in texts]
    given = alternate("given", rules_all, timed(lambda: [extract(t, org=o) for t, o in zip(texts, orgs)]),
                      rounds, "rules", "extract with the body given", warm=True)
    rows.append(Row("rules", "extract(text, org=…) chars/s (the identity made untimed)", _rate(chars / given.median_b),
                    f"{_rate(chars / max(given.b))}-{_rate(chars / min(given.b))}", given.load_text(), "",
                    f"{given.ratio:.2f}× the rules' time: the rules without document_meta", data=given.as_dict()))
    alone = alternate("alone", rules_all, timed(lambda: [extract(t) for t in texts]), rounds,
                      "rules", "extract alone", warm=True)
    rows.append(ratio_row("rules", "extract(text) alone (finds the body itself) slower than the rules", alone,
                          "", "a library call or fazhi explain; the flow passes the identity's body"))
    ident = alternate("identity", rules_all, timed(lambda: [document_meta(t) for t in texts]), rounds,
                      "rules", "document_meta", warm=True)
    rows.append(Row("rules", "document identity (document_meta) chars/s", _rate(chars / ident.median_b),
                    f"{_rate(chars / max(ident.b))}-{_rate(chars / min(ident.b))}", ident.load_text(), "",
                    f"{ident.ratio:.2f}× the rules' time; once per document, in the documents stage",
                    data=ident.as_dict()))
    rows.append(Row("rules", "strong one-class scan chars/s", _rate(chars / scan.median_b),
                    f"{_rate(chars / max(scan.b))}-{_rate(chars / min(scan.b))}", scan.load_text(), "36M"))
    rows.append(ratio_row("rules", "rules slower than the strong scan", _inverse(scan), "27×",
                          "one pass of one character class with %/units: the floor any extractor pays"))

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            import jionlp
        except Exception as exc:
            jionlp = None
            rows.append(Row("rules", "rules faster than JioNLP extract_money", "not installed", before="1.32×",
                            note=f"pip install -e '.[bench]' ({type(exc).__name__})"))
    if jionlp is not None:
        money = jionlp.ner.extract_money
        with contextlib.redirect_stdout(io.StringIO()):
            c = alternate("jionlp", rules_all, timed(lambda: [money(p) for p in paras]), rounds,
                          "rules", "jionlp")
        rows.append(ratio_row("rules", "rules faster than JioNLP extract_money (money only)", c, "1.32×",
                              "per paragraph, same texts"))
    try:
        import cn2an
    except Exception as exc:
        rows.append(Row("rules", "rules faster than cn2an transform", "not installed", before="3.05×",
                        note=f"pip install -e '.[bench]' ({type(exc).__name__})"))
    else:
        def cn2an_all():
            with warnings.catch_warnings():  # it warns on every numeral it cannot read (十四五, 万亿)
                warnings.simplefilter("ignore")
                for p in paras:
                    try:
                        cn2an.transform(p, "cn2an")
                    except Exception:
                        pass
        c = alternate("cn2an", rules_all, timed(cn2an_all), rounds, "rules", "cn2an")
        rows.append(ratio_row("rules", "rules faster than cn2an.transform (Chinese numerals only)", c, "3.05×",
                              "per paragraph, same texts"))
    try:
        from recognizers_number import NumberRecognizer
        from recognizers_number_with_unit import NumberWithUnitRecognizer
        from recognizers_text import Culture
    except Exception as exc:
        rows.append(Row("rules", "rules faster than Recognizers-Text", "not installed", before="164×",
                        note=f"pip install -e '.[bench]' ({type(exc).__name__})"))
    else:
        nr, ur = NumberRecognizer(Culture.Chinese), NumberWithUnitRecognizer(Culture.Chinese)
        models = [nr.get_number_model(), nr.get_percentage_model(), ur.get_currency_model(),
                  ur.get_dimension_model()]
        sl, left = [], recognizers_chars
        for t in texts:
            if left <= 0:
                break
            sl.append(t[:left])
            left -= len(sl[-1])
        sl_paras = [p for t in sl for p in _paragraphs(t)]
        c = alternate("recognizers", rules_on(sl),
                      timed(lambda: [m.parse(p) for p in sl_paras for m in models]),
                      max(2, rounds // 2), "rules", "recognizers")
        rows.append(ratio_row("rules", f"rules faster than Recognizers-Text ({sum(map(len, sl)) // 1000}k chars)",
                              c, "164×", "number, percentage, currency, dimension models per paragraph"))
    return rows


def _inverse(c: Compared) -> Compared:
    return Compared(c.name, c.b_label, c.a_label, a=c.b, b=c.a, load=c.load, extra=c.extra)


# -- 2. start-up of `fazhi run` on one small file ------------------------------------------------

PROBE = r"""
import json, sys, time
stamps = {"start": (time.time(), time.process_time())}
from fazhi.settings import Settings
from flows.server import prefect_api
import flows.pipeline as fp
stamps["imports"] = (time.time(), time.process_time())
settings = Settings.load(lake=sys.argv[2], ner_model="none", progress=False)
with prefect_api(settings) as api:
    stamps["server"] = (time.time(), time.process_time())
    fp.run_pipeline(sources=[sys.argv[1]], settings=settings)
    stamps["flow"] = (time.time(), time.process_time())
stamps["stop"] = (time.time(), time.process_time())
print("@@PROBE@@" + json.dumps(stamps))
"""


def small_file() -> Path:
    p = CACHE / "one" / "one.txt"
    if not p.is_file():
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("某市2023年法治政府建设年度报告\n全年办理行政复议案件125件，办结率98.5%，"
                     "投入资金3.2亿元。\n", encoding="utf-8")
    return p


def startup_rows(rounds: int, server: RunningServer, real: bool = True) -> list[Row]:
    """A probe that does what ``fazhi run`` does (settings, the Prefect API choice, the flow), with
    time stamps: interpreter, imports, server start, flow, server stop, exit; alternated between a
    temporary server and the running one. ``real``: ``fazhi run`` itself once per kind too."""
    one = small_file()
    logs = CACHE / "logs"
    temp_env = child_env(FAZHI_PREFECT_SERVER="temporary")
    splits: dict[str, list[dict]] = {"temporary": [], "running": []}

    def probe(kind, env):
        def go() -> float:
            with tempfile.TemporaryDirectory(prefix="bench-lake-") as lake:
                t_spawn = time.time()
                wall, _, rc, out, cpu = run_child([sys.executable, "-c", PROBE, str(one), lake], env,
                                                  logs / "startup.log", server if kind == "running" else None)
                t_end = t_spawn + wall
            line = next((x for x in out.splitlines() if x.startswith("@@PROBE@@")), None)
            if rc or line is None:
                raise RuntimeError(f"the start-up probe exited {rc} (see {logs / 'startup.log'})")
            st = json.loads(line[len("@@PROBE@@"):])
            order = ["start", "imports", "server", "flow", "stop"]
            names = {"imports": "imports", "server": "server", "flow": "flow", "stop": "server stop"}
            split = {"wall": wall, "cpu": cpu, "wall interpreter": st["start"][0] - t_spawn,
                     "wall exit": t_end - st["stop"][0], "cpu interpreter": st["start"][1]}
            for prev, cur in zip(order, order[1:]):
                split[f"wall {names[cur]}"] = st[cur][0] - st[prev][0]
                split[f"cpu {names[cur]}"] = st[cur][1] - st[prev][1]
            split["cpu other processes"] = cpu - st["stop"][1]   # a server's, the exit's
            splits[kind].append(split)
            return cpu
        return go

    c = alternate("startup", probe("running", server.env()), probe("temporary", temp_env), rounds,
                  "running server", "temporary server")
    rows = [Row("start-up", "run on one small file, NER off, temporary server", _s(c.median_b),
                f"{_s(min(c.b))}-{_s(max(c.b))}", c.load_text(), "21-27 s", data={**c.as_dict(), "splits": splits}),
            Row("start-up", "run on one small file, NER off, running server", _s(c.median_a),
                f"{_s(min(c.a))}-{_s(max(c.a))}", c.load_text(), "-"),
            ratio_row("start-up", "temporary / running server", c)]
    for kind in ("temporary", "running"):
        parts = splits[kind]
        med = {k: statistics.median(p[k] for p in parts) for k in parts[0]}
        for clock in ("cpu", "wall"):
            rows.append(Row("start-up", f"  split, {kind} server, {clock} (this process; other: server, exit)",
                            ", ".join(f"{k.split(' ', 1)[1]} {_s(v)}" for k, v in med.items()
                                      if k.startswith(clock + " ") and v > 0.05),
                            load=c.load_text(),
                            before=("imports 8.5 s, boot 7-11 s, shutdown 2.1-2.5 s (wall)"
                                    if kind == "temporary" and clock == "wall" else "")))
    if real:
        for kind, env in (("running", server.env()), ("temporary", temp_env)):
            with tempfile.TemporaryDirectory(prefix="bench-lake-") as lake:
                l0 = load1()
                wall, _, rc, out, cpu = run_child(fazhi("run", str(one), "--lake", lake, "-q"), env,
                                                  logs / "startup.log", server if kind == "running" else None)
            rows.append(Row("start-up", f"`fazhi run` itself, one small file, {kind} server (once): CPU, wall",
                            f"{_s(cpu)}, {_s(wall)}" if not rc else f"exit {rc}", load=f"{l0:.1f}",
                            before="21-27 s" if kind == "temporary" else ""))
    return rows


# -- 3. marginal cost per document; the stages without Prefect -----------------------------------

# what a cached lake of :func:`copies` was built from (a lake built otherwise is built again)
COPIES_LAYOUT = "one folder: x0/ … of distinct sources"


def copies(n: int, times: int) -> list[str]:
    """The first ``n`` reports of each of the first ``times`` copies (distinct files), as one folder
    to pass (``x0/``, ``x1/`` …, hard links to :func:`bench.corpus.reports_times`' files).

    One folder, not the files: the lake keeps a local file's path relative to the folder given
    (its own folder for a file given by itself), so copies of the same name given as files
    would be one document with ``times`` versions, not ``times × n`` documents."""
    x4 = corpus.reports_times(4)
    dest = CACHE / f"reports-{n}x{times}"
    names = [corpus.files(x4 / f"x{k}")[:n] for k in range(times)]
    if (dest / ".done").is_file() and (dest / ".done").read_text() == corpus.source_name():
        return [str(dest)]
    shutil.rmtree(dest, ignore_errors=True)
    for k, files in enumerate(names):
        (dest / f"x{k}").mkdir(parents=True)
        for p in files:
            try:
                os.link(p, dest / f"x{k}" / p.name)
            except OSError:
                shutil.copy(p, dest / f"x{k}" / p.name)
    (dest / ".done").write_text(corpus.source_name())
    return [str(dest)]


def built(lake: Path) -> bool:
    """A cached lake built by this bench from :func:`copies` as they are now."""
    done = lake / ".done"
    return done.is_file() and done.read_text(encoding="utf-8") == COPIES_LAYOUT


def mark_built(lake: Path) -> None:
    (lake / ".done").write_text(COPIES_LAYOUT, encoding="utf-8")


def marginal_rows(rounds: int, server: RunningServer, n: int = 72) -> list[Row]:
    n_dir, n2 = copies(n, 1), copies(n, 2)
    logs = CACHE / "logs"

    def run_on(srcs):
        def go() -> float:
            with tempfile.TemporaryDirectory(prefix="bench-lake-") as lake:
                wall, _, rc, out, cpu = run_child(fazhi("run", *srcs, "--lake", lake, "-q"), server.env(),
                                                  logs / "marginal.log", server)
                if rc:
                    raise RuntimeError(f"fazhi run exited {rc}: {out[-500:]}")
            return cpu
        return go

    c = alternate("marginal", run_on(n_dir), run_on(n2), rounds, f"{n} docs", f"{2 * n} docs")
    per_doc = [(b - a) / n for a, b in zip(c.a, c.b)]
    rows = [Row("tasks per batch", f"`fazhi run` {n} reports, NER off, running server: CPU (client + server)",
                _s(c.median_a),
                f"{_s(min(c.a))}-{_s(max(c.a))}", c.load_text(), "", data=c.as_dict()),
            Row("tasks per batch", f"`fazhi run` {2 * n} reports, NER off, running server: CPU", _s(c.median_b),
                f"{_s(min(c.b))}-{_s(max(c.b))}", c.load_text()),
            Row("tasks per batch", "marginal CPU per document, NER off ((T(2N) - T(N)) / N)",
                _s(statistics.median(per_doc)), f"{_s(min(per_doc))}-{_s(max(per_doc))}", c.load_text(), "125 ms")]

    # the same stages and load in this process, no Prefect: run_local on N and 2N
    from fazhi.pipeline.batch import run_local
    from fazhi.settings import Settings

    def local(srcs):
        def go() -> float:
            with tempfile.TemporaryDirectory(prefix="bench-lake-") as lake:
                t0 = time.process_time()
                run_local(srcs, Settings.load(lake=lake, ner_model="none", progress=False))
                return time.process_time() - t0
        return go

    d = alternate("local", local(n_dir), local(n2), rounds, f"{n} docs", f"{2 * n} docs", warm=True)
    per_local = [(b - a) / n for a, b in zip(d.a, d.b)]
    rows += [Row("tasks per batch", f"stages + load without Prefect (run_local), {n} reports, CPU",
                 _s(d.median_a),
                 f"{_s(min(d.a))}-{_s(max(d.a))}", d.load_text(), "3.4 s", data=d.as_dict()),
             Row("tasks per batch", "run_local marginal CPU per document", _s(statistics.median(per_local)),
                 f"{_s(min(per_local))}-{_s(max(per_local))}", d.load_text(), "~32 ms (stages)"),
             Row("tasks per batch", "Prefect's share of the marginal cost",
                 f"{100 * (1 - statistics.median(per_local) / statistics.median(per_doc)):.0f}%",
                 note="1 - run_local / fazhi run, per document", before="73% of CPU")]
    return rows


# -- 4. the nightly over unchanged documents --------------------------------------------------

def nightly_lake(count: int) -> tuple[Path, list[str], float]:
    """A lake holding ``count`` small generated documents, loaded once without Prefect and cached;
    built from the largest smaller lake already made (copied, then the remaining folders added)."""
    folder = corpus.small_docs(count)
    subs = sorted(str(p) for p in folder.iterdir() if p.is_dir())[: -(-count // corpus.PER_FOLDER)]
    lake = CACHE / f"nightly-lake-{count}"
    built = 0.0
    if not (lake / ".done").is_file():
        from fazhi.pipeline.batch import run_local
        from fazhi.settings import Settings

        shutil.rmtree(lake, ignore_errors=True)
        smaller = sorted((int(p.name.rsplit("-", 1)[1]), p) for p in CACHE.glob("nightly-lake-*")
                         if (p / ".done").is_file() and int(p.name.rsplit("-", 1)[1]) < count)
        todo = subs
        if smaller:
            k, base = smaller[-1]
            shutil.copytree(base, lake, symlinks=True)
            (lake / ".done").unlink()
            todo = subs[k // corpus.PER_FOLDER:]
        t0 = time.perf_counter()
        run_local(todo, Settings.load(lake=str(lake), ner_model="none", progress=False), batch_size=256)
        built = time.perf_counter() - t0
        (lake / ".done").write_text(json.dumps({"built_s": built}))
    return lake, subs, built


def nightly_rows(rounds: int, server: RunningServer, counts: tuple[int, int], target: int = 100_000) -> list[Row]:
    logs = CACHE / "logs"
    made = {k: nightly_lake(k) for k in counts}

    def rerun(k, check=True):
        lake, subs, _ = made[k]

        def go() -> float:
            gen = sorted(p.name for p in (lake / "gen").iterdir()) if (lake / "gen").is_dir() else []
            wall, _, rc, out, cpu = run_child(fazhi("run", *subs, "--lake", str(lake), "-q"), server.env(),
                                              logs / "nightly.log", server)
            walls[k].append(wall)
            if rc:
                raise RuntimeError(f"fazhi run exited {rc}: {out[-500:]}")
            after = sorted(p.name for p in (lake / "gen").iterdir()) if (lake / "gen").is_dir() else []
            if check and after != gen:
                raise RuntimeError(f"an unchanged run wrote a new generation in {lake}")
            return cpu
        return go

    a, b = counts
    walls: dict[int, list[float]] = {a: [], b: []}
    for k in counts:  # once, untimed: brings a cached lake up to this rule set and cleaner (writes if they changed)
        rerun(k, check=False)()
    walls = {a: [], b: []}
    c = alternate("nightly", rerun(a), rerun(b), rounds, f"{a:,}", f"{b:,}")
    per_doc = [(tb - ta) / (b - a) for ta, tb in zip(c.a, c.b)]
    fixed = [ta - p * a for ta, p in zip(c.a, per_doc)]
    pd, fx = statistics.median(per_doc), statistics.median(fixed)
    est = fx + pd * target
    return [Row("nightly", f"unchanged rerun, {a:,} documents (writes nothing), CPU client + server",
                _s(c.median_a),
                f"{_s(min(c.a))}-{_s(max(c.a))}", c.load_text(), "30 s for 72", data={**c.as_dict(), "walls": walls}),
            Row("nightly", f"unchanged rerun, {b:,} documents, CPU (wall {_s(statistics.median(walls[b]))})",
                _s(c.median_b),
                f"{_s(min(c.b))}-{_s(max(c.b))}", c.load_text(), "57 s for 1,152"),
            Row("nightly", "unchanged rerun: CPU per document / fixed CPU", f"{pd * 1000:.2f} ms / {_s(fx)}",
                f"{min(per_doc) * 1000:.2f}-{max(per_doc) * 1000:.2f} ms", c.load_text()),
            Row("nightly", f"unchanged rerun, {target:,} documents (extrapolated from the two)", _s(est),
                load=c.load_text(), before="goal < 2 min",
                note="met" if est < 120 else "not met",
                data={"built_s": {k: v[2] for k, v in made.items()}})]


# -- 5. reextract memory in lake size -----------------------------------------------------------

def reports_lake(n: int, times: int) -> Path:
    """A lake of the first ``n`` reports × ``times`` (distinct files), loaded once without Prefect, NER off."""
    lake = CACHE / f"reports-lake-{n}x{times}"
    if not built(lake):
        from fazhi.pipeline.batch import run_local
        from fazhi.settings import Settings

        shutil.rmtree(lake, ignore_errors=True)
        run_local(copies(n, times), Settings.load(lake=str(lake), ner_model="none", progress=False))
        mark_built(lake)
    return lake


def changed_rules() -> Path:
    """A copy of the rule files with one comment more: another rule set, the same records."""
    dest = CACHE / "rules-changed"
    src = ROOT / "extractors" / "rules"
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(src, dest)
    first = sorted(dest.glob("*.toml"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\n# bench: another rule set\n", encoding="utf-8")
    return dest


def reextract_rows(rounds: int, server: RunningServer, n: int = 72) -> list[Row]:
    rules = changed_rules()
    logs = CACHE / "logs"
    lakes = {1: reports_lake(n, 1), 4: reports_lake(n, 4)}
    rss: dict[int, list[float]] = {1: [], 4: []}
    waited: dict[int, list[float]] = {1: [], 4: []}  # ru_maxrss from os.wait4, for comparison

    def reextract(k):
        def go() -> float:
            with tempfile.TemporaryDirectory(prefix="bench-lake-") as tmp:
                lake = Path(tmp) / "lake"
                shutil.copytree(lakes[k], lake, symlinks=True)
                hwm = Path(tmp) / "peak"
                wall, maxrss, rc, out, cpu = run_child(
                    peak_command(hwm, "fazhi.cli", "reextract", "--lake", str(lake), "--rules", str(rules), "-q"),
                    server.env(), logs / "reextract.log", server)
                if rc:
                    raise RuntimeError(f"fazhi reextract exited {rc}: {out[-500:]}")
                # the child's own peak (VmHWM, bench.peak): os.wait4's ru_maxrss starts from this
                # process's high-water mark, so it would report the bench's peak
                rss[k].append(read_mb(hwm))
                waited[k].append(maxrss)
            return cpu
        return go

    c = alternate("reextract", reextract(1), reextract(4), rounds, f"{n}", f"{4 * n}")
    r1, r4 = statistics.median(rss[1]), statistics.median(rss[4])
    w1, w4 = statistics.median(waited[1]), statistics.median(waited[4])
    return [Row("reextract", f"`fazhi reextract` {n} reports (another rule set), CPU", _s(c.median_a),
                f"{_s(min(c.a))}-{_s(max(c.a))}", c.load_text(), data={**c.as_dict(), "rss": rss, "waited": waited}),
            Row("reextract", f"`fazhi reextract` {4 * n} reports, CPU", _s(c.median_b),
                f"{_s(min(c.b))}-{_s(max(c.b))}", c.load_text()),
            Row("reextract", f"peak RSS reextract {n} / {4 * n} reports", f"{r1:.0f} / {r4:.0f} MB",
                f"{min(rss[4]) / max(rss[1]):.2f}-{max(rss[4]) / min(rss[1]):.2f}×", c.load_text(),
                note=f"4N/N = {r4 / r1:.2f}× ({'flat' if r4 / r1 <= 1.1 else 'grows'}); the child's own VmHWM "
                     f"(bench.peak); os.wait4's ru_maxrss {w1:.0f} / {w4:.0f} MB, at least this process's "
                     f"{_own_peak_mb():.0f} MB")]


def _own_peak_mb() -> float:
    from .peak import peak_kb

    return peak_kb() / 1024


# -- 6. NER ---------------------------------------------------------------------------------

def ner_rows(rounds: int, ner_chars: int, e2e_docs: int) -> list[Row]:
    from extractors import document_meta, extract
    from fazhi.ingest.clean import clean_text
    from fazhi.pipeline import stages

    texts, left = [], ner_chars
    for t in corpus.iter_texts(corpus.reports_dir()):
        if left <= 0:
            break
        t = clean_text(t)[:left]
        texts.append(t)
        left -= len(t)
    chars = sum(map(len, texts))
    rows: list[Row] = []
    try:
        t0 = time.perf_counter()
        stages.ner_entities("warm", "0" * 64, texts[0][:2000])
        load_s = time.perf_counter() - t0
    except Exception as exc:
        return [Row("NER", "NER stage chars/s", "not loadable", before="9.5k",
                    note=f"{type(exc).__name__}: {str(exc)[:100]}; `make model`")]

    def ner_all():
        for i, t in enumerate(texts):
            stages.ner_entities(f"d{i}", "0" * 64, t)

    orgs = [document_meta(t).org for t in texts]  # the rules as the documents stage calls them
    c = alternate("ner", timed(lambda: [extract(t, org=o) for t, o in zip(texts, orgs)]), timed(ner_all), rounds,
                  "rules", "ner")
    rows += [Row("NER", f"NER stage chars/s (default model, {chars // 1000}k chars, load {_s(load_s)})",
                 _rate(chars / c.median_b), f"{_rate(chars / max(c.b))}-{_rate(chars / min(c.b))}",
                 c.load_text(), "9.5k", "goal ≥ 50k per core", c.as_dict()),
             ratio_row("NER", "NER stage slower than the rules", c, "50×")]

    # the whole run without Prefect, NER on and off: separate rows
    from fazhi.pipeline.batch import run_local
    from fazhi.settings import Settings

    folder = corpus.reports_head(e2e_docs)

    def local(model):
        def go() -> None:
            with tempfile.TemporaryDirectory(prefix="bench-lake-") as lake:
                run_local([str(folder)], Settings.load(lake=lake, ner_model=model, progress=False))
        # the NER stage runs in a budget worker process: its CPU is counted (timed_tree)
        return timed_tree(go)

    d = alternate("ner-e2e", local("none"), local("rules"), max(3, rounds), "NER off", "NER on")
    rows += [Row("NER", f"stages + load, {e2e_docs} reports, NER off (run_local)", _s(d.median_a),
                 f"{_s(min(d.a))}-{_s(max(d.a))}", d.load_text(), data=d.as_dict()),
             Row("NER", f"stages + load, {e2e_docs} reports, NER on (run_local)", _s(d.median_b),
                 f"{_s(min(d.b))}-{_s(max(d.b))}", d.load_text(), "fazhi run 72, NER on: 158-173 s"),
             Row("NER", "NER share of the run", f"{100 * (1 - d.median_a / d.median_b):.0f}%", before="81%")]
    return rows


# -- 7. fazhi sql against DuckDB's own reader on the 10M-record lake ----------------------------------

SQL = {
    "group by category × org × year": """
        SELECT r.category, d.org, d.report_year, count(*) AS n, sum(r.value) AS total
        FROM records r JOIN documents d USING (doc_id, content_sha256) GROUP BY ALL""",
    "top 20 amounts": """
        SELECT d.org, d.name, r.value, r.unit, r.subject, r.text
        FROM records r JOIN documents d USING (doc_id, content_sha256)
        WHERE r.type = 'amount' ORDER BY r.value DESC LIMIT 20""",
}


def sql_rows(rounds: int, rows_in_lake: int) -> list[Row]:
    logs = CACHE / "logs"
    wall, peak, rc, out, _ = run_child([sys.executable, "-m", "bench.lake10m", "--rows", str(rows_in_lake),
                                     "--fazhi-lake", "--no-queries"], child_env(), logs / "lake10m.log")
    line = next((x for x in out.splitlines() if x.startswith("@@LAKE@@")), None)
    if rc or line is None:
        return [Row("sql", "10M lake", f"build failed (exit {rc})", note=f"see {logs / 'lake10m.log'}")]
    info = json.loads(line[len("@@LAKE@@"):])
    built = info.get("build_peak_rss_mb")
    rows = [Row("sql", f"lake build: {info['info']['records']:,} records"
                       + (f", built now in {_s(info['built_s'])}" if info.get("built_s") else " (cached)"),
                f"peak RSS {built:.0f} MB" if built else "build peak not recorded", before="10 GB peak",
                note="DuckDB memory_limit 2 GB")]

    import duckdb

    from fazhi.lake.store import Lake
    from fazhi.query.sql import query

    lake = Lake(info["fazhi_lake"])
    con = duckdb.connect()
    con.execute("SET threads = 2")
    for name in ("records", "documents"):
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{lake.table_path(name)}')")
    for name, sql in SQL.items():
        c = alternate(name, timed(lambda sql=sql: con.execute(sql).fetchall()),
                      timed(lambda sql=sql: query(lake, sql)), rounds, "read_parquet", "fazhi sql", warm=True)
        rows.append(ratio_row("sql", f"`fazhi sql` / DuckDB read_parquet: {name} "
                                     f"({_s(c.median_b)} vs {_s(c.median_a)})", c,
                              "2.3×" if name.startswith("group") else "20×", "goal ≤ 1.3×"))
    walls, cpus = [], []
    l0 = load1()
    for _ in range(rounds):
        wall, _, rc, _, cpu = run_child(fazhi("sql", "SELECT 1", "--lake", str(lake.root)), child_env(),
                                        logs / "sql.log")
        walls.append(wall)
        cpus.append(cpu)
    rows.append(Row("sql", '`fazhi sql "SELECT 1"`: CPU (wall)',
                    f"{_s(statistics.median(cpus))} ({_s(statistics.median(walls))})",
                    f"{_s(min(cpus))}-{_s(max(cpus))}", f"{l0:.1f}-{load1():.1f}", "1.41 s", "goal < 0.5 s"))
    return rows


# -- 8. Dask ----------------------------------------------------------------------------------

def dask_rows(rounds: int, server: RunningServer, ner: bool) -> list[Row]:
    x4 = corpus.reports_times(4)
    srcs = [str(x4 / f"x{i}") for i in range(4)]
    n = sum(len(corpus.files(Path(s))) for s in srcs)
    logs = CACHE / "logs"
    env = server.env() if not ner else {**server.env(), "FAZHI_NER_MODEL": "fazhi"}
    walls: dict[int, list[float]] = {0: [], 2: []}

    def run_with(workers):
        def go() -> float:
            with tempfile.TemporaryDirectory(prefix="bench-lake-") as lake:
                args = ["run", *srcs, "--lake", lake, "-q"] + (["--workers", str(workers)] if workers else [])
                wall, _, rc, out, cpu = run_child(fazhi(*args), env, logs / "dask.log", server)
                if rc:
                    raise RuntimeError(f"fazhi run exited {rc}: {out[-500:]}")
            walls[workers].append(wall)
            return wall
        return go

    c = alternate("dask", run_with(2), run_with(0), rounds, "2 workers", "one process")
    label = "NER on" if ner else "NER off"
    return [Row("dask", f"`fazhi run` {n} reports, {label}, one process", _s(c.median_b),
                f"{_s(min(c.b))}-{_s(max(c.b))}", c.load_text(), data=c.as_dict()),
            Row("dask", f"`fazhi run` {n} reports, {label}, 2 Dask workers", _s(c.median_a),
                f"{_s(min(c.a))}-{_s(max(c.a))}", c.load_text()),
            ratio_row("dask", f"Dask 2 workers speed-up ({label})", c, "0.18-1.01×",
                      "goal ≥ 1.7× with NER on" + ("" if ner else "; this row is NER off"))]
