"""Parsing what people type: dates of day or month precision, amounts, character counts, credit codes."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from pipeline.extract import HAN_DIGITS, HAN_ZEROS, is_nothing
from pipeline.text import nfkc, nfkc_no_spaces, no_spaces


def compared(text: str) -> str:
    """A code, number or date as it is compared: NFKC (full-width ０-９ Ａ-Ｚ ＠ （） are ASCII), trimmed."""
    return nfkc(text).strip()


def char_count(text: str) -> int:
    """Characters after trimming, whitespace not counted."""
    return len(no_spaces(text))


def same_name(a: str, b: str) -> bool:
    """Two names are the same after NFKC and without whitespace."""
    return nfkc_no_spaces(a) == nfkc_no_spaces(b)


@dataclass(frozen=True)
class PartialDate:
    """A date of day or month precision (2019年3月 or 2019年3月1日)."""

    year: int
    month: int
    day: int | None = None

    @property
    def first(self) -> dt.date:
        """The earliest day it can mean."""
        return dt.date(self.year, self.month, self.day or 1)

    @property
    def last(self) -> dt.date:
        """The latest day it can mean."""
        return dt.date(self.year, self.month, self.day or calendar.monthrange(self.year, self.month)[1])

    def __str__(self) -> str:
        if self.day is None:
            return f"{self.year}年{self.month}月"
        return f"{self.year}年{self.month}月{self.day}日"

    def iso(self) -> str:
        """2019-03 or 2019-03-01."""
        return f"{self.year:04d}-{self.month:02d}" + (f"-{self.day:02d}" if self.day else "")


def date_zh(d: dt.date) -> str:
    """A day as Chinese text reads it: 2021年5月26日 (never 2021-05-26 inside a Chinese sentence)."""
    return f"{d.year}年{d.month}月{d.day}日"


def number_shown(x: float) -> int | float:
    """A computed number as a person writes it: 3000.0 -> 3000, 653.8000000001 -> 653.8."""
    r = round(float(x), 6)
    return int(r) if r.is_integer() else r


_DATE_CN = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号])?$")
_DATE_SEP = re.compile(r"^(\d{4})\s*([.\-/])\s*(\d{1,2})(?:\s*\2\s*(\d{1,2}))?\s*$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")
# 二〇二一年六月二十八日: the year digit by digit, month and day as counted (十二, 二十八); Arabic digits may mix in
_NUM = f"[0-9{HAN_ZEROS}{HAN_DIGITS}十]"
_DATE_HAN = re.compile(f"^([0-9{HAN_ZEROS}{HAN_DIGITS}]{{4}})年({_NUM}{{1,3}})月(?:({_NUM}{{1,3}})[日号])?$")
_HAN_VALUE = {c: 0 for c in HAN_ZEROS} | {c: i for i, c in enumerate(HAN_DIGITS, 1)} | {str(i): i for i in range(10)}


def _numeral(text: str) -> int | None:
    """二〇二一 -> 2021, 〇六 -> 6, 十二 -> 12, 二十八 -> 28, 三十 -> 30; None when no number reads so (二二十)."""
    tens, sep, ones = text.partition("十")
    if not sep:
        return int("".join(str(_HAN_VALUE[c]) for c in text))
    tens = tens or "1"
    if len(tens) > 1 or not _HAN_VALUE[tens] or (ones and (len(ones) > 1 or ones not in _HAN_VALUE)):
        return None
    return _HAN_VALUE[tens] * 10 + _HAN_VALUE.get(ones, 0)


def _date_parts(t: str) -> tuple[int, int, int | None] | None:
    """(year, month, day) of a date in any written form, not yet validated; None when it has no date's shape."""
    m = _DATE_CN.match(t) or _DATE_SEP.match(t) or _DATE_COMPACT.match(t)
    if m:
        groups = m.groups()
        y, mo, d = (groups[0], groups[2], groups[3]) if m.re is _DATE_SEP else groups
        return int(y), int(mo), int(d) if d else None
    # Chinese numerals are the rare case: looked at only when the Arabic forms failed
    m = _DATE_HAN.match(no_spaces(t))
    if not m:
        return None
    year, month = _numeral(m.group(1)), _numeral(m.group(2))
    day = _numeral(m.group(3)) if m.group(3) else None
    if year is None or month is None or (m.group(3) and day is None):
        return None
    return year, month, day


def parse_date(text: str) -> PartialDate | None:
    """2019年3月, 2019年3月1日, 2019.3, 2019-03, 2019/3/1, 20190301, 二〇二一年六月二十八日; None when not a date."""
    parts = _date_parts(nfkc(text).strip())
    if parts is None:
        return None
    year, month, day = parts
    if not (1900 <= year <= 2100 and 1 <= month <= 12):
        return None
    if day is not None:
        try:
            dt.date(year, month, day)
        except ValueError:
            return None
    return PartialDate(year, month, day)


def add_months(d: dt.date, months: int) -> dt.date:
    """The same day some months later (clamped to the month's end)."""
    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


_AMOUNT = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


def parse_amount(text: str) -> float | None:
    """1234.5, 1,234.5 or 1234.5万元 as a number; a blank, a dash or 无 is 0; None when not a non-negative number."""
    t = nfkc_no_spaces(text)
    if not t or is_nothing(t):
        return 0.0
    for unit in ("万元", "万"):
        if t.endswith(unit):
            t = t[: -len(unit)]
            break
    if not _AMOUNT.match(t):
        return None
    return float(t.replace(",", ""))


CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_check_char(code17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters."""
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(code17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31]
