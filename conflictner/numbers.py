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

What is not a count: ordinals (``الثالث``, ``الأولى``, ``الخامس عشر``),
definite number words (``الأحد``, ``الاثنين``, ``الثلاثة``; except the vague
``العشرات``/``الآلاف``), clock times (``21:05``, ``الساعة 9``), days before a
month name (``7 حزيران``), years (a bare 4-digit number in 1900..2100, or one
after ``عام``), durations and ages (``3 أيام``, ``14 عامًا``) and percentages.

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
from conflictner.text import PUNCTUATION, normalize_word, strip_clitics, tokenize

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
    add("hundred", 200, "ميتان", "ميتين", "ميتي", "مايتان", "مايتين", "مايتي")
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

#: Countable nouns whose ``-ين``/``-ان`` forms are unambiguous duals (their
#: plurals are broken plurals). Nouns whose sound plural ends in ``-ين``
#: (``مدنيين``, ``مصابين``, ``مقاتلين``) must not be here.
_DUAL_NOUNS = (
    # strikes, munitions, vehicles
    "غاره", "ضربه", "هجمه", "هجوم", "انفجار", "تفجير", "قذيفه", "صاروخ", "برميل", "قنبله",
    "عبوه", "لغم", "دبابه", "مدرعه", "اليه", "عربه", "سياره", "طايره", "مروحيه", "مسيره",
    "مدفع", "راجمه", "رصاصه", "مجزره", "اشتباك",
    # places hit or held
    "مدرسه", "منزل", "مسجد", "فرن", "مخبز", "حاجز", "نقطه", "موقع", "قريه", "بلده", "كتيبه", "سريه",
    # people
    "طفل", "طفله", "امراه", "رجل", "شاب", "شابه", "فتاه", "سيده", "شخص", "عنصر", "جندي", "ضابط",
    "طالب", "طالبه", "قتيل", "جريح", "شهيد", "جثه", "رضيع",
)
#: Singular countable nouns without a safe dual (counted only with ``singular_is_one``).
_SINGULAR_ONLY_NOUNS = ("مدني", "مقاتل", "مسعف", "صحفي", "ناشط", "مصاب", "مصابه", "ضحيه", "عامل", "متطوع")


def _dual_forms(singular: str) -> tuple[str, ...]:
    # Feminine nouns keep their ta as ت before the dual ending (غارة → غارتين).
    stem = singular[:-1] + "ت" if singular.endswith("ه") else singular
    return stem + "ين", stem + "ان"


_DUALS = frozenset(d for s in _DUAL_NOUNS for d in _dual_forms(s))
_SINGULARS = frozenset(_DUAL_NOUNS) | frozenset(_SINGULAR_ONLY_NOUNS)

#: Death and injury nouns: a span made of them alone has an unspecified count.
_CASUALTY_NOUNS = frozenset({
    "قتلي", "قلتي", "قتيل", "شهداء", "شهيد", "جرحي", "جريح", "مصابين", "مصابون", "مصاب", "مصابه",
    "اصابات", "اصابه", "ضحايا", "ضحيه", "مقتل", "قتل", "وفيات", "وفاه", "جثث", "جثه",
})

#: Breakdown categories: normalised noun → (category, count it implies; None for a plural).
_CATEGORY_NOUNS: dict[str, tuple[str, int | None]] = {}
for _cat, _forms in {
    "women": {"امراه": 1, "سيده": 1, "امراتين": 2, "امراتان": 2, "سيدتين": 2, "سيدتان": 2,
              "نساء": None, "نسوه": None, "سيدات": None},
    "children": {"طفل": 1, "طفله": 1, "طفلا": 1, "رضيع": 1, "رضيعه": 1, "صبي": 1,
                 "طفلين": 2, "طفلان": 2, "طفلتين": 2, "طفلتان": 2, "رضيعين": 2,
                 "اطفال": None, "اطفالا": None, "رضع": None, "صبيان": None},
    "men": {"رجل": 1, "رجلا": 1, "شاب": 1, "شابا": 1, "رجلين": 2, "رجلان": 2, "شابين": 2, "شابان": 2,
            "رجال": None, "شبان": None},
}.items():
    for _form, _n in _forms.items():
        _CATEGORY_NOUNS[_form] = (_cat, _n)

#: Words that introduce a breakdown of the total; longest first wins.
_BREAKDOWN_MARKERS = (
    ("من", "بينهم"), ("من", "بينهن"), ("بمن", "فيهم"), ("بمن", "فيهن"), ("بما", "فيهم"),
    ("بينهم",), ("بينهن",), ("منهم",), ("منهن",),
    # "most/all of them ..." describe the total without adding to it.
    ("معظمهم",), ("اغلبهم",), ("جميعهم",), ("كلهم",),
)

