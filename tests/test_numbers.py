"""Tests of ``conflictner.numbers``: counts and casualty breakdowns in entity spans.

Most phrases are real spans from the Syrian Archive reports, the project's
annotated CoNLL files and the Deir ez-Zor example report; a few are
constructed to cover every number form of the lexicon.
"""

from __future__ import annotations

import pytest

from conflictner.numbers import parse_casualties, parse_quantity
from conflictner.results import Casualties, Quantity

EXACT, AT_LEAST, AT_MOST, APPROX, RANGE, UNSPEC = "exact", "at_least", "at_most", "approx", "range", "unspecified"


def _key(q: Quantity | None) -> tuple | None:
    if q is None:
        return None
    # The type matters: a thousands group must come back as an int, a decimal as a float.
    return (q.value, type(q.value).__name__, q.upper, q.qualifier)


def _expect(value, upper, qualifier) -> tuple:
    return (value, type(value).__name__, upper, qualifier)


# (span, (value, upper, qualifier))
QUANTITIES = [
    # --- qualifiers before the number
    ("أكثر من 30 غارة جوية", (30, None, AT_LEAST)),
    ("بأكثر من 25 قذيفة", (25, None, AT_LEAST)),
    ("لأكثر من 15 مدني", (15, None, AT_LEAST)),
    ("ما يزيد عن 200 غارة", (200, None, AT_LEAST)),
    ("ما يزيد على 50 قذيفة", (50, None, AT_LEAST)),
    ("بما يزيد عن 40 برميلا متفجرا", (40, None, AT_LEAST)),
    ("ما لا يقل عن 648 برميل متفجر", (648, None, AT_LEAST)),
    ("ما لا يقل من 1300 شخص من المدنيين", (1300, None, AT_LEAST)),
    ("لا يقل عن 20 صاروخا", (20, None, AT_LEAST)),
    ("على الأقل 12 غارة", (12, None, AT_LEAST)),
    ("أقل من 10 قذائف", (10, 10, AT_MOST)),
    ("ما لا يزيد عن 5 غارات", (5, 5, AT_MOST)),
    ("ما لا يزيد على 8 صواريخ", (8, 8, AT_MOST)),
    ("لا يتجاوز 3 صواريخ", (3, 3, AT_MOST)),
    ("نحو 85 قذيفة", (85, None, APPROX)),
    ("بنحو 20 غارة", (20, None, APPROX)),
    ("حوالي 500 برميل", (500, None, APPROX)),
    ("حوالى 30 صاروخا", (30, None, APPROX)),
    ("قرابة 156 عامل", (156, None, APPROX)),
    ("قرابة 2000 من الأطفال", (2000, None, APPROX)),
    ("قرابة الـ 30 غارة", (30, None, APPROX)),
    ("زهاء 40 غارة", (40, None, APPROX)),
    ("ما يقارب 30 قذيفة", (30, None, APPROX)),
    ("ما يقرب من 60 شخصا", (60, None, APPROX)),
    ("ما يناهز 100 قتيل", (100, None, APPROX)),
    # --- qualifiers after the number (and its noun)
    ("19 آخرين على الأقل", (19, None, AT_LEAST)),
    ("مقتل 7 أطفال على الأقل", (7, None, AT_LEAST)),
    ("10 أشخاص أو أكثر", (10, None, AT_LEAST)),
    ("30 غارة تقريبا", (30, None, APPROX)),
    ("30 غارة تقريبًا", (30, None, APPROX)),
    ("+10", (10, None, AT_LEAST)),
    ("10+", (10, None, AT_LEAST)),
    ("على الأقل طالب واحد يبلغ من العمر 18 عام", (1, None, AT_LEAST)),
    # --- ranges
    ("بين 10 و15 غارة", (10, 15, RANGE)),
    ("بين 10 و 15", (10, 15, RANGE)),
    ("ما بين 5 و7 قذائف", (5, 7, RANGE)),
    ("10-15 قذيفة", (10, 15, RANGE)),
    ("10 – 15", (10, 15, RANGE)),
    ("10 إلى 15 غارة", (10, 15, RANGE)),
    ("من 10 إلى 15 غارة", (10, 15, RANGE)),
    ("ثلاث إلى أربع غارات جوية", (3, 4, RANGE)),
    ("ثلاث أو أربع غارات", (3, 4, RANGE)),
    ("بين عشرين إلى ثلاثين جثة", (20, 30, RANGE)),
    ("بضع قذائف", (3, 9, RANGE)),
    ("بضعة آلاف", (3000, 9000, RANGE)),
    # --- duals
    ("بغارتين جويتين", (2, None, EXACT)),
    ("غارتين", (2, None, EXACT)),
    ("غارتان جويتان", (2, None, EXACT)),
    ("دبابتين", (2, None, EXACT)),
    ("طفلين", (2, None, EXACT)),
    ("وطفلين", (2, None, EXACT)),
    ("بقذيفتين", (2, None, EXACT)),
    ("صاروخين", (2, None, EXACT)),
    ("برميلين متفجرين", (2, None, EXACT)),
    ("هجومان (واحد على المستشفى والآخر على المنطقة المحيطة)", (2, None, EXACT)),
    ("بمقتل شخصين", (2, None, EXACT)),
    ("طالبتين على الأقل", (2, None, AT_LEAST)),
    ("امرأتين", (2, None, EXACT)),
    ("سيارتين مفخختين", (2, None, EXACT)),
    ("بانفجارين", (2, None, EXACT)),
    ("مروحيتين", (2, None, EXACT)),
    # --- vague plurals (ACLED: tens ≥ 10, hundreds ≥ 100)
    ("عشرات المصابين", (10, None, AT_LEAST)),
    ("عشرات الشهداء", (10, None, AT_LEAST)),
    ("العشرات من الضحايا المدنيين", (10, None, AT_LEAST)),
    ("بعشرات الغارات", (10, None, AT_LEAST)),
    ("مئات الغارات الجوية", (100, None, AT_LEAST)),
    ("مئات", (100, None, AT_LEAST)),
    ("آلاف", (1000, None, AT_LEAST)),
    ("الآلاف", (1000, None, AT_LEAST)),
    ("عشرات الآلاف", (10000, None, AT_LEAST)),
    ("مئات الآلاف من المدنيين", (100000, None, AT_LEAST)),
    # --- unspecified
    ("عدد من الجرحى", (None, None, UNSPEC)),
    ("بعدد من الغارات الجوية", (None, None, UNSPEC)),
    ("عدد كبير من القتلى", (None, None, UNSPEC)),
    ("عدة غارات", (None, None, UNSPEC)),
    ("العديد من المرضى", (None, None, UNSPEC)),
    ("أعداد كبيرة من الجرحى", (None, None, UNSPEC)),
    ("بعض الإصابات الخفيفة", (None, None, UNSPEC)),
    ("قتلى", (None, None, UNSPEC)),
    ("جرحى", (None, None, UNSPEC)),
    ("شهداء", (None, None, UNSPEC)),
    ("المصابين", (None, None, UNSPEC)),
    ("الضحايا", (None, None, UNSPEC)),
    ("وإصابات", (None, None, UNSPEC)),
    # --- number words: units, both genders and cases
    ("واحد", (1, None, EXACT)),
    ("شخص واحد", (1, None, EXACT)),
    ("امرأة واحدة", (1, None, EXACT)),
    ("جريح واحد", (1, None, EXACT)),
    ("أحد عناصر الدفاع المدني", (1, None, EXACT)),
    ("إحدى الموظفات", (1, None, EXACT)),
    ("اثنان", (2, None, EXACT)),
    ("اثنين من المدنيين", (2, None, EXACT)),
    ("إثنين", (2, None, EXACT)),
    ("اثنتين", (2, None, EXACT)),
    ("اثنتان", (2, None, EXACT)),
    ("ثلاث", (3, None, EXACT)),
    ("ثلاثة", (3, None, EXACT)),
    ("ثلاثه", (3, None, EXACT)),
    ("ثـلاثـة", (3, None, EXACT)),
    ("أربعة قتلى", (4, None, EXACT)),
    ("أربع غارات", (4, None, EXACT)),
    ("خمسة ضربات جوية", (5, None, EXACT)),
    ("خمس شهداء", (5, None, EXACT)),
    ("ستة", (6, None, EXACT)),
    ("ست غارات", (6, None, EXACT)),
    ("سبعة", (7, None, EXACT)),
    ("سبع قذائف", (7, None, EXACT)),
    ("ثمانية شهداء", (8, None, EXACT)),
    ("مقتل ثمانية مدنيين", (8, None, EXACT)),
    ("ثماني غارات", (8, None, EXACT)),
    ("ثمانى", (8, None, EXACT)),
    ("ثمان", (8, None, EXACT)),
    ("تسع غارات جوية", (9, None, EXACT)),
    ("تسعة من طلاب المرحلة الابتدائية", (9, None, EXACT)),
    ("عشرة", (10, None, EXACT)),
    ("عشر مدنيين", (10, None, EXACT)),
    # --- teens
    ("أحد عشر", (11, None, EXACT)),
    ("إحدى عشرة", (11, None, EXACT)),
    ("اثنا عشر", (12, None, EXACT)),
    ("اثنتي عشرة غارة", (12, None, EXACT)),
    ("خمسة عشر", (15, None, EXACT)),
    ("خمسةَ عشرَ", (15, None, EXACT)),
    ("خمس عشرة قذيفة", (15, None, EXACT)),
    ("تسعة عشر", (19, None, EXACT)),
    # --- tens
    ("عشرون", (20, None, EXACT)),
    ("عشرين", (20, None, EXACT)),
    ("ثلاثون", (30, None, EXACT)),
    ("أربعين", (40, None, EXACT)),
    ("خمسين", (50, None, EXACT)),
    ("ستين", (60, None, EXACT)),
    ("سبعون", (70, None, EXACT)),
    ("ثمانين", (80, None, EXACT)),
    ("تسعين", (90, None, EXACT)),
    ("ثلاثة وعشرين", (23, None, EXACT)),
    ("ثلاثة و عشرين", (23, None, EXACT)),
    ("ثلاث وعشرون غارة", (23, None, EXACT)),
    # --- hundreds
    ("مئة", (100, None, EXACT)),
    ("مائة", (100, None, EXACT)),
    ("مئتي", (200, None, EXACT)),
    ("مائتي", (200, None, EXACT)),
    ("مئتان", (200, None, EXACT)),
    ("مائتان", (200, None, EXACT)),
    ("مائتين", (200, None, EXACT)),
    ("ثلاثمائة", (300, None, EXACT)),
    ("ثلاثمئة", (300, None, EXACT)),
    ("ثلاث مئة", (300, None, EXACT)),
    ("خمسمئة", (500, None, EXACT)),
    ("ثمانمائة", (800, None, EXACT)),
    ("أربعمائة وخمسين", (450, None, EXACT)),
    ("مئة وخمسة", (105, None, EXACT)),
    ("مئة وعشرة", (110, None, EXACT)),
    ("مئة وخمسة عشر", (115, None, EXACT)),
    # --- thousands and millions
    ("ألف", (1000, None, EXACT)),
    ("ألفا", (1000, None, EXACT)),
    ("ألفين", (2000, None, EXACT)),
    ("3 آلاف", (3000, None, EXACT)),
    ("ثلاثة آلاف", (3000, None, EXACT)),
    ("عشرة آلاف", (10000, None, EXACT)),
    ("ألف ومئتين", (1200, None, EXACT)),
    ("ألفًا وثلاثمئة شخص", (1300, None, EXACT)),
    ("ألف وثلاثمائة وخمسة وعشرين", (1325, None, EXACT)),
    ("ثلاثة آلاف وخمسمائة", (3500, None, EXACT)),
    ("مئة ألف", (100000, None, EXACT)),
    ("مئتي ألف نازح", (200000, None, EXACT)),
    ("خمسة وعشرين ألف", (25000, None, EXACT)),
    ("مليون", (1000000, None, EXACT)),
    ("مليونين", (2000000, None, EXACT)),
    ("2 مليون", (2000000, None, EXACT)),
    ("1.5 مليون", (1500000, None, EXACT)),
    # --- clitic-prefixed forms
    ("وثلاثة", (3, None, EXACT)),
    ("بثلاث قذائف", (3, None, EXACT)),
    ("لمقتل 6 مديين", (6, None, EXACT)),
    ("وخمسة", (5, None, EXACT)),
    ("و10 جرحى", (10, None, EXACT)),
    ("بخمسة صواريخ", (5, None, EXACT)),
    # --- digits: Arabic-Indic, Persian, groups, brackets
    ("1,200", (1200, None, EXACT)),
    ("١٬٢٠٠", (1200, None, EXACT)),
    ("٣٫٥", (3.5, None, EXACT)),
    ("3.5", (3.5, None, EXACT)),
    ("3,5", (3.5, None, EXACT)),
    ("500.000 شخص", (500000, None, EXACT)),
    ("1.200.000", (1200000, None, EXACT)),
    ("٤٥ مدنيا", (45, None, EXACT)),
    ("۱۲ غارة", (12, None, EXACT)),
    ("(9) مدنيين", (9, None, EXACT)),
    ("( 3 ) أطفال", (3, None, EXACT)),
    ("45 مدنيًا", (45, None, EXACT)),
    ("69 قتيلًا", (69, None, EXACT)),
    ("100 جريح", (100, None, EXACT)),
    ("2000 شخص", (2000, None, EXACT)),
    ("6 غارات جوية", (6, None, EXACT)),
    ("3 ضربات جوية مزعومة، 6 قنابل حرارية", (3, None, EXACT)),
    ("5 قتلى", (5, None, EXACT)),
    ("70", (70, None, EXACT)),
    ("45، من بينهم 7 نساء و 10 أطفال", (45, None, EXACT)),
    # --- digits glued to words (a common typo the tokenizer keeps whole)
    ("أكثر من 7قتلى", (7, None, AT_LEAST)),
    ("مقتل148 شيعيا", (148, None, EXACT)),
    ("حوالى100 الف شخص", (100000, None, APPROX)),
    # --- more real spans: construct duals, shared scales, definite numbers, brackets
    ("مائتا الف شخص على الاقل", (200000, None, AT_LEAST)),
    ("مصرع اكثر من مائتي شخص", (200, None, AT_LEAST)),
    ("نحو 168 ألف قتيل", (168000, None, APPROX)),
    ("100 ألف رشاش هجومي", (100000, None, EXACT)),
    ("لعشرين الفا من الصواريخ", (20000, None, EXACT)),
    ("بين 10 و15 ألف", (10000, 15000, RANGE)),
    ("اعداد الضحايا بين100 و180 الفا", (100000, 180000, RANGE)),
    ("ما بين 74 إلى 100 شخص", (74, 100, RANGE)),
    ("وقتل 50000 الى 100000 شخص", (50000, 100000, RANGE)),
    ("الشهداء الثلاثة", (3, None, EXACT)),
    ("الغارات الجوية الأربع", (4, None, EXACT)),
    ("بمقتل الضباط الأربعة", (4, None, EXACT)),
    ("بأكثر من ( 3 ) غارات جوية", (3, None, AT_LEAST)),
    ("آليتين اسرائيليتين", (2, None, EXACT)),
    ("عبوتين ناسفتين", (2, None, EXACT)),
    ("آخران", (2, None, EXACT)),
    # the count before a model name, not the model number
    ("12 من نوع مي 24", (12, None, EXACT)),
    ("4 من نوع سوخوي سو - 30 سي ام", (4, None, EXACT)),
]


