"""``fazhi run``, ``fazhi reextract``, ``fazhi serve``: the commands that run a flow.

Each builds one :class:`~fazhi.settings.Settings` from its flags (over
``FAZHI_*`` and defaults), picks the Prefect API (``flows.server``) before
Prefect is imported, runs the flow and prints the summary.

Exit status of ``run`` and ``reextract``: 0 every source loaded; 1 some
sources failed (each is a ``failures`` row, the others loaded); 2 the command
could not start (bad option, NER model missing, no Prefect server); 3 another
run held the lake's lock past ``--lock-timeout``; 4 the run itself crashed
(nothing was committed: the lake is as before).
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

import typer

from fazhi.cli.app import LakeOption, RulesOption, app, err, fail, out, require_lake
from fazhi.defaults import PROJECT_ROOT, samples_dir

if TYPE_CHECKING:  # pydantic-settings is imported by the commands that build Settings, not by `fazhi sql`
    from fazhi.settings import Settings

EXIT_PARTIAL, EXIT_USAGE, EXIT_LOCKED, EXIT_CRASH = 1, 2, 3, 4

def _settings(**flags) -> Settings:
    from fazhi.settings import Settings

    try:
        return Settings.load(**flags)
    except ValueError as exc:  # pydantic's ValidationError: a FAZHI_* value of the wrong type
        fail(str(exc).replace("\n", " "), EXIT_USAGE)


def _check_ner(settings: Settings) -> None:
    if settings.ner_model == "none":
        return
    from ner.annotate import check_model

    try:
        check_model(settings.ner_model)  # a missing model is an error before any document is read
    except (ImportError, FileNotFoundError) as exc:
        fail(str(exc), EXIT_USAGE, label="NER model")


def _run_flow(settings: Settings, body):
    """``body()`` with the Prefect API chosen; the errors of a whole run as one line and an exit status."""
    from fazhi.lake.lock import LakeLocked
    from flows.server import ServerStartError, prefect_api

    try:
        with prefect_api(settings) as api:
            if settings.verbose:
                err.print(f"Prefect API: {api.url} ({api.kind})", highlight=False)
            return body()
    except ServerStartError as exc:
        fail(str(exc), EXIT_USAGE, label="Prefect")
    except LakeLocked as exc:
        fail(str(exc), EXIT_LOCKED, label="lake locked")
    except FileNotFoundError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted; nothing was committed (the lake is as before)", 130)
    except Exception as exc:  # a crash of the whole run: one line, the traceback with --verbose
        if settings.verbose:
            raise
        from fazhi.ids import redact

        fail(f"{type(exc).__name__}: {redact(str(exc))} (the lake is as before; --verbose shows the traceback)",
             EXIT_CRASH,
             label="run failed")


@app.command()
def run(
    sources: Optional[List[str]] = typer.Argument(
        None, help="Files, folders, http(s) URLs, or sources files (sources.txt, *.sources, *.toml). "
                   "None: the bundled samples."),
    lake: Optional[Path] = LakeOption,
    sources_file: Optional[List[Path]] = typer.Option(
        None, "--sources-file", "-s", exists=True, dir_okay=False,
        help="A file that lists sources (one path or URL a line), whatever its name. Repeatable."),
    workers: int = typer.Option(0, "--workers", "-w", min=0,
                                help="Run on Dask: a local cluster of N workers, each with its own stage and NER processes (0: sequential)."),
    dask_address: Optional[str] = typer.Option(None, "--dask-address",
                                               help="Run on the existing Dask scheduler at this address (tcp://host:8786)."),
    batch_size: int = typer.Option(16, "--batch-size", min=1, help="Documents per task run."),
    lock_timeout: Optional[float] = typer.Option(
        None, "--lock-timeout", min=0, show_default="600, or $FAZHI_LOCK_TIMEOUT",
        help="Seconds to wait for another run writing the same lake (0: exit at once)."),
    rules: Optional[Path] = RulesOption,
    ner_model: Optional[str] = typer.Option(
        None, "--ner-model", show_default="rules, or $FAZHI_NER_MODEL",
        help="NER pipeline: fazhi, rules, none (no NER), or an installed zh_core_web_sm/md/lg/trf."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Prefect's log lines and tracebacks too."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only the summary: no progress bar."),
    allow_network: Optional[List[str]] = typer.Option(
        None, "--allow-network", metavar="CIDR",
        help="A network that fetching may reach though it is not public (repeatable; e.g. 10.0.0.0/8). "
             "Loopback, private, link-local and reserved addresses are refused otherwise."),
    corrections: Optional[Path] = typer.Option(
        None, "--corrections", exists=True, dir_okay=False,
        help="CSV of identity corrections keyed by doc_id (columns doc_id, org, report_year, published, title); "
             "they win over extraction."),
) -> None:
    """Ingest, clean, extract and load SOURCES into the lake.

    Incremental: a document whose content was already extracted with this
    cleaner and rule set is fetched but not cleaned or extracted again.

    Exit status: 0 all sources loaded; 1 some failed (see the summary and the
    failures table); 2 could not start; 3 another run held the lake's lock
    past --lock-timeout; 4 the run crashed (the lake is as before).
    """
    settings = _settings(lake=lake, rules=rules, ner_model=ner_model, lock_timeout=lock_timeout,
                         verbose=verbose or None, progress=False if quiet else None,
                         allow_networks=list(allow_network) if allow_network else None)
    from fazhi.ingest.fetch import hide_credentials

    # URL credentials stay in this process's memory: the flow's parameters, task names and logs get none
    chosen = [hide_credentials(s) for s in sources or []]
    files = [str(p.resolve()) for p in sources_file or []]
    if not chosen and not files:
        chosen = [str(samples_dir())]
    _check_ner(settings)
    fixes = corrections_path(corrections)

    def body():
        if workers or dask_address:
            from flows.runners import run_parallel

            return run_parallel(chosen, settings, workers=workers, address=dask_address, batch_size=batch_size,
                                sources_files=files, corrections=fixes)
        from flows.pipeline import run_pipeline

        return run_pipeline(sources=chosen, settings=settings, batch_size=batch_size, sources_files=files,
                            corrections=fixes)

    result = _run_flow(settings, body)
    print_summary(settings.lake, result, "fazhi run")
    if result.failures:
        raise typer.Exit(code=EXIT_PARTIAL)


def corrections_path(corrections: Optional[Path]) -> Optional[str]:
    """The corrections CSV, checked before any document is read (exit status 2 when unreadable)."""
    if corrections is None:
        return None
    from fazhi.pipeline.identity import CorrectionsError, read_corrections

    try:
        read_corrections(corrections)
    except CorrectionsError as exc:
        fail(str(exc), EXIT_USAGE, label="corrections")
    return str(corrections.resolve())


def print_summary(root: Path, result, title: str) -> None:
    from rich.table import Table

    rep = result.report
    out.print()
    out.print(f"[bold]{title}[/bold]  lake: {root}", highlight=False)
    out.print(f"documents: {rep.documents} of {len(result.sources)} sources "
              f"({rep.new_versions} new versions)")
    stats = getattr(result, "stats", None) or {}
    if stats:
        line = f"extracted: {stats.get('extracted', 0)}, unchanged (not extracted again): {stats.get('reused', 0)}"
        if stats.get("recleaned"):
            line += f", cleaned again: {stats['recleaned']}"
        if stats.get("entities_again"):
            line += f", entities made again: {stats['entities_again']}"
        out.print(line)
    table = Table("type", "records", title=None, show_edge=False)
    for typ, n in sorted(rep.records_by_type.items(), key=lambda kv: (-kv[1], kv[0])):
        table.add_row(typ, str(n))
    table.add_row("[bold]total[/bold]", f"[bold]{rep.records}[/bold]")
    out.print(table)
    out.print(f"failures: {rep.failures}" + (f"  ({rep.failures} of {len(result.sources)} sources failed: exit status 1)"
                                              if rep.failures else ""))
    for f in result.failures:
        message = " ".join(str(f["message"]).split())
        out.print(f"  [red]{f['stage']}[/red] {f['error_class']} {f['source']}: {message}", highlight=False,
                  soft_wrap=True)


@app.command()
def reextract(
    lake: Optional[Path] = LakeOption,
    rules: Optional[Path] = RulesOption,
    ner_model: Optional[str] = typer.Option(None, "--ner-model", show_default="rules, or $FAZHI_NER_MODEL",
                                            help="NER pipeline for versions whose entities must be made again."),
    workers: int = typer.Option(0, "--workers", "-w", min=0, help="Run on a local Dask cluster of N workers."),
    batch_size: int = typer.Option(16, "--batch-size", min=1, help="Documents per task run."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Prefect's log lines and tracebacks too."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only the summary: no progress bar."),
    corrections: Optional[Path] = typer.Option(
        None, "--corrections", exists=True, dir_okay=False,
        help="CSV of identity corrections keyed by doc_id (as for `fazhi run`)."),
) -> None:
    """Re-run the extractors on the stored documents (after a rule change); nothing is fetched.

    A Prefect flow (fazhi-reextract) through the same batches and load as
    `fazhi run`. The rule set's records become `records`; earlier rule sets'
    stay in `records_all`. A version already extracted with this rule set is
    copied back, not extracted again. Exit status as for `fazhi run`.
    """
    require_lake(lake)
    settings = _settings(lake=lake, rules=rules, ner_model=ner_model, verbose=verbose or None,
                         progress=False if quiet else None)
    fixes = corrections_path(corrections)

    def body():
        if workers:
            from flows.runners import reextract_parallel

            return reextract_parallel(settings, workers=workers, batch_size=batch_size, corrections=fixes)
        from flows.pipeline import reextract_pipeline

        return reextract_pipeline(settings=settings, batch_size=batch_size, corrections=fixes)

    result = _run_flow(settings, body)
    was = ", ".join(result.previous_rulesets)
    print_summary(settings.lake, result, f"fazhi reextract  rule set {result.ruleset}" + (f" (was {was})" if was else ""))
    if was:
        out.print("what changed: fazhi diff", highlight=False)
    if result.failures:
        raise typer.Exit(code=EXIT_PARTIAL)


@app.command()
def serve(
    sources_file: Optional[Path] = typer.Option(
        None, "--sources", show_default="data/sources.txt, or $FAZHI_SOURCES",
        help="The sources file the nightly run reads (one path or URL a line, or TOML); read at each run."),
    lake: Optional[Path] = LakeOption,
    rules: Optional[Path] = RulesOption,
    cron: str = typer.Option("0 2 * * *", "--cron", help="Cron schedule."),
    timezone: str = typer.Option("Asia/Shanghai", "--timezone", help="Time zone of the cron schedule (IANA name)."),
    name: str = typer.Option("nightly", "--name", help="Deployment name."),
    apply_only: bool = typer.Option(False, "--apply-only",
                                    help="Register the deployment with the Prefect server and exit, without serving."),
    start_server: bool = typer.Option(True, "--start-server/--no-start-server",
                                      help="Start a Prefect server (UI at http://127.0.0.1:4200) when none answers."),
) -> None:
    """Serve the nightly flow as a Prefect deployment on a cron schedule (default 02:00 Asia/Shanghai).

    Uses the Prefect server at PREFECT_API_URL, or the one answering at
    http://127.0.0.1:4200/api, or starts one there (kept up while serving;
    `fazhi run` then records its runs there too). Runs until interrupted.
    """
    import os
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"unknown time zone {timezone!r}", EXIT_USAGE)
    settings = _settings(lake=lake, rules=rules)
    if sources_file is None:
        env = os.environ.get("FAZHI_SOURCES")
        sources_file = Path(env) if env else next(
            (p for p in (Path("data/sources.txt"), PROJECT_ROOT / "data" / "sources.txt") if p.is_file()),
            Path("data/sources.txt"))
    if not sources_file.is_file():
        fail(f"no sources file {sources_file} (pass --sources FILE)", EXIT_USAGE)

    from flows.server import (
        PersistentServer,
        configured_api_url,
        healthy,
        quiet_prefect,
    )

    quiet_prefect(settings.verbose)
    server = None
    if not configured_api_url():
        os.environ["PREFECT_API_URL"] = settings.prefect_server_url
        if not healthy(settings.prefect_server_url):
            if not start_server:
                fail(f"no Prefect server answers at {settings.prefect_server_url} "
                     f"(start one: `prefect server start`, or drop --no-start-server)", EXIT_USAGE)
            server = PersistentServer(settings.prefect_server_url, settings.prefect_startup_timeout)
            try:
                server.start()
            except Exception as exc:
                fail(str(exc), EXIT_USAGE, label="Prefect")
            out.print(f"Prefect server started: {server.ui_url} (log: {server.log_path})", highlight=False)
    from flows.nightly import deployment

    try:
        dep = deployment(str(sources_file.resolve()), str(settings.lake), settings.rules_dir, cron=cron,
                         timezone=timezone, name=name)
        out.print(f"nightly: {sources_file.resolve()} -> {settings.lake}, cron {cron!r} ({timezone})",
                  highlight=False)
        if apply_only:
            out.print(f"deployment {dep.apply()} registered (fazhi-nightly/{name})", highlight=False)
            return
        from prefect import serve as prefect_serve

        prefect_serve(dep)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    finally:
        if server is not None:
            server.stop()


@app.command()
def explain(
    text: Optional[str] = typer.Argument(None, help="The text (default: standard input)."),
    rules: Optional[Path] = RulesOption,
    as_json: bool = typer.Option(False, "--json", help="The decisions as JSON."),
) -> None:
    """Every number the extractors saw in TEXT and why it became a record or was dropped."""
    import json

    import extractors
    from extractors.ruleset import load_rules

    if not hasattr(extractors, "explain"):
        fail("this version of the extractors has no explain()", EXIT_USAGE)
    body = text if text is not None else sys.stdin.read()
    rs = load_rules(str(rules.resolve()) if rules else None)
    decisions = extractors.explain(body, rules=rs)
    if as_json:
        sys.stdout.write(json.dumps(decisions, ensure_ascii=False, indent=1, default=str) + "\n")
    elif hasattr(extractors, "format_explanation"):
        sys.stdout.write(extractors.format_explanation(decisions) + "\n")
    else:
        for d in decisions:
            sys.stdout.write(json.dumps(d, ensure_ascii=False, default=str) + "\n")
