"""Hardening: one hostile input never stalls or crashes a run, and nothing comes in that should not.

Each case of the ingestion attack is a test here: inputs that used to hang or
crash the run (backtracking, deep nesting, odd file names, slow headers,
damaged encodings), sources that reached what they should not (internal
addresses, system files, nested compression, credentials, a lying
Content-Length), and the per-document budgets. The last test feeds all the
hostile inputs together with the samples through one real run. Servers are
on 127.0.0.1 only; every wait is bounded.
"""
from __future__ import annotations

import gzip
import os
import time
from pathlib import Path

import pytest
from faultserver import FaultServer, Route
from typer.testing import CliRunner

from conftest import SAMPLE_NAMES, SAMPLES
from fazhi.ids import doc_id, printable, public_source, redact
from fazhi.ingest import fetch as fetchmod
from fazhi.ingest.decode import DecodeError, decode_bytes
from fazhi.ingest.fetch import (
    FetchError,
    FetchPolicy,
    FetchTimeout,
    LengthMismatch,
    RedirectError,
    TooLarge,
)
from fazhi.ingest.formats import _starts_with_html_tag, looks_like_html, to_text
from fazhi.ingest.html import bounded_nesting, main_text, strip_title_suffix
from fazhi.ingest.sources import (
    Listing,
    expand_sources,
    resolve_listing,
)
from fazhi.pipeline.failures import failure_row

SEED = (SAMPLES / SAMPLE_NAMES[2]).read_text(encoding="utf-8")
GBK_NAME = b"\xb7\xa8\xd6\xce\xd5\xfe\xb8\xae.txt"   # 法治政府.txt in GBK: not UTF-8


def _policy(**kw) -> FetchPolicy:
    base = dict(timeout=2.0, deadline=5.0, retries=0, backoff=0.0, host_delay=0.0, allow_networks=("127.0.0.1/32",))
    base.update(kw)
    return FetchPolicy(**base)


# -- runs that one input could stall or crash -------------------------------------------

def test_html_detection_is_linear_in_leading_comments():
    page = "<!-- 栏目 -->\n" * 30 + "<script>var a = 1;</script>\n" + SEED[:600]
    started = time.monotonic()
    assert not looks_like_html(page)  # (each comment used to double the time: 22 took 17 s)
    assert looks_like_html("<!-- a -->" * 300 + "<html><body><p>x</p></body></html>")
    assert _starts_with_html_tag("<!-- a -->" * 20_000 + "<html>")
    assert not _starts_with_html_tag("<!-- a -->" * 20_000 + "<script>")
    assert looks_like_html('<?xml version="1.0"?>\n<!-- a -->\n<!DOCTYPE html><html>')
    assert time.monotonic() - started < 2
    content = to_text(page.encode("utf-8"))
    assert "法治" in content.text


def test_deep_nesting_parses_in_seconds():
    n = 100_000
    page = "<html><body>" + "<div>" * n + "<p>" + SEED[:200] + "</p>" + "</div>" * n + "</body></html>"
    started = time.monotonic()
    text = main_text(page)
    assert time.monotonic() - started < 30  # quadratic: > 500 s
    assert SEED[:200].splitlines()[0].strip() in text
    ordinary = "<html><body>" + "<div><p>a</p></div>" * 500 + "</body></html>"
    assert bounded_nesting(ordinary) == ordinary
    assert bounded_nesting("<div>" * 300 + "x" + "</div>" * 300, max_depth=10).count("<div>") == 10


def test_long_title_is_linear():
    title = "法治 " * 100_000 + "_某某区人民政府"
    started = time.monotonic()
    assert strip_title_suffix(title) == ("法治 " * 100_000).strip()
    page = f"<html><head><title>{'报告 ' * 12_000}</title></head><body><p>{SEED[:300]}</p></body></html>"
    main_text(page)
    assert time.monotonic() - started < 2
    assert strip_title_suffix("2023年法治政府建设年度报告_某某区人民政府") == "2023年法治政府建设年度报告"
    assert strip_title_suffix("某镇2023年法治政府建设情况报告 - 某某市政府门户网站") == "某镇2023年法治政府建设情况报告"
    assert strip_title_suffix("法治政府网-首页") == "法治政府网-首页"


