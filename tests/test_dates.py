"""Tests of ``conflictner.dates``: TIME spans to ISO dates and times of day.

The report date is Thursday 7 June 2018 (ISO week 2018-W23) unless a case says
otherwise. Absolute phrases are real TIME spans from Syrian Archive reports.
"""

from __future__ import annotations

import datetime

import pytest

from conflictner.dates import parse_time, resolve_time
from conflictner.results import Entity, TimeExpression

REPORT = datetime.date(2018, 6, 7)  # a Thursday

# (span, (date, time_of_day, relative)) — absolute dates need no report date.
ABSOLUTE = [
    ("7 حزيران/يونيو 2018", ("2018-06-07", None, False)),
    ("2 نيسان / أبريل 2017", ("2017-04-02", None, False)),
    ("شهر إبريل / نيسان 2017", ("2017-04", None, False)),
    ("5 مايو/ أيار 2019", ("2019-05-05", None, False)),
    ("4 شباط- فبراير 2018", ("2018-02-04", None, False)),
    ("13 نوفمبر/تشرين الثاني 2017", ("2017-11-13", None, False)),
    ("17 إبريل / نيسان 2017", ("2017-04-17", None, False)),
    ("25 يوليو / تموز 2016", ("2016-07-25", None, False)),
    ("30 أيلول 2015", ("2015-09-30", None, False)),
    ("1 كانون الثاني 2017", ("2017-01-01", None, False)),
    ("12 كانون الأول 2016", ("2016-12-12", None, False)),
    ("تشرين الأول 2016", ("2016-10", None, False)),
    ("شهر آب أغسطس 2016", ("2016-08", None, False)),
    ("9 يوليو 2016", ("2016-07-09", None, False)),
    ("يونيه 2014", ("2014-06", None, False)),
    ("22 يوليه 2013", ("2013-07-22", None, False)),
    ("13 نوفمبر عام 2017", ("2017-11-13", None, False)),
    ("1 من تشرين الأول 2016", ("2016-10-01", None, False)),
    ("خلال الفترة الممتدة ما بين يوليو – ديسمبر 2016", ("2016-07", None, False)),
    ("يوم الأحد 7 حزيران 2015", ("2015-06-07", None, False)),
    ("اليوم 7 حزيران 2018", ("2018-06-07", None, False)),
    ("٧ حزيران ٢٠١٨", ("2018-06-07", None, False)),
    ("7/6/2018", ("2018-06-07", None, False)),
    ("19/09/2017", ("2017-09-19", None, False)),
    ("03/01/2018", ("2018-01-03", None, False)),
    ("٢٠١٨/٦/٧", ("2018-06-07", None, False)),
    ("2018-06-07", ("2018-06-07", None, False)),
    ("18-09-2017", ("2017-09-18", None, False)),
    ("07.06.2018", ("2018-06-07", None, False)),
    ("زمنياً2017/11/13", ("2017-11-13", None, False)),
    ("6/2018", ("2018-06", None, False)),
    ("31/02/2018", (None, None, False)),
    ("2014", ("2014", None, False)),
    ("عام 2011", ("2011", None, False)),
    ("أوائل عام 2012", ("2012", None, False)),
    ("و2016", ("2016", None, False)),
    ("١٩٩٩", ("1999", None, False)),
    ("13 نوفمبر 2017 بين الساعة 14:07 و14:11", ("2017-11-13", "14:07", False)),
    ("الساعة 21:19 مساء الرابع من فبراير 2018", ("2018-02-04", "21:19", False)),
    # ordinal days
    ("الأول من تشرين الأول / اكتوبر 2015", ("2015-10-01", None, False)),
    ("الحادي عشر من سبتمبر 2001", ("2001-09-11", None, False)),
    ("العشرين من تموز / يوليو 2011", ("2011-07-20", None, False)),
    ("الخامس والعشرين من آذار 2017", ("2017-03-25", None, False)),
    ("الأسبوع الأول من شباط / فبراير 2018", ("2018-02", None, False)),
    # day after the month, lists of days, glued digits, Latin and Maghrebi names, old years
    ("آذار 16 , 2017", ("2017-03-16", None, False)),
    ("17 و 18 فبراير 2018", ("2018-02-17", None, False)),
    ("24 و 25 تشرين أول / أكتوبر 2015", ("2015-10-24", None, False)),
    ("أيار2017", ("2017-05", None, False)),
    ("31 Oct 2018", ("2018-10-31", None, False)),
    ("5 غشت 2016", ("2016-08-05", None, False)),
    ("أبريل 1238 م", ("1238-04", None, False)),
    # A day without a year needs the report date.
    ("13 نوفمبر", (None, None, False)),
]


