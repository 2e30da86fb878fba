"""Issue 18: every kind of index file × every kind of damage, then check, searches, a re-sync
and optimize on it. Never a raw exception, never damage spread by a re-sync or laundered by
optimize, and `check` exits 3 for every damage that is not a cache's (a cache is rebuilt:
searches then answer as before). The base index is built once and copied for each case."""

from __future__ import annotations

import shutil

import pytest

from tests.damage import CACHES, DAMAGES, FILE_KINDS, OPERATIONS, acceptable, build_base, damage, outcome


@pytest.fixture(scope="session")
def base(tmp_path_factory):
    return build_base(tmp_path_factory.mktemp("damage-base"))


@pytest.mark.parametrize("how", DAMAGES)
@pytest.mark.parametrize("kind", FILE_KINDS)
def test_damage_is_detected_never_spread(base, tmp_path, kind, how):
    results = {}
    for operation in OPERATIONS:
        work = tmp_path / operation
        shutil.copytree(base.index, work / "index")
        if not damage(work / "index", kind, how, base):
            pytest.skip(f"{how} leaves the {kind} file as it was")
        results[operation] = outcome(operation, work / "index", base)
    wrong = {op: result for op, result in results.items() if not acceptable(op, kind, result)}
    assert not wrong, f"{kind} × {how}: {results}"
    if kind not in CACHES:
        assert results["check"] == "exit3"


def test_check_names_the_damaged_file(base, tmp_path):
    from searchkit import SearchEngine
    from tests.damage import target

    shutil.copytree(base.index, tmp_path / "index")
    damaged = target(tmp_path / "index", ".id.col")
    damage(tmp_path / "index", ".id.col", "flip-middle", base)
    problems = SearchEngine(tmp_path / "index").check()["problems"]
    assert problems and damaged.name in problems[0]