def test_non_utf8_file_name_gets_an_id_and_a_failure_row(tmp_path):
    name = os.fsdecode(str(tmp_path).encode() + b"/" + GBK_NAME)
    assert doc_id(name) == doc_id(printable(name))
    assert printable(name).endswith("\\xb7\\xa8\\xd6\\xce\\xd5\\xfe\\xb8\\xae.txt")
    row = failure_row("run", "ingest", name, FileNotFoundError(2, "No such file", name))
    assert row["source"] == printable(name) and "b7" in row["message"]
    row["message"].encode("utf-8")  # storable
    lone = "报告\ud800.txt"
    assert printable(lone).encode("utf-8") and doc_id(lone)


def test_utf8_cut_by_its_last_byte_is_tolerated():
    data = SEED.rstrip().encode("utf-8")[:-1]
    got = decode_bytes(data)
    assert got.encoding == "utf-8" and "last character cut" in got.label
    assert got.text == SEED.rstrip()[:-1]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_decoded(codec):
    got = decode_bytes(SEED.encode(codec))
    assert got.text == SEED and got.encoding == codec
    assert "without byte-order mark" in got.label


def test_a_nul_byte_is_dropped_and_noted():
    data = SEED.encode("utf-8")
    got = decode_bytes(data[:100] + b"\x00" + data[100:])
    assert got.text == SEED and got.label == "utf-8 (1 NUL byte dropped)"
    gbk = SEED.encode("gb18030")
    assert decode_bytes(gbk[:50] + b"\x00" + gbk[50:]).text == SEED
    with pytest.raises(DecodeError):
        decode_bytes(b"\x00\x01\x02\x03" * 500)  # binary stays refused


def test_slow_headers_are_cut_by_the_deadline():
    with FaultServer() as server:
        url = server.add("/slow", Route(SEED.encode("utf-8"), "text/plain", behaviour="slow-headers"))
        started = time.monotonic()
        with pytest.raises(FetchTimeout, match="deadline"):
            fetchmod.fetch_url(url, policy=_policy(deadline=1.0, timeout=5.0))
        assert time.monotonic() - started < 4  # the headers alone would take ~13 s at this pace


# -- nothing in that should not be --------------------------------------------------------

LOOPBACK_SPELLINGS = ["localhost", "127.0.0.1", "2130706433", "0x7f000001", "0.0.0.0", "[::1]", "127.1",
                      "[::ffff:127.0.0.1]"]


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS)
def test_loopback_in_every_spelling_is_refused(host):
    with FaultServer() as server:
        server.add("/secret", Route(b"internal", "text/plain"))
        port = server.httpd.server_address[1]
        with pytest.raises(FetchError, match="not fetched"):
            fetchmod.fetch_url(f"http://{host}:{port}/secret", policy=_policy(allow_networks=()))
        assert server.hits["/secret"] == 0


@pytest.mark.parametrize("target", ["http://127.0.0.2:{port}/secret", "http://2130706434:{port}/secret",
                                    "http://0x7f000002:{port}/secret", "http://[::1]:{port}/secret",
                                    "http://0.0.0.0:{port}/secret", "http://169.254.169.254/latest/meta-data/",
                                    "http://10.0.0.1/", "http://192.168.1.1/", "http://[fe80::1]/"])
def test_a_redirect_to_an_internal_address_is_refused_at_its_hop(target):
    with FaultServer() as server:
        port = server.httpd.server_address[1]
        url = server.add("/go", Route(behaviour="redirect", location=target.format(port=port)))
        with pytest.raises(FetchError, match="not fetched"):
            fetchmod.fetch_url(url, policy=_policy())  # 127.0.0.1 allowed, nothing else


def test_an_allowed_network_is_fetched():
    with FaultServer() as server:
        url = server.add("/ok", Route(SEED.encode("utf-8"), "text/plain"))
        assert fetchmod.fetch_url(url, policy=_policy(allow_networks=("127.0.0.0/8",))).data == SEED.encode()
        with pytest.raises(FetchError, match="not fetched"):
            fetchmod.fetch_url(url, policy=_policy(allow_networks=("10.0.0.0/8",)))


