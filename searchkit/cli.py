"""The `searchkit` command: a thin layer over the library that renders for a terminal or JSON."""

from __future__ import annotations

import atexit
import functools
import gc
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from searchkit import IndexNotFoundError, QueryError, SearchkitError
from searchkit.errors import INTERNAL_ERROR_EXIT
from searchkit.fields import KEYED
from searchkit.messages import LANGUAGES, error_message, language, say
from searchkit.searching.filters import MAX_LIMIT, MAX_OFFSET

if TYPE_CHECKING:
    from searchkit.engine import SearchEngine
    from searchkit.searching.analysed import AnalysedQuery

DEFAULT_INDEX = "index"
DEFAULT_CORPUS = "corpus"
EXIT_CODES = """\b
Exit codes:
  0  success
  1  the query matched nothing
  2  bad usage, an empty or too long query, a bad filter, a path that
     cannot be indexed, a bad abbreviations file
  3  no index, not a searchkit index, an older schema or a damaged
     index (run the command shown)
  4  the index is being updated by another process
  5  the index cannot be written: disk full, read-only, I/O error
  6  the search backend (--backend) cannot be reached or refuses
  70 a bug in searchkit (please report it with the message)
  130 interrupted (Ctrl-C)"""
CONTEXT = {"help_option_names": ["-h", "--help"]}
#: How the command line names the library's parameters when it words an error (`field`).
FLAGS = {"since": "--since", "until": "--until", "province": "--province", "source": "--source",
         "category": "--category", "sort": "--sort", "limit": "--limit", "offset": "--offset",
         "index": "--index", "wait": "--wait", "backend": "--backend", "abbreviations": "--abbreviations",
         "prune": "--prune", **{field.name: f"--{field.name}" for field in KEYED}}
FILTER_NAMES = (*(field.name for field in KEYED), "since", "until")

