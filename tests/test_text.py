"""The text layer: the scheme's tokenizer, sentences, and offset-safe normalisation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conflictner.text import normalize, normalize_word, split_clauses, split_sentences, strip_clitics, tokenize

TOKENIZER_CASES = [
    ("اندلعت اشتباكات, فجر اليوم", ["اندلعت", "اشتباكات", ",", "فجر", "اليوم"]),
    ("لمقتل 6 مديين بينهم امرأة وطفلين.", ["لمقتل", "6", "مديين", "بينهم", "امرأة", "وطفلين", "."]),
    ("الساعة 21:05 بالتوقيت", ["الساعة", "21:05", "بالتوقيت"]),
    ("1,200 قذيفة", ["1,200", "قذيفة"]),
    ("١٬٢٠٠ و ٣٫٥", ["١٬٢٠٠", "و", "٣٫٥"]),
    ("٢٠١٨/٦/٧", ["٢٠١٨/٦/٧"]),
    ("3.5 كم", ["3.5", "كم"]),
    ("حزيران/يونيو", ["حزيران", "/", "يونيو"]),
    ("10-15 قتيلا", ["10", "-", "15", "قتيلا"]),
    ("( سرية جنيد)", ["(", "سرية", "جنيد", ")"]),
    ("«الدفاع المدني»؟!", ["«", "الدفاع", "المدني", "»", "؟", "!"]),
    ("الجبيلة – الحميدية", ["الجبيلة", "–", "الحميدية"]),
    ("+10", ["+10"]),
    ("نهاية.", ["نهاية", "."]),
    ("2018.", ["2018", "."]),
    ("مـــدينة", ["مـــدينة"]),
    ("مَدِينَةُ", ["مَدِينَةُ"]),
    ("كلمة\u200cمركبة", ["كلمة\u200cمركبة"]),
    ("a \u200b b", ["a", "b"]),
    ("ISIS و\u00a0داعش", ["ISIS", "و", "داعش"]),
    ("قصف 🔥 حلب", ["قصف", "🔥", "حلب"]),
    ("...", [".", ".", "."]),
    ("", []),
    ("   \n\t ", []),
]


@pytest.mark.parametrize(("text", "expected"), TOKENIZER_CASES)
def test_tokenizer_follows_the_scheme(text: str, expected: list[str]) -> None:
    tokens = tokenize(text)
    assert [t.text for t in tokens] == expected
    assert all(text[t.start : t.end] == t.text for t in tokens)


def test_tokenize_rejects_non_strings() -> None:
    with pytest.raises(TypeError, match="expects str"):
        tokenize(b"bytes")  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ابتثجحخدذرزسشصضطظعغفقكلمنهوية ءأإآؤئى٠١٢٣٤٥٦٧٨٩0123456789.,،؛:؟!-/()«»\n\t\u0640\u064b\u064e\u0651\u200b\u200c\u200e abcXYZ😀")), max_size=200))
def test_every_token_maps_back_to_the_text(text: str) -> None:
    tokens = tokenize(text)
    pos = 0
    for t in tokens:
        assert text[t.start : t.end] == t.text
        assert t.start >= pos  # in order, no overlap
        pos = t.end
    # nothing visible is lost: every non-space character is inside some token
    covered = {i for t in tokens for i in range(t.start, t.end)}
    for i, ch in enumerate(text):
        if not ch.isspace() and ch not in "\u200b\u200c\u200e":
            assert i in covered


def test_sentences_split_on_arabic_punctuation_and_line_breaks() -> None:
    text = "قصف على حلب. هل قتل أحد؟ نعم!\nسطر جديد بلا نقطة\nوسطر آخر"
    sents = [[t.text for t in s] for s in split_sentences(text)]
    assert sents == [["قصف", "على", "حلب", "."], ["هل", "قتل", "أحد", "؟"], ["نعم", "!"], ["سطر", "جديد", "بلا", "نقطة"], ["وسطر", "آخر"]]


def test_decimal_point_does_not_end_a_sentence() -> None:
    assert len(split_sentences("سقط 3.5 طن من المتفجرات")) == 1


def test_clauses_split_at_commas() -> None:
    sent = split_sentences("قصف الطيران حلب ، ما أدى لمقتل 3 ؛ وجرح 5")[0]
    assert [[t.text for t in c] for c in split_clauses(sent)] == [["قصف", "الطيران", "حلب", "،"], ["ما", "أدى", "لمقتل", "3", "؛"], ["وجرح", "5"]]


NORMALIZE_CASES = [
    ("إدلب", "ادلب"),
    ("أحياء", "احياء"),
    ("آلاف", "الاف"),
    ("مدرسة", "مدرسه"),
    ("مستشفى", "مستشفي"),
    ("مـــدينة", "مدينه"),
    ("مَدِينَةُ", "مدينه"),
    ("١٢٣", "123"),
    ("۴۵", "45"),
    ("١٬٢٠٠", "1,200"),
    ("ISIS", "isis"),
    ("مؤسسة", "موسسه"),
    ("زجاجة\u200c", "زجاجه"),
]


@pytest.mark.parametrize(("raw", "norm"), NORMALIZE_CASES)
def test_normalisation_unifies_spelling(raw: str, norm: str) -> None:
    assert normalize(raw).text == norm


def test_normalisation_keeps_a_map_to_the_original() -> None:
    raw = "قصفٌ على إدلـــب"
    n = normalize(raw)
    start = n.text.index("ادلب")
    s, e = n.original_span(start, start + len("ادلب"))
    assert raw[s:e] == "إدلـــب"
    assert len(n.offsets) == len(n.text) + 1


def test_normalize_word_collapses_spaces() -> None:
    assert normalize_word("دير   الزور") == "دير الزور"


@pytest.mark.parametrize(
    "raw",
    [
        "", "   ", "مَدرسةٌ", "إدلـــب", "١٢٣ ۴۵۶", "٣٫٥ ٬", "ZWJ\u200dو\u200cلا", "\u200fحلب\u200e", "ﻻ ﷲ",
        "Raqqa ABC الرقة", "ی ک ٱ ٲ ٳ ؤ ئ ى ة", "\tدير\n\nالزور  ", "🙂 قصف",
    ],
)
def test_normalize_word_equals_the_offset_keeping_normalize(raw: str) -> None:
    # normalize_word takes a translate() fast path; it must agree with normalize() everywhere.
    assert normalize_word(raw) == " ".join(normalize(raw).text.split())


@pytest.mark.parametrize(("word", "stem"), [("بحلب", "حلب"), ("وحلب", "حلب"), ("والعمال", "العمال"), ("للمدينه", "المدينه"), ("وبحلب", "حلب")])
def test_strip_clitics_offers_the_stem(word: str, stem: str) -> None:
    assert stem in strip_clitics(word)
    assert strip_clitics(word)[0] == word