@pytest.mark.parametrize(("span", "expected"), QUANTITIES, ids=[s for s, _ in QUANTITIES])
def test_parse_quantity(span: str, expected: tuple) -> None:
    assert _key(parse_quantity(span)) == _expect(*expected)


# Ordinals, dates, times, years, durations, percentages and bare event words are not counts.
NOT_COUNTS = [
    "الثالث",
    "الثانية",
    "الأولى",
    "الغارة الجوية الأولى",
    "الضربة الثانية",
    "الخامس عشر",
    "الحادي والعشرين",
    "2017",
    "عام 2017",
    "2018/6/7",
    "07.06.2018",
    "21:05",
    "الساعة 9",
    "7 حزيران",
    "7 حزيران/يونيو 2018",
    "13 نوفمبر",
    "1 كانون الثاني",
    "يوم الاثنين",
    "الأحد",
    "3 أيام",
    "بعد حوالي 30 دقيقة",
    "14 عامًا",
    "80%",
    "50 في المئة",
    "قصف",
    "اشتباكات",
    "غارات جوية",
    "غارة",
    "استهدفت",
    # model names, unit numbers and weights in WEAPON spans
    "قذائف RBK - 500",
    "صاروخ S - 5",
    "الطائرة الروسيّة سو - 25 الهجوميّة",
    "طائرة بوينج 757",
    "طائرات مي 24",
    "GBU - 39",
    "قذائف OFAB 250 - 270",
    "بقنبلة وزنها 500 رطل",
    "عشرات الأطنان من الأيزوبروبانول",
    "اللواء 137",
    # a weekday after a definite noun is not "one"
    "الهجوم الأحد",
]


