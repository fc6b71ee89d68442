"""The Arabic text layer: tokens with offsets, sentences, clauses and normalisation.

Everything here works on the original string and returns character offsets into
it (Python ``str`` indices, end-exclusive), so that ``text[start:end]`` is always
the surface form. Normalisation produces a *separate* string together with a map
back to the original characters; it is used for matching (gazetteer, number
words, cue words), never to change what the model or the user sees.

The tokenizer implements ``annotation-scheme.md``: a token is a maximal run of
non-whitespace characters, except that the listed punctuation marks are tokens
of their own, and digits joined by ``. , : / ٫ ٬`` stay one token. Clitics stay
attached (``وطفلين`` is one token).

Example:
    >>> [t.text for t in tokenize("أدت لمقتل 6 مديين, بينهم 1,200.")]
    ['أدت', 'لمقتل', '6', 'مديين', ',', 'بينهم', '1,200', '.']
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

__all__ = [
    "Token",
    "Normalized",
    "PUNCTUATION",
    "tokenize",
    "split_sentences",
    "split_clauses",
    "normalize",
    "normalize_word",
    "strip_clitics",
    "is_arabic",
]

#: Marks that are always tokens of their own (annotation-scheme.md, "Tokens").
PUNCTUATION = frozenset(".,،؛;:!؟?\"'“”‘’«»()[]{}–—-/\\…*")
#: Separators that keep a digit group together when digits stand on both sides.
_DIGIT_JOINERS = frozenset(".,:/٫٬")
#: Tokens that end a sentence. Line breaks end one too.
_SENTENCE_END = frozenset({".", "!", "؟", "?", "…"})
#: Tokens that end a clause inside a sentence.
_CLAUSE_END = _SENTENCE_END | frozenset({"،", ",", "؛", ";"})

_NON_SPACE = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class Token:
    """A token of the scheme's tokenizer.

    Attributes:
        text: The surface form, ``original[start:end]``.
        start: Offset of the first character in the original text.
        end: Offset one past the last character.
    """

    text: str
    start: int
    end: int


def _is_invisible(run: str) -> bool:
    # A run made only of format characters (ZWJ, ZWNJ, LRM, BOM...) carries no
    # word; treating it as whitespace keeps it out of the model's input.
    return all(unicodedata.category(c) == "Cf" for c in run)


def _split_run(run: str, base: int) -> Iterator[Token]:
    """Split one non-whitespace run at punctuation marks, keeping digit groups."""
    start = 0
    n = len(run)
    for i, ch in enumerate(run):
        if ch not in PUNCTUATION:
            continue
        if (
            ch in _DIGIT_JOINERS
            and 0 < i < n - 1
            and run[i - 1].isdigit()
            and run[i + 1].isdigit()
        ):
            continue
        if start < i:
            yield Token(run[start:i], base + start, base + i)
        yield Token(ch, base + i, base + i + 1)
        start = i + 1
    if start < n:
        yield Token(run[start:], base + start, base + n)


def tokenize(text: str) -> list[Token]:
    """Tokenize text with the annotation scheme's rules.

    Args:
        text: Any string; nothing in it is changed.

    Returns:
        Tokens in order, each with ``text[start:end] == token.text``.

    Example:
        >>> [t.text for t in tokenize("الساعة 21:05 (بتوقيت دمشق)")]
        ['الساعة', '21:05', '(', 'بتوقيت', 'دمشق', ')']
    """
    if not isinstance(text, str):
        raise TypeError(f"tokenize() expects str, got {type(text).__name__}")
    tokens: list[Token] = []
    for m in _NON_SPACE.finditer(text):
        run = m.group()
        if _is_invisible(run):
            continue
        tokens.extend(_split_run(run, m.start()))
    return tokens


def split_sentences(text: str, tokens: Sequence[Token] | None = None) -> list[list[Token]]:
    """Group tokens into sentences.

    A sentence ends after ``.``, ``!``, ``؟``, ``?`` or ``…`` (a full stop inside a
    digit group such as ``3.5`` is part of the number token, so it never splits),
    and at every line break.

    Args:
        text: The original text.
        tokens: Its tokens, if already computed.

    Returns:
        Non-empty lists of tokens, in order; together they hold every token.
    """
    toks = tokenize(text) if tokens is None else tokens
    sentences: list[list[Token]] = []
    current: list[Token] = []
    for i, tok in enumerate(toks):
        if current and "\n" in text[current[-1].end : tok.start]:
            sentences.append(current)
            current = []
        current.append(tok)
        if tok.text in _SENTENCE_END:
            # A run of closing marks (".." or "؟!") stays with its sentence.
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if nxt is None or nxt.text not in _SENTENCE_END:
                sentences.append(current)
                current = []
    if current:
        sentences.append(current)
    return sentences


def split_clauses(sentence: Sequence[Token]) -> list[list[Token]]:
    """Split a sentence's tokens at commas and semicolons (Arabic and Latin)."""
    clauses: list[list[Token]] = []
    current: list[Token] = []
    for tok in sentence:
        current.append(tok)
        if tok.text in _CLAUSE_END:
            clauses.append(current)
            current = []
    if current:
        clauses.append(current)
    return clauses


