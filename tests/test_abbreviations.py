"""The ICT abbreviation table: both directions, spelling variants, user files, bad lines."""

import dataclasses
from pathlib import Path

import pytest

from searchkit.searching.abbreviations import Abbreviations, load_abbreviations


@pytest.fixture(scope="module")
def table() -> Abbreviations:
    return load_abbreviations()


@pytest.mark.parametrize("abbr, expansions", [
    ("CNTT", ("công nghệ thông tin",)),
    ("UBND", ("ủy ban nhân dân",)),
    ("HĐND", ("hội đồng nhân dân",)),
    ("ĐTDĐ", ("điện thoại di động",)),
    ("CSDL", ("cơ sở dữ liệu",)),
    ("ATTT", ("an toàn thông tin",)),
    ("CĐS", ("chuyển đổi số",)),
    ("TMĐT", ("thương mại điện tử",)),
    ("BCVT", ("bưu chính viễn thông",)),
    ("VNPT", ("Tập đoàn Bưu chính Viễn thông Việt Nam",)),
    ("Bộ TT&TT", ("Bộ Thông tin và Truyền thông",)),
    ("Sở TT&TT", ("Sở Thông tin và Truyền thông",)),
    ("BTS", ("trạm thu phát sóng di động", "trạm thu phát sóng", "trạm gốc")),
    ("PTTH", ("phát thanh - truyền hình", "phổ thông trung học")),
    ("TPHCM", ("Thành phố Hồ Chí Minh", "TP Hồ Chí Minh")),
])
def test_abbreviations_expand_in_file_order(table, abbr, expansions):
    assert table.expand(abbr) == expansions


@pytest.mark.parametrize("variant", ["TT&TT", "tt&tt", "TTTT", "TT-TT", "tt - tt", "Tt.Tt"])
def test_variants_of_tt_and_tt_find_one_entry(table, variant):
    assert table.expand(variant) == ("thông tin và truyền thông",)


@pytest.mark.parametrize("first, second", [
    ("KH&CN", "KHCN"), ("CNTT&TT", "CNTT-TT"), ("PT-TH", "PTTH"), ("TP.HCM", "TP HCM"),
    ("GD&ĐT", "GDĐT"), ("CNH-HĐH", "CNH, HĐH"),
])
def test_separator_variants_are_the_same_abbreviation(table, first, second):
    assert table.expand(first) == table.expand(second) != ()


@pytest.mark.parametrize("typed, written", [("HDND", "HĐND"), ("dtdd", "ĐTDĐ"), ("CDS", "CĐS"),
                                            ("DDTDDD", "ĐTDĐ"), ("HDDND", "HĐND"), ("GD&DDT", "GD&ĐT")])
def test_d_without_input_method_finds_longer_abbreviations_with_đ(table, typed, written):
    assert table.expand(typed) == table.expand(written) != ()


def test_short_abbreviations_keep_đ_apart_from_d(table):
    """CĐ is cao đẳng; CD (a compact disc) must not become one."""
    assert table.expand("CĐ") == ("cao đẳng",)
    assert table.expand("CD") == ()


@pytest.mark.parametrize("phrase, abbrs", [
    ("công nghệ thông tin", ("CNTT",)),
    ("cong nghe thong tin", ("CNTT",)),
    ("Công Nghệ  Thông Tin", ("CNTT",)),
    ("thông tin và truyền thông", ("TT&TT",)),
    ("Bộ Thông tin và Truyền thông", ("Bộ TT&TT",)),
    ("uy ban nhan dan", ("UBND",)),
    ("Uỷ ban nhân dân", ("UBND",)),
    ("dien thoai di dong", ("ĐTDĐ",)),
    ("trạm gốc", ("BTS",)),
    ("văn hóa thông tin", ("VHTT",)),
    ("Thành phố Hồ Chí Minh", ("TP.HCM",)),
    ("hiện đại hóa", ("HĐH",)),
])
def test_phrases_abbreviate_ignoring_accents_case_and_punctuation(table, phrase, abbrs):
    assert table.abbreviate(phrase) == abbrs


@pytest.mark.parametrize("unknown", ["XYZW", "", "công nghệ", "thông tin truyền thông"])
def test_unknown_words_give_nothing(table, unknown):
    assert table.expand(unknown) == ()
    assert table.abbreviate(unknown) == ()


def test_packaged_table_is_large_and_immutable(table):
    assert len(table) >= 60
    assert "tt-tt" in table and "XYZW" not in table
    with pytest.raises(dataclasses.FrozenInstanceError):
        table._expansions = {}  # type: ignore[misc]
    with pytest.raises(TypeError):
        table._expansions["cntt"] = ("x",)  # type: ignore[index]


def test_user_file_adds_entries_and_expansions(tmp_path: Path):
    extra = tmp_path / "mine.tsv"
    extra.write_text(
        "# local additions\n\nSTTTT\tSở Thông tin và Truyền thông\nCNTT\tcông nghệ tin học\n"
        "CNTT\tcông nghệ thông tin\n",
        encoding="utf-8",
    )
    table = load_abbreviations([extra])
    assert table.expand("STTTT") == ("Sở Thông tin và Truyền thông",)
    assert table.expand("cntt") == ("công nghệ thông tin", "công nghệ tin học")
    assert table.abbreviate("so thong tin va truyen thong") == ("Sở TT&TT", "STTTT")
    assert load_abbreviations().expand("STTTT") == ()


def test_later_files_add_to_earlier_ones(tmp_path: Path):
    first, second = tmp_path / "a.tsv", tmp_path / "b.tsv"
    first.write_text("ĐTTM\tđiện thoại thông minh\nXYZ\tmột\n", encoding="utf-8")
    second.write_text("XYZ\thai\n", encoding="utf-8")
    assert load_abbreviations([str(first), second]).expand("XYZ") == ("một", "hai")


@pytest.mark.parametrize("bad_line", [
    "CNTT công nghệ thông tin",  # a space, not a TAB
    "CNTT\t",  # no expansion
    "\tcông nghệ thông tin",  # no abbreviation
    "CNTT\tcông nghệ\tthông tin",  # two TABs
    "&-.\tdấu",  # nothing left of the abbreviation
])
def test_malformed_line_names_file_and_line_number(tmp_path: Path, bad_line):
    path = tmp_path / "broken.tsv"
    path.write_text(f"# header\nATTT\tan toàn thông tin\n\n{bad_line}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.tsv, line 4\b"):
        load_abbreviations([path])


def test_packaged_file_is_well_formed_and_every_abbreviation_answers(table):
    from importlib.resources import files

    text = (files("searchkit") / "data" / "abbreviations.tsv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert len(lines) >= 100
    for line in lines:
        abbr, expansion = line.split("\t")
        assert expansion in table.expand(abbr)
        assert abbr in table.abbreviate(expansion)