@pytest.mark.parametrize("span", NOT_COUNTS)
def test_not_a_count(span: str) -> None:
    assert parse_quantity(span) is None


# (span, keyword arguments, expected)
OPTIONS = [
    ("غارة", {"singular_is_one": True}, (1, None, EXACT)),
    ("قذيفة", {"singular_is_one": True}, (1, None, EXACT)),
    ("طفل", {"singular_is_one": True}, (1, None, EXACT)),
    ("امرأة", {"singular_is_one": True}, (1, None, EXACT)),
    ("3 غارات", {"singular_is_one": True}, (3, None, EXACT)),
    ("قصف", {"default_unspecified": True}, (None, None, UNSPEC)),
    ("اشتباكات", {"default_unspecified": True}, (None, None, UNSPEC)),
    # An explicit vague quantifier is unspecified whatever the default.
    ("عدد من الغارات", {"default_unspecified": False}, (None, None, UNSPEC)),
]


@pytest.mark.parametrize(("span", "kwargs", "expected"), OPTIONS)
def test_parse_quantity_options(span: str, kwargs: dict, expected: tuple) -> None:
    assert _key(parse_quantity(span, **kwargs)) == _expect(*expected)


@pytest.mark.parametrize(
    ("span", "kwargs"),
    [("قتلى", {"default_unspecified": False}), ("غارة", {"singular_is_one": False}), ("قصف", {})],
)
def test_parse_quantity_no_count(span: str, kwargs: dict) -> None:
    assert parse_quantity(span, **kwargs) is None