# --- normalisation -----------------------------------------------------------

_CHAR_MAP = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ة": "ه", "ى": "ي", "ی": "ي", "ک": "ك", "ؤ": "و", "ئ": "ي",
}
# Arabic-Indic (U+0660..) and Persian (U+06F0..) digits to ASCII.
_CHAR_MAP.update({chr(0x0660 + i): str(i) for i in range(10)})
_CHAR_MAP.update({chr(0x06F0 + i): str(i) for i in range(10)})
_CHAR_MAP.update({"٫": ".", "٬": ","})
_TATWEEL = "\u0640"


def _dropped(ch: str) -> bool:
    # Diacritics (harakat, shadda, sukun, superscript alef, Quranic marks),
    # tatweel and invisible format characters carry no letter identity.
    if ch == _TATWEEL:
        return True
    cat = unicodedata.category(ch)
    return cat in ("Mn", "Cf")


@dataclass(frozen=True, slots=True)
class Normalized:
    """A normalised string with a map back to the original.

    Attributes:
        text: The normalised text.
        offsets: ``offsets[i]`` is the index in the original text of the
            character that produced ``text[i]``; one extra entry at the end
            holds the original length, so spans map with ``original_span``.
    """

    text: str
    offsets: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of the normalised text to the original.

        Example:
            >>> n = normalize("مَدينةُ إدلب")
            >>> s = n.text.index("ادلب"); n.original_span(s, s + 4)
            (8, 12)
        """
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span ({start}, {end}) outside normalised text of length {len(self.text)}")
        if start == end:
            o = self.offsets[start]
            return o, o
        return self.offsets[start], self.offsets[end - 1] + 1


class _NormTable(dict):
    """``str.translate`` table of :func:`normalize`, filled per code point on first use.

    Matching calls :func:`normalize_word` tens of thousands of times per batch of
    reports, and it needs no offsets: one C-level ``translate`` replaces the
    per-character Python loop. :func:`normalize` reads the same table, so the
    two cannot disagree on a character.
    """

    def __missing__(self, code: int) -> str | None:
        ch = chr(code)
        if _dropped(ch):
            value = None
        else:
            value = _CHAR_MAP.get(ch)
            if value is None:
                value = ch.lower() if ch.isascii() else ch
        self[code] = value
        return value


_NORM_TABLE = _NormTable()


def normalize(text: str) -> Normalized:
    """Normalise Arabic text for matching, keeping a map to the original.

    Removes diacritics, tatweel and zero-width characters; unifies alef and
    hamza forms, ta marbuta (→ ``ه``), alef maqsura (→ ``ي``), Persian letters;
    turns Arabic-Indic and Persian digits into ASCII; lower-cases Latin.

    Example:
        >>> normalize("إدلـــب ١٢٣ مدرسةٌ").text
        'ادلب 123 مدرسه'
    """
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        mapped = _NORM_TABLE[ord(ch)]
        if mapped is None:
            continue
        out.append(mapped)
        offsets.append(i)
    offsets.append(len(text))
    return Normalized("".join(out), tuple(offsets))


def normalize_word(word: str) -> str:
    """The normalised form of a word or phrase, with runs of spaces collapsed.

    Equal to ``" ".join(normalize(word).text.split())`` (tested), without the offsets.

    Example:
        >>> normalize_word("  مَدرسةُ   إدلب ")
        'مدرسه ادلب'
    """
    return " ".join(word.translate(_NORM_TABLE).split())


# Proclitic letters that attach to a word in running text: conjunctions (و، ف),
# prepositions (ب، ل، ك) and the future/emphasis letters are not needed here.
_PROCLITIC_SEQUENCES = ("وبال", "وال", "فال", "بال", "كال", "ولل", "لل", "وب", "ول", "وك", "فب", "فل", "و", "ف", "ب", "ل", "ك")


def strip_clitics(word: str, *, min_stem: int = 2) -> list[str]:
    """Candidate stems of a normalised word with proclitics removed.

    The word itself comes first; shorter candidates follow. ``لل`` restores the
    article (``للمدينه`` → ``المدينه``) and ``بال``/``وال`` also yield the form
    with the article.

    Example:
        >>> strip_clitics("وبحلب")
        ['وبحلب', 'حلب', 'بحلب']
    """
    cands = [word]
    for pre in _PROCLITIC_SEQUENCES:
        if word.startswith(pre) and len(word) - len(pre) >= min_stem:
            stem = word[len(pre):]
            if pre.endswith("ال"):
                cands.append("ال" + stem)
            elif pre.endswith("لل"):
                cands.append("ال" + stem)
            cands.append(stem)
    seen: set[str] = set()
    result = []
    for c in cands:
        if c not in seen:
            seen.add(c)
            result.append(c)
    return result


def is_arabic(ch: str) -> bool:
    """True for letters of the Arabic blocks."""
    o = ord(ch)
    return 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0x08A0 <= o <= 0x08FF or 0xFB50 <= o <= 0xFDFF or 0xFE70 <= o <= 0xFEFF
