"""The packed gazetteer (`searchkit/text/provinces_table.py`) is `data/provinces.tsv` parsed:
a cold start reads it instead of parsing the file (issue 21, item 6), and an edited file is
parsed again rather than answered from a stale pack."""

from __future__ import annotations

import subprocess
import sys

from searchkit.text import places
from searchkit.text.places import load_gazetteer, parse_gazetteer
from tests.conftest import ROOT

TSV = ROOT / "searchkit" / "data" / "provinces.tsv"


def test_the_pack_is_what_the_generator_writes_from_the_file_today():
    written = subprocess.run([sys.executable, "-m", "searchkit.text.places"], cwd=ROOT, capture_output=True,
                             text=True, encoding="utf-8", check=True).stdout
    assert written == (ROOT / "searchkit" / "text" / "provinces_table.py").read_text(encoding="utf-8"), \
        "regenerate it: python -m searchkit.text.places > searchkit/text/provinces_table.py"


def test_the_unpacked_gazetteer_is_the_parsed_one():
    text = TSV.read_text(encoding="utf-8")
    packed, parsed = places._unpack(text), parse_gazetteer(text, "provinces.tsv")
    assert packed is not None and load_gazetteer().names == packed.names == parsed.names
    assert list(packed._by_key.items()) == list(parsed._by_key.items())  # same spellings, same order
    assert (packed._longest, packed._first) == (parsed._longest, parsed._first)
    assert packed.resolve("dak nong") == "Đắk Nông" and packed.spellings(["dak", "nong"]) == (
        ("đắk", "nông"), ("đak", "nông"), ("đăk", "nông"))
    assert packed.find("Lãnh đạo Tỉnh Hòa Bình làm việc") == "Hòa Bình"


def test_an_edited_file_is_parsed_not_read_from_the_pack():
    edited = TSV.read_text(encoding="utf-8") + "Atlantis\tAtlantide\t\n"
    assert places._unpack(edited) is None
    assert parse_gazetteer(edited).resolve("atlantide") == "Atlantis"
