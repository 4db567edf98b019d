"""Text as the pipeline compares and measures it: the NFKC form, whitespace, and the display width of CJK text.

A base module: it imports nothing from the package, so every layer may use it."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

# the spaces typed inside a line of Chinese text (a regular-expression class): space, tab, the ideographic space
LINE_SPACE = r"[ \t\u3000]"
_SPACE = re.compile(r"\s+")  # Unicode whitespace: the ideographic space U+3000 too, never a zero-width character
_WIDE = frozenset({"W", "F"})  # East Asian Wide and Fullwidth: a Chinese character, ０, （, the ideographic space
_WIDE_OR_AMBIGUOUS = _WIDE | {"A"}  # with Ambiguous: “ ” — … ① and Greek or Cyrillic letters (never ASCII)


def nfkc(text: str) -> str:
    """The NFKC form: full-width ０-９ Ａ-Ｚ （） ＠ and the ideographic space become ASCII; combining marks compose."""
    return unicodedata.normalize("NFKC", text)


def no_spaces(text: str) -> str:
    """The text without any whitespace (line breaks, tabs, the ideographic space); zero-width characters stay."""
    return _SPACE.sub("", text)


def nfkc_no_spaces(text: str) -> str:
    """NFKC without whitespace: the form in which labels, names, amounts and summaries are compared."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def one_line(text: str) -> str:
    """The text on one line: each run of whitespace (line breaks too) one space, none at the ends."""
    return " ".join(text.split())


def char_width(ch: str, ambiguous_wide: bool = False) -> int:
    """Columns one character takes: 2 when East Asian wide or full-width (or ambiguous, when asked), else 1."""
    return 2 if unicodedata.east_asian_width(ch) in (_WIDE_OR_AMBIGUOUS if ambiguous_wide else _WIDE) else 1


def display_width(text: str, ambiguous_wide: bool = False) -> int:
    """Columns a text takes: two per Chinese (wide or full-width) character, one per Latin character or digit.

    `ambiguous_wide` counts the East Asian Ambiguous characters (“ ” — … ①) wide too, as Chinese typesetting sets
    them on the character grid; a spreadsheet or a table of text shows them narrow (the default)."""
    wide = _WIDE_OR_AMBIGUOUS if ambiguous_wide else _WIDE
    return sum(2 if unicodedata.east_asian_width(ch) in wide else 1 for ch in text)


def em_width(text: str, ambiguous_wide: bool = False) -> float:
    """Width in ems (one Chinese character): wide characters 1, others (digits, Latin) 1/2."""
    return display_width(text, ambiguous_wide) / 2


def collation_key(text: str) -> tuple[str, ...]:
    """A sort key that orders Chinese text as a Chinese reader expects (by pinyin, tone, then the character), other
    text by its NFKC lower case: 长江 before 上海 before 重庆."""
    from pypinyin import Style, lazy_pinyin

    norm = nfkc(text or "").casefold()
    return (*lazy_pinyin(norm, style=Style.TONE3, errors=lambda s: s), "\x00", norm)


def beijing_today() -> dt.date:
    """Today's date in Beijing (UTC+8): the day a call's windows and dates are read on, whatever the machine's
    clock zone (a server kept on UTC would otherwise still be on yesterday until 08:00 Beijing time)."""
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()


def beijing_time(iso: str | None) -> str:
    """A time the registry keeps (ISO 8601, UTC) as a Chinese reader reads it: Beijing time (UTC+8, no daylight
    saving), to the minute."""
    if not iso:
        return "—"
    try:
        t = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return t.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
