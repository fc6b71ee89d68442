"""Dates and times of day in TIME spans, normalised to ISO strings.

``parse_time`` reads one TIME span and returns ``(date, time_of_day, relative)``;
``resolve_time`` wraps that in a ``TimeExpression`` for a TIME entity.

Dates come out at the precision the text gives:

* ``YYYY-MM-DD``: a full date (``7 حزيران/يونيو 2018``, ``7/6/2018``,
  ``٢٠١٨/٦/٧``, ``2018-06-07``, ``07.06.2018``), a day resolved against the
  report date (``اليوم``, ``أمس``, ``يوم الأحد``, ``منذ 3 أيام``).
* ``YYYY-Www``: an ISO 8601 week, for ``الأسبوع الماضي`` and durations in
  weeks (``منذ أسبوعين``). We chose the week over "report date minus 7 days"
  because a day would claim a precision the text does not have.
* ``YYYY-MM``: a month (``شهر إبريل / نيسان 2017``, ``الشهر الماضي``, ``منذ شهرين``).
* ``YYYY``: a year (``2014``, ``عام 2011``, ``العام الماضي``, ``منذ سنتين``).

Numeric dates are day-first (``d/m/y``, the Arabic and European order) unless
the first group has four digits (``y/m/d``); an impossible date is dropped,
never swapped to month-first. Two-digit years are 20YY below 50, else 19YY.

Days may be digits or ordinals (``الأول من تشرين الأول``, ``الحادي عشر من
سبتمبر``), before or after the month (``آذار 16 , 2017``); of a list or a
period the first day is taken (``17 و 18 فبراير`` → the 17th). Month names:
Levantine, Egyptian/Western, Maghrebi and Latin (``Oct``). A four-digit number
in 1000..2100 in a TIME span is a year; Hijri dates (``رمضان 635 هـ``) are not read.

Relative expressions resolve only when a report date is given; otherwise
the date is None and ``relative`` is True. A weekday (``يوم الأحد``) is the
latest such day on or before the report date (strictly before with
``الماضي``, the next one after it with ``المقبل``/``القادم``). A day and month
without a year (``13 نوفمبر``) take the year of the report date (the previous
year when that would put them after the report date, the next one after it
with ``المقبل``) and count as relative; without a report date they give None.
Anaphoric expressions that point at another date in the text (``اليوم
التالي``, ``ذلك اليوم``, ``الشهر ذاته``, ``من ذلك العام``, ``بعد يومين``) are
relative and unresolved: the date is None.

Time of day is ``HH:MM`` when a clock time is given (``الساعة 21:05``,
``الساعة 9 مساء`` → ``21:00``, ``الساعة الثانية بعد الظهر`` → ``14:00``),
else a part of day: ``dawn`` (فجر), ``morning`` (صباح), ``noon`` (ظهر),
``afternoon`` (عصر، بعد الظهر), ``evening`` (مساء), ``night`` (ليلة، ليلا).

Example:
    >>> parse_time("فجر اليوم", datetime.date(2017, 1, 15))
    ('2017-01-15', 'dawn', True)
    >>> parse_time("7 حزيران/يونيو 2018")
    ('2018-06-07', None, False)
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from conflictner.numbers import _split_glued, parse_quantity
from conflictner.results import Entity, TimeExpression
from conflictner.text import normalize_word, strip_clitics, tokenize

__all__ = ["parse_time", "resolve_time"]

logger = logging.getLogger(__name__)

# --- lexicon (normalised keys) ------------------------------------------------

#: Single-word month names: Levantine, Egyptian/Western and Maghrebi.
_MONTH_WORDS: dict[str, int] = {
    "شباط": 2, "اذار": 3, "نيسان": 4, "ايار": 5, "حزيران": 6, "تموز": 7, "اب": 8, "ايلول": 9,
    "يناير": 1, "فبراير": 2, "مارس": 3, "ابريل": 4, "مايو": 5, "يونيو": 6, "يونيه": 6,
    "يوليو": 7, "يوليه": 7, "اغسطس": 8, "سبتمبر": 9, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    # Maghreb (Algeria/Tunisia, then Morocco)
    "جانفي": 1, "فيفري": 2, "افريل": 4, "ماي": 5, "جوان": 6, "جويليه": 7, "اوت": 8,
    "يوليوز": 7, "غشت": 8, "شتنبر": 9, "نونبر": 11, "دجنبر": 12,
    # Latin script in Arabic reports (normalize lower-cases it)
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
#: Two-word Levantine months: head word → second word → month.
_MONTH_HEADS: dict[str, dict[str, int]] = {
    "تشرين": {"الاول": 10, "اول": 10, "الثاني": 11, "ثاني": 11},
    "كانون": {"الاول": 12, "اول": 12, "الثاني": 1, "ثاني": 1},
}
# Short names are ordinary words once a clitic is stripped (باب → ب + اب), so
# they only count when they stand alone.
_SHORT_MONTHS = frozenset({"اب", "ماي", "اوت", "may", "mar", "dec"})

#: Weekdays with Python's numbering (Monday is 0).
_WEEKDAYS: dict[str, int] = {
    "الاثنين": 0, "الثلاثاء": 1, "الثلاثا": 1, "الاربعاء": 2, "الاربعا": 2,
    "الخميس": 3, "الجمعه": 4, "السبت": 5, "الاحد": 6,
}

#: Duration units: word → (unit, how many it says by itself; None for a plural).
_TIME_UNITS: dict[str, tuple[str, int | None]] = {}
for _unit, _forms in {
    "second": {"ثانيه": 1, "ثواني": None, "ثانيتين": 2},
    "minute": {"دقيقه": 1, "دقايق": None, "دقيقتين": 2, "دقيقتان": 2},
    "hour": {"ساعه": 1, "ساعات": None, "ساعتين": 2, "ساعتان": 2},
    "day": {"يوم": 1, "يوما": 1, "ايام": None, "يومين": 2, "يومان": 2},
    "week": {"اسبوع": 1, "اسبوعا": 1, "اسابيع": None, "اسبوعين": 2, "اسبوعان": 2},
    "month": {"شهر": 1, "شهرا": 1, "اشهر": None, "شهور": None, "شهرين": 2, "شهران": 2},
    "year": {"سنه": 1, "سنوات": None, "سنين": None, "سنتين": 2, "سنتان": 2,
             "عام": 1, "عاما": 1, "اعوام": None, "عامين": 2, "عامان": 2},
}.items():
    for _form, _n in _forms.items():
        _TIME_UNITS[_form] = (_unit, _n)

#: Parts of the day; two-word phrases are tried first.
_PART_PHRASES: dict[tuple[str, ...], str] = {
    ("بعد", "الظهر"): "afternoon",
    ("بعد", "الظهيره"): "afternoon",
    ("منتصف", "الليل"): "night",
    ("منتصف", "النهار"): "noon",
}
_PARTS_OF_DAY: dict[str, str] = {
    "فجر": "dawn", "فجرا": "dawn", "الفجر": "dawn",
    "صباح": "morning", "صباحا": "morning", "الصباح": "morning", "صبيحه": "morning",
    "ظهر": "noon", "ظهرا": "noon", "الظهر": "noon", "ظهيره": "noon", "الظهيره": "noon",
    "عصر": "afternoon", "عصرا": "afternoon", "العصر": "afternoon",
    "مساء": "evening", "مساءا": "evening", "المساء": "evening", "عشيه": "evening",
    "ليله": "night", "ليلا": "night", "ليل": "night", "الليل": "night", "الليله": "night",
}

def _ordinal_days() -> dict[tuple[str, ...], int]:
    """Days written as ordinals: ``الأول``, ``الحادي عشر``, ``الخامس والعشرين``..."""
    units = ("الاول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع", "الثامن", "التاسع")
    days: dict[tuple[str, ...], int] = {(u,): n for n, u in enumerate(units, 1)}
    days[("العاشر",)] = 10
    days[("العشرين",)] = 20
    days[("الثلاثين",)] = 30
    compound = ("الحادي",) + units[1:]  # 11, 21, 31 take الحادي
    for n, u in enumerate(compound, 1):
        days[(u, "عشر")] = 10 + n
        days[(u, "والعشرين")] = 20 + n
    days[("الحادي", "والثلاثين")] = 31
    return days


_ORDINAL_DAYS = _ordinal_days()

#: Hours written as ordinal words after الساعة (``الساعة التاسعة``).
_HOUR_WORDS: dict[tuple[str, ...], int] = {
    ("الحاديه", "عشره"): 11, ("الثانيه", "عشره"): 12,
    ("الواحده",): 1, ("الثانيه",): 2, ("الثالثه",): 3, ("الرابعه",): 4, ("الخامسه",): 5,
    ("السادسه",): 6, ("السابعه",): 7, ("الثامنه",): 8, ("التاسعه",): 9, ("العاشره",): 10,
}
_MINUTE_WORDS: dict[tuple[str, ...], int] = {
    ("والنصف",): 30, ("ونصف",): 30, ("والربع",): 15, ("وربع",): 15,
    ("الا", "ربعا"): -15, ("الا", "ربع"): -15,
}

#: Relative days: phrase → offset from the report date; None for anaphoric
#: phrases that point at another date of the text.
_DAY_PHRASES: dict[tuple[str, ...], int | None] = {
    ("اليوم",): 0, ("الان",): 0, ("الليله",): 0, ("هذا", "اليوم"): 0, ("هذه", "الليله"): 0,
    ("يومنا", "هذا"): 0, ("الوقت", "الحالي"): 0, ("الوقت", "الراهن"): 0,
    ("امس",): -1, ("الامس",): -1, ("البارحه",): -1, ("الليله", "الماضيه"): -1,
    ("اول", "امس"): -2, ("اول", "من", "امس"): -2, ("قبل", "امس"): -2,
    ("غدا",): 1, ("الغد",): 1, ("بعد", "غد"): 2,
    ("اليوم", "التالي"): None, ("اليوم", "السابق"): None, ("اليوم", "ذاته"): None,
    ("اليوم", "نفسه"): None, ("نفس", "اليوم"): None, ("ذات", "اليوم"): None,
    ("ذلك", "اليوم"): None, ("تلك", "الليله"): None, ("الليله", "ذاتها"): None,
    ("الليله", "نفسها"): None, ("الليله", "التاليه"): None,
}
#: Phrases that make a month without a year point at another year of the text.
_ANAPHORIC_YEAR: dict[tuple[str, ...], None] = dict.fromkeys(
    [("ذلك", "العام"), ("تلك", "السنه"), ("نفس", "العام"), ("نفس", "السنه"), ("العام", "ذاته"),
     ("العام", "نفسه"), ("ذات", "العام"), ("العام", "التالي"), ("العام", "السابق")]
)
_PERIOD_NOUNS: dict[str, str | None] = {
    "الاسبوع": "week", "الشهر": "month", "العام": "year", "السنه": "year",
    # Plural periods (الأيام الماضية) are relative but give no date.
    "الايام": None, "الاسابيع": None, "الاشهر": None, "الشهور": None, "السنوات": None, "الاعوام": None,
    "الساعات": None, "الاسبوعين": None, "الشهرين": None, "السنتين": None, "العامين": None,
}
_DIRECTIONS: dict[str, int] = {}
for _word, _step in {"الماضي": -1, "المنصرم": -1, "الفايت": -1, "السابق": -1, "الاخير": -1,
                     "الحالي": 0, "الجاري": 0, "القادم": 1, "المقبل": 1}.items():
    _DIRECTIONS[_word] = _step
    _DIRECTIONS[_word + "ه"] = _step  # feminine: السنة الماضية
    _DIRECTIONS[_word + "ين"] = _step  # dual: الأسبوعين الماضيين
    _DIRECTIONS[_word + "تين"] = _step  # dual feminine: السنتين الماضيتين
_THIS = frozenset({"هذا", "هذه"})
_ANAPHORIC_WORDS = frozenset({"ذاته", "نفسه", "ذاتها", "نفسها", "التالي", "التاليه", "اللاحق", "اللاحقه"})
_AGO = {"منذ": -1, "قبل": -1, "بعد": None}

_YMD = re.compile(r"(?<!\d)(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?!\d)")
_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})(?![\d:])")
_MY = re.compile(r"(?<![\d/.-])(\d{1,2})\s*/\s*(\d{4})(?!\d)")
_CLOCK = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?!\d)")
#: 8.30 is a clock time only when the span speaks of time (الساعة، بتوقيت...).
_DOTTED_CLOCK = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{2})(?![\d.])")
_CLOCK_CONTEXT = frozenset({"ساعه", "توقيت", "بتوقيت", "التوقيت", "بالتوقيت", "غرينتش", "جرينتش"})
_YEAR = re.compile(r"(\d{4})م?")
# A four-digit number in a TIME span is a year; historical ones are kept too.
_YEAR_RANGE = range(1000, 2101)


# --- tokens -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Tok:
    start: int
    end: int
    norm: str
    cands: tuple[str, ...]  # the word and its clitic-stripped forms
    bare: frozenset[str]  # cands plus article-less forms


def _prepare(text: str) -> list[_Tok]:
    toks = []
    for t in _split_glued(tokenize(text)):
        norm = normalize_word(t.text)
        if not norm:
            continue
        # A digit group may be a single digit (و7): let the stem be one character.
        cands = tuple(strip_clitics(norm, min_stem=1 if any(ch.isdigit() for ch in norm) else 2))
        bare = set(cands) | {c[2:] for c in cands if c.startswith("ال") and len(c) > 4}
        toks.append(_Tok(t.start, t.end, norm, cands, frozenset(bare)))
    return toks


def _month_at(cands_seq: Sequence[Sequence[str]], k: int) -> tuple[int, int] | None:
    """The month named at token ``k``: (month number, tokens it takes), or None.

    Also used by ``conflictner.numbers`` to tell ``7 حزيران`` (a date) from a count.

    Example:
        >>> _month_at([["13"], ["تشرين"], ["الثاني"]], 1)
        (11, 2)
    """
    cands = cands_seq[k]
    for c in cands:
        if c in _MONTH_WORDS and (c not in _SHORT_MONTHS or c == cands[0]):
            return _MONTH_WORDS[c], 1
        if c in _MONTH_HEADS and k + 1 < len(cands_seq):
            second = _MONTH_HEADS[c].get(cands_seq[k + 1][0])
            if second is not None:
                return second, 2
    return None


def _time_unit(words: Collection[str]) -> tuple[str, int | None] | None:
    """The duration unit among a token's forms: (unit, count it implies), or None.

    Also used by ``conflictner.numbers`` to tell ``3 أيام`` (a duration) from a count.
    """
    for w in words:
        if w in _TIME_UNITS:
            return _TIME_UNITS[w]
    return None


def _phrase_at(toks: Sequence[_Tok], i: int, table: dict[tuple[str, ...], object]) -> tuple[tuple[str, ...], int] | None:
    """Longest phrase of ``table`` at token ``i`` (first word may carry clitics)."""
    best: tuple[tuple[str, ...], int] | None = None
    for phrase in table:
        n = len(phrase)
        if i + n > len(toks) or (best is not None and n <= len(best[0])):
            continue
        if phrase[0] in toks[i].cands and all(toks[i + k].norm == phrase[k] for k in range(1, n)):
            best = (phrase, i + n)
    return best


# --- formatting and arithmetic ---------------------------------------------------


def _iso_week(d: datetime.date) -> str:
    year, week, _ = d.isocalendar()
    return f"{year:04d}-W{week:02d}"


def _shift(rd: datetime.date, unit: str, n: int) -> str:
    """ISO string for ``rd`` moved by ``n`` units, at the unit's precision."""
    if unit in ("second", "minute", "hour"):
        # Less than a day back: the report's own date (we ignore crossing midnight).
        return rd.isoformat()
    if unit == "day":
        return (rd + datetime.timedelta(days=n)).isoformat()
    if unit == "week":
        return _iso_week(rd + datetime.timedelta(weeks=n))
    if unit == "month":
        y, m = divmod(rd.year * 12 + rd.month - 1 + n, 12)
        return f"{y:04d}-{m + 1:02d}"
    return f"{rd.year + n:04d}"