# Quantity.text: the words the number was read from.
TEXTS = [
    ("أكثر من 30 غارة جوية", "أكثر من 30"),
    ("بأكثر من 25 قذيفة", "بأكثر من 25"),
    ("بغارتين جويتين", "بغارتين"),
    ("عشرات المصابين", "عشرات"),
    ("بين 10 و15 غارة", "بين 10 و15"),
    ("من 10 إلى 15 غارة", "من 10 إلى 15"),
    ("7 أطفال على الأقل", "7 أطفال على الأقل"),
    ("عدد من الجرحى", "عدد من"),
    ("لمقتل 6 مديين", "6"),
    ("ألف ومئتين شخص", "ألف ومئتين"),
    ("شخص واحد", "واحد"),
    ("١٬٢٠٠ قذيفة", "١٬٢٠٠"),
    ("ثلاثة و عشرين", "ثلاثة و عشرين"),
    ("قرابة الـ 30 غارة", "قرابة الـ 30"),
    ("بأكثر من ( 3 ) غارات جوية", "بأكثر من ( 3 )"),
    ("مقتل148 شيعيا", "148"),
]


@pytest.mark.parametrize(("span", "text"), TEXTS)
def test_quantity_text(span: str, text: str) -> None:
    q = parse_quantity(span)
    assert q is not None
    assert q.text == text