_MARKER_TABLE: dict[tuple[str, ...], str] = dict.fromkeys(_BREAKDOWN_MARKERS, "")

#: Civilian adjective/noun, tolerant of the common typo مديين (مدني with the ن lost).
_CIVILIAN = re.compile(r"^مد(?:ن?يين|ن?يون|ن?يان|نيا|ني|نيه|نيات)$")
_FIGHTERS = frozenset({
    "عنصر", "عناصر", "عنصرين", "عنصرا", "مقاتل", "مقاتلين", "مقاتلون", "مقاتلا", "جندي", "جنود",
    "جنديين", "جنديا", "عسكري", "عسكريين", "عسكريون", "عسكريا", "مسلح", "مسلحين", "مسلحون",
    "ضابط", "ضباط", "ضابطين", "مجند", "مجندين", "ارهابي", "ارهابيين", "ارهابيي", "ارهابيون",
    "مرتزقه", "مرتزق",
})

_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_CLAUSE_BREAK = frozenset({"،", ",", ".", "؛", ";", ":"})
#: What may stand between a qualifier and its number: brackets and a detached
#: article (``قرابة الـ 30`` normalises to ``قرابه ال 30``).
_FILLERS = frozenset({"(", "[", "{", "«", "\"", "“", "ال"})


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
        core = cand[2:] if cand.startswith("ال") and cand[2:3].isdigit() else cand  # الـ30
        plus = False
        if core.startswith("+") or core.endswith("+"):
            core, plus = core.strip("+"), True
        value = _digit_value(core, surface) if core[:1].isdigit() else None
        if value is not None:
            return _Num(value, "digit"), cand != norm and norm.startswith("و"), False, plus
        if cand in _NUMBER_WORDS:
            return _NUMBER_WORDS[cand], cand != norm and norm.startswith("و"), False, False
        if cand.startswith("ال") and cand[2:] in _NUMBER_WORDS:
            # The article makes a number word a name or an ordinal-like
            # reference (الأحد, الاثنين, الثلاثة); we stop at the first
            # candidate that explains the word so اثنين is never tried.
            return _NUMBER_WORDS[cand[2:]], cand != norm and norm.startswith("و"), True, False
    return None, False, False, False


