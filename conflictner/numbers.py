"""Counts in entity spans: number words, digits, qualifiers, duals and casualty breakdowns.

``parse_quantity`` reads how many strikes, shells, vehicles or people an
EVENT / WEAPON / KILLED / INJURED span counts; ``parse_casualties`` adds the
``بينهم ...`` breakdown and the civilian/fighter status of a casualty span.
Both follow ``incident-schema.md`` (ACLED-style conservative coding: ``عشرات``
is at least 10, ``مئات`` at least 100, duals count 2).

How it works. The span is cut into tokens with ``conflictner.text.tokenize``
(clitics stay attached, so ``بأكثر`` and ``وعشرين`` are one token each); every
token is normalised (``normalize_word``) and its clitic-stripped candidates
(``strip_clitics``) are looked up in small tables: number words, qualifier
phrases, dual and singular countable nouns, casualty categories. A number
phrase is then read compositionally, left to right: units, teens
(``خمسة عشر``), tens joined by ``و`` (``ثلاثة وعشرين``), hundreds
(``ثلاثمائة``, ``ثلاث مئة``), and scale words that multiply what came before
(``3 آلاف``, ``عشرات الآلاف``, ``ألف ومئتين``).

Digits: Arabic-Indic and Persian digits are mapped by ``normalize``. A digit
group joined by ``,`` / ``٬`` / ``.`` is read by its *shape*: when every group
after the first has exactly three digits (``1,200``, ``500.000``,
``1.200.000``) the separators are thousands separators, because conflict
counts are whole numbers and three decimals never occur in them; otherwise a
single separator is a decimal point (``3.5``, ``3,5``). The Arabic decimal
separator ``٫`` is always a decimal point (``٣٫٥`` is 3.5). Shapes with
several separators that are not thousands groups (``07.06.2018``) are dates.

What is not a count: ordinals (``الثالث``, ``الأولى``, ``الخامس عشر``);
definite number words on their own (``الأحد``, ``الاثنين``, ``الثلاثة``), though
a definite number after a definite noun counts it (``الشهداء الثلاثة`` → 3) and
the vague ``العشرات``/``الآلاف`` always count; clock times (``21:05``,
``الساعة 9``); days before a month name (``7 حزيران``); years (a bare 4-digit
number in 1900..2100, or one after ``عام``); durations and ages (``3 أيام``,
``14 عامًا``); percentages; model and unit designations (``RBK - 500``,
``سو - 25``, ``مي 24``, ``اللواء 137``); weights and prices (``500 رطل``).
Digits glued to a word (``مقتل148``, ``7قتلى``) are split off and read.

Example:
    >>> parse_quantity("بأكثر من 25 قذيفة")
    Quantity(≥25)
    >>> parse_casualties("لمقتل 6 مديين بينهم امرأة وطفلين", "KILLED")
    Casualties(Quantity(6), women=1, children=2, civilians=True)
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from conflictner.results import Casualties, Quantity
from conflictner.text import PUNCTUATION, Token, is_arabic, normalize_word, strip_clitics, tokenize

__all__ = ["parse_quantity", "parse_casualties"]

logger = logging.getLogger(__name__)

Number = int | float

# --- lexicon (all keys are normalised: ا for أإآ, ه for ة, ي for ى and ئ) ----


@dataclass(frozen=True, slots=True)
class _Num:
    """One number word (or digit group) and the role it plays in a phrase.

    ``kind`` is one of ``digit``, ``unit`` (1-9), ``ten`` (عشر/عشرة, also the
    second half of a teen), ``tens`` (20-90), ``hundred`` (100-900), ``scale``
    (ألف, مليون: multiplies what precedes it), ``scale_dual`` (ألفين = 2000),
    ``scale_pl`` (آلاف: multiplies, or means "thousands" on its own),
    ``vague`` (عشرات, مئات) and ``few`` (بضع: 3 to 9).
    """

    value: Number
    kind: str


def _build_number_lexicon() -> dict[str, _Num]:
    lex: dict[str, _Num] = {}

    def add(kind: str, value: Number, *forms: str) -> None:
        for form in forms:
            lex[form] = _Num(value, kind)

    # Both genders, all cases, accusative tanween written as alef, and the
    # construct forms (اثنا/اثني) that appear in teens.
    units = {
        1: ("واحد", "واحده", "واحدا", "احد", "احدي"),
        2: ("اثنان", "اثنين", "اثنتان", "اثنتين", "اثنا", "اثني", "اثنتا", "اثنتي", "ثنتان", "ثنتين"),
        3: ("ثلاث", "ثلاثه"),
        4: ("اربع", "اربعه"),
        5: ("خمس", "خمسه"),
        6: ("ست", "سته"),
        7: ("سبع", "سبعه"),
        8: ("ثمان", "ثماني", "ثمانيه"),
        9: ("تسع", "تسعه"),
    }
    for value, forms in units.items():
        add("unit", value, *forms)
    add("ten", 10, "عشر", "عشره")
    tens = {
        20: "عشر", 30: "ثلاث", 40: "اربع", 50: "خمس",
        60: "ست", 70: "سبع", 80: "ثمان", 90: "تسع",
    }
    for value, stem in tens.items():
        add("tens", value, stem + "ون", stem + "ين")
    # مئة / مائة (and the colloquial مية) normalise to ميه / مايه.
    hundred_forms = ("ميه", "مايه")
    add("hundred", 100, *hundred_forms)
    add("hundred", 200, "ميتان", "ميتين", "ميتي", "ميتا", "مايتان", "مايتين", "مايتي", "مايتا")
    hundred_prefixes = {3: ("ثلاث",), 4: ("اربع",), 5: ("خمس",), 6: ("ست",), 7: ("سبع",), 8: ("ثمان", "ثماني"), 9: ("تسع",)}
    for value, prefixes in hundred_prefixes.items():
        add("hundred", value * 100, *(p + h for p in prefixes for h in hundred_forms))
    add("scale", 1000, "الف", "الفا")
    add("scale", 10**6, "مليون", "مليونا")
    add("scale", 10**9, "مليار", "مليارا")
    add("scale_dual", 2000, "الفان", "الفين", "الفي")
    add("scale_dual", 2 * 10**6, "مليونان", "مليونين", "مليوني")
    add("scale_dual", 2 * 10**9, "ملياران", "مليارين")
    add("scale_pl", 1000, "الاف", "الوف")
    add("scale_pl", 10**6, "ملايين")
    add("scale_pl", 10**9, "مليارات")
    add("vague", 10, "عشرات")
    add("vague", 100, "ميات")
    add("few", 3, "بضع", "بضعه")
    return lex


_NUMBER_WORDS = _build_number_lexicon()

#: Words a post-posed numeral follows (``شخص واحد``); only 1 and 2 come after the noun.
_POSTNOMINAL = frozenset({"واحد", "واحده", "اثنان", "اثنين", "اثنتان", "اثنتين"})

#: Ordinal stems (with or without the article): they and a following ``عشر`` are not counts.
_ORDINALS = frozenset({
    "اول", "اولي", "ثاني", "ثانيه", "ثالث", "ثالثه", "رابع", "رابعه", "خامس", "خامسه",
    "سادس", "سادسه", "سابع", "سابعه", "ثامن", "ثامنه", "تاسع", "تاسعه", "عاشر", "عاشره",
    "حادي", "حاديه",
})

#: Qualifier phrases before the number, as normalised word sequences.
_PRE_QUALIFIERS: dict[tuple[str, ...], str] = {
    ("اكثر", "من"): "at_least",
    ("ازيد", "من"): "at_least",
    ("ما", "يزيد", "عن"): "at_least",
    ("ما", "يزيد", "علي"): "at_least",
    ("يزيد", "عن"): "at_least",
    ("يزيد", "علي"): "at_least",
    ("ما", "لا", "يقل", "عن"): "at_least",
    ("ما", "لا", "يقل", "من"): "at_least",
    ("لا", "يقل", "عن"): "at_least",
    ("لا", "يقل", "من"): "at_least",
    ("ما", "يربو", "علي"): "at_least",
    ("يربو", "علي"): "at_least",
    ("علي", "الاقل"): "at_least",
    ("اقل", "من"): "at_most",
    ("ما", "لا", "يزيد", "عن"): "at_most",
    ("ما", "لا", "يزيد", "علي"): "at_most",
    ("لا", "يزيد", "عن"): "at_most",
    ("لا", "يزيد", "علي"): "at_most",
    ("ما", "لا", "يتجاوز"): "at_most",
    ("لا", "يتجاوز"): "at_most",
    ("نحو",): "approx",
    ("حوالي",): "approx",
    ("قرابه",): "approx",
    ("زهاء",): "approx",
    ("ما", "يقارب"): "approx",
    ("يقارب",): "approx",
    ("ما", "يقرب", "من"): "approx",
    ("يقرب", "من"): "approx",
    ("ما", "يناهز"): "approx",
    ("يناهز",): "approx",
    ("تقريبا",): "approx",
    # Not a qualifier of its own: opens a range read as "between A and B".
    ("بين",): "between",
    ("ما", "بين"): "between",
    # Only kept when a range follows (من 10 إلى 15).
    ("من",): "from",
}

#: Qualifier phrases after the number (and its noun).
_POST_QUALIFIERS: dict[tuple[str, ...], str] = {
    ("علي", "الاقل"): "at_least",
    ("او", "اكثر"): "at_least",
    ("فاكثر",): "at_least",
    ("علي", "الاكثر"): "at_most",
    ("او", "اقل"): "at_most",
    ("تقريبا",): "approx",
}

#: Range connectors between two numbers (``10-15``, ``10 إلى 15``, ``ثلاث أو أربع``).
_RANGE_CONNECTORS = frozenset({"-", "–", "—", "الي", "حتي", "او"})

#: Words that say "some, an unknown number" (``عدد من``, ``عدة``, ``العديد من``).
_UNSPECIFIED_WORDS = frozenset({"عدد", "اعداد", "عده", "العديد", "بعض", "الكثير", "كثير"})

#: Words before a number that make it a clock time or a year.
_TIME_OR_YEAR_HEADS = frozenset({"الساعه", "ساعه", "عام", "العام", "سنه", "السنه", "عامي"})

#: People, as countable nouns whose ``-ين``/``-ان`` forms are unambiguous duals.
_PERSON_DUAL_NOUNS = (
    "طفل", "طفله", "امراه", "رجل", "شاب", "شابه", "فتاه", "سيده", "شخص", "عنصر", "جندي", "ضابط",
    "طالب", "طالبه", "قتيل", "قتيله", "جريح", "جريحه", "شهيد", "شهيده", "جثه", "رضيع", "رضيعه", "صبي",
)
#: People whose sound plural ends in ``-ين`` (``مدنيين``, ``مصابين``): singular only.
_PERSON_SINGULAR_NOUNS = (
    "مدني", "مقاتل", "مسعف", "صحفي", "ناشط", "مصاب", "مصابه", "ضحيه", "عامل", "متطوع", "شرطي",
    "مواطن", "مواطنه", "مريض", "مريضه", "طبيب", "طبيبه", "ممرض", "ممرضه", "مسن", "مسنه",
)
#: Strikes, munitions, vehicles and places with unambiguous duals.
_THING_DUAL_NOUNS = (
    "غاره", "ضربه", "هجمه", "هجوم", "انفجار", "تفجير", "قذيفه", "صاروخ", "برميل", "قنبله",
    "عبوه", "لغم", "دبابه", "مدرعه", "اليه", "عربه", "سياره", "طايره", "مروحيه", "مسيره",
    "مدفع", "راجمه", "رصاصه", "مجزره", "اشتباك",
    "مدرسه", "منزل", "مسجد", "فرن", "مخبز", "حاجز", "نقطه", "موقع", "قريه", "بلده", "كتيبه", "سريه",
)


def _dual_forms(singular: str) -> tuple[str, ...]:
    # Feminine nouns keep their ta as ت before the dual ending (غارة → غارتين).
    stem = singular[:-1] + "ت" if singular.endswith("ه") else singular
    return stem + "ين", stem + "ان"


#: Nominative duals whose oblique form would be a plural (مدنيان vs مدنيين).
_EXTRA_DUALS = ("مدنيان", "اخران", "شرطيان")
_PERSON_DUALS = frozenset(d for s in _PERSON_DUAL_NOUNS for d in _dual_forms(s)) | frozenset(_EXTRA_DUALS)
_DUALS = _PERSON_DUALS | frozenset(d for s in _THING_DUAL_NOUNS for d in _dual_forms(s))
#: A singular noun counts as one only near the start of the span (``مقتل طفل``,
#: ``بقذيفة``), not as an adjective further on (``عناصر الدفاع المدني``).
_SINGULAR_WINDOW = 2

#: Plural death and injury nouns: a span with one of them and no number has an
#: unspecified count. Verbal nouns (قتل, إصابة) are left out: they name events too.
_CASUALTY_NOUNS = frozenset({
    "قتلي", "قلتي", "قتيل", "شهداء", "شهيد", "جرحي", "جريح", "مصابين", "مصابون", "مصاب", "مصابه",
    "اصابات", "ضحايا", "ضحيه", "مقتل", "وفيات", "جثث",
})

#: Breakdown categories: normalised noun → (category, count it implies; None for a plural).
_CATEGORY_NOUNS: dict[str, tuple[str, int | None]] = {}
for _cat, _forms in {
    "women": {"امراه": 1, "سيده": 1, "امراتين": 2, "امراتان": 2, "سيدتين": 2, "سيدتان": 2,
              "نساء": None, "نسوه": None, "سيدات": None},
    "children": {"طفل": 1, "طفله": 1, "طفلا": 1, "رضيع": 1, "رضيعه": 1, "صبي": 1,
                 "طفلين": 2, "طفلان": 2, "طفلتين": 2, "طفلتان": 2, "رضيعين": 2, "صبيين": 2,
                 "اطفال": None, "اطفالا": None, "رضع": None, "صبيان": None},
    "men": {"رجل": 1, "رجلا": 1, "شاب": 1, "شابا": 1, "رجلين": 2, "رجلان": 2, "شابين": 2, "شابان": 2,
            "رجال": None, "شبان": None},
}.items():
    for _form, _n in _forms.items():
        _CATEGORY_NOUNS[_form] = (_cat, _n)
#: Singular nouns that count one victim (with the category forms طفلا, رجلا), or one thing.
_PERSON_SINGULARS = (
    frozenset(_PERSON_DUAL_NOUNS)
    | frozenset(_PERSON_SINGULAR_NOUNS)
    | frozenset(f for f, (_, n) in _CATEGORY_NOUNS.items() if n == 1)
)
_SINGULARS = _PERSON_SINGULARS | frozenset(_THING_DUAL_NOUNS)

#: Category nouns that are job titles before a definite noun (رجال الشرطة, رجال الإطفاء).
_OCCUPATIONAL = frozenset({"رجل", "رجال"})

#: Words that introduce a breakdown of the total; longest first wins.
_BREAKDOWN_MARKERS = (
    ("من", "بينهم"), ("من", "بينهن"), ("بمن", "فيهم"), ("بمن", "فيهن"), ("بما", "فيهم"),
    ("بينهم",), ("بينهن",), ("منهم",), ("منهن",), ("هم",),
    # "most/all of them ..." describe the total without adding to it.
    ("معظمهم",), ("اغلبهم",), ("جميعهم",), ("كلهم",),
)
_MARKER_TABLE: dict[tuple[str, ...], str] = dict.fromkeys(_BREAKDOWN_MARKERS, "")

#: Civilian adjective/noun, tolerant of the common typo مديين (مدني with the ن lost).
_CIVILIAN = re.compile(r"^مد(?:ن?يين|ن?يون|ن?يان|نيا|ني|نيه|نيات)$")
_FIGHTERS = frozenset({
    "عنصر", "عناصر", "عنصرين", "عنصرا", "مقاتل", "مقاتلين", "مقاتلون", "مقاتلا", "جندي", "جنود",
    "جنديين", "جنديا", "جنديان", "عسكري", "عسكريين", "عسكريون", "عسكريا", "مسلح", "مسلحين", "مسلحون",
    "ضابط", "ضباط", "ضابطين", "ضابطا", "ضابطان", "مجند", "مجندين", "ارهابي", "ارهابيين", "ارهابيي",
    "ارهابيون", "مرتزقه", "مرتزق", "شرطي", "شرطيا", "شرطيان", "شرطيين", "شرطه",
})

#: Words right before a number that make it a model or unit designation
#: (``مي 24``, ``بوينج 757``, ``طراز 500``, ``اللواء 137``), not a count.
_DESIGNATORS = frozenset({
    "طراز", "نوع", "موديل", "رقم", "سو", "مي", "ميغ", "ميج", "بوينج", "بوينغ", "اليوشن", "توشكا",
    "اللواء", "لواء", "الفرقه", "فرقه", "الفوج", "فوج",
})
#: Units of measure and money after a number: a weight or a price, not a count.
_MEASURES = frozenset({
    "رطل", "رطلا", "ارطال", "كغ", "كلغ", "كيلو", "كيلوغرام", "كيلوغراما", "كيلوجرام", "غرام",
    "طن", "طنا", "اطنان", "كيلوطن", "ملم", "مم", "ملليمتر", "سم", "كم", "كلم", "كيلومتر",
    "كيلومترا", "كيلومترات", "متر", "مترا", "امتار", "ميل", "ميلا", "لتر", "لترا", "لترات",
    "دولار", "دولارا", "ليره", "ليرات", "يورو",
})
_HYPHENS = frozenset({"-", "–", "—"})
#: Definite number words that are weekday names.
_WEEKDAY_NUMBERS = frozenset({"الاحد", "الاثنين"})

_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
#: A digit group glued to letters (مقتل148, 7قتلى, الساعة14:08), joiners included.
_GLUED_DIGITS = re.compile(r"\d+(?:[.,:/٫٬]\d+)*")
_CLAUSE_BREAK = frozenset({"،", ",", ".", "؛", ";", ":"})
#: What may stand between a qualifier and its number: brackets and a detached
#: article (``قرابة الـ 30`` normalises to ``قرابه ال 30``).
_FILLERS = frozenset({"(", "[", "{", "«", "\"", "“", "ال"})
_OPENERS = {"(": ")", "[": "]", "{": "}", "«": "»"}


# --- tokens ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Tok:
    """A token of the span with everything the tables are matched against.

    Attributes:
        text, start, end: The surface token and its offsets in the span.
        norm: Normalised form.
        cands: The normalised form and its clitic-stripped candidates.
        bare: ``cands`` plus article-less forms, for noun lookups.
        num: The number word or digit group the token reads as, if any.
        conj: The number was read after stripping a leading ``و``.
        definite: The number word carries the article (``الثلاثة``, ``الأحد``).
        plus: A ``+`` was attached to the digits (``+10``).
    """

    text: str
    start: int
    end: int
    norm: str
    cands: tuple[str, ...]
    bare: frozenset[str]
    num: _Num | None = None
    conj: bool = False
    definite: bool = False
    plus: bool = False

    @property
    def is_punct(self) -> bool:
        return len(self.norm) == 1 and self.norm in PUNCTUATION

    @property
    def is_definite_word(self) -> bool:
        """A definite noun or adjective (``الشهداء``), not a number or ordinal."""
        return self.num is None and any(c.startswith("ال") and len(c) > 3 for c in self.cands) and not _is_ordinal(self)


def _split_glued(tokens: Iterable[Token]) -> list[Token]:
    """Split digits glued to Arabic letters into tokens of their own.

    Reports often drop the space between a word and a number (``مقتل148``,
    ``7قتلى``, ``أيار2017``); the scheme's tokenizer keeps such runs whole.
    Runs with Latin letters (``9M79``, ``2.5SM``) are model names and stay whole.

    Example:
        >>> [t.text for t in _split_glued(tokenize("مقتل148 شخصا"))]
        ['مقتل', '148', 'شخصا']
    """
    out: list[Token] = []
    for tok in tokens:
        t = tok.text
        glued = (
            any(c.isdigit() for c in t)
            and any(c.isalpha() and is_arabic(c) for c in t)
            and not any(c.isascii() and c.isalpha() for c in t)
        )
        if not glued:
            out.append(tok)
            continue
        pos = 0
        for m in _GLUED_DIGITS.finditer(t):
            if m.start() > pos:
                out.append(Token(t[pos : m.start()], tok.start + pos, tok.start + m.start()))
            out.append(Token(m.group(), tok.start + m.start(), tok.start + m.end()))
            pos = m.end()
        if pos < len(t):
            out.append(Token(t[pos:], tok.start + pos, tok.end))
    return out


def _digit_value(word: str, surface: str) -> Number | None:
    """Read a digit group by its shape (see the module docstring).

    Example:
        >>> _digit_value("500.000", "500.000"), _digit_value("3.5", "٣٫٥"), _digit_value("07.06.2018", "")
        (500000, 3.5, None)
    """
    if not _DIGITS.fullmatch(word):
        return None
    groups = re.split(r"[.,]", word)
    if len(groups) == 1:
        return int(word)
    seps = re.findall(r"[.,]", word)
    arabic_decimal = "٫" in surface
    if not arabic_decimal and 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]) and len(set(seps)) == 1:
        logger.debug("digit group %r read as thousands", surface)
        return int("".join(groups))
    if len(groups) == 2:
        return float(f"{groups[0]}.{groups[1]}")
    if len(set(seps)) == 2 and len(groups) >= 3:
        # Mixed separators (1,200.5 / 1.200,5): the last one is the decimal point.
        head, tail = groups[:-1], groups[-1]
        if all(len(g) == 3 for g in head[1:]):
            return float("".join(head) + "." + tail)
    return None


def _number_of(norm: str, cands: Sequence[str], surface: str) -> tuple[_Num | None, bool, bool, bool]:
    """Look a token up as a number: (number, conj, definite, plus)."""
    for cand in cands:
        conj = cand != norm and norm.startswith("و")
        core, plus = cand, False
        if core.startswith("+") or core.endswith("+"):
            core, plus = core.strip("+"), True
        value = _digit_value(core, surface) if core[:1].isdigit() else None
        if value is not None:
            return _Num(value, "digit"), conj, False, plus
        if cand in _NUMBER_WORDS:
            return _NUMBER_WORDS[cand], conj, False, False
        if cand.startswith("ال") and cand[2:] in _NUMBER_WORDS:
            # The article makes a number word a name or a reference (الأحد,
            # الاثنين, الثلاثة); we stop at the first candidate that explains
            # the word so that اثنين is never tried on its own.
            return _NUMBER_WORDS[cand[2:]], conj, True, False
    return None, False, False, False


def _prepare(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    for t in _split_glued(tokenize(text)):
        norm = normalize_word(t.text)
        if not norm:
            continue
        cands = tuple(strip_clitics(norm))
        bare = set(cands)
        bare.update(c[2:] for c in cands if c.startswith("ال") and len(c) > 4)
        num, conj, definite, plus = _number_of(norm, cands, t.text)
        toks.append(_Tok(t.text, t.start, t.end, norm, cands, frozenset(bare), num, conj, definite, plus))
    return toks


def _phrase_at(toks: Sequence[_Tok], i: int, table: dict[tuple[str, ...], str]) -> tuple[str, int] | None:
    """Longest phrase of ``table`` starting at token ``i``: (value, index after it).

    The first word may carry clitics (``بأكثر من``, ``بما يزيد عن``); the
    following words must match exactly.
    """
    best: tuple[str, int] | None = None
    best_len = 0
    for phrase, value in table.items():
        n = len(phrase)
        if n <= best_len or i + n > len(toks):
            continue
        if phrase[0] not in toks[i].cands:
            continue
        if all(toks[i + k].norm == phrase[k] for k in range(1, n)):
            best, best_len = (value, i + n), n
    return best


# --- reading number phrases ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Reading:
    """A number phrase read from tokens ``first..last`` (inclusive).

    ``scale`` is the multiplier the phrase ends with (``15 ألف`` → 1000), so
    that ``بين 10 و15 ألف`` can share it with the lower bound.
    """

    value: Number
    upper: Number | None
    vague: bool
    first: int
    last: int
    scale: Number | None = None


def _int_if_whole(x: Number) -> Number:
    return int(x) if isinstance(x, float) and x.is_integer() else x


def _read_number(toks: Sequence[_Tok], i: int, *, allow_definite: bool = False) -> _Reading | None:
    """Read the number phrase that starts at token ``i``, compositionally.

    Example (tokens of ``ألف وثلاثمائة وخمسة وعشرين``): 1000, then + 300, + 5,
    + 20 → 1325.
    """
    first = toks[i].num
    if first is None or (toks[i].definite and not allow_definite and first.kind not in ("vague", "scale_pl")):
        return None
    total: Number = 0  # completed groups above a scale word
    group: Number = 0  # the group below the next scale word
    vague = first.kind in ("vague", "scale_pl")
    few = first.kind == "few"
    scale: Number | None = None
    if first.kind in ("scale", "scale_dual", "scale_pl"):
        total, last, scale = first.value, "scale", first.value
    elif first.kind == "few":
        group, last = 1, "few"  # bounds applied at the end
    else:
        group, last = first.value, first.kind
    few_scale: Number = 1
    j = i
    while j + 1 < len(toks):
        k = j + 1
        nxt = toks[k]
        conj = nxt.conj
        if nxt.norm == "و" and k + 1 < len(toks) and toks[k + 1].num is not None:
            k, nxt, conj = k + 1, toks[k + 1], True
        m = nxt.num
        if m is None:
            break
        if nxt.definite and not (m.kind == "scale_pl" and last == "vague"):
            break  # only عشرات الآلاف / مئات الآلاف take a definite multiplier
        if not conj and m.kind == "ten" and last == "unit":
            group, last = group + 10, "teen"  # خمسة عشر
        elif not conj and m.kind in ("hundred", "vague") and m.value == 100 and last in ("unit", "digit") and group < 10:
            group, last = group * 100, "hundred"  # ثلاث مئة
        elif not conj and m.kind in ("scale", "scale_pl") and last in ("digit", "unit", "ten", "teen", "tens", "hundred", "vague", "few"):
            if last == "few":
                few_scale = m.value
            total, group, last, scale = total + (group or 1) * m.value, 0, "scale", m.value
        elif conj and m.kind == "tens" and last == "unit":
            group, last = group + m.value, "tens"  # ثلاثة وعشرين
        elif conj and m.kind in ("unit", "ten", "tens") and last in ("hundred", "scale"):
            group, last = group + m.value, m.kind  # مئة وخمسة، ألف وعشرة
        elif conj and m.kind == "hundred" and last == "scale":
            group, last = group + m.value, "hundred"  # ألف ومئتين
        else:
            break
        j = k
    if few:
        return _Reading(3 * few_scale, 9 * few_scale, False, i, j)
    return _Reading(_int_if_whole(total + group), None, vague, i, j, scale if last == "scale" else None)


def _is_ordinal(tok: _Tok) -> bool:
    return not tok.bare.isdisjoint(_ORDINALS)


def _skip_ordinal(toks: Sequence[_Tok], i: int) -> int:
    """Index after an ordinal phrase (``الخامس عشر``, ``الحادي والعشرين``)."""
    j = i + 1
    while j < len(toks) and toks[j].num is not None and toks[j].num.kind in ("ten", "tens"):
        j += 1
    return j


def _not_a_count(toks: Sequence[_Tok], r: _Reading, qualified: bool) -> str | None:
    """Why a reading is not a count (a date, time, year, duration, designation, measure), else None."""
    # dates.py reads numbers with this module, so its tables are imported on
    # first use; a module-level import would be circular.
    from conflictner.dates import _month_at, _time_unit

    nxt = r.last + 1
    prev = toks[r.first - 1] if r.first > 0 else None
    if prev is not None:
        if not prev.bare.isdisjoint(_TIME_OR_YEAR_HEADS):
            return "time or year"
        if not prev.bare.isdisjoint(_DESIGNATORS) or any(c.isascii() and c.isalpha() for c in prev.norm):
            return "designation"
        # "سو - 25", "GBU - 39": a hyphen after a name; "10 - 15" (after a number) is a range.
        if prev.norm in _HYPHENS and r.first >= 2 and toks[r.first - 2].num is None and not toks[r.first - 2].is_punct:
            return "designation"
    if nxt < len(toks):
        if _month_at([t.cands for t in toks], nxt) is not None:
            return "day of month"
        if _time_unit(toks[nxt].bare) is not None:
            return "duration"
        if not toks[nxt].bare.isdisjoint(_MEASURES):
            return "measure"
        if toks[nxt].norm in ("%", "٪", "بالميه", "بالمايه") or (
            toks[nxt].norm == "في" and nxt + 1 < len(toks) and toks[nxt + 1].norm in ("الميه", "المايه")
        ):
            return "percentage"
    tok = toks[r.first]
    if r.first == r.last and tok.num is not None and tok.num.kind == "digit" and not qualified:
        if len(tok.norm) == 4 and tok.norm.isdigit() and 1900 <= int(tok.norm) <= 2100:
            follower = toks[nxt] if nxt < len(toks) else None
            if follower is None or follower.is_punct or follower.norm in ("م", "ميلادي"):
                return "year"
    return None


def _post_qualifier(toks: Sequence[_Tok], j: int) -> tuple[str, int] | None:
    """A qualifier within the next few words after a number (``7 أطفال على الأقل``)."""
    for k in range(j, min(j + 4, len(toks))):
        tok = toks[k]
        if tok.norm in _CLAUSE_BREAK or tok.num is not None or _phrase_at(toks, k, _MARKER_TABLE):
            return None
        hit = _phrase_at(toks, k, _POST_QUALIFIERS)
        if hit is not None:
            return hit
    return None


def _span_text(text: str, toks: Sequence[_Tok], a: int, b: int) -> str:
    return text[toks[a].start : toks[b].end]


def _close_brackets(toks: Sequence[_Tok], first: int, last: int) -> int:
    """Extend ``last`` over closing brackets opened inside ``first..last`` (``( 3 )``)."""
    pending = [_OPENERS[t.norm] for t in toks[first : last + 1] if t.norm in _OPENERS]
    while pending and last + 1 < len(toks) and toks[last + 1].norm == pending[-1]:
        pending.pop()
        last += 1
    return last


def _quantity_from(text: str, toks: Sequence[_Tok], r: _Reading, pre: tuple[str, int] | None) -> tuple[Quantity, int]:
    """Turn a reading and the qualifiers around it into a Quantity (and its last token)."""
    first, last = r.first, r.last
    value, upper = r.value, r.upper
    pre_kind = pre[0] if pre else None
    if pre is not None:
        first = pre[1]
    qualifier = "exact"
    # A range: A - B, A إلى B, A أو B, or بين A و B.
    k = r.last + 1
    rng: _Reading | None = None
    if k < len(toks) and (toks[k].norm in _RANGE_CONNECTORS or (pre_kind == "between" and toks[k].norm == "و")):
        if k + 1 < len(toks):
            rng = _read_number(toks, k + 1)
    elif k < len(toks) and pre_kind == "between" and toks[k].conj:
        rng = _read_number(toks, k)
    if rng is not None and r.upper is None and rng.value > r.value and _not_a_count(toks, rng, True) is None:
        if rng.scale and r.scale is None and r.value * rng.scale <= rng.value:
            value = _int_if_whole(r.value * rng.scale)  # بين 10 و15 ألف: both in thousands
        upper, last = rng.value, rng.last
        qualifier = "range"
    post = _post_qualifier(toks, last + 1) if qualifier != "range" else None
    kinds = {q for q in (pre_kind, post[0] if post else None) if q and q not in ("between", "from")}
    if qualifier == "range":
        pass
    elif r.upper is not None:
        qualifier = "range"  # بضع: 3 to 9
    elif "at_most" in kinds:
        qualifier, upper = "at_most", value
    elif "at_least" in kinds or r.vague or toks[r.first].plus:
        qualifier = "at_least"
    elif "approx" in kinds:
        qualifier = "approx"
    if post is not None:
        last = post[1] - 1
    if pre_kind in ("between", "from") and qualifier != "range":
        first = r.first
    last = _close_brackets(toks, first, last)
    return Quantity(value, upper, qualifier, _span_text(text, toks, first, last)), last


def _skip_designation(toks: Sequence[_Tok], i: int) -> int:
    # "OFAB 250 - 270": the number after a rejected designation belongs to it.
    while i + 1 < len(toks) and toks[i].norm in _HYPHENS | {"/"} and toks[i + 1].num is not None:
        i += 2
    return i


def _scan(
    text: str,
    toks: Sequence[_Tok],
    *,
    default_unspecified: bool | None,
    singular_nouns: frozenset[str] | None,
) -> tuple[Quantity, int] | None:
    """The first count in ``toks`` and the index of its last token.

    Args:
        singular_nouns: Singular nouns that count 1 when there is no number
            (only within the first ``_SINGULAR_WINDOW`` words), or None.
        default_unspecified: See ``parse_quantity``.
    """
    pre: tuple[str, int, int] | None = None  # (kind, first token, token after it)
    unspecified_at: int | None = None
    singular_at: int | None = None
    casualty_noun = False
    words = 0  # content words seen, for the singular window
    i = 0
    while i < len(toks):
        tok = toks[i]
        if pre is not None and i > pre[2]:
            # A qualifier binds the number right after it, across a bracket,
            # or across one noun for post-posed numerals (على الأقل طالب واحد).
            gap = toks[pre[2] : i]
            if not all(g.norm in _FILLERS for g in gap) and not (
                len(gap) == 1 and tok.num is not None and not tok.bare.isdisjoint(_POSTNOMINAL)
            ):
                pre = None
        if _is_ordinal(tok) and tok.num is None:
            i = _skip_ordinal(toks, i)
            continue
        hit = _phrase_at(toks, i, _PRE_QUALIFIERS)
        if hit is not None:
            pre = (hit[0], i, hit[1])
            i = hit[1]
            continue
        if tok.num is not None:
            # "الشهداء الثلاثة": a definite number after a definite noun counts
            # it; الأحد and الاثنين stay weekdays.
            after_definite = i > 0 and toks[i - 1].is_definite_word and _WEEKDAY_NUMBERS.isdisjoint(tok.cands)
            r = _read_number(toks, i, allow_definite=after_definite)
            if r is not None:
                why = _not_a_count(toks, r, pre is not None)
                if why is None:
                    return _quantity_from(text, toks, r, (pre[0], pre[1]) if pre is not None else None)
                logger.debug("%r is not a count (%s)", _span_text(text, toks, r.first, r.last), why)
                i = _skip_designation(toks, r.last + 1) if why == "designation" else r.last + 1
                continue
        if not tok.bare.isdisjoint(_DUALS):
            pre_hit = (pre[0], pre[1]) if pre is not None and pre[2] == i else None
            return _quantity_from(text, toks, _Reading(2, None, False, i, i), pre_hit)
        if unspecified_at is None and not tok.bare.isdisjoint(_UNSPECIFIED_WORDS):
            unspecified_at = i
        if (
            singular_nouns is not None
            and singular_at is None
            and words < _SINGULAR_WINDOW
            and not tok.bare.isdisjoint(singular_nouns)
        ):
            singular_at = i
        casualty_noun = casualty_noun or not tok.bare.isdisjoint(_CASUALTY_NOUNS)
        if not tok.is_punct:
            words += 1
        i += 1
    if unspecified_at is not None:
        end = _unspecified_end(toks, unspecified_at)
        return Quantity(None, None, "unspecified", _span_text(text, toks, unspecified_at, end)), end
    if singular_at is not None:
        pre_hit = (pre[0], pre[1]) if pre is not None and pre[2] == singular_at else None
        return _quantity_from(text, toks, _Reading(1, None, False, singular_at, singular_at), pre_hit)
    if default_unspecified or (default_unspecified is None and casualty_noun):
        return Quantity(None, None, "unspecified", ""), len(toks) - 1
    return None


def _unspecified_end(toks: Sequence[_Tok], i: int) -> int:
    # "عدد من" / "عدد كبير من": keep the quantifier words, not the noun.
    j = i
    while j + 1 < len(toks) and j - i < 2 and toks[j + 1].norm in ("من", "كبير", "كبيره", "غير", "معروف", "قليل"):
        j += 1
    return j


def parse_quantity(
    text: str,
    *,
    default_unspecified: bool | None = None,
    singular_is_one: bool = False,
) -> Quantity | None:
    """Read the count in an entity span (EVENT, WEAPON, KILLED or INJURED).

    The first number phrase that is a count wins; qualifiers before it
    (``أكثر من``, ``ما لا يقل عن``, ``نحو``, ``أقل من``) and after it
    (``على الأقل``, ``تقريبا``, ``أو أكثر``) set the qualifier; ``بين 10 و15``,
    ``10-15``, ``10 إلى 15``, ``ثلاث أو أربع`` are ranges; a dual noun
    (``بغارتين``) is 2; ``عشرات``/``مئات``/``آلاف`` are at least 10/100/1000;
    ``بضع`` is the range 3-9; ``عدد من``, ``عدة``, ``العديد من`` are unspecified.
    For ``at_most``, ``value`` and ``upper`` both hold the bound (so the
    Quantity prints as ``≤N``). Model names and units (``RBK - 500``,
    ``مي 24``, ``500 رطل``) are not counts.

    Args:
        text: The span text.
        default_unspecified: What to return when the span has no number:
            ``True`` → an unspecified Quantity, ``False`` → None, ``None``
            (default) → unspecified only when the span has a plural death or
            injury noun (``قتلى``, ``جرحى``, ``شهداء``, ``مقتل``), else None.
            Explicit vague quantifiers (``عدد من``) are always unspecified.
        singular_is_one: Count a singular countable noun among the first two
            words (``غارة``, ``بقذيفة``, ``مقتل طفل``) as 1 when there is no number.

    Returns:
        The Quantity (``text`` is the substring the number was read from,
        qualifiers included), or None.

    Examples:
        >>> parse_quantity("أكثر من 30 غارة جوية")
        Quantity(≥30)
        >>> parse_quantity("ثلاثة وعشرين"), parse_quantity("ألف ومئتين"), parse_quantity("بين 10 و15")
        (Quantity(23), Quantity(1200), Quantity(10-15))
        >>> parse_quantity("عشرات المصابين"), parse_quantity("عدد من الجرحى")
        (Quantity(≥10), Quantity(unspecified))
        >>> parse_quantity("قصف") is None, parse_quantity("الغارة الجوية الأولى") is None
        (True, True)
        >>> parse_quantity("غارة", singular_is_one=True)
        Quantity(1)
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_quantity() expects str, got {type(text).__name__}")
    found = _scan(
        text,
        _prepare(text),
        default_unspecified=default_unspecified,
        singular_nouns=_SINGULARS if singular_is_one else None,
    )
    return found[0] if found is not None else None