@pytest.mark.parametrize("span", [s for s, _ in QUANTITIES])
def test_quantity_text_is_a_substring(span: str) -> None:
    q = parse_quantity(span)
    assert q is not None
    assert q.text in span


# (span, label, total (value, upper, qualifier), civilians, women, children, men)
CASUALTIES = [
    # breakdowns are never added to the total
    ("6 مديين بينهم امرأة وطفلين", "KILLED", (6, None, EXACT), True, 1, 2, None),
    ("لمقتل 6 مديين بينهم امرأة وطفلين", "KILLED", (6, None, EXACT), True, 1, 2, None),
    ("ستة مدنيين بينهم امرأة وطفلين", "KILLED", (6, None, EXACT), True, 1, 2, None),
    ("45، من بينهم 7 نساء و 10 أطفال", "KILLED", (45, None, EXACT), None, 7, 10, None),
    ("10 قتلى بينهم 3 نساء وطفلان ورجل", "KILLED", (10, None, EXACT), None, 3, 2, 1),
    ("38 جثة ، بينهم خمسة أطفال", "KILLED", (38, None, EXACT), None, None, 5, None),
    ("11 مدنيا بينهم سيدة و3 أطفال", "KILLED", (11, None, EXACT), True, 1, 3, None),
    ("نحو 40 مدنيا بينهم 12 طفلا", "KILLED", (40, None, APPROX), True, None, 12, None),
    ("خمسة مدنيين منهم طفلان", "KILLED", (5, None, EXACT), True, None, 2, None),
    ("20 شخصا بمن فيهم ثلاثة أطفال", "INJURED", (20, None, EXACT), None, None, 3, None),
    ("قتيلين بينهم امرأتين", "KILLED", (2, None, EXACT), None, 2, None, None),
    ("8 مدنيين من بينهم مالك المخبز", "KILLED", (8, None, EXACT), True, None, None, None),
    ("أكثر من 15 مدني من بينهم مالك المخبز", "KILLED", (15, None, AT_LEAST), True, None, None, None),
    ("مصابين بينهم أطفال", "INJURED", (None, None, UNSPEC), None, None, None, None),
    ("ثلاثة قتلى جميعهم من عائلة واحدة", "KILLED", (3, None, EXACT), None, None, None, None),
    ("ألفًا وثلاثمئة شخص معظمهم من الأطفال والنساء", "KILLED", (1300, None, EXACT), None, None, None, None),
    # no total but a breakdown: at least the breakdown
    ("قتلى بينهم 3 أطفال", "KILLED", (3, None, AT_LEAST), None, None, 3, None),
    # no marker, only a list of categories: the total is the list's sum
    ("امرأة وطفلين", "KILLED", (3, None, EXACT), None, 1, 2, None),
    ("طفل وامرأة", "KILLED", (2, None, EXACT), None, 1, 1, None),
    ("7 نساء و 10 أطفال", "KILLED", (17, None, EXACT), None, 7, 10, None),
    ("3 أطفال ونساء", "KILLED", (3, None, AT_LEAST), None, None, 3, None),
    ("نساء وأطفال", "INJURED", (None, None, UNSPEC), None, None, None, None),
    # one category: it is the whole total
    ("مقتل 7 أطفال على الأقل", "KILLED", (7, None, AT_LEAST), None, None, 7, None),
    ("وإصابة ( 3 ) أطفال", "INJURED", (3, None, EXACT), None, None, 3, None),
    ("طفلة", "KILLED", (1, None, EXACT), None, None, 1, None),
    ("رجل", "KILLED", (1, None, EXACT), None, None, None, 1),
    ("طفلين", "INJURED", (2, None, EXACT), None, None, 2, None),
    ("3 رجال", "KILLED", (3, None, EXACT), None, None, None, 3),
    ("أحد الأطفال", "KILLED", (1, None, EXACT), None, None, 1, None),
    ("إحدى النساء", "INJURED", (1, None, EXACT), None, 1, None, None),
    ("اثنين من الأطفال", "KILLED", (2, None, EXACT), None, None, 2, None),
    # civilians
    ("45 مدنيًا", "KILLED", (45, None, EXACT), True, None, None, None),
    ("بمقتل 69 مدني", "KILLED", (69, None, EXACT), True, None, None, None),
    ("64 اسمًا لمدنيين", "KILLED", (64, None, EXACT), True, None, None, None),
    ("أكثر من 20 مدني", "KILLED", (20, None, AT_LEAST), True, None, None, None),
    ("مقتل ثمانية مدنيين", "KILLED", (8, None, EXACT), True, None, None, None),
    ("ما لا يقل من 1300 شخص من المدنيين", "KILLED", (1300, None, AT_LEAST), True, None, None, None),
    ("العشرات من الضحايا المدنيين", "KILLED", (10, None, AT_LEAST), True, None, None, None),
    ("قلتى مدنيون", "KILLED", (None, None, UNSPEC), True, None, None, None),
    ("مدنيين", "KILLED", (None, None, UNSPEC), True, None, None, None),
    ("مقتل أحد عناصر الدفاع المدني", "KILLED", (1, None, EXACT), True, None, None, None),
    # fighters
    ("5 مقاتلين", "KILLED", (5, None, EXACT), False, None, None, None),
    ("عناصر الشرطة", "KILLED", (None, None, UNSPEC), False, None, None, None),
    ("12 عنصرا من قوات النظام", "KILLED", (12, None, EXACT), False, None, None, None),
    ("3 جنود", "KILLED", (3, None, EXACT), False, None, None, None),
    ("عسكريين", "KILLED", (None, None, UNSPEC), False, None, None, None),
    ("المقاتلين الجرحى", "INJURED", (None, None, UNSPEC), False, None, None, None),
    # totals without categories
    ("قتلى", "KILLED", (None, None, UNSPEC), None, None, None, None),
    ("جرحى", "INJURED", (None, None, UNSPEC), None, None, None, None),
    ("عدد من الجرحى", "INJURED", (None, None, UNSPEC), None, None, None, None),
    ("أعداد كبيرة من الجرحى", "INJURED", (None, None, UNSPEC), None, None, None, None),
    ("عشرات المصابين", "INJURED", (10, None, AT_LEAST), None, None, None, None),
    ("ثمانية شهداء", "KILLED", (8, None, EXACT), None, None, None, None),
    ("بمقتل شخصين", "KILLED", (2, None, EXACT), None, None, None, None),
    ("شخص واحد", "KILLED", (1, None, EXACT), None, None, None, None),
    ("جريح واحد", "INJURED", (1, None, EXACT), None, None, None, None),
    ("19 آخرين على الأقل", "INJURED", (19, None, AT_LEAST), None, None, None, None),
    ("بين عشرين إلى ثلاثين جثة", "KILLED", (20, 30, RANGE), None, None, None, None),
    ("3 جرحى من الطاقم الطبي", "INJURED", (3, None, EXACT), None, None, None, None),
    ("5 قتلى من المرضى والمدنيين", "KILLED", (5, None, EXACT), True, None, None, None),
    ("الشهداء الثلاثة", "KILLED", (3, None, EXACT), None, None, None, None),
    ("بمقتل الضباط الأربعة", "KILLED", (4, None, EXACT), False, None, None, None),
    ("استشهاد صبيين فلسطينيين", "KILLED", (2, None, EXACT), None, None, 2, None),
    ("جثتين لرجلين", "KILLED", (2, None, EXACT), None, None, None, 2),
    ("مصرع اكثر من مائتي شخص", "KILLED", (200, None, AT_LEAST), None, None, None, None),
    ("اثنا عشر شخصا منهم طفل وامراتان", "KILLED", (12, None, EXACT), None, 2, 1, None),
    ("ثمانية هم أربعة رجال وأربع نساء", "KILLED", (8, None, EXACT), None, 4, None, 4),
    ("مقتل خمسة مدنيين ، بمن فيهم طفلة حديثة الولادة ووالدها", "KILLED", (5, None, EXACT), True, None, 1, None),
    ("عشرة إصابات ، بمن فيهم ثلاثة أطفال", "INJURED", (10, None, EXACT), None, None, 3, None),
    # groups joined by و add up
    ("القتلي طفلا وامراتين", "KILLED", (3, None, EXACT), None, 2, 1, None),
    ("3 من عناصر الشرطة ومدنيان", "INJURED", (5, None, EXACT), None, None, None, None),
    ("وإصابة ثلاثة من العاملين في المجال الطبي وإثنين من الزائرين", "INJURED", (5, None, EXACT), None, None, None, None),
    ("وإصابة رجل وابنه", "INJURED", (1, None, EXACT), None, None, None, 1),
    # "رجال الشرطة" are policemen, not a count of men; adjectives are not victims
    ("ثلاثة من رجال الشرطة ومدني", "INJURED", (4, None, EXACT), None, None, None, None),
    ("عناصر الدفاع المدني", "INJURED", (None, None, UNSPEC), True, None, None, None),
    ("الطاقم الطبي العامل في المستشفى", "INJURED", (None, None, UNSPEC), None, None, None, None),
    ("أكثر من 7قتلى", "KILLED", (7, None, AT_LEAST), None, None, None, None),
]


@pytest.mark.parametrize(
    ("span", "label", "total", "civilians", "women", "children", "men"),
    CASUALTIES,
    ids=[c[0] for c in CASUALTIES],
)
def test_parse_casualties(span, label, total, civilians, women, children, men) -> None:
    c = parse_casualties(span, label)
    assert isinstance(c, Casualties)
    assert _key(c.total) == _expect(*total)
    assert (c.civilians, c.women, c.children, c.men) == (civilians, women, children, men)
    assert c.entity is None


def test_casualties_total_text_comes_from_the_head() -> None:
    c = parse_casualties("45، من بينهم 7 نساء و 10 أطفال", "KILLED")
    assert c.total.text == "45"


def test_casualties_rejects_other_labels() -> None:
    with pytest.raises(ValueError):
        parse_casualties("6 مدنيين", "EVENT")


def test_parse_quantity_rejects_non_strings() -> None:
    with pytest.raises(TypeError):
        parse_quantity(6)  # type: ignore[arg-type]