def _as_date(value: datetime.date | str | None) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        return datetime.date.fromisoformat(value)
    raise TypeError(f"report_date must be a date, an ISO string or None, got {type(value).__name__}")


def _valid(y: int, m: int, d: int) -> datetime.date | None:
    try:
        return datetime.date(y, m, d)
    except ValueError:
        return None


# --- absolute dates -------------------------------------------------------------


def _year_of(tok: _Tok) -> int | None:
    for c in tok.cands:
        m = _YEAR.fullmatch(c)
        if m and int(m.group(1)) in _YEAR_RANGE:
            return int(m.group(1))
    return None


def _day_of(tok: _Tok) -> int | None:
    for c in tok.cands:
        if c.isdigit() and len(c) <= 2 and 1 <= int(c) <= 31:
            return int(c)
    return None


def _day_before(toks: Sequence[_Tok], k: int) -> int | None:
    """The day written right before token ``k``: ``7 حزيران``, ``الأول من``, ``17 و 18``.

    Of a list of days the first is taken (``17 و 18 فبراير`` → 17): a period
    is dated by its start.
    """
    end = k - 1
    if end >= 0 and toks[end].norm == "من":
        end -= 1
    if end < 0:
        return None
    for n in (2, 1):
        if end - n + 1 >= 0:
            words = tuple(t.norm for t in toks[end - n + 1 : end + 1])
            if words in _ORDINAL_DAYS:
                # "الأسبوع الأول من شباط" is a week, not the 1st.
                period = end - n >= 0 and (
                    toks[end - n].norm in _PERIOD_NOUNS or _time_unit(toks[end - n].bare) is not None
                )
                return None if period else _ORDINAL_DAYS[words]
    day = _day_of(toks[end])
    if day is None:
        return None
    # Walk back over "17 و 18" / "17 - 18" to the first day ("و18" is split
    # into "و" "18" by _split_glued).
    i = end
    while i >= 2 and toks[i - 1].norm in ("و", "-", "–", "الي", "او") and _day_of(toks[i - 2]) is not None:
        i -= 2
        day = _day_of(toks[i])
    return day