index_option = click.option(
    "--index", "index_dir", default=lambda: os.environ.get("SEARCHKIT_INDEX", DEFAULT_INDEX),
    show_default="index (or $SEARCHKIT_INDEX)", type=click.Path(file_okay=False),
    help="Index directory.",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
follow_option = click.option(
    "--follow", is_flag=True,
    help="Also index what symbolic links leading outside the given folders point to.",
)


def lang() -> str:
    """The language of this run's messages: --lang, else $SEARCHKIT_LANG, else the locale's."""
    context = click.get_current_context(silent=True)
    chosen = (context.find_root().obj or {}).get("lang") if context else None
    return chosen or language()


def message(key: str, **data) -> str:
    """The catalogue's message `key` in this run's language."""
    return say(key, lang(), **data)


def _skipped_line(skipped) -> str:
    """`bai.jsonl:3: không phải JSON hợp lệ (…)`: where, and why in this run's language (the
    library's English reason where the catalogue has no entry for it)."""
    reason = message(skipped.kind, **dict(skipped.data)) if skipped.kind else skipped.reason
    return f"{skipped.where}: {reason}"


def fail(error: SearchkitError):
    """Word a library error in this run's language, naming its field as a flag, and exit with its code."""
    click.echo(f"searchkit: {error_message(error, lang(), FLAGS)}", err=True)
    sys.exit(error.exit_code)


def handle_errors(command):
    """Turn library errors into a one-line message and the documented exit code."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except SearchkitError as error:
            fail(error)
        except KeyboardInterrupt:
            click.echo(f"searchkit: {message('cli.interrupted')}", err=True)
            sys.exit(130)
        except BrokenPipeError:  # `searchkit query … | head -1`: the reader has what it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except Exception:  # noqa: BLE001 - never exit 1 ("no match") on a bug
            import traceback

            click.echo(traceback.format_exc().rstrip(), err=True)
            click.echo(f"searchkit: {message('cli.internal_error')}", err=True)
            sys.exit(INTERNAL_ERROR_EXIT)

    return wrapper


@click.group(epilog=EXIT_CODES, context_settings=CONTEXT)
@click.version_option(package_name="searchkit")
@click.option("--backend", metavar="URL", default=None,
              help="Keep the articles in a search cluster instead of the local index: "
                   "typesense://API_KEY@HOST:PORT[,HOST:PORT…]/COLLECTION (or $SEARCHKIT_BACKEND).")
@click.option("--lang", type=click.Choice(LANGUAGES, case_sensitive=False), default=None,
              help="Language of messages, reports and errors: vi or en "
                   "(default: $SEARCHKIT_LANG, else vi when $LC_ALL/$LANG start with vi, else en).")
@click.pass_context
def main(ctx: click.Context, backend: str | None, lang: str | None) -> None:
    """Full-text search for Vietnamese ICT news: accents optional, highlights included.

    \b
    Example:
      searchkit index corpus/
      searchkit query "trạm BTS"
      searchkit --backend typesense://KEY@127.0.0.1:8108/news index corpus/
    """
    ctx.obj = {"backend": backend, "lang": language(lang)}  # backend None: the engine reads $SEARCHKIT_BACKEND
    if backend:
        from searchkit.backends import check_location, choose

        try:
            check_location(choose("index", backend))
        except SearchkitError as error:
            fail(error)


def open_engine(index_dir, **options) -> SearchEngine:
    """The engine of the command: the local index at `index_dir`, or the --backend's collection."""
    # numpy's OpenBLAS starts a thread per core when imported, which costs a cold query a tenth
    # of its CPU time (25 ms on 2 cores); searchkit calls no BLAS routine (no dot, matmul, linalg).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from searchkit.engine import SearchEngine  # numpy and the index reader: not for --help

    context = click.get_current_context(silent=True)
    backend = (context.find_root().obj or {}).get("backend") if context else None
    return SearchEngine(index_dir, backend=backend, **options)


def _program_ends_with_the_command() -> bool:
    """Whether this process is the `searchkit` program (the console script or `python -m
    searchkit`, whose `__main__` calls `main`), which exits when the command is done; not a
    program that runs commands and goes on (a test's CliRunner, an application)."""
    return getattr(sys.modules.get("__main__"), "main", None) is main


def _program_is_searchkit() -> bool:
    """Whether this process is the `searchkit` program itself: its console script, or
    `python -m searchkit`. Stricter than `_program_ends_with_the_command`: a program of its
    own that calls `main` and goes on after its SystemExit must never be cut short."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return _program_ends_with_the_command() and (getattr(spec, "name", None) == "searchkit.__main__"
                                                 or Path(sys.argv[0]).name == "searchkit")


def where(engine: SearchEngine, index_dir: str) -> str:
    """What a message names as the index: its directory, or the backend (key left out)."""
    return index_dir if engine.location == os.fspath(index_dir) else str(engine.backend)


class ProgressLine:
    """'4000/16183 articles done · 125/s · ETA 1:37' redrawn on stderr, at most 5 times a second.

    `done` counts articles done (analysed and written to their segment, unchanged or
    skipped), not read: reading runs ahead of the analysis, and a count of articles read
    would sit near the end for most of the run. The library calls it at least every half
    second while workers analyse; the ETA divides what is left by the rate so far.
    """

    def __init__(self, total: int | None, enabled: bool):
        self.total, self.enabled = total, enabled
        self.lang = lang()  # now: the library may call back from another thread, outside click's context
        self.started = self.shown = time.monotonic()

    def __call__(self, done: int) -> None:
        from searchkit.render import progress_line

        now = time.monotonic()
        if not self.enabled or now - self.shown < 0.2:
            return
        self.shown = now
        click.echo(f"\r{progress_line(done, self.total, now - self.started, self.lang)}   ", nl=False, err=True)

    def close(self) -> None:
        if self.enabled:
            click.echo("\r" + " " * 60 + "\r", nl=False, err=True)


def run_index(engine: SearchEngine, paths, quiet: bool = False, **options):
    from searchkit.indexing.corpus import estimate_count

    show = not quiet and sys.stderr.isatty()
    progress = ProgressLine(estimate_count(paths, options.get("follow", False)) if show else None, show)
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
@follow_option
@click.option("--prune", is_flag=True,
              help="Removing more than half of the index is meant (without it such a sync stops: an unmounted folder).")
@json_option
@handle_errors
def index(paths, index_dir, rebuild, wait, quiet, follow, prune, as_json) -> None:
    """Index or re-sync .txt, .jsonl, .html and .md articles (default: ./corpus).

    New articles are added, changed ones re-indexed, those whose files are gone
    removed; unchanged ones are skipped. Unreadable files and folders keep their
    articles; they, special files, broken links and articles whose id another
    file already has are reported and skipped.

    \b
    Example:
      searchkit index corpus/ ../archive/2010.jsonl --index index/
    """
    engine = open_engine(index_dir)
    report = run_index(engine, paths or [DEFAULT_CORPUS], quiet, rebuild=rebuild, wait=wait, follow=follow,
                       prune=prune)
    print_report(report, where(engine, index_dir), as_json)


def print_report(report, index_dir: str, as_json: bool) -> None:
    """The index report: one line (or JSON) on stdout, skipped files on stderr."""
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
        return
    click.echo(message("cli.index_report", added=report.added, updated=report.updated, removed=report.removed,
                       unchanged=report.unchanged, skipped=len(report.skipped), seconds=report.seconds,
                       total=report.total, index=index_dir))
    for skipped in report.skipped:
        click.echo(message("cli.skipped", entry=_skipped_line(skipped)), err=True)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@index_option
@click.option("--wait", type=float, default=0.0, metavar="SECONDS", help="Wait this long for another writer to finish.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@follow_option
@json_option
@handle_errors
def add(files, index_dir, wait, quiet, follow, as_json) -> None:
    """Index the given .txt / .jsonl / .html / .md files without scanning anything else.

    Articles already indexed from other paths are kept (nothing is removed);
    an article whose id another existing file already has is skipped.

    \b
    Example:
      searchkit add corpus/2026-11-25/bai-moi.txt --index index/
    """
    engine = open_engine(index_dir)
    report = run_index(engine, files, quiet, wait=wait, remove_missing=False, follow=follow)
    print_report(report, where(engine, index_dir), as_json)


class QueryCommand(click.Command):
    """A command whose words may begin with '-': `searchkit query BTS -Vinh` excludes *Vinh*.
    Only the command's own option names (`-n`, `--limit=5`, `-h`) are options; everything
    else, and everything after `--`, is the query."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        flags, valued = set(), set()
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                (flags if param.is_flag or param.count else valued).update(param.opts + param.secondary_opts)
        options, words, rest = [], [], list(args)
        while rest:
            arg = rest.pop(0)
            name = arg.split("=", 1)[0] if arg.startswith("--") else arg
            if arg == "--":
                words += rest
                break
            if name in flags or (name in valued and "=" in arg) or _attached_short_value(arg, valued):
                options.append(arg)
            elif name in valued:
                options += [arg, *rest[:1]]
                rest = rest[1:]
            else:
                words.append(arg)
        return super().parse_args(ctx, options + ["--", *words])


def _attached_short_value(arg: str, valued: set[str]) -> bool:
    """`-n5`: a short option with its number attached (`-nghe` is a word)."""
    return arg[:2] in valued and bool(re.fullmatch(r"-.\d+", arg))


@main.command(cls=QueryCommand)
@click.argument("query", nargs=-1, required=True)
@index_option
@click.option("-n", "--limit", default=10, show_default=True, type=click.IntRange(1, MAX_LIMIT), help="Number of hits.")
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0, MAX_OFFSET),
              help="Skip this many hits (the next page: --offset 10).")