# --- casualties ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Item:
    """One victim category in a list (``7 نساء``, ``وطفلين``)."""

    category: str
    count: Number | None


def _category_of(toks: Sequence[_Tok], i: int) -> tuple[str, int | None] | None:
    tok = toks[i]
    for b in tok.bare:
        if b in _CATEGORY_NOUNS:
            # "رجال الشرطة" are policemen, not a count of men.
            if b in _OCCUPATIONAL and i + 1 < len(toks) and toks[i + 1].is_definite_word:
                return None
            return _CATEGORY_NOUNS[b]
    return None


def _category_items(toks: Sequence[_Tok]) -> list[_Item]:
    """Victim categories with their counts.

    A number phrase counts the category noun right after it (``7 نساء``) or
    up to two words on (``اثنين من الأطفال``, ``أحد الأطفال``); a noun without a
    number counts itself (1 for a singular, 2 for a dual, unknown for a plural).
    """
    items: list[_Item] = []
    pending: _Reading | None = None
    i = 0
    while i < len(toks):
        tok = toks[i]
        if _is_ordinal(tok) and tok.num is None:
            i = _skip_ordinal(toks, i)
            continue
        r = _read_number(toks, i, allow_definite=i > 0 and toks[i - 1].is_definite_word) if tok.num is not None else None
        if r is not None and _not_a_count(toks, r, False) is None:
            pending = r
            i = r.last + 1
            continue
        cat = _category_of(toks, i)
        if cat is not None:
            if pending is not None and i - pending.last <= 3:
                items.append(_Item(cat[0], pending.value))
            else:
                items.append(_Item(cat[0], cat[1]))
            pending = None
        i += 1
    return items


