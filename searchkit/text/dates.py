"""Dates in Vietnamese news text and in what users type as date filters. Pure functions.

Vietnamese dates are day/month/year (`04/12/2026` is the 4th of December), and so are an
article's date line and a `--since`/`--until` bound, unless they carry AM/PM: that is the
seed CMS's American format, month first (`2/3/2010 9:46:12 AM` is the 3rd of February).
A date that reads only one way (`13/4/2026 10:15 AM`, `4/13/2026`) is read that way.
"""

from __future__ import annotations

import re
from datetime import date

#: Years outside this range are typos ('04/2/210'), not dates of ICT news.
MIN_YEAR, MAX_YEAR = 1980, 2099
#: Only a date this close to the start of the lead is the date of the event reported.
LEAD_WINDOW = 200

_LEAD_DATE = re.compile(
    r"\bngày\s+(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{1,4}))?(?![\d/])", re.IGNORECASE
)
_ISO = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
# A line that is only a date: 'Thứ Sáu, 4/12/2026 08:30', 'Chủ nhật, ngày 6/12/2026, 07:00 (GMT+7)',
# '04/12/2026', '2/3/2010 9:46:12 AM'. Groups: day-or-month, month-or-day, year, AM/PM.
_WEEKDAY = r"(?:thứ\s*(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s*nhật|cn|t[2-7])"
_DATE_LINE = re.compile(
    rf"(?:{_WEEKDAY}\s*[,\-–|]?\s*)?(?:ngày\s+)?"
    r"(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{4})"
    r"(?:\s*[,\-–|]?\s*(?:lúc\s+)?\d{1,2}\s*[:h]\s*\d{2}(?::\d{2})?(?:\s*([AP]\.?M\.?))?)?"
    r"(?:\s*\((?:GMT|UTC)\s*[+\-]\s*\d{1,2}(?::?\d{2})?\))?",
    re.IGNORECASE,
)
_DMY = re.compile(r"(?:(\d{1,2})[/.\-])?(\d{1,2})[/.\-](\d{4})")


def iso_date(year: int, month: int, day: int) -> str | None:
    """'YYYY-MM-DD' for a real calendar day in the years of news, else None.

    >>> iso_date(2010, 2, 3), iso_date(210, 2, 4), iso_date(2010, 2, 30)
    ('2010-02-03', None, None)
    """
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def date_line(line: str) -> str | None:
    """ISO day of a line that holds only a date (and perhaps a weekday and a time), else None.

    Day first, as Vietnamese write it, unless the time carries AM/PM (the seed CMS's
    month-first format); a date impossible in that order is read in the other one.

    >>> date_line("Thứ Sáu, 4/12/2026 08:30"), date_line("04/12/2026"), date_line("2/3/2010 9:46:12 AM")
    ('2026-12-04', '2026-12-04', '2010-02-03')
    >>> date_line("Ngày 4/12/2026, Sở TT&TT tổ chức hội nghị"), date_line("13/13/2010")
    (None, None)
    """
    match = _DATE_LINE.fullmatch(line.strip())
    if not match:
        return None
    first, _, second, year, meridiem = match.groups()
    day, month = (int(second), int(first)) if meridiem else (int(first), int(second))
    return iso_date(int(year), month, day) or iso_date(int(year), day, month)


def lead_date(lead: str) -> str | None:
    """The date an article's lead opens with ('Ngày 02/02/2010, …'), as ISO; None if absent.

    Only the first 'ngày D/M/Y' near the start counts; one without a year ('Ngày 11/6') or
    impossible ('Sáng ngày 04/2/210') gives no date rather than a guess.

    >>> lead_date("Ngày 02/02/2010, Sở Thông tin và Truyền thông tỉnh An Giang tổ chức…")
    '2010-02-02'
    >>> lead_date("Sáng ngày 04/2/210, Sở…"), lead_date("Ngày 11/6, đồng chí…")
    (None, None)
    """
    match = _LEAD_DATE.search(lead[:LEAD_WINDOW])
    if not match or not match.group(3):
        return None
    day, month, year = (int(g) for g in match.groups())
    return iso_date(year, month, day)


def parse_date_bound(value: str, end: bool = False) -> str:
    """A user's date filter as an ISO day: the first day it covers, or the last with `end`.

    Accepts `2010`, `2010-02`, `2010-02-03`, `03/02/2010` (day first) and `02/2010`, and
    whatever an article's date line may hold (`date_line`: `Thứ Sáu, 4/12/2026 08:30`, or
    `2/3/2010 9:46:12 AM`, month first as the seed CMS writes it). Raises ValueError saying
    which forms are accepted.

    >>> parse_date_bound("2010"), parse_date_bound("2010", end=True)
    ('2010-01-01', '2010-12-31')
    >>> parse_date_bound("2012-02", end=True), parse_date_bound("03/02/2010")
    ('2012-02-29', '2010-02-03')
    >>> parse_date_bound("Thứ Sáu, 4/12/2026 08:30"), parse_date_bound("2/3/2010 9:46:12 AM")
    ('2026-12-04', '2010-02-03')
    """
    text = value.strip()
    iso, dmy = _ISO.fullmatch(text), _DMY.fullmatch(text)
    if iso:
        year, month, day = (int(g) if g else None for g in iso.groups())
    elif dmy:
        day, month, year = (int(g) if g else None for g in dmy.groups())
    else:
        year = month = day = None
    result = (_bound(year, month, day, end) if year else None) or date_line(text)
    if result is None:
        raise ValueError(
            f"{value!r} is not a date; use YYYY, YYYY-MM, YYYY-MM-DD or DD/MM/YYYY, e.g. 2010-02 or 03/02/2010"
        )
    return result


def _bound(year: int, month: int | None, day: int | None, end: bool) -> str | None:
    if month is None:
        month, day = (12, 31) if end else (1, 1)
    elif day is None:
        if not 1 <= month <= 12:
            return None
        import calendar  # only for a month's last day: calendar imports locale at every start

        day = calendar.monthrange(year, month)[1] if end else 1
    return iso_date(year, month, day)