@click.option("--since", metavar="DATE",
              help="Only articles dated on or after DATE: 2010, 2010-02, 2010-02-03 or 03/02/2010.")
@click.option("--until", metavar="DATE", help="Only articles dated on or before DATE (same forms).")
@click.option("--province", metavar="NAME",
              help='Only articles about this province or city, any spelling: "dak nong".')
@click.option("--source", metavar="NAME", help="Only articles from this source (case and accents optional).")
@click.option("--category", metavar="NAME", help="Only articles of this category (case and accents optional).")
@click.option("--tag", multiple=True, metavar="NAME",
              help="Only articles tagged NAME (case and accents optional; repeat: every one).")
@click.option("--mentions", multiple=True, metavar="NAME",
              help='Only articles naming this province anywhere, any spelling: "nghe an" (repeat: every one).')
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True,
              help="Order of hits; date puts the newest first and undated articles last.")
@click.option("--facets", is_flag=True,
              help="Also count all matches by province, year, source, category, tag and province mentioned.")
@click.option("--color", "--colour", "color", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True, help="Highlight in colour: auto = on a terminal, unless $NO_COLOR is set.")
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
def query(query, index_dir, limit, offset, since, until, province, source, category, tag, mentions, sort, facets,
          color, explain, abbreviation_files, as_json) -> None:
    """Search the index. Accents, tone placement and case are optional;
    Telex/VNI keystrokes (truyeenf, tho6ng) and abbreviations (CNTT) are understood.
    A query of just - is read from standard input.

    Articles holding every word come first, then those holding most of them,
    weighted by how telling each word is: a whole question works.

    \b
    Syntax: words, +word (required), "a phrase" (required), -word or -"a phrase"
            or NOT word (excluded), a OR b, title:word, prefix*
    Example:
      searchkit query "trạm BTS"
      searchkit query "Đắk Nông đã làm gì để phát triển trạm BTS?" --explain
      searchkit query 'BTS -"Nghệ An"'
      searchkit query 'dak nong "chữ ký số" -hội' --json -n 5 --offset 5
      searchkit query "chữ ký số" --province "dak nong" --since 2010 --sort date --facets
      searchkit query CNTT --mentions "nghe an" --tag 5G --tag Viettel
      echo "truyeenf thoong" | searchkit query -
      searchkit query CĐS --abbreviations my-abbreviations.tsv
    """
    if _program_ends_with_the_command():
        # One search, then the process ends: collecting cycles some 80 times while the search
        # machinery is imported and read, then once more at exit over every object, would cost
        # a cold query 35 ms of its 200 and free nothing it needs (the exit's pass then finds
        # every object frozen: the operating system takes the memory back).
        gc.disable()
        atexit.register(gc.freeze)  # an error's exit; a search's ends in `_end`
    engine = open_engine(index_dir, abbreviations=abbreviation_files)
    text = _query_text(query)
    options = dict(limit=limit, offset=offset, since=since, until=until, province=province, source=source,
                   category=category, tag=list(tag), mentions=list(mentions), sort=sort, facets=facets,
                   explain=explain)
    try:
        results = engine.search(text, **options)
    except IndexNotFoundError:
        if where(engine, index_dir) != index_dir or not (_is_default(index_dir) and Path(DEFAULT_CORPUS).is_dir()):
            raise
        click.echo(message("cli.building", index=index_dir, corpus=DEFAULT_CORPUS), err=True)
        gc.enable()  # a build, not a search
        report = run_index(engine, [DEFAULT_CORPUS])
        click.echo(message("cli.built", total=report.total, seconds=report.seconds), err=True)
        results = engine.search(text, **options)
    if as_json:
        click.echo(json.dumps(results.to_dict(), ensure_ascii=False))
    else:
        from searchkit.render import render_facets, render_results

        colour = _colour(color)  # click.echo strips colour off a non-terminal unless told not to
        page = render_results(results, colour=colour, offset=offset, lang=lang())
        if not results.total and any(options[name] for name in FILTER_NAMES):
            page += _without_filters(engine, text, options) + "\n"
        click.echo(page, color=colour)
        if explain:
            from searchkit.render import render_explanation

            click.echo(render_explanation(results, lang=lang()))
        if facets:
            click.echo(render_facets(results.facets, lang=lang()))
    _end(0 if results.hits else 1)