def test_same_host_holds_across_redirects():
    with FaultServer() as server:
        port = server.httpd.server_address[1]
        server.add("/fzzf/index.html", Route(b"<html><body><a href='/fzzf/t1.html'>2023\xe5\xb9\xb4</a></body></html>",
                                            "text/html"))
        server.add("/fzzf/t1.html", Route(behaviour="redirect", location=f"http://localhost:{port}/elsewhere"))
        server.add("/elsewhere", Route(b"off the listing's host", "text/plain"))
        links = resolve_listing(Listing(url=server.url("/fzzf/index.html"), pattern=r"t\d+\.html$"))
        assert links == [server.url("/fzzf/t1.html")]
        with pytest.raises(RedirectError, match="another host"):
            fetchmod.fetch_url(links[0], policy=_policy())
        assert server.hits["/elsewhere"] == 0


def test_nested_compression_is_capped_across_layers():
    bomb = gzip.compress(gzip.compress(b"\x00" * (512 * 1024 * 1024)))  # ~1 KB on the wire, 512 MiB inside
    with FaultServer() as server:
        url = server.add("/bomb", Route(bomb, "text/plain", headers={"Content-Encoding": "gzip, gzip"}))
        started = time.monotonic()
        with pytest.raises(TooLarge, match="expands past"):
            fetchmod.fetch_url(url, policy=_policy(max_bytes=2 * 1024 * 1024))
        assert time.monotonic() - started < 10
        ok = server.add("/twice", Route(gzip.compress(gzip.compress(SEED.encode())), "text/plain",
                                        headers={"Content-Encoding": "gzip, gzip"}))
        assert fetchmod.fetch_url(ok, policy=_policy()).data == SEED.encode()


def test_credentials_are_sent_but_never_kept():
    with FaultServer() as server:
        url = server.add("/private/report.txt", Route(SEED.encode("utf-8"), "text/plain"))
        secret = url.replace("http://", "http://reader:s3cret@")
        got = fetchmod.fetch_url(secret, policy=_policy())
        auth = server.request_headers["/private/report.txt"][-1].get("Authorization")
        assert auth and auth.startswith("Basic ")
        assert "s3cret" not in got.source + (got.final_url or "") and got.source == url
        missing = secret.replace("report.txt", "gone.txt")
        with pytest.raises(Exception) as info:
            fetchmod.fetch_url(missing, policy=_policy())
        assert "s3cret" not in str(info.value)
    assert public_source(secret) == url and "s3cret" not in redact(f"GET {secret} failed")
    assert fetchmod.hide_credentials(secret) == url