def _prepare(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    for t in tokenize(text):
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
    """A number phrase read from tokens ``first..last`` (inclusive)."""

    value: Number
    upper: Number | None
    vague: bool
    first: int
    last: int


def _int_if_whole(x: Number) -> Number:
    return int(x) if isinstance(x, float) and x.is_integer() else x


def _read_number(toks: Sequence[_Tok], i: int) -> _Reading | None:
    """Read the number phrase that starts at token ``i``, compositionally.

    Example (tokens of ``ألف وثلاثمائة وخمسة وعشرين``): 1000, then + 300, + 5,
    + 20 → 1325.
    """
    first = toks[i].num
    if first is None or (toks[i].definite and first.kind not in ("vague", "scale_pl")):
        return None
    total: Number = 0  # completed groups above a scale word
    group: Number = 0  # the group below the next scale word
    vague = first.kind in ("vague", "scale_pl")
    few = first.kind == "few"
    if first.kind in ("scale", "scale_dual", "scale_pl"):
        total, last = first.value, "scale"
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
            total, group, last = total + (group or 1) * m.value, 0, "scale"
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
    return _Reading(_int_if_whole(total + group), None, vague, i, j)


def _is_ordinal(tok: _Tok) -> bool:
    return not tok.bare.isdisjoint(_ORDINALS)


def _skip_ordinal(toks: Sequence[_Tok], i: int) -> int:
    """Index after an ordinal phrase (``الخامس عشر``, ``الحادي والعشرين``)."""
    j = i + 1
    while j < len(toks) and toks[j].num is not None and toks[j].num.kind in ("ten", "tens"):
        j += 1
    return j


def _not_a_count(toks: Sequence[_Tok], r: _Reading, qualified: bool) -> str | None:
    """Why a reading is a date, time, year, duration or percentage (else None)."""
    # dates.py reads numbers with this module, so its tables are imported on
    # first use; a module-level import would be circular.
    from conflictner.dates import _month_at, _time_unit

    nxt = r.last + 1
    prev = toks[r.first - 1] if r.first > 0 else None
    if prev is not None and not prev.bare.isdisjoint(_TIME_OR_YEAR_HEADS):
        return "time or year"
    if nxt < len(toks):
        if _month_at([t.cands for t in toks], nxt) is not None:
            return "day of month"
        if _time_unit(toks[nxt].bare) is not None:
            return "duration"
        if toks[nxt].norm in ("%", "٪", "بالميه", "بالمايه") or (
            toks[nxt].norm == "في" and nxt + 1 < len(toks) and toks[nxt + 1].norm in ("الميه", "المايه")
        ):
            return "percentage"
    tok = toks[r.first]
    if r.first == r.last and tok.num is not None and tok.num.kind == "digit" and not qualified:
        digits = tok.norm.lstrip("و")
        if len(digits) == 4 and digits.isdigit() and 1900 <= int(digits) <= 2100:
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


def _quantity_from(
    text: str, toks: Sequence[_Tok], r: _Reading, pre: tuple[str, int] | None, plus: bool
) -> Quantity:
    """Turn a reading and the qualifiers around it into a Quantity."""
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
        upper, last = rng.value, rng.last
        qualifier = "range"
    post = _post_qualifier(toks, last + 1) if qualifier != "range" else None
    kinds = {q for q in (pre_kind, post[0] if post else None) if q and q != "between"}
    if qualifier == "range":
        pass
    elif r.upper is not None:
        qualifier = "range"  # بضع: 3 to 9
    elif "at_most" in kinds:
        qualifier, upper = "at_most", value
    elif "at_least" in kinds or r.vague or plus or toks[r.first].plus:
        qualifier = "at_least"
    elif "approx" in kinds:
        qualifier = "approx"
    if post is not None:
        last = post[1] - 1
    if pre_kind in ("between", "from") and qualifier != "range":
        first = r.first
    return Quantity(value, upper, qualifier, _span_text(text, toks, first, last))


def _find_quantity(
    text: str,
    toks: Sequence[_Tok],
    *,
    default_unspecified: bool | None,
    singular_is_one: bool,
) -> Quantity | None:
    """The first count in ``toks`` (see ``parse_quantity``)."""
    pre: tuple[str, int, int] | None = None  # (kind, first token, token after it)
    unspecified_at: int | None = None
    singular_at: int | None = None
    casualty_noun = False
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
            r = _read_number(toks, i)
            if r is not None:
                why = _not_a_count(toks, r, pre is not None)
                if why is None:
                    pre_hit = (pre[0], pre[1]) if pre is not None else None
                    return _quantity_from(text, toks, r, pre_hit, False)
                logger.debug("%r is not a count (%s)", _span_text(text, toks, r.first, r.last), why)
                i = r.last + 1
                continue
        if not tok.bare.isdisjoint(_DUALS):
            pre_hit = (pre[0], pre[1]) if pre is not None and pre[2] == i else None
            return _quantity_from(text, toks, _Reading(2, None, False, i, i), pre_hit, False)
        if unspecified_at is None and not tok.bare.isdisjoint(_UNSPECIFIED_WORDS):
            unspecified_at = i
        if singular_at is None and not tok.bare.isdisjoint(_SINGULARS):
            singular_at = i
        casualty_noun = casualty_noun or not tok.bare.isdisjoint(_CASUALTY_NOUNS)
        i += 1
    if unspecified_at is not None:
        return Quantity(None, None, "unspecified", _unspecified_text(text, toks, unspecified_at))
    if singular_is_one and singular_at is not None:
        pre_hit = (pre[0], pre[1]) if pre is not None and pre[2] == singular_at else None
        return _quantity_from(text, toks, _Reading(1, None, False, singular_at, singular_at), pre_hit, False)
    if default_unspecified or (default_unspecified is None and casualty_noun):
        return Quantity(None, None, "unspecified", "")
    return None


def _unspecified_text(text: str, toks: Sequence[_Tok], i: int) -> str:
    # "عدد من" / "عدد كبير من": keep the quantifier words, not the noun.
    j = i
    while j + 1 < len(toks) and j - i < 2 and toks[j + 1].norm in ("من", "كبير", "كبيره", "غير", "معروف", "قليل"):
        j += 1
    return _span_text(text, toks, i, j)


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
    Quantity prints as ``≤N``).

    Args:
        text: The span text.
        default_unspecified: What to return when the span has no number:
            ``True`` → an unspecified Quantity, ``False`` → None, ``None``
            (default) → unspecified only when the span has a death/injury noun
            (``قتلى``, ``جرحى``, ``شهداء``, ``مقتل``), else None. Explicit
            vague quantifiers (``عدد من``) are always unspecified.
        singular_is_one: Count a singular countable noun (``غارة``, ``قذيفة``,
            ``طفل``, ``امرأة``) as 1 when there is no number.

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
    toks = _prepare(text)
    return _find_quantity(text, toks, default_unspecified=default_unspecified, singular_is_one=singular_is_one)