def _end(code: int) -> None:
    """End the command with `code` (1: nothing found). The `searchkit` program itself then
    leaves at once, its output flushed and its exit handlers run: tearing down every module and
    object of the search machinery cost a cold query a twentieth of its time and frees nothing
    the operating system does not take back (a query leaves nothing half-written: its caches
    are written whole and renamed before it answers). A program that runs commands and goes on
    gets SystemExit."""
    if _program_is_searchkit():
        sys.stdout.flush()
        sys.stderr.flush()
        atexit._run_exitfuncs()  # logging's flush, and whatever else a caller registered
        os._exit(code)
    if code:
        sys.exit(code)


def _without_filters(engine: SearchEngine, text: AnalysedQuery, options: dict) -> str:
    """'0 results with --province Nghệ An; 12 without': a filtered search that found nothing
    names its filters (the province as the index spells it) and counts the same words without them."""
    from searchkit.render import render_filtered_empty
    from searchkit.searching.filters import Filters

    given = {name: options[name] for name in FILTER_NAMES if options[name]}
    for name in (field.name for field in KEYED if field.places):  # as the index spells them
        if name in given:
            given[name] = getattr(Filters.parse(**{name: given[name]}), name) or given[name]
    unfiltered = {**options, **dict.fromkeys(FILTER_NAMES), "limit": 1, "offset": 0, "facets": False,
                  "explain": False}
    without = engine.search(text, **unfiltered).total
    shown = {FLAGS[name]: f" {FLAGS[name]} ".join(value) if isinstance(value, (list, tuple)) else value
             for name, value in given.items()}  # --tag 5G --tag Viettel
    return render_filtered_empty(shown, without, lang())