def _sum_by_category(items: Iterable[_Item]) -> dict[str, int | None]:
    sums: dict[str, int | None] = {}
    for it in items:
        if it.count is None:
            sums.setdefault(it.category, None)
            continue
        sums[it.category] = int((sums.get(it.category) or 0) + it.count)
    return sums


def _civilian_status(toks: Sequence[_Tok]) -> bool | None:
    civilian = fighter = False
    for k, tok in enumerate(toks):
        if any(_CIVILIAN.match(b) for b in tok.bare):
            civilian = True
        elif not tok.bare.isdisjoint(_FIGHTERS):
            # "عناصر الدفاع المدني" are rescuers, not fighters.
            if not (k + 1 < len(toks) and toks[k + 1].norm == "الدفاع"):
                fighter = True
    if civilian != fighter:
        return civilian
    return None


def _find_marker(toks: Sequence[_Tok]) -> tuple[int, int] | None:
    for i in range(len(toks)):
        hit = _phrase_at(toks, i, _MARKER_TABLE)
        if hit is not None:
            return i, hit[1]
    return None


def _segments(toks: Sequence[_Tok]) -> list[Sequence[_Tok]]:
    """Cut a casualty span at ``و`` that joins two groups (``3 من الشرطة ومدنيان``).

    A ``و`` inside a number phrase (``ثلاثة وعشرين``) does not cut.
    """
    cuts = [0]
    i = 0
    while i < len(toks):
        tok = toks[i]
        if tok.num is not None:
            r = _read_number(toks, i, allow_definite=True)
            if r is not None and i > 0 and tok.conj and not any("بين" in t.cands for t in toks[max(0, i - 3) : i]):
                cuts.append(i)
            i = (r.last if r is not None else i) + 1
            continue
        joins = tok.norm == "و" or (tok.norm.startswith("و") and len(tok.cands) > 1)
        # "بين 100 و180 ألفا" is one range, not two groups.
        in_range = any("بين" in t.cands for t in toks[max(0, i - 3) : i])
        if i > 0 and joins and not in_range:
            cuts.append(i)
        i += 1
    cuts.append(len(toks))
    return [toks[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def _casualty_total(text: str, toks: Sequence[_Tok]) -> tuple[Quantity, int]:
    """The total of a casualty head and how many groups it adds up.

    Groups joined by ``و`` add up (``ثلاثة من العاملين وإثنين من الزائرين`` is
    5, ``امرأة وطفلين`` is 3); a group with no number (``ونساء``) makes the sum
    a lower bound.
    """
    groups: list[Quantity] = []
    spans: list[tuple[int, int]] = []
    for n, seg in enumerate(_segments(toks)):
        found = _scan(text, seg, default_unspecified=None, singular_nouns=_PERSON_SINGULARS)
        if found is None:
            has_category = any(_category_of(seg, k) for k in range(len(seg)))
            if n == 0 or has_category:
                found = (Quantity(None, None, "unspecified", ""), len(seg) - 1)
            else:
                continue  # "والمدنيين", "وابنه": not a group of its own
        groups.append(found[0])
        spans.append((seg[0].start, seg[found[1]].end if found[0].text else seg[-1].end))
    if not groups:
        return Quantity(None, None, "unspecified", ""), 0
    if len(groups) == 1:
        return groups[0], 1
    known = sum(q.value for q in groups if q.value is not None)
    qualifiers = {q.qualifier for q in groups}
    summed_text = text[spans[0][0] : spans[-1][1]]
    if known == 0:
        return Quantity(None, None, "unspecified", summed_text), len(groups)
    if qualifiers == {"exact"}:
        qualifier = "exact"
    elif qualifiers & {"unspecified", "at_least", "range", "at_most"}:
        qualifier = "at_least"
    else:
        qualifier = "approx"
    return Quantity(_int_if_whole(known), None, qualifier, summed_text), len(groups)


def parse_casualties(text: str, label: str) -> Casualties:
    """Read a KILLED or INJURED span: total, breakdown and civilian status.

    The total is read from the words before a breakdown marker (``بينهم``,
    ``من بينهم``, ``منهم``, ``بمن فيهم``); the breakdown after it fills
    ``women``/``children``/``men`` and is never added to the total. When the
    head has no number but the breakdown has, the total is *at least* the
    breakdown's sum (``قتلى بينهم 3 أطفال`` → ≥3). Groups joined by ``و``
    outside a breakdown add up: a list of victim categories with no other total
    (``امرأة وطفلين``) has their sum as its total (3), and a group without a
    number (``3 أطفال ونساء``) makes it ``at_least``. A span about one category
    (``7 أطفال``) sets that category to the total's value. ``civilians`` is
    True for ``مدني``/``مدنيين`` (and the typo ``مديين``), False for fighters
    and security forces (``عناصر``, ``مقاتلين``, ``جنود``, ``عسكريين``,
    ``شرطة``), None when the span says neither or both. Bare death/injury nouns
    (``قتلى``, ``جرحى``) give an unspecified total; a singular victim noun
    among the first two words (``مقتل طفل``) counts 1.

    Args:
        text: The span text.
        label: ``"KILLED"`` or ``"INJURED"``.

    Returns:
        Casualties with ``entity=None`` (the caller sets it).

    Raises:
        ValueError: For any other label.

    Examples:
        >>> parse_casualties("45، من بينهم 7 نساء و 10 أطفال", "KILLED")
        Casualties(Quantity(45), women=7, children=10)
        >>> parse_casualties("امرأة وطفلين", "KILLED")
        Casualties(Quantity(3), women=1, children=2)
        >>> parse_casualties("جرحى", "INJURED")
        Casualties(Quantity(unspecified))
    """
    if label not in ("KILLED", "INJURED"):
        raise ValueError(f"parse_casualties() label must be KILLED or INJURED, got {label!r}")
    toks = _prepare(text)
    marker = _find_marker(toks)
    if marker is not None:
        head = list(toks[: marker[0]])
        while head and (head[-1].is_punct or head[-1].norm in ("و", "من")):
            head.pop()
        total, _ = _casualty_total(text, head)
        sums = _sum_by_category(_category_items(toks[marker[1] :]))
        known = sum(v for v in sums.values() if v)
        if total.value is None and known:
            total = Quantity(known, None, "at_least", total.text or _span_text(text, toks, marker[1], len(toks) - 1))
    else:
        total, n_groups = _casualty_total(text, toks)
        items = _category_items(toks)
        sums = _sum_by_category(items)
        if len(items) == 1 and n_groups == 1 and total.value is not None:
            sums[items[0].category] = int(total.value)
    return Casualties(
        total=total,
        civilians=_civilian_status(toks),
        women=sums.get("women"),
        children=sums.get("children"),
        men=sums.get("men"),
    )