def test_a_content_length_smaller_than_the_body_fails():
    body = SEED.encode("utf-8")
    with FaultServer() as server:
        url = server.add("/short", Route(body, "text/plain", headers={"Content-Length": str(len(body) // 2)},
                                         send_length=False))
        with pytest.raises(LengthMismatch, match="Content-Length"):
            fetchmod.fetch_url(url, policy=_policy())
        exact = server.add("/exact", Route(body, "text/plain"))
        assert fetchmod.fetch_url(exact, policy=_policy()).data == body


def test_a_kept_alive_connection_does_not_wait_for_its_read_timeout():
    # the body-length check peeks at the socket for bytes past Content-Length; on a connection the
    # server keeps open and silent that peek once waited the whole read timeout (60 s here)
    body = SEED.encode("utf-8")
    with FaultServer() as server:
        url = server.add("/page", Route(body, "text/plain"))
        started = time.monotonic()
        got = fetchmod.fetch_url(url, policy=_policy(timeout=60.0, deadline=120.0))
        took = time.monotonic() - started
    assert got.data == body
    assert took < 20, f"{took:.1f} s for one small page on 127.0.0.1"


def _refused(expanded) -> dict[str, str]:
    return {source: type(exc).__name__ for source, exc in expanded.failures}


def test_a_sources_file_names_only_files_under_its_folder(tmp_path):
    inside = tmp_path / "list" / "report.txt"
    inside.parent.mkdir()
    inside.write_text(SEED, encoding="utf-8")
    other = tmp_path / "other"
    other.mkdir()
    (other / "b.txt").write_text(SEED, encoding="utf-8")
    listing = tmp_path / "list" / "sources.txt"
    listing.write_text(f"report.txt\n/etc/passwd\n{other / 'b.txt'}\n", encoding="utf-8")
    got = expand_sources([str(listing)])
    assert list(got) == [str(inside)]
    assert _refused(got) == {"/etc/passwd": "LocalFileRefused", str(other / "b.txt"): "LocalFileRefused"}
    # a folder passed on the command line may be named by the sources file
    got = expand_sources([str(listing), str(other)])
    assert str(other / "b.txt") in got and "/etc/passwd" in _refused(got)
    toml = tmp_path / "list" / "sources.toml"
    toml.write_text('sources = ["report.txt", "/etc/shadow", "../other/b.txt"]\n', encoding="utf-8")
    got = expand_sources([str(toml)])
    assert list(got) == [str(inside)] and set(_refused(got).values()) == {"LocalFileRefused"}


def test_links_out_devices_and_proc_are_refused(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "good.txt").write_text(SEED, encoding="utf-8")
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    (folder / "environ.txt").symlink_to("/proc/self/environ")
    (folder / "zero").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe.txt")  # opening it would block the run
    got = expand_sources([str(folder)])
    assert list(got) == [str((folder / "good.txt").resolve())]
    assert set(_refused(got)) == {str(folder / n) for n in ("passwd.txt", "environ.txt", "zero", "pipe.txt")}
    direct = expand_sources(["/proc/self/environ", "/dev/zero"])
    assert list(direct) == [] and set(_refused(direct).values()) == {"LocalFileRefused"}
    with pytest.raises(fetchmod.NotFetched):
        fetchmod.fetch_file("/proc/self/environ")


# -- per-document budgets -----------------------------------------------------------------

def test_a_stage_past_its_time_budget_is_stopped():
    import budget_helpers as h

    from fazhi.pipeline import budget

    started = time.monotonic()
    with pytest.raises(budget.TimeBudgetExceeded):
        budget.run("extract", h.spin, 3, budget=budget.Budget(seconds=1, memory_mb=512))
    assert time.monotonic() - started < 20  # the worker's start-up and the one second
    assert budget.run("extract", h.echo, 7, budget=budget.Budget(seconds=30, memory_mb=512))[0] == 7


def test_a_stage_past_its_memory_budget_fails_alone():
    import budget_helpers as h

    from fazhi.pipeline import budget

    b = budget.Budget(seconds=60, memory_mb=300)
    with pytest.raises(budget.MemoryBudgetExceeded):
        budget.run("clean", h.hog, 1024, budget=b)
    assert budget.run("clean", h.hog, 50, budget=b) == 50 * 1024 * 1024
    with pytest.raises(budget.WorkerDied):
        budget.run("clean", h.die, 9, budget=b)
    with pytest.raises(Exception) as info:
        budget.run("clean", h.raise_odd, budget=b)
    assert type(info.value).__name__ == "Odd"
    assert budget.run("clean", h.echo, "again", budget=b)[0] == "again"


def test_a_prestarted_worker_warms_up_while_the_caller_goes_on(tmp_path):
    """The NER worker is started when a document is known to need it and loads its pipeline while
    the document's rules run: prestart returns before the warm-up ends; the first call waits for it."""
    import budget_helpers as h

    from fazhi.pipeline import budget

    b = budget.Budget(seconds=60, memory_mb=512)
    flag = tmp_path / "loaded"
    warm = (h.wait_for, (str(flag),))
    budget.prestart("ner", h.echo, budget=b, warm=warm)  # would never return if it waited for the warm-up
    flag.write_text("")
    value, pid = budget.run("ner", h.echo, "doc", budget=b, warm=warm)
    assert value == "doc"
    budget.prestart("ner", h.echo, budget=b, warm=warm)  # already up: the same process
    assert budget.run("ner", h.echo, "next", budget=b, warm=warm) == ("next", pid)
    # a warm-up that fails is the first document's error, and the next call starts again
    bad = (h.fail_to_load, ("/nowhere",))
    budget.prestart("ner", h.echo, budget=b, warm=bad)
    with pytest.raises(FileNotFoundError, match="/nowhere"):
        budget.run("ner", h.echo, "doc", budget=b, warm=bad)
    with pytest.raises(FileNotFoundError):
        budget.run("ner", h.echo, "doc", budget=b, warm=bad)


def test_a_stage_worker_under_dask_keeps_the_c_librarys_memory_default(monkeypatch):
    """A Dask worker's nanny sets MALLOC_TRIM_THRESHOLD_=65536 for its memory reports; the stage
    worker it starts must not inherit it (its NER would spend a third more CPU, much in the kernel),
    while the rest of the environment (threads) is passed on."""
    import budget_helpers as h

    from fazhi.pipeline import budget

    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    b = budget.Budget(seconds=60, memory_mb=333)  # a budget no other test uses: a fresh worker
    assert budget.run("clean", h.env_of, "MALLOC_TRIM_THRESHOLD_", budget=b) is None
    assert budget.run("clean", h.env_of, "OMP_NUM_THREADS", budget=b) == "1"


def test_the_worker_imports_the_callers_code_not_the_working_directorys(tmp_path, monkeypatch):
    """A run started in a folder that holds another checkout of the project (a fazhi/ package) gets
    workers that run the caller's code, not that folder's."""
    import budget_helpers as h

    from fazhi.pipeline import budget

    other = tmp_path / "fazhi"
    other.mkdir()
    (other / "__init__.py").write_text("raise ImportError('another checkout of fazhi')\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    b = budget.Budget(seconds=60, memory_mb=509)  # a budget of its own: a new worker, started here
    value, pid = budget.run("extract", h.echo, "mine", budget=b)
    assert value == "mine" and pid != os.getpid()


# A report whose NER is far past a few seconds (2M characters of sentences with an office word, every
# one segmented: ~25 s of CPU at 80k characters per second) and whose clean and extract take about one.
NER_HEAVY_SENTENCE = "桥头镇司法所开展法治宣传活动。"
NER_BUDGET_S = 5.0   # the seeds' NER takes < 0.5 s of CPU each


def _ner_heavy_report() -> str:
    return ("某镇人民政府2023年法治政府建设年度报告\n全年调解纠纷286宗。\n"
            + NER_HEAVY_SENTENCE * (2_000_000 // len(NER_HEAVY_SENTENCE)))


def test_ner_past_its_budget_is_a_failures_row_and_the_run_goes_on(prefect_server, samples_copy, tmp_path):
    """The NER stage is under its own time budget (``budget_ner_seconds``): a document past it is a
    failures row (stage ner) and keeps its document, text and records; the samples get their entities.
    The next run tries its NER again (it has no entities) and extracts nothing."""
    from fazhi.lake.store import Lake
    from fazhi.settings import Settings
    from flows.pipeline import run_pipeline

    heavy = samples_copy / "zz_ner_heavy.txt"
    heavy.write_text(_ner_heavy_report(), encoding="utf-8")
    settings = Settings.load(lake=tmp_path / "lake", ner_model="rules", budget_ner_seconds=NER_BUDGET_S)
    started = time.monotonic()
    result = run_pipeline(sources=[str(samples_copy)], settings=settings)
    took = time.monotonic() - started
    assert [(f["stage"], f["error_class"]) for f in result.failures] == [("ner", "TimeBudgetExceeded")]
    bad = result.failures[0]
    assert bad["source"].endswith("zz_ner_heavy.txt") and f"{NER_BUDGET_S:g} s budget" in bad["message"]
    lake = Lake(tmp_path / "lake")
    docs = {d["name"]: d for d in lake.read("documents").to_pylist()}
    assert sorted(docs) == sorted([*SAMPLE_NAMES, heavy.name])
    heavy_id = docs[heavy.name]["doc_id"]
    assert bad["doc_id"] == heavy_id
    # its other rows load: document, text, records; no entities
    texts = {t["doc_id"]: t["clean_text"] for t in lake.read("texts").to_pylist()}
    assert len(texts[heavy_id]) > 1_900_000
    assert heavy_id in set(lake.read("records").column("doc_id").to_pylist())
    ent_docs = set(lake.read("entities").column("doc_id").to_pylist())
    assert ent_docs == {d["doc_id"] for n, d in docs.items() if n != heavy.name}
    assert [(f["stage"], f["doc_id"]) for f in lake.read("failures").to_pylist()] == [("ner", heavy_id)]
    print(f"\nNER budget {NER_BUDGET_S:g} s: the run of 6 documents took {took:.1f} s")
    assert took < 300
    # the next run: nothing extracted, the stopped document's NER tried again (and stopped again)
    entities = lake.read("entities").to_pylist()
    again = run_pipeline(sources=[str(samples_copy)], settings=settings)
    assert again.stats["extracted"] == 0 and again.stats["reused"] == len(SAMPLE_NAMES) + 1
    assert [(f["stage"], f["doc_id"], f["error_class"]) for f in again.failures] == [
        ("ner", heavy_id, "TimeBudgetExceeded")]
    assert lake.read("entities").to_pylist() == entities


# -- the CLI's exit status --------------------------------------------------------------

def test_a_whole_run_failure_is_not_exit_1(prefect_server, tmp_path):
    from fazhi.cli import app

    not_a_folder = tmp_path / "lake"
    not_a_folder.write_text("a file where the lake should be", encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(SAMPLES / SAMPLE_NAMES[0]), "--lake", str(not_a_folder)])
    assert result.exit_code == 4, result.output
    bad = CliRunner().invoke(app, ["run", "--allow-network", "not-a-network", "--lake", str(tmp_path / "l2")])
    assert bad.exit_code == 2


# -- all of it together with the samples, through one real run ---------------------------------

def _hostile_folder(root: Path) -> dict[str, str | None]:
    """Hostile local inputs: file name -> the failures error class expected (None: must load)."""
    root.mkdir()
    seed = SEED.encode("utf-8")
    files = {
        "comments.html": ("<!-- c -->\n" * 30 + "<script>x()</script>\n<p>" + SEED + "</p>").encode(),
        "nesting.html": ("<html><body>" + "<div>" * 100_000 + "<p>" + SEED + "</p>" + "</div>" * 100_000
                         + "</body></html>").encode(),
        "title.html": (f"<html><head><title>{'报告 ' * 12_000}_某区人民政府</title></head><body><p>"
                       + SEED + "</p></body></html>").encode(),
        "cut.txt": seed.rstrip() + "法".encode()[:-1],  # truncated inside its last character
        "utf16.txt": ("某镇" + SEED).encode("utf-16-le"),
        "nul.txt": ("某街道" + SEED).encode()[:200] + b"\x00" + ("某街道" + SEED).encode()[200:],
        # a digit run that made the number scanner super-linear: loads, or is stopped by the time budget
        "digits.txt": ("某村2023年共办理信访件" + "1" * 10_000 + "件。\n" + SEED).encode(),
    }
    expected: dict[str, str | None] = {name: None for name in files}
    expected["digits.txt"] = "TimeBudgetExceeded?"
    for name, data in files.items():
        (root / name).write_bytes(data)
    gbk = os.fsencode(str(root)) + b"/" + GBK_NAME
    with open(gbk, "wb") as fh:
        fh.write(("某乡" + SEED).encode("gb18030"))
    expected[printable(os.fsdecode(gbk)).rsplit("/", 1)[1]] = None
    (root / "passwd.txt").symlink_to("/etc/passwd")
    expected["passwd.txt"] = "LocalFileRefused"
    os.mkfifo(root / "fifo.txt")
    expected["fifo.txt"] = "LocalFileRefused"
    return expected


def test_hostile_inputs_with_the_samples_in_one_run(prefect_server, tmp_path, monkeypatch):
    from fazhi.lake.store import Lake
    from flows.pipeline import run_pipeline

    for key, value in {"FAZHI_HTTP_TIMEOUT": "2", "FAZHI_HTTP_DEADLINE": "2", "FAZHI_HTTP_RETRIES": "0",
                       "FAZHI_HTTP_BACKOFF": "0", "FAZHI_MAX_DOWNLOAD_BYTES": str(4 * 1024 * 1024),
                       "FAZHI_BUDGET_SECONDS": "20"}.items():
        monkeypatch.setenv(key, value)
    hostile = tmp_path / "hostile"
    expected_local = _hostile_folder(hostile)
    listing = tmp_path / "sources.txt"
    listing.write_text("/etc/passwd\n/proc/self/environ\n", encoding="utf-8")
    body = SEED.encode("utf-8")
    with FaultServer() as server:
        port = server.httpd.server_address[1]
        web = {
            server.add("/slow", Route(body, "text/plain", behaviour="slow-headers")): "FetchTimeout",
            server.add("/ssrf", Route(behaviour="redirect", location=f"http://2130706434:{port}/x")): "FetchError",
            server.add("/bomb", Route(gzip.compress(gzip.compress(b"\x00" * (256 * 1024 * 1024))), "text/plain",
                                      headers={"Content-Encoding": "gzip, gzip"})): "TooLarge",
            server.add("/short", Route(body, "text/plain", headers={"Content-Length": "100"},
                                       send_length=False)): "LengthMismatch",
        }
        private = server.add("/private/report.txt", Route(("某社区" + SEED).encode(), "text/plain"))
        secret = private.replace("http://", "http://reader:s3cret@")
        sources = [str(SAMPLES), str(hostile), str(listing), *web, secret]
        result = run_pipeline(sources=sources, lake=str(tmp_path / "lake"))
    lake = Lake(tmp_path / "lake")
    docs = lake.read("documents").to_pylist()
    failures = result.failures
    by_name = {d["name"]: d for d in docs}
    # the samples load, every one
    assert set(SAMPLE_NAMES) <= set(by_name), sorted(by_name)
    # the damaged-but-readable inputs load; the refused ones are failures rows of the expected class
    failed = {f["source"]: f["error_class"] for f in failures}
    for name, error in expected_local.items():
        if error == "TimeBudgetExceeded?":
            assert name in by_name or failed.get(str((hostile / name).resolve())) == "TimeBudgetExceeded", name
        elif error is None:
            assert name in by_name, (name, failed)
        else:
            assert failed.get(str(hostile / name)) == error, (name, failed)
    assert failed.get("/etc/passwd") == "LocalFileRefused" and failed.get("/proc/self/environ") == "LocalFileRefused"
    for url, error in web.items():
        assert failed.get(url) == error, (url, failed)
    assert "report.txt" in by_name and by_name["report.txt"]["source"] == private
    # nothing lost, nothing twice: every source tried is one document or one failures row
    expanded = {public_source(src) for src in result.sources}
    # rows name a source as the run stored it (a URL, or a path relative to what was given)
    def named(src: str, names: set[str]) -> bool:
        return src in names or any(src.endswith("/" + s.lstrip("/")) for s in names)

    failure_names = {f["source"] for f in failures if f["stage"] != "ner"}
    failed_docs = {src for src in expanded if named(src, failure_names)}
    refused = [f for f in failures if f["stage"] != "ner" and not any(named(src, {f["source"]}) for src in expanded)]
    stored = {src for d in docs for src in (d["sources"] or [d["source"]])}
    loaded = {src for src in expanded if named(src, stored)}
    tried = len(expanded) + len(refused)
    lost = expanded - loaded - failed_docs
    assert not lost, lost
    assert len(docs) == len({(d["doc_id"], d["content_sha256"]) for d in docs}) == len(loaded)
    assert not loaded & failed_docs
    print(f"\nfigures: tried {tried}, loaded {len(loaded)}, failed as expected {len(refused) + len(failed_docs)}, "
          f"lost {len(lost)}, duplicated {len(docs) - len(loaded)}")
    # no credentials and no system file anywhere in the lake
    for table in ("documents", "records", "failures", "sources", "texts"):
        dump = str(lake.read(table).to_pylist())
        assert "s3cret" not in dump and "root:x:0:0" not in dump, table
