"""numpy's AVX-512 sorts are turned off on AMD's Zen 4 only, before numpy is imported, and never
against a choice someone made (`searchkit.cpu`)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys

import pytest

from searchkit import cpu

FLAGS = "fpu vme de pse tsc msr pae mce cx8 apic sse sse2 ssse3 sse4_1 sse4_2 popcnt avx f16c fma avx2"
AVX512 = "avx512f avx512dq avx512cd avx512bw avx512vl avx512_vnni avx512_bf16"


def cpuinfo(vendor: str, family: int, flags: str, processors: int = 2) -> str:
    block = (f"processor\t: {{n}}\nvendor_id\t: {vendor}\ncpu family\t: {family}\nmodel\t\t: 17\n"
             f"model name\t: Processor\nflags\t\t: {flags}\n\n")
    return "".join(block.format(n=n) for n in range(processors))


@pytest.mark.parametrize("text, slow", [
    (cpuinfo("AuthenticAMD", 25, f"{FLAGS} {AVX512}"), True),  # Zen 4 (EPYC Genoa, Ryzen 7000)
    (cpuinfo("AuthenticAMD", 25, FLAGS), False),  # Zen 3: no AVX-512
    (cpuinfo("AuthenticAMD", 26, f"{FLAGS} {AVX512}"), False),  # Zen 5: its compress stores are fast
    (cpuinfo("GenuineIntel", 6, f"{FLAGS} {AVX512}"), False),  # what x86-simd-sort was tuned on
    (cpuinfo("AuthenticAMD", 23, FLAGS), False),  # Zen 2
    ("processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm\nCPU implementer\t: 0x41\n", False),  # ARM
    ("", False),
])
def test_only_a_zen_4_is_told_apart(text, slow):
    assert cpu.slow_avx512_sorts(text) is slow


def test_the_first_processors_lines_decide():
    zen4_then_other = cpuinfo("AuthenticAMD", 25, f"{FLAGS} {AVX512}", 1) + cpuinfo("GenuineIntel", 6, FLAGS, 1)
    assert cpu.slow_avx512_sorts(zen4_then_other)
    assert cpu.slow_avx512_sorts("\n\n" + zen4_then_other)  # blank lines before it skipped


def test_numpy_imported_already_or_features_chosen_keep_numpys_choice(tmp_path):
    zen4 = tmp_path / "cpuinfo"
    zen4.write_text(cpuinfo("AuthenticAMD", 25, f"{FLAGS} {AVX512}"), encoding="utf-8")
    import numpy  # noqa: F401 - this process has numpy now: too late to choose

    environ: dict[str, str] = {}
    assert not cpu.prefer_avx2_sorts(environ, str(zen4)) and environ == {}


def choose_in_a_fresh_process(cpuinfo_path: str, environ: dict[str, str]) -> tuple[bool, dict[str, str], bool | None]:
    """(whether it chose, the environment after, whether numpy then dispatches AVX-512 ICL code:
    None when it did not choose), in a process that imports searchkit.cpu alone, then numpy."""
    code = f"""
import json
import importlib.util
spec = importlib.util.spec_from_file_location("cpu", {json.dumps(cpu.__file__)})
module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
import os
environ = dict({json.dumps(environ)})
chose = module.prefer_avx2_sorts(environ, {json.dumps(cpuinfo_path)})
icl = None
if chose:
    os.environ.update(environ)
    import numpy
    icl = numpy._core._multiarray_umath.__cpu_features__.get("AVX512_ICL", False) if hasattr(numpy, "_core") else False