def _query_text(words: tuple[str, ...]) -> AnalysedQuery:
    """The words as one query, analysed once (searches read it as it is); `-` alone reads it
    from standard input. Bytes that are not UTF-8 (in arguments or on stdin) cannot be
    searched and are shown as U+FFFD (`AnalysedQuery.read`)."""
    from searchkit.searching.analysed import AnalysedQuery
    from searchkit.searching.query import MAX_QUERY_CHARS

    if words == ("-",):
        data = sys.stdin.buffer.read(4 * MAX_QUERY_CHARS + 1)
        text = data.decode("utf-8", "replace").strip()
        if not text:
            raise QueryError(kind="query.stdin_empty", field="query", value="")
        return AnalysedQuery.read(text)
    return AnalysedQuery.read(" ".join(words))


def _is_default(index_dir: str) -> bool:
    """Whether --index is the default place, where a first query may build the index."""
    return Path(index_dir).resolve() == Path(DEFAULT_INDEX).resolve()


def _colour(choice: str = "auto") -> bool:
    if choice != "auto":
        return choice == "always"
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


@main.command()
@index_option
@click.option("--wait", type=float, default=0.0, metavar="SECONDS", help="Wait this long for another writer to finish.")
@json_option
@handle_errors
def optimize(index_dir, wait, as_json) -> None:
    """Merge the index into one segment, dropping deleted articles.

    Syncs already merge small segments as they go; searches keep working meanwhile.

    \b
    Example:
      searchkit optimize --index index/
    """
    engine = open_engine(index_dir)
    started = time.monotonic()
    rewritten = engine.optimize(wait=wait)
    info = {"rewritten": rewritten, "segments": engine.stats()["segments"], "seconds": round(time.monotonic() - started, 3)}
    if as_json:
        click.echo(json.dumps(info))
    else:
        click.echo(message("cli.optimized", rewritten=rewritten, segments=info["segments"], index=index_dir,
                           seconds=info["seconds"]))