@pytest.mark.parametrize(("span", "expected"), ABSOLUTE, ids=[s for s, _ in ABSOLUTE])
def test_absolute_dates(span: str, expected: tuple) -> None:
    assert parse_time(span) == expected


# (span, expected with REPORT as report date)
RELATIVE = [
    ("اليوم", ("2018-06-07", None, True)),
    ("فجر اليوم", ("2018-06-07", "dawn", True)),
    ("صباح اليوم", ("2018-06-07", "morning", True)),
    ("ظهر اليوم", ("2018-06-07", "noon", True)),
    ("عصر اليوم", ("2018-06-07", "afternoon", True)),
    ("مساء اليوم", ("2018-06-07", "evening", True)),
    ("عصر اليوم الساعة 14:08", ("2018-06-07", "14:08", True)),
    ("الليلة", ("2018-06-07", "night", True)),
    ("أمس", ("2018-06-06", None, True)),
    ("الأمس", ("2018-06-06", None, True)),
    ("البارحة", ("2018-06-06", None, True)),
    ("يوم أمس", ("2018-06-06", None, True)),
    ("ليلة أمس", ("2018-06-06", "night", True)),
    ("مساء أمس", ("2018-06-06", "evening", True)),
    ("أول أمس", ("2018-06-05", None, True)),
    ("أول من أمس", ("2018-06-05", None, True)),
    ("غدا", ("2018-06-08", None, True)),
    ("غدًا", ("2018-06-08", None, True)),
    ("يوم الأحد", ("2018-06-03", None, True)),
    ("يوم الخميس", ("2018-06-07", None, True)),
    ("الخميس الماضي", ("2018-05-31", None, True)),
    ("الجمعة", ("2018-06-01", None, True)),
    ("يوم الاثنين", ("2018-06-04", None, True)),
    ("مساء يوم الأحد", ("2018-06-03", "evening", True)),
    ("الأسبوع الماضي", ("2018-W22", None, True)),
    ("هذا الأسبوع", ("2018-W23", None, True)),
    ("الشهر الماضي", ("2018-05", None, True)),
    ("خلال الشهر الماضي", ("2018-05", None, True)),
    ("الشهر الجاري", ("2018-06", None, True)),
    ("العام الماضي", ("2017", None, True)),
    ("السنة الماضية", ("2017", None, True)),
    ("هذا العام", ("2018", None, True)),
    ("منذ سنتين", ("2016", None, True)),
    ("منذ عام", ("2017", None, True)),
    ("منذ 3 أيام", ("2018-06-04", None, True)),
    ("قبل يومين", ("2018-06-05", None, True)),
    ("قبل ٥ أيام", ("2018-06-02", None, True)),
    ("منذ حوالي ثلاثة أيام", ("2018-06-04", None, True)),
    ("منذ ثلاثة أشهر", ("2018-03", None, True)),
    ("منذ شهر", ("2018-05", None, True)),
    ("منذ أسبوعين", ("2018-W21", None, True)),
    # A day and month without a year: the latest one on or before the report date.
    ("3 حزيران", ("2018-06-03", None, True)),
    ("13 نوفمبر", ("2017-11-13", None, True)),
    ("يوم الأحد 3 حزيران", ("2018-06-03", None, True)),
    ("26 الشهر", ("2018-06-26", None, True)),
    ("الخامس من الشهر الماضي", ("2018-05-05", None, True)),
    ("ال 19 من الشهر الجاري", ("2018-06-19", None, True)),
    ("يوم 12 من هذا الشهر", ("2018-06-12", None, True)),
    ("التاسع من يونيو", ("2017-06-09", None, True)),
    ("31 غشت الماضي", ("2017-08-31", None, True)),
    ("في16 اكتوبر المقبل", ("2018-10-16", None, True)),
    ("الأربعاء المقبل", ("2018-06-13", None, True)),
    ("الليلة الماضية", ("2018-06-06", "night", True)),
    ("حتى يومنا هذا", ("2018-06-07", None, True)),
    # Anaphoric or vague: relative, but no date.
    ("أكتوبر من ذلك العام", (None, None, True)),
    ("ال 25 من الشهر ذاته", (None, None, True)),
    ("الأسبوعين الماضيين", (None, None, True)),
    ("اليوم التالي", (None, None, True)),
    ("صباح اليوم التالي", (None, "morning", True)),
    ("ذلك اليوم", (None, None, True)),
    ("اليوم ذاته", (None, None, True)),
    ("بعد خمسة أيام", (None, None, True)),
    ("منذ سنوات", (None, None, True)),
    ("منذ بضعة أيام", (None, None, True)),
]