# --- casualties ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Item:
    """One victim category in a list (``7 نساء``, ``وطفلين``)."""

    category: str
    count: Number | None
    first: int
    last: int


def _category_items(toks: Sequence[_Tok]) -> tuple[list[_Item], int]:
    """Victim categories with their counts, and how many numbers had no category.

    A number phrase counts the category noun right after it (``7 نساء``) or
    two words on (``اثنين من الأطفال``, ``أحد الأطفال``); a noun without a
    number counts itself (1 for a singular, 2 for a dual, unknown for a plural).
    """
    items: list[_Item] = []
    pending: _Reading | None = None
    unattached = 0
    i = 0
    while i < len(toks):
        tok = toks[i]
        if _is_ordinal(tok) and tok.num is None:
            i = _skip_ordinal(toks, i)
            continue
        r = _read_number(toks, i) if tok.num is not None else None
        if r is not None and _not_a_count(toks, r, False) is None:
            if pending is not None:
                unattached += 1
            pending = r
            i = r.last + 1
            continue
        cat = next((_CATEGORY_NOUNS[b] for b in tok.bare if b in _CATEGORY_NOUNS), None)
        if cat is not None:
            if pending is not None and i - pending.last <= 3:
                items.append(_Item(cat[0], pending.value, pending.first, i))
            else:
                if pending is not None:
                    unattached += 1
                items.append(_Item(cat[0], cat[1], i, i))
            pending = None
        i += 1
    if pending is not None:
        unattached += 1
    return items, unattached


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


def parse_casualties(text: str, label: str) -> Casualties:
    """Read a KILLED or INJURED span: total, breakdown and civilian status.

    The total is read from the words before a breakdown marker (``بينهم``,
    ``من بينهم``, ``منهم``, ``بمن فيهم``); the breakdown after it fills
    ``women``/``children``/``men`` and is never added to the total. When the
    head has no number but the breakdown has, the total is *at least* the
    breakdown's sum (``قتلى بينهم 3 أطفال`` → ≥3). A span that is only a list
    of victim categories, with no marker and no other number
    (``امرأة وطفلين``), has the list's sum as its total (3); a plural without
    a number in such a list makes it ``at_least``. A span about one category
    (``7 أطفال``) sets that category to the total's value. ``civilians`` is
    True for ``مدني``/``مدنيين`` (and the typo ``مديين``), False for fighters
    (``عناصر``, ``مقاتلين``, ``جنود``, ``عسكريين``), None when the span says
    neither or both. Bare death/injury nouns (``قتلى``, ``جرحى``) give an
    unspecified total; a singular victim noun (``طفل``) counts 1.

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
    civilians = _civilian_status(toks)
    if marker is not None:
        head = list(toks[: marker[0]])
        while head and (head[-1].is_punct or head[-1].norm in ("و", "من")):
            head.pop()
        total = _find_quantity(text, head, default_unspecified=True, singular_is_one=True)
        items, _ = _category_items(toks[marker[1] :])
        sums = _sum_by_category(items)
        known = sum(v for v in sums.values() if v)
        if total is not None and total.value is None and known:
            total = Quantity(known, None, "at_least", total.text or _span_text(text, toks, marker[1], len(toks) - 1))
    else:
        items, unattached = _category_items(toks)
        sums = _sum_by_category(items)
        total = None
        if len(items) >= 2 and unattached == 0:
            counts = [it.count for it in items]
            known = int(sum(c for c in counts if c is not None))
            list_text = _span_text(text, toks, items[0].first, items[-1].last)
            if None not in counts:
                total = Quantity(known, None, "exact", list_text)
            elif known:
                total = Quantity(known, None, "at_least", list_text)
            else:
                total = Quantity(None, None, "unspecified", list_text)
        else:
            total = _find_quantity(text, toks, default_unspecified=True, singular_is_one=True)
            if len(items) == 1 and total is not None and total.value is not None:
                sums[items[0].category] = int(total.value)
    assert total is not None  # default_unspecified=True always yields a Quantity
    return Casualties(
        total=total,
        civilians=civilians,
        women=sums.get("women"),
        children=sums.get("children"),
        men=sums.get("men"),
    )