@main.command()
@index_option
@click.option("--repair", is_flag=True,
              help="Drop damaged segments and re-index their articles from the corpus paths the index was built from.")
@json_option
@handle_errors
def check(index_dir, repair, as_json) -> None:
    """Read every file of the index and report damage (exit 0 clean, 3 damaged).

    \b
    Examples:
      searchkit check --index index/
      searchkit check --repair --index index/
    """
    engine = open_engine(index_dir)
    report = engine.repair() if repair else engine.check()
    index_dir = where(engine, index_dir)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
    elif repair and report["repaired"]:
        click.echo(message("cli.repaired", index=index_dir, dropped=len(report["dropped_segments"]),
                           lost=report["lost"], restored=report["restored"], missing=len(report["not_restored"])))
        for article_id in report["not_restored"]:
            click.echo(message("cli.not_restored", id=article_id))
    elif not report["problems"]:
        click.echo(message("cli.check_clean", index=index_dir, segments=report["segments"], articles=report["articles"]))
    for note in report.get("notes", ()) if not as_json else ():
        click.echo(message("cli.check_note", note=note))
    if report["problems"] and not as_json:
        for problem in report["problems"]:
            click.echo(message("cli.check_damaged", problem=problem))
        click.echo(message("cli.check_rebuild", index=index_dir))
    if report["problems"]:
        sys.exit(3)


@main.command()
@index_option
@json_option
@handle_errors
def stats(index_dir, as_json) -> None:
    """Show the index: articles, segments, vocabulary, bytes, and its manifest (fields with
    their analysis, segments with their files; `--json` adds each file's size and checksum).

    \b
    Example:
      searchkit stats --index index/
    """
    info = open_engine(index_dir).stats()
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False))
        return
    local = "manifest" in info  # a backend has no files of its own to list
    manifest = info.pop("manifest", None)
    for key, value in info.items():
        click.echo(f"{key:15} {value}")
    if not local:
        return
    if manifest is None:
        click.echo(f"manifest        {message('cli.no_manifest')}")
        return
    click.echo("fields          name      form      positions  boost  b")
    for field in manifest["fields"]:
        click.echo(f"                {field['name']:9} {field['form']:9} {'yes' if field['positional'] else 'no':10} "
                   f"{field['boost']:<6} {field['b']}")
    click.echo("segments        id                         articles  deleted  files  bytes")
    for segment in manifest["segments"]:
        size = sum(f["size"] for f in segment["files"])
        click.echo(f"                {segment['id']:26} {segment['articles']:>8,} {segment['deleted']:>8,} "
                   f"{len(segment['files']):>6} {size:>12,}")


@main.command()
@index_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; the default is reachable from this machine only.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Server processes; each answers searches on its own. Default: one per core, at most 8.")
@click.option("--access-log", is_flag=True, help="Log every request on stdout.")
@click.option("--timeout", "time_limit", default=10.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="Seconds a request may take, its wait for its turn included; then it is answered 503.")
@click.option("--max-connections", default=1000, show_default=True, type=click.IntRange(8, 1_000_000),
              help="Open connections per worker at most (fewer if the file limit says so); past it the "
                   "oldest idle or half-sent one is closed.")
@click.option("--header-timeout", default=10.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="Seconds a client may take to send a request's headers; then the connection is closed.")
@handle_errors
def serve(index_dir, host, port, workers, access_log, time_limit, max_connections, header_timeout) -> None:
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
        click.echo(f"searchkit: {message('cli.listening', host=host)}", err=True)
    address = f"[{host}]" if ":" in host else host  # an IPv6 address in a URL
    backend = click.get_current_context().find_root().obj.get("backend", "")
    click.echo(message("cli.serving", index=where(open_engine(index_dir), index_dir), url=f"http://{address}:{port}/"),
               err=True)
    run(index_dir, host=host, port=port, workers=workers, access_log=access_log, backend=backend,
        time_limit=time_limit, max_connections=max_connections, header_timeout=header_timeout)