def _numeric_date(norm_text: str) -> str | None:
    m = _YMD.search(norm_text)
    if m:
        d = _valid(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        if d:
            return d.isoformat()
    m = _DMY.search(norm_text)
    if m:
        year = int(m.group(4))
        if len(m.group(4)) == 2:
            year += 2000 if year < 50 else 1900
        d = _valid(year, int(m.group(3)), int(m.group(1)))
        if d:
            return d.isoformat()
        logger.debug("numeric date %r is not a valid day-first date", m.group(0))
    m = _MY.search(norm_text)
    if m and 1 <= int(m.group(1)) <= 12:
        return f"{int(m.group(2)):04d}-{int(m.group(1)):02d}"
    return None


def _named_month_date(toks: Sequence[_Tok], rd: datetime.date | None) -> tuple[str | None, bool] | None:
    """A date built around a month name: ``[يوم] [7] [من] حزيران[/يونيو] [عام] [2018]``."""
    cands_seq = [t.cands for t in toks]
    for k in range(len(toks)):
        hit = _month_at(cands_seq, k)
        if hit is None:
            continue
        month, used = hit
        day = _day_before(toks, k)
        j = k + used
        # An alternative name of the same month: حزيران/يونيو, إبريل / نيسان.
        while j < len(toks) and toks[j].norm in ("/", "-", "–", "—", "\\"):
            j += 1
        if j < len(toks):
            alt = _month_at(cands_seq, j)
            if alt is not None:
                j += alt[1]
        if day is None and j < len(toks) and _year_of(toks[j]) is None:
            day = _day_of(toks[j])  # "آذار 16 , 2017"
        step = _DIRECTIONS.get(toks[j].norm) if j < len(toks) else None
        year = next((y for t in toks[j:] if (y := _year_of(t)) is not None), None)
        if year is not None:
            if day is not None and _valid(year, month, day):
                return f"{year:04d}-{month:02d}-{day:02d}", False
            return f"{year:04d}-{month:02d}", False
        if rd is None or any(_phrase_at(toks, i, _ANAPHORIC_YEAR) for i in range(len(toks))):
            return None, rd is not None
        # No year: the latest such day or month on or before the report date,
        # or the next one after it for "المقبل"/"القادم", or this year's for "الجاري".
        if step == 1:
            year = rd.year if (month, day or 1) > (rd.month, rd.day) else rd.year + 1
        elif step == 0:
            year = rd.year
        else:
            year = rd.year if (month, day or 1) <= (rd.month, rd.day) else rd.year - 1
        if day is not None and _valid(year, month, day):
            return f"{year:04d}-{month:02d}-{day:02d}", True
        return f"{year:04d}-{month:02d}", True
    return None


def _absolute_date(text: str, toks: Sequence[_Tok], rd: datetime.date | None) -> tuple[str | None, bool] | None:
    """(iso, inferred-from-report-date) for a calendar date in the span, else None."""
    numeric = _numeric_date(normalize_word(text))
    if numeric is not None:
        return numeric, False
    named = _named_month_date(toks, rd)
    if named is not None:
        return named
    for t in toks:
        year = _year_of(t)
        if year is not None:
            return f"{year:04d}", False
    return None


# --- relative dates ----------------------------------------------------------------


def _duration_at(text: str, toks: Sequence[_Tok], i: int) -> tuple[str, int | None, int | None] | None:
    """``منذ 3 أيام`` / ``قبل يومين`` / ``بعد خمسة أيام`` at token ``i``: (unit, count, direction)."""
    direction = next((_AGO[c] for c in toks[i].cands if c in _AGO), "none")
    if direction == "none":
        return None
    for j in range(i + 1, min(i + 5, len(toks))):
        # Durations are indefinite (منذ سنتين); الساعة after قبل is a clock time.
        unit = _time_unit(toks[j].cands)
        if unit is None:
            continue
        name, count = unit
        if j > i + 1:
            q = parse_quantity(text[toks[i + 1].start : toks[j - 1].end])
            count = int(q.value) if q is not None and q.qualifier in ("exact", "approx") and q.value is not None else None
        return name, count, direction  # type: ignore[return-value]
    return None


def _relative_date(text: str, toks: Sequence[_Tok], rd: datetime.date | None) -> tuple[str | None] | None:
    """``(iso or None,)`` when the span has a relative expression, else None."""
    for i, tok in enumerate(toks):
        hit = _phrase_at(toks, i, _DAY_PHRASES)
        if hit is not None:
            offset = _DAY_PHRASES[hit[0]]
            if offset is None or rd is None:
                return (None,)
            return ((rd + datetime.timedelta(days=offset)).isoformat(),)
        period = next((c for c in tok.cands if c in _PERIOD_NOUNS), None)
        step = None
        if period is not None and i + 1 < len(toks) and toks[i + 1].norm in _ANAPHORIC_WORDS:
            return (None,)  # "الشهر ذاته", "العام التالي": another date of the text
        if period is not None and i + 1 < len(toks) and toks[i + 1].norm in _DIRECTIONS:
            step = _DIRECTIONS[toks[i + 1].norm]
        elif period is not None and i > 0 and toks[i - 1].norm in _THIS:
            step = 0
        elif period == "الشهر" and _day_before(toks, i) is not None:
            step = 0  # "26 الشهر": the 26th of this month
        if step is not None and period is not None:
            unit = _PERIOD_NOUNS[period]
            if unit is None or rd is None:
                return (None,)
            day = _day_before(toks, i - 1 if i > 0 and toks[i - 1].norm in _THIS else i) if unit == "month" else None
            month_iso = _shift(rd, unit, step)
            if day is not None:
                y, m = (int(x) for x in month_iso.split("-"))
                d = _valid(y, m, day)
                return (d.isoformat() if d else month_iso,)
            return (month_iso,)
        duration = _duration_at(text, toks, i)
        if duration is not None:
            unit, count, direction = duration
            if count is None or direction is None or rd is None:
                return (None,)
            return (_shift(rd, unit, direction * count),)
        weekday = next((_WEEKDAYS[c] for c in tok.cands if c in _WEEKDAYS), None)
        if weekday is not None:
            if rd is None:
                return (None,)
            direction = _DIRECTIONS.get(toks[i + 1].norm, 0) if i + 1 < len(toks) else 0
            if direction > 0:  # الأربعاء المقبل: the next one after the report date
                ahead = (weekday - rd.weekday()) % 7 or 7
                return ((rd + datetime.timedelta(days=ahead)).isoformat(),)
            back = (rd.weekday() - weekday) % 7
            if back == 0 and direction < 0:
                back = 7
            return ((rd - datetime.timedelta(days=back)).isoformat(),)
    return None


# --- time of day --------------------------------------------------------------------


def _part_of_day(toks: Sequence[_Tok]) -> str | None:
    for i, tok in enumerate(toks):
        hit = _phrase_at(toks, i, _PART_PHRASES)
        if hit is not None:
            return _PART_PHRASES[hit[0]]
        for c in tok.cands:
            if c in _PARTS_OF_DAY:
                return _PARTS_OF_DAY[c]
    return None


def _clock(toks: Sequence[_Tok], parts: Collection[str]) -> tuple[int, int] | None:
    """The first clock time.

    ``21:05``; ``8.30`` when the span speaks of time (``بتوقيت``); ``الساعة 9``;
    ``الساعة التاسعة والنصف``; an hour word or digit followed by a part of day
    or minutes (``الثالثة صباحا``, ``الرابعة إلا ربعا``, ``9 مساء``).
    """
    for tok in toks:
        m = _CLOCK.search(tok.norm)
        if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
            return int(m.group(1)), int(m.group(2))
    if any(not t.bare.isdisjoint(_CLOCK_CONTEXT) for t in toks):
        for tok in toks:
            m = _DOTTED_CLOCK.fullmatch(tok.norm)
            if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
                return int(m.group(1)), int(m.group(2))
    for i, tok in enumerate(toks):
        after_hour_noun = i > 0 and "ساعه" in toks[i - 1].bare
        hour: int | None = None
        j = i + 1
        if tok.norm.isdigit() and int(tok.norm) <= 24:
            hour = int(tok.norm)
        else:
            word = _phrase_at(toks, i, _HOUR_WORDS)
            if word is not None:
                hour, j = _HOUR_WORDS[word[0]], word[1]
        if hour is None:
            continue
        minutes = _phrase_at(toks, j, _MINUTE_WORDS) if j < len(toks) else None
        marked = minutes is not None or (j < len(toks) and not toks[j].bare.isdisjoint(parts))
        if after_hour_noun or marked:
            delta = _MINUTE_WORDS[minutes[0]] if minutes else 0
            return divmod((hour * 60 + delta) % (24 * 60), 60)
    return None


def _to_24h(hour: int, part: str | None) -> int:
    """Apply ``مساء``/``ظهرا``/``ليلا``... to a 12-hour clock reading."""
    if part in ("evening", "afternoon") and 1 <= hour <= 11:
        return hour + 12
    if part == "noon" and 1 <= hour <= 6:
        return hour + 12
    if part == "night":
        if 6 <= hour <= 11:
            return hour + 12
        if hour == 12:
            return 0
    if part in ("dawn", "morning") and hour == 12:
        return 0
    return hour


def _time_of_day(toks: Sequence[_Tok]) -> str | None:
    part = _part_of_day(toks)
    clock = _clock(toks, _PARTS_OF_DAY.keys())
    if clock is None:
        return part
    hour, minute = clock
    return f"{_to_24h(hour, part):02d}:{minute:02d}"


# --- public API -------------------------------------------------------------------


def parse_time(
    text: str, report_date: datetime.date | str | None = None
) -> tuple[str | None, str | None, bool]:
    """Normalise a TIME span.

    A calendar date in the span wins over relative words (``اليوم 7 حزيران 2018``
    is 2018-06-07, not relative).

    Args:
        text: The TIME span (``فجر اليوم``, ``7 حزيران/يونيو 2018``, ``حوالي الساعة 21:05``).
        report_date: The date relative words resolve against (a ``date``,
            ``datetime`` or ISO string), or None.

    Returns:
        ``(date, time_of_day, relative)``: ``date`` is ``YYYY-MM-DD``,
        ``YYYY-Www``, ``YYYY-MM``, ``YYYY`` or None; ``time_of_day`` is
        ``HH:MM`` or a part of day or None; ``relative`` is True when the date
        is (or would be) read relative to the report date.

    Examples:
        >>> parse_time("٢٠١٨/٦/٧")
        ('2018-06-07', None, False)
        >>> parse_time("الأسبوع الماضي", "2018-06-07")
        ('2018-W22', None, True)
        >>> parse_time("منذ سنتين", datetime.date(2017, 1, 15))
        ('2015', None, True)
        >>> parse_time("ليلة أمس")
        (None, 'night', True)
        >>> parse_time("حوالي الساعة 9 مساء")
        (None, '21:00', False)
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_time() expects str, got {type(text).__name__}")
    rd = _as_date(report_date)
    toks = _prepare(text)
    time_of_day = _time_of_day(toks)
    absolute = _absolute_date(text, toks, rd)
    if absolute is not None:
        return absolute[0], time_of_day, absolute[1]
    relative = _relative_date(text, toks, rd)
    if relative is not None:
        return relative[0], time_of_day, True
    return None, time_of_day, False


def resolve_time(entity: Entity, report_date: datetime.date | str | None = None) -> TimeExpression:
    """Build the ``TimeExpression`` of a TIME entity.

    Args:
        entity: The TIME entity.
        report_date: As for ``parse_time``.

    Returns:
        The entity with its normalised date, time of day and relative flag.

    Example:
        >>> e = Entity("TIME", "مساء اليوم", 0, 10)
        >>> resolve_time(e, "2018-06-07").date
        '2018-06-07'
    """
    date, time_of_day, relative = parse_time(entity.text, report_date)
    return TimeExpression(entity=entity, date=date, time_of_day=time_of_day, relative=relative)