print(json.dumps([chose, environ, icl]))
"""
    found = subprocess.run([sys.executable, "-W", "error::ImportWarning", "-c", code], capture_output=True, text=True,
                           timeout=60, check=True, env={k: v for k, v in os.environ.items() if not k.startswith("NPY_")})
    chose, after, icl = json.loads(found.stdout)
    return chose, after, icl


@pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"),
                    reason="numpy dispatches other names on this processor (a Zen 4 is x86-64)")
def test_a_zen_4_turns_numpys_avx512_code_off_before_numpy_is_imported(tmp_path):
    zen4 = tmp_path / "cpuinfo"
    zen4.write_text(cpuinfo("AuthenticAMD", 25, f"{FLAGS} {AVX512}"), encoding="utf-8")
    chose, environ, icl = choose_in_a_fresh_process(str(zen4), {})
    assert chose and environ["NPY_DISABLE_CPU_FEATURES"]
    assert icl is False  # numpy took the names without a warning (ImportWarning is an error here)


@pytest.mark.parametrize("environ", [{"NPY_DISABLE_CPU_FEATURES": ""}, {"NPY_ENABLE_CPU_FEATURES": "AVX2"},
                                     {"NPY_DISABLE_CPU_FEATURES": "AVX512_SPR"}])
def test_a_choice_someone_made_is_kept(tmp_path, environ):
    zen4 = tmp_path / "cpuinfo"
    zen4.write_text(cpuinfo("AuthenticAMD", 25, f"{FLAGS} {AVX512}"), encoding="utf-8")
    assert choose_in_a_fresh_process(str(zen4), environ)[:2] == (False, environ)


def test_another_processor_or_no_cpuinfo_leaves_numpy_alone(tmp_path):
    intel = tmp_path / "cpuinfo"
    intel.write_text(cpuinfo("GenuineIntel", 6, f"{FLAGS} {AVX512}"), encoding="utf-8")
    assert choose_in_a_fresh_process(str(intel), {})[:2] == (False, {})
    assert choose_in_a_fresh_process(str(tmp_path / "missing"), {})[:2] == (False, {})


def test_the_names_follow_numpys_version():
    assert cpu.avx512_names((2, 4)) == cpu.AVX512_FEATURES
    assert cpu.avx512_names((2, 5)) == cpu.AVX512_FEATURES
    assert cpu.avx512_names((2, 3)) == cpu.avx512_names((1, 24)) == cpu.AVX512_FEATURES_BEFORE_2_4
    assert set(cpu.avx512_names(None).split()) == set(cpu.AVX512_FEATURES.split()) | set(cpu.AVX512_FEATURES_BEFORE_2_4.split())
    import numpy

    assert cpu._numpy_version() == tuple(int(part) for part in numpy.__version__.split(".")[:2])


def test_searches_go_without_numpys_huge_page_advice_unless_someone_chose():
    environ: dict[str, str] = {}
    assert cpu.quiet_huge_pages(environ) and environ == {"NUMPY_MADVISE_HUGEPAGE": "0"}
    for chosen in ("1", "0"):
        environ = {"NUMPY_MADVISE_HUGEPAGE": chosen}
        assert not cpu.quiet_huge_pages(environ) and environ == {"NUMPY_MADVISE_HUGEPAGE": chosen}


_ADVICE_AROUND_A_MERGE = """
import json, sys
import searchkit
from searchkit.cpu import huge_pages
from numpy._core.multiarray import _get_madvise_hugepage as advice
before = advice()
with huge_pages():
    during = advice()
print(json.dumps([before, during, advice()]))
"""


@pytest.mark.parametrize("chosen, expected", [(None, [False, True, False]), ("0", [False, False, False]),
                                              ("1", [True, True, True])])
def test_a_merge_turns_numpys_huge_page_advice_on_while_it_writes_unless_someone_chose(chosen, expected):
    """A merge's arrays are hundreds of MB: 4 KB faults cost a ×16 `optimize` 5.7 million faults
    and half its CPU in the kernel. The advice is on only while it writes, never for searches,
    and a choice made in the environment is kept throughout."""
    pytest.importorskip("numpy._core.multiarray")
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    if chosen is not None:
        env["NUMPY_MADVISE_HUGEPAGE"] = chosen
    found = subprocess.run([sys.executable, "-c", _ADVICE_AROUND_A_MERGE], capture_output=True, text=True,
                           timeout=60, check=True, env=env)
    assert json.loads(found.stdout) == expected
