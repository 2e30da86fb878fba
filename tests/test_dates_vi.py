"""Dates as Vietnamese write them: an article's date line and a --since/--until bound are day
first, unless they carry AM/PM (the seed CMS's month-first format)."""

from __future__ import annotations

import pytest

from searchkit import FilterError, SearchEngine
from searchkit.indexing.corpus import iter_articles, parse_txt
from searchkit.text.dates import date_line, parse_date_bound
from tests.conftest import CORPUS, write_articles


@pytest.mark.parametrize("line, iso", [
    ("Thứ Sáu, 4/12/2026 08:30", "2026-12-04"),  # a journalist's line: the 4th of December
    ("04/12/2026", "2026-12-04"),
    ("12/4/2026 10:15:00 AM", "2026-12-04"),  # the CMS's export: month first because of AM/PM
    ("2/3/2010 9:46:12 AM", "2010-02-03"),  # the seeds' own format
    ("6/12/2009 8:30:21 PM", "2009-06-12"),
    ("Chủ nhật, 6/12/2026, 07:00 (GMT+7)", "2026-12-06"),
    ("thứ hai, ngày 7/12/2026 - 14h05", "2026-12-07"),
    ("T3, 08.12.2026", "2026-12-08"),
    ("13/4/2026 10:15 AM", "2026-04-13"),  # impossible month first: read the only way it reads
    ("4/13/2026", "2026-04-13"),
    ("31/2/2026", None),
    ("4/12", None),  # no year: not a date line
    ("Ngày 4/12/2026, Sở TT&TT Nghệ An tổ chức hội nghị giao ban", None),  # a sentence of the lead
    ("Thứ Sáu tuần này, Sở TT&TT họp", None),
])
def test_date_lines_are_day_first_unless_they_carry_am_pm(line, iso):
    assert date_line(line) == iso


def test_a_journalists_txt_article_gets_its_date_line_day_first_and_keeps_it_out_of_the_body():
    article = parse_txt(
        "Nghệ An: Phủ sóng 5G đến 100% xã vùng cao\n\nThứ Sáu, 4/12/2026 08:30\n\n"
        "Sở Thông tin và Truyền thông Nghệ An cho biết các trạm BTS mới đã phát sóng tại Kỳ Sơn.\n",
        "nghe-an-5g")
    assert article.date == "2026-12-04"
    assert article.body.startswith("Sở Thông tin và Truyền thông Nghệ An") and "08:30" not in article.body


def test_the_seeds_keep_their_dates():
    dates = {article.id: article.date for article in iter_articles([CORPUS], {})}
    assert dates == {
        "000_8ea709576470be64": "2010-02-03",  # '2/3/2010 9:46:12 AM'
        "001_763baed69ffaf6d4": None,
        "002_8621a67b8f0e4508": "2009-06-12",  # '6/12/2009 8:30:21 PM'
        "003_968839511eb7d5a3": None,  # 'Sáng ngày 04/2/210': an impossible year, no guess
        "004_18419e47d282bcbb": "2013-01-11",  # from the lead: 'Ngày 11/01/2013'
    }


@pytest.mark.parametrize("typed, start, end", [
    ("04/12/2026", "2026-12-04", "2026-12-04"),
    ("4/12/2026", "2026-12-04", "2026-12-04"),
    ("Thứ Sáu, 4/12/2026 08:30", "2026-12-04", "2026-12-04"),
    ("12/4/2026 10:15:00 AM", "2026-12-04", "2026-12-04"),  # pasted from a seed's date line
    ("12/2026", "2026-12-01", "2026-12-31"),
])
def test_since_and_until_take_the_same_forms(typed, start, end):
    assert (parse_date_bound(typed), parse_date_bound(typed, end=True)) == (start, end)


def test_a_bound_that_is_no_date_says_which_forms_are_accepted():
    with pytest.raises(ValueError, match="DD/MM/YYYY"):
        parse_date_bound("thứ sáu tuần trước")


def test_searching_a_day_finds_the_articles_dated_that_day_however_their_line_was_written(tmp_path):
    corpus = write_articles(tmp_path / "bai", {
        "phong-vien": "Trạm BTS mới ở Kỳ Sơn\n\nThứ Sáu, 4/12/2026 08:30\n\nViettel vừa phát sóng trạm BTS ở Kỳ Sơn.",
        "cms": "Trạm BTS mới ở Quế Phong\n\n12/4/2026 10:15:00 AM\n\nVNPT vừa phát sóng trạm BTS ở Quế Phong.",
        "thang-tu": "Trạm BTS mới ở Tương Dương\n\n12/04/2026\n\nMobiFone vừa phát sóng trạm BTS ở Tương Dương.",
    })
    engine = SearchEngine(tmp_path / "index")
    engine.index([corpus])
    hits = engine.search("trạm BTS", since="04/12/2026", until="Thứ Sáu, 4/12/2026").hits
    assert sorted(hit.id for hit in hits) == ["cms", "phong-vien"]
    april = engine.search("trạm BTS", since="12/4/2026", until="12/04/2026").hits
    assert [(hit.id, hit.date) for hit in april] == [("thang-tu", "2026-04-12")]
    with pytest.raises(FilterError):
        engine.search("trạm BTS", since="thứ sáu tuần trước")
