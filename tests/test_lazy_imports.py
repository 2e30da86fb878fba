"""A fast start (issue 21, item 6): what a fresh process imports, not how long it takes.

`import searchkit` loads the errors only (the engine and the data types come on first use of
their names); the command line parses `searchkit query …` without numpy or the index reader;
a whole query never loads the web stack, the Typesense client or the word segmenter. Each
check runs in a new interpreter: this test process has imported everything long ago.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import CORPUS, ROOT

#: Never needed to search: the web stack, the Typesense client, pyvi and its CRF, the
#: segmenter and the indexer's process pool.
NEVER_ON_THE_QUERY_PATH = ("starlette", "uvicorn", "jinja2", "typesense", "httpx", "pyvi", "pycrfsuite",
                           "searchkit.web", "searchkit.text.segment", "searchkit.text.crf",
                           "searchkit.indexing.segments", "searchkit.indexing.sync")
#: Imported by Whoosh and the packages it uses, never used by a search (`indexing.lean_whoosh`),
#: and unidecode, which folds only letters of other scripts (`text.fold`).
NEVER_USED_BY_A_SEARCH = ("urllib.request", "http.client", "email", "ssl", "asyncio", "concurrent.futures",
                          "whoosh.lang.morph_en", "shutil", "tempfile", "hashlib", "html", "unidecode")
#: Needed to search, not to parse a command line or to import the package.
SEARCHING = ("numpy", "whoosh", "searchkit.engine", "searchkit.searching.pipeline", "searchkit.backends.local")


def modules_after(code: str, tmp_path, *args: str) -> tuple[set[str], subprocess.CompletedProcess]:
    """The modules a fresh interpreter holds after running `code` (which may exit), and the
    finished process (its output, its exit code)."""
    listing = tmp_path / "modules.json"
    program = ("import atexit, json, sys\n"
               f"atexit.register(lambda: open({str(listing)!r}, 'w').write(json.dumps(sorted(sys.modules))))\n"
               + code)
    done = subprocess.run([sys.executable, "-c", program, *args], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", timeout=120, env={**os.environ, "SEARCHKIT_LANG": "en"})
    assert listing.exists(), done.stderr
    return set(json.loads(listing.read_text())), done


def loaded(modules: set[str], names) -> list[str]:
    """Which of `names` (packages or modules) are among `modules`."""
    return sorted(name for name in names if any(m == name or m.startswith(name + ".") for m in modules))


def test_import_searchkit_loads_the_errors_and_names_the_rest_on_use(tmp_path):
    modules, done = modules_after(
        "import searchkit\n"
        "light = sorted(m for m in sys.modules if m.startswith(('numpy', 'whoosh', 'click', 'searchkit.')))\n"
        "from searchkit import *\n"
        "print(light, SearchEngine.__module__, Hit.__module__, sorted(set(searchkit.__all__) - set(dir(searchkit))))\n"
        "try:\n"
        "    searchkit.Tìm\n"
        "except AttributeError as error:\n"
        "    print(error)\n", tmp_path)
    assert done.returncode == 0, done.stderr
    light, _, rest = done.stdout.partition("] ")
    assert light == "['searchkit.cpu', 'searchkit.errors'"  # before the star import: the errors and the CPU check
    assert rest.splitlines() == ["searchkit.engine searchkit.models []",
                                 "module 'searchkit' has no attribute 'Tìm'"]
    assert "searchkit.engine" in modules  # the star import did load it


def test_numpy_imported_after_searchkit_gives_its_arrays_no_huge_page_advice_unless_asked(tmp_path):
    """A search makes and drops arrays of a few MB: numpy's advice to back them with huge pages
    made the kernel compact memory inside first searches at 16 times the corpus. A process's
    own NUMPY_MADVISE_HUGEPAGE stands."""
    ask = ("import searchkit, numpy._core.multiarray as m, os\n"
           "print(m._get_madvise_hugepage(), os.environ['NUMPY_MADVISE_HUGEPAGE'])\n")
    environment = {key: value for key, value in os.environ.items() if key != "NUMPY_MADVISE_HUGEPAGE"}
    answers = [subprocess.run([sys.executable, "-c", ask], cwd=ROOT, capture_output=True, text=True, timeout=120,
                              env={**environment, **chosen}).stdout.split() for chosen in ({}, {"NUMPY_MADVISE_HUGEPAGE": "1"})]
    assert answers == [["False", "0"], ["True", "1"]]


def test_the_query_command_line_is_parsed_without_numpy_or_the_index(tmp_path):
    modules, done = modules_after(
        "import click\n"
        "from searchkit.cli import main\n"
        "ctx = click.Context(main, info_name='searchkit')\n"
        "sub = main.get_command(ctx, 'query').make_context('query', ['trạm', 'BTS', '-n', '5', '--province',"
        " 'dak nong', '--index', 'nơi-khác', '-Vinh'], parent=ctx)\n"
        "print(sub.info_name, sub.params['query'], sub.params['limit'], sub.params['province'],"
        " sub.params['index_dir'])\n",
        tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "query ('trạm', 'BTS', '-Vinh') 5 dak nong nơi-khác"
    assert loaded(modules, SEARCHING + NEVER_ON_THE_QUERY_PATH) == []


def test_help_imports_no_search_machinery(tmp_path):
    modules, done = modules_after("from searchkit.cli import main\nmain(['--help'])\n", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Full-text search for Vietnamese ICT news" in done.stdout
    assert loaded(modules, SEARCHING + NEVER_ON_THE_QUERY_PATH) == []


def test_a_whole_query_loads_what_it_searches_with_and_nothing_more(tmp_path, sample_engine):
    modules, done = modules_after("from searchkit.cli import main\nmain()\n", tmp_path,
                                  "query", "Đắk Nông trạm BTS", "--index", str(sample_engine.path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith('2 results for "Đắk Nông trạm BTS" (1 with every word)')
    assert "tại tỉnh [Đăk Nông];" in done.stdout and "quản lý các [trạm BTS];" in done.stdout
    assert loaded(modules, SEARCHING) == sorted(SEARCHING)  # the check sees what a search loads
    assert loaded(modules, NEVER_ON_THE_QUERY_PATH) == []
    assert loaded(modules, NEVER_USED_BY_A_SEARCH) == []


def test_whoosh_imported_without_its_unused_modules_behaves_as_before(tmp_path):
    """The stand-ins Whoosh is imported with (`lean_whoosh`) are gone once it is imported:
    a later import of asyncio or urllib.request is the real module, and the download helper
    and cached_property's coroutine check still answer as Whoosh's own imports would."""
    modules, done = modules_after(
        "from searchkit.indexing.lean_whoosh import import_whoosh\n"
        "import_whoosh()\n"
        "held = sorted(m for m in ('urllib.request', 'asyncio') if m in sys.modules)\n"
        "import whoosh.compat, whoosh.reading, cached_property\n"
        "class Tỉnh:\n"
        "    @cached_property.cached_property\n"
        "    def tên(self):\n"
        "        return 'Đắk Nông'\n"
        "tỉnh = Tỉnh()\n"
        "print(held, tỉnh.tên, tỉnh.__dict__, 'asyncio' in sys.modules)\n"
        "import asyncio, urllib.request\n"
        "async def later():\n"
        "    return 1\n"
        "print(type(asyncio).__name__, asyncio.run(later()), callable(urllib.request.urlopen),"
        " cached_property.asyncio.iscoroutinefunction(later), whoosh.compat.urlretrieve.__name__)\n"
        "import whoosh.query.terms\n"
        "print('whoosh.lang.morph_en' in sys.modules, sorted(whoosh.query.terms.variations('render'))[:2])\n",
        tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "[] Đắk Nông {'tên': 'Đắk Nông'} False",
        "module 1 True True urlretrieve",
        "False ['rend', 'rende']",
    ]
    assert {"asyncio", "urllib.request", "whoosh.lang.morph_en"} <= modules


def test_a_process_that_searched_first_can_still_write_an_index(tmp_path, sample_engine):
    """Whoosh imported for a search, without what only writing uses (shutil, tempfile, random:
    imported when first used), still builds an index in the same process."""
    modules, done = modules_after(
        "import sys\n"
        "from searchkit import SearchEngine\n"
        "print(SearchEngine(sys.argv[1]).search('trạm BTS').total, 'shutil' in sys.modules)\n"
        "engine = SearchEngine(sys.argv[3])\n"
        "print(engine.index([sys.argv[2]]).added, engine.search('Đắk Nông').hits[0].province)\n",
        tmp_path, str(sample_engine.path), str(CORPUS), str(tmp_path / "new-index"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["3 False", "5 Đắk Nông"]
    assert {"shutil", "tempfile", "random"} <= modules


def test_a_writer_imports_no_module_it_never_uses(tmp_path, sample_engine):
    """numpy 2's `np.unique` of values alone imports numpy.ma (17-19 ms of every `searchkit
    add` and build worker): the writer's distinct values come from `sorted_distinct`; pyvi's
    pickled model names pycrfsuite's training log, which is never read; Whoosh is imported
    without asyncio and urllib.request, as for a search (`lean_whoosh`). An add that tags the
    words, counts pairs and updates the pair model from the commit before."""
    import shutil

    index = tmp_path / "index"
    shutil.copytree(sample_engine.path, index)
    articles = tmp_path / "new.jsonl"
    articles.write_text(json.dumps({"id": "moi-1", "title": "Sở Thông tin và Truyền thông Đắk Nông",
                                    "body": "Đắk Nông phát triển trạm BTS và chữ ký số cho doanh nghiệp."},
                                   ensure_ascii=False) + "\n", encoding="utf-8")
    modules, done = modules_after("from searchkit.cli import main\nmain()\n", tmp_path,
                                  "add", str(articles), "--index", str(index))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("1 added, 0 updated, 0 removed"), done.stdout
    assert {"searchkit.text.segment", "searchkit.searching.pair_totals"} <= modules  # it tagged and counted
    assert loaded(modules, ["numpy.ma", "pycrfsuite", "sklearn", "sklearn_crfsuite"]) == []  # pyvi's model read bare
    assert loaded(modules, ["asyncio", "urllib.request", "http.client", "ssl"]) == []  # Whoosh imported lean


def test_the_searchkit_program_collects_no_cycles_for_its_one_search(tmp_path, sample_engine):
    """Run as the program (its `__main__` calls `main`), a query turns the cycle collector off
    and freezes every object before the interpreter's last collection, which then has none to
    go through; the answer is the same."""
    done = subprocess.run(
        [sys.executable, "-c", "import atexit, gc, sys\n"
         "atexit.register(lambda: print('collecting', gc.isenabled(), 'frozen', gc.get_freeze_count() > 1000))\n"
         "from searchkit.cli import main\nmain()\n", "query", "trạm BTS", "--index", str(sample_engine.path)],
        cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=120,
        env={**os.environ, "SEARCHKIT_LANG": "en"})
    assert done.returncode == 0, done.stderr
    assert "quản lý các [trạm BTS];" in done.stdout
    assert done.stdout.splitlines()[-1] == "collecting False frozen True"


def test_a_query_run_by_another_program_leaves_its_garbage_collector_on(sample_engine):
    """The searchkit program stops collecting cycles for its one search (it exits after
    it); a program that runs the command and goes on, a test's CliRunner, keeps collecting."""
    import gc

    from click.testing import CliRunner

    from searchkit.cli import main

    assert gc.isenabled()
    done = CliRunner().invoke(main, ["query", "trạm BTS", "--index", str(sample_engine.path)])
    assert done.exit_code == 0 and "[trạm BTS]" in done.output
    assert gc.isenabled()


#: Loaded first by every Python started with its folder on PYTHONPATH: says on standard error
#: whether the exit handlers ran and whether the interpreter was torn down (a finaliser of an
#: object held to the end, writing through a function it captured when it was made).
SAYS_HOW_IT_ENDED = """\
import atexit, builtins, os, sys
atexit.register(lambda: sys.stderr.write("exit handlers ran\\n"))
class Last:
    def __del__(self, write=os.write):
        write(2, b"torn down\\n")
builtins.searchkit_test_last = Last()
"""


def test_the_searchkit_program_leaves_at_once_with_its_whole_answer(tmp_path, sample_engine):
    """Run as itself (`python -m searchkit`, the console script), a query leaves without
    tearing its modules down (`cli._end`): its whole answer reaches a pipe, with its exit
    code, and its exit handlers run. A program of its own that calls `main` and goes on is
    torn down as any other."""
    (tmp_path / "sitecustomize.py").write_text(SAYS_HOW_IT_ENDED, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "SEARCHKIT_LANG": "en"}
    index = ["--index", str(sample_engine.path)]

    def run(*program: str) -> subprocess.CompletedProcess:
        return subprocess.run(list(program), cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
                              timeout=120, env=env)

    script = os.path.join(os.path.dirname(sys.executable), "searchkit")
    for program in ([sys.executable, "-m", "searchkit"], [script]):
        found = run(*program, "query", "trạm BTS", *index, "--json", "-n", "50")
        assert found.returncode == 0, found.stderr
        assert [hit["title"] for hit in json.loads(found.stdout)["hits"]][0] == "Nghệ An: Tổng kết công tác TT&TT cụm I"
        assert found.stderr.splitlines() == ["exit handlers ran"]
        missed = run(*program, "query", "xyzzyq", *index)
        assert missed.returncode == 1 and missed.stdout.startswith('No results for "xyzzyq"')
        assert missed.stderr.splitlines() == ["exit handlers ran"]
    going_on = run(sys.executable, "-c", "from searchkit.cli import main\n"
                   "try:\n    main(['query', 'trạm BTS', *__import__('sys').argv[1:]])\n"
                   "except SystemExit as end:\n    print('went on after', end.code)\n", *index)
    assert going_on.returncode == 0 and going_on.stdout.splitlines()[-1] == "went on after 0"
    assert going_on.stderr.splitlines() == ["exit handlers ran", "torn down"]
