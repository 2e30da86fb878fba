"""The `searchkit` command: a thin layer over the library that renders for a terminal or JSON."""

from __future__ import annotations

import functools
import json
import os
import sys
import time
from pathlib import Path

import click

from searchkit import IndexNotFoundError, SearchEngine, SearchkitError

DEFAULT_INDEX = "index"
DEFAULT_CORPUS = "corpus"
EXIT_CODES = """\b
Exit codes:
  0  success
  1  the query matched nothing
  2  bad usage, an empty query, a missing corpus path or a bad abbreviations file
  3  no index, or not a searchkit index / an older schema (run the command shown)
  4  the index is being updated by another process
  130 interrupted (Ctrl-C)"""

index_option = click.option(
    "--index", "index_dir", default=lambda: os.environ.get("SEARCHKIT_INDEX", DEFAULT_INDEX),
    show_default="index (or $SEARCHKIT_INDEX)", type=click.Path(file_okay=False),
    help="Index directory.",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")


def handle_errors(command):
    """Turn library errors into a one-line message and the documented exit code."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except SearchkitError as error:
            click.echo(f"searchkit: {error}", err=True)
            sys.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo("searchkit: interrupted; the index keeps its last committed state", err=True)
            sys.exit(130)

    return wrapper


@click.group(epilog=EXIT_CODES)
@click.version_option(package_name="searchkit")
def main() -> None:
    """Full-text search for Vietnamese ICT news: accents optional, highlights included.

    \b
    Example:
      searchkit index corpus/
      searchkit query "trạm BTS"
    """


class ProgressLine:
    """'1234/16183 articles · 412/s · ETA 0:31' redrawn on stderr, at most 5 times a second."""

    def __init__(self, total: int | None, enabled: bool):
        self.total, self.enabled = total, enabled
        self.started = self.shown = time.monotonic()

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.shown < 0.2:
            return
        self.shown = now
        rate = done / max(now - self.started, 1e-6)
        line = f"{done}/{self.total or '?'} articles · {rate:,.0f}/s"
        if self.total and rate > 0:
            remaining = max(self.total - done, 0) / rate
            line += f" · ETA {int(remaining // 60)}:{int(remaining % 60):02d}"
        click.echo(f"\r{line}   ", nl=False, err=True)

    def close(self) -> None:
        if self.enabled:
            click.echo("\r" + " " * 60 + "\r", nl=False, err=True)


def run_index(engine: SearchEngine, paths, quiet: bool = False, **options):
    from searchkit.corpus import estimate_count

    show = not quiet and sys.stderr.isatty()
    progress = ProgressLine(estimate_count(paths) if show else None, show)
    try:
        return engine.index(paths, progress=progress, **options)
    finally:
        progress.close()


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@index_option
@click.option("--rebuild", is_flag=True, help="Start the index from scratch.")
@click.option("--wait", type=float, default=0.0, metavar="SECONDS", help="Wait this long for another writer to finish.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@json_option
@handle_errors
def index(paths, index_dir, rebuild, wait, quiet, as_json) -> None:
    """Index or re-sync .txt and .jsonl articles (default: ./corpus).

    New articles are added, changed ones re-indexed, vanished ones removed;
    unchanged ones are skipped. Unreadable files are reported and skipped.

    \b
    Example:
      searchkit index corpus/ ../archive/2010.jsonl --index index/
    """
    report = run_index(SearchEngine(index_dir), paths or [DEFAULT_CORPUS], quiet, rebuild=rebuild, wait=wait)
    print_report(report, index_dir, as_json)


def print_report(report, index_dir: str, as_json: bool) -> None:
    """The index report: one line (or JSON) on stdout, skipped files on stderr."""
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
        return
    click.echo(
        f"{report.added} added, {report.updated} updated, {report.removed} removed, "
        f"{report.unchanged} unchanged, {len(report.skipped)} skipped in {report.seconds:.1f}s "
        f"({report.total} articles in {index_dir})"
    )
    for skipped in report.skipped:
        click.echo(f"skipped {skipped}", err=True)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@index_option
@click.option("--wait", type=float, default=0.0, metavar="SECONDS", help="Wait this long for another writer to finish.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@json_option
@handle_errors
def add(files, index_dir, wait, quiet, as_json) -> None:
    """Index the given .txt / .jsonl files without scanning anything else.

    Articles already indexed from other paths are kept (nothing is removed).

    \b
    Example:
      searchkit add corpus/2026-11-25/bai-moi.txt --index index/
    """
    report = run_index(SearchEngine(index_dir), files, quiet, wait=wait, remove_missing=False)
    print_report(report, index_dir, as_json)


@main.command()
@click.argument("query", nargs=-1, required=True)
@index_option
@click.option("-n", "--limit", default=10, show_default=True, type=click.IntRange(1, 1000), help="Number of hits.")
@click.option("--since", metavar="DATE",
              help="Only articles dated on or after DATE: 2010, 2010-02, 2010-02-03 or 03/02/2010.")
@click.option("--until", metavar="DATE", help="Only articles dated on or before DATE (same forms).")
@click.option("--province", metavar="NAME",
              help='Only articles about this province or city, any spelling: "dak nong".')
@click.option("--source", metavar="NAME", help="Only articles from this source (case and accents optional).")
@click.option("--category", metavar="NAME", help="Only articles of this category (case and accents optional).")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True,
              help="Order of hits; date puts the newest first and undated articles last.")
@click.option("--facets", is_flag=True, help="Also count all matches by province and by year.")
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0, 10_000),
              help="Skip this many hits (the next page).")
@click.option("--explain", is_flag=True,
              help="Show the query as searched and why each hit scored what it did.")
@click.option(
    "--abbreviations", "abbreviation_files", multiple=True, envvar="SEARCHKIT_ABBREVIATIONS",
    type=click.Path(dir_okay=False), metavar="FILE",
    help="Extra abbreviations, one 'ABBR<TAB>expansion' a line (repeatable; "
         f"$SEARCHKIT_ABBREVIATIONS: files separated by '{os.pathsep}').",
)
@json_option
@handle_errors
def query(query, index_dir, limit, since, until, province, source, category, sort, facets,
          offset, explain, abbreviation_files, as_json) -> None:
    """Search the index. Accents, tone placement and case are optional;
    Telex/VNI keystrokes (truyeenf, tho6ng) and abbreviations (CNTT) are understood.

    Articles holding every word come first, then those holding most of them,
    weighted by how telling each word is: a whole question works.

    \b
    Syntax: words, +word (required), "a phrase" (required), -word or NOT word,
            a OR b, title:word
    Example:
      searchkit query "trạm BTS"
      searchkit query "Đắk Nông đã làm gì để phát triển trạm BTS?" --explain
      searchkit query 'dak nong "chữ ký số" -hội' --json -n 5
      searchkit query "chữ ký số" --province "dak nong" --since 2010 --sort date --facets
      searchkit query CĐS --abbreviations my-abbreviations.tsv
    """
    engine = SearchEngine(index_dir, abbreviations=abbreviation_files)
    text = " ".join(query)
    options = dict(limit=limit, offset=offset, since=since, until=until, province=province,
                   source=source, category=category, sort=sort, facets=facets, explain=explain)
    try:
        results = engine.search(text, **options)
    except IndexNotFoundError:
        if not Path(DEFAULT_CORPUS).is_dir():
            raise
        click.echo(f"No index in {index_dir}/ yet: building it from {DEFAULT_CORPUS}/ …", err=True)
        report = run_index(engine, [DEFAULT_CORPUS])
        click.echo(f"Indexed {report.total} articles in {report.seconds:.1f}s.", err=True)
        results = engine.search(text, **options)
    if as_json:
        click.echo(json.dumps(results.to_dict(), ensure_ascii=False))
    else:
        from searchkit.render import render_facets, render_results

        click.echo(render_results(results, colour=_colour()))
        if explain:
            from searchkit.render import render_explanation

            click.echo(render_explanation(results))
        if facets:
            click.echo(render_facets(results.facets))
    if not results.hits:
        sys.exit(1)


def _colour() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


@main.command()
@index_option
@json_option
@handle_errors
def stats(index_dir, as_json) -> None:
    """Show the size of the index: articles, segments, vocabulary, bytes.

    \b
    Example:
      searchkit stats --index index/
    """
    info = SearchEngine(index_dir).stats()
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False))
        return
    for key, value in info.items():
        click.echo(f"{key:15} {value}")


@main.command()
@index_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; the default is reachable from this machine only.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes; each answers searches on its own (use the number of cores).")
@click.option("--access-log", is_flag=True, help="Log every request on stdout.")
@handle_errors
def serve(index_dir, host, port, workers, access_log) -> None:
    """Serve a search page and a JSON API over HTTP.

    Open http://127.0.0.1:8000/ in a browser; the API is under /api/ (description at
    /openapi.json). New commits (searchkit add / index) are picked up without a restart.

    \b
    Example:
      searchkit serve --index index/ --port 8000 --workers 2
      curl 'http://127.0.0.1:8000/api/search?q=tram+bts&limit=3'
    """
    from searchkit.web.server import is_loopback, run  # the web stack: never on the query path

    if not is_loopback(host):
        click.echo(f"searchkit: listening on {host}: other machines can reach this server", err=True)
    address = f"[{host}]" if ":" in host else host  # an IPv6 address in a URL
    click.echo(f"Serving {index_dir} on http://{address}:{port}/ (Ctrl-C stops)", err=True)
    run(index_dir, host=host, port=port, workers=workers, access_log=access_log)
