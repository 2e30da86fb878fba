"""Every ```python and ```sh/```bash/```console example in README.md and docs/*.md runs, as
written, in a fresh copy of the repository (what git would clone: its tracked files, and new
ones that are not ignored; no index, no build output) with this virtual environment.

An example that cannot run here is marked, on the line before its fence, with
`<!-- example: KIND -->` (or a first line `# needs: KIND`), and is run by its own tests or
skipped with the reason:

- `install`: makes the virtual environment; its `python3 -m venv`/`pip install` steps are left
  out (this one is used) and the rest runs. CI runs the steps themselves (`.ci/run`).
- `suite`: runs the whole test suite (CI runs exactly that command).
- `server`: needs `searchkit serve` running (tests/test_serve.py, tests/test_web_api.py).
- `typesense`: needs a Typesense cluster (tests/test_typesense.py).
- `long`: takes minutes (the 16k-article benchmarks); runs with SEARCHKIT_LONG_EXAMPLES=1.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

LANGUAGES = {"python": "python", "sh": "sh", "bash": "sh", "console": "console", "shell": "sh"}
SKIPPED = {
    "suite": "runs the whole test suite: CI runs exactly this command (.ci/run)",
    "server": "needs `searchkit serve` running: tests/test_serve.py and tests/test_web_api.py serve the index",
    "typesense": "needs a Typesense cluster: tests/test_typesense.py runs one",
}
KINDS = {"install", "long", *SKIPPED}
_FENCE = re.compile(r"^```(\w*)\s*$")
_MARK = re.compile(r"^<!--\s*example:\s*([\w\s,-]+?)\s*-->\s*$")
_NEEDS = re.compile(r"^#\s*needs:\s*([\w\s,-]+?)\s*$")
_INSTALL_STEP = re.compile(r"^\s*(python3?\s+-m\s+venv\b|\S*pip3?\s+install\b)")


@dataclass(frozen=True)
class Example:
    file: str  # relative to the repository
    line: int  # of the opening fence
    language: str  # python, sh or console
    code: str
    kinds: frozenset[str]

    @property
    def name(self) -> str:
        return f"{self.file}:{self.line}"


def examples_in(text: str, file: str) -> list[Example]:
    """The runnable examples of a Markdown text, with the kinds they are marked with."""
    found, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        fence = _FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("```")), len(lines))
        body = lines[i + 1:end]
        language = LANGUAGES.get(fence.group(1).lower())
        if language:
            kinds = set()
            mark = _MARK.match(lines[i - 1].strip()) if i else None
            needs = _NEEDS.match(body[0].strip()) if body else None
            for match in (mark, needs):
                if match:
                    kinds |= {kind.strip() for kind in match.group(1).split(",") if kind.strip()}
            found.append(Example(file, i + 1, language, "\n".join(body) + "\n", frozenset(kinds)))
        i = end + 1
    return found


def all_examples() -> list[Example]:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return [example for path in files
            for example in examples_in(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())]


def shell_script(example: Example) -> str:
    """The commands to run: a console block's `$ ` lines; an `install` example without the
    steps that make the virtual environment."""
    lines = example.code.splitlines()
    if example.language == "console":
        lines = [line[2:] for line in lines if line.startswith("$ ")]
    if "install" in example.kinds:
        lines = [" && ".join(step.strip() for step in line.split("&&") if not _INSTALL_STEP.match(step))
                 for line in lines]
    return "\n".join(line for line in lines if line.strip()) + "\n"


@pytest.fixture(scope="session")
def built_repository(tmp_path_factory) -> Path:
    """A copy of the repository's files with the sample index built once (`index/`)."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                cwd=ROOT, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked files are unknown")
    target = tmp_path_factory.mktemp("readme") / "repo"
    for name in filter(None, listed.decode("utf-8").split("\0")):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is not copied
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    done = subprocess.run(["searchkit", "index", "corpus", "--quiet"], cwd=target, env=environment(target),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return target


def environment(repository: Path) -> dict[str, str]:
    """This virtual environment, as if activated, importing the copy's searchkit."""
    venv_bin = str(Path(sys.executable).parent)
    env = {key: value for key, value in os.environ.items() if not key.startswith("SEARCHKIT_")}
    env.update(PATH=venv_bin + os.pathsep + env.get("PATH", ""), PYTHONPATH=str(repository),
               VIRTUAL_ENV=sys.prefix, NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1")
    return env


@pytest.fixture
def repository(built_repository, tmp_path) -> Path:
    """A fresh copy for one example, with `.venv` pointing at this virtual environment."""
    target = tmp_path / "repo"
    shutil.copytree(built_repository, target, symlinks=True)
    (target / ".venv").symlink_to(sys.prefix, target_is_directory=True)
    return target


EXAMPLES = all_examples()


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.name for example in EXAMPLES])
def test_example_runs(example: Example, request):
    unknown = example.kinds - KINDS
    assert not unknown, f"{example.name}: unknown example kind {sorted(unknown)}; known: {sorted(KINDS)}"
    for kind in sorted(example.kinds & SKIPPED.keys()):
        pytest.skip(f"{example.name}: {SKIPPED[kind]}")
    if "long" in example.kinds and not os.environ.get("SEARCHKIT_LONG_EXAMPLES"):
        pytest.skip(f"{example.name}: takes minutes; run with SEARCHKIT_LONG_EXAMPLES=1")
    repository = request.getfixturevalue("repository")
    if example.language == "python":
        (repository / "example.py").write_text(example.code, encoding="utf-8")
        command = [sys.executable, "example.py"]
    else:
        script = shell_script(example)
        if not script.strip():
            pytest.skip(f"{example.name}: nothing left to run without the install steps")
        command = ["bash", "-euo", "pipefail", "-c", script]
    done = subprocess.run(command, cwd=repository, env=environment(repository), capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, f"{example.name} exited {done.returncode}:\n{example.code}\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr


def test_examples_are_found_with_their_marks():
    text = "\n".join([
        "Quick start:", "<!-- example: install -->", "```sh",
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/searchkit query \"trạm BTS\"", "```",
        "```python", "# needs: server, long", "print('xin chào')", "```",
        "```", "không phải mã chạy được", "```",
        "```console", "$ searchkit query tram bts", "3 kết quả", "```",
    ])
    found = examples_in(text, "README.md")
    assert [(e.line, e.language, sorted(e.kinds)) for e in found] == [
        (3, "sh", ["install"]), (6, "python", ["long", "server"]), (13, "console", [])]
    assert shell_script(found[0]) == '.venv/bin/searchkit query "trạm BTS"\n'
    assert shell_script(found[2]) == "searchkit query tram bts\n"


def test_the_readme_examples_that_cannot_run_here_say_why():
    """Every example of the README is run, or marked with what it needs."""
    readme = [example for example in EXAMPLES if example.file == "README.md"]
    assert any(example.language == "python" and not example.kinds for example in readme)
    marked = {kind for example in readme for kind in example.kinds}
    assert {"install", "suite", "server"} <= marked and marked <= KINDS