@pytest.mark.parametrize(("span", "expected"), RELATIVE, ids=[s for s, _ in RELATIVE])
def test_relative_dates(span: str, expected: tuple) -> None:
    assert parse_time(span, REPORT) == expected


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        ("اليوم", (None, None, True)),
        ("فجر اليوم", (None, "dawn", True)),
        ("منذ سنتين", (None, None, True)),
        ("الشهر الماضي", (None, None, True)),
        ("يوم الأحد", (None, None, True)),
    ],
)
def test_relative_without_report_date(span: str, expected: tuple) -> None:
    assert parse_time(span) == expected


@pytest.mark.parametrize(
    ("span", "report_date", "expected"),
    [
        ("الشهر الماضي", datetime.date(2018, 1, 15), ("2017-12", None, True)),
        ("أمس", datetime.date(2018, 1, 1), ("2017-12-31", None, True)),
        ("الأسبوع الماضي", datetime.date(2018, 1, 3), ("2017-W52", None, True)),
        ("اليوم", "2017-01-15", ("2017-01-15", None, True)),
        ("اليوم", datetime.datetime(2017, 1, 15, 23, 30), ("2017-01-15", None, True)),
    ],
)
def test_report_date_forms_and_year_boundaries(span, report_date, expected) -> None:
    assert parse_time(span, report_date) == expected


# (span, time_of_day) — no date in these spans.
TIMES = [
    ("الساعة 21:05", "21:05"),
    ("حوالي الساعة 21:05 بالتوقيت المحلي لدمشق", "21:05"),
    ("الساعة 9 مساء", "21:00"),
    ("الساعة 9 صباحا", "09:00"),
    ("حوالي الساعة 5:30 مساءً", "17:30"),
    ("حوالي الساعة 5:30-5:40 مساءً", "17:30"),
    ("حوالي الساعة 20:40 مساء", "20:40"),
    ("الساعة 12:00 ظهرًا", "12:00"),
    ("حوالي الساعة 2:00 ظهرا", "14:00"),
    ("حوالي الساعة الثانية بعد الظهر", "14:00"),
    ("الساعة التاسعة والنصف مساء", "21:30"),
    ("الساعة الحادية عشرة ليلا", "23:00"),
    ("الساعة 12 ليلا", "00:00"),
    ("الساعة 3:00 قبل صلاة الفجر", "03:00"),
    ("حوالي الساعة (8:45) مساءً", "20:45"),
    ("~14:07 بالتوقيت المحلي", "14:07"),
    ("بين الساعة14:08 والساعة 14:12 بتوقيت دمشق", "14:08"),
    ("الساعة ١٠:٣٠ صباحا", "10:30"),
    ("قبل الساعة 11:00 بقليل", "11:00"),
    ("8.30 - 9.30 بتوقيت جرينتش", "08:30"),
    ("الثالثة صباحا", "03:00"),
    ("حوالي التاسعة صباحا", "09:00"),
    ("الرابعة الا ربعا", "03:45"),
    ("فجرا", "dawn"),
    ("صباحًا", "morning"),
    ("ظهرا", "noon"),
    ("عصرا", "afternoon"),
    ("بعد الظهر", "afternoon"),
    ("مساءً", "evening"),
    ("ليلا", "night"),
    ("ليلاً", "night"),
    ("منتصف الليل", "night"),
]


@pytest.mark.parametrize(("span", "time_of_day"), TIMES, ids=[s for s, _ in TIMES])
def test_time_of_day(span: str, time_of_day: str) -> None:
    assert parse_time(span, REPORT) == (None, time_of_day, False)


def test_resolve_time_builds_a_time_expression() -> None:
    entity = Entity("TIME", "فجر اليوم", 16, 25)
    assert resolve_time(entity, REPORT) == TimeExpression(entity, "2018-06-07", "dawn", True)


def test_resolve_time_without_report_date() -> None:
    entity = Entity("TIME", "7 حزيران/يونيو 2018", 0, 19)
    assert resolve_time(entity) == TimeExpression(entity, "2018-06-07", None, False)


def test_parse_time_rejects_bad_report_date() -> None:
    with pytest.raises(TypeError):
        parse_time("اليوم", 20180607)  # type: ignore[arg-type]
