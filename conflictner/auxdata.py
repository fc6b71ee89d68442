"""Auxiliary Arabic NER corpora mapped into the project's label set.

ANERcorp, AQMAR, NewsFANE/WikiFANE and the Wojood sample were annotated with
other schemes. Where a source type maps soundly onto one of our labels it is
mapped; where it does not (an organisation that may be an armed party or not,
a cardinal that may sit inside a casualty span), the tokens are tagged
``UNK`` and training masks them out of the loss. Their ``O`` tokens are not
fully trustworthy either: these corpora never marked events, casualties,
weapons or (mostly) times, so an ``O`` token that looks like one of those is
also ``UNK``.

Mapping tables (source type → our label; anything not listed is ``UNK``):

=========== =====================================================================
corpus      mapping
=========== =====================================================================
ANERcorp    PERS→PER, LOC→LOC; ORG, MISC→UNK (ORG is ORG or ACTOR by role)
AQMAR       PER→PER, LOC→LOC; ORG, MIS→UNK
FANE        person types (Politician, Athlete, Artist, Other_PER, Religious_PER,
            Scientist, Businessperson, Lawyer, Engineer, Person)→PER;
            Nation, Population-Center, State-or-Province, County-or-District,
            GPE-Cluster, Continent, Water-Body, Land-Region-Natural, Land,
            Path, Celestial→LOC; Building-Grounds, Airport, Subarea-Facility→FAC;
            Projectile, Shooting, Exploding, Chemical, Blunt, Sharp, Nuclear,
            Biological→WEAPON; Police→ACTOR; Media, Non-Governmental, Sports,
            Commercial, Educational, Medical-Science, Entertainment,
            Religious_ORG→ORG; Government, Group→UNK (armed party or not by role);
            Book, Movie, Software, Hardware, Food, Drug, Plant, Water, Air→O
Wojood      PERS→PER; GPE, LOC→LOC; FAC→FAC; DATE, TIME→TIME; ORG, NORP, OCC,
            EVENT, CARDINAL, ORDINAL, QUANTITY, UNIT→UNK; WEBSITE, LAW, MONEY,
            CURR, LANGUAGE, PRODUCT, PERCENT→O
=========== =====================================================================
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from .corpus import Document, read_conll
from .labels import UNKNOWN
from .text import normalize_word, tokenize

__all__ = ["read_aux", "read_columns", "AUX_FORMATS", "MAPPINGS"]

log = logging.getLogger(__name__)

_PER = ["Politician", "Athlete", "Artist", "Other_PER", "Religious_PER", "Scientist", "Businessperson", "Lawyer", "Engineer", "Person"]
_FANE_LOC = ["Nation", "Population-Center", "State-or-Province", "County-or-District", "GPE-Cluster", "Continent",
             "Water-Body", "Land-Region-Natural", "Land", "Path", "Celestial"]
_FANE_ORG = ["Media", "Non-Governmental", "Sports", "Commercial", "Educational", "Medical-Science", "Entertainment", "Religious_ORG"]

MAPPINGS: dict[str, dict[str, str]] = {
    "anercorp": {"PERS": "PER", "PER": "PER", "LOC": "LOC"},
    "aqmar": {"PER": "PER", "LOC": "LOC"},
    "fane": {
        **{k: "PER" for k in _PER},
        **{k: "LOC" for k in _FANE_LOC},
        **{k: "FAC" for k in ["Building-Grounds", "Airport", "Subarea-Facility"]},
        **{k: "WEAPON" for k in ["Projectile", "Shooting", "Exploding", "Chemical", "Blunt", "Sharp", "Nuclear", "Biological"]},
        "Police": "ACTOR",
        **{k: "ORG" for k in _FANE_ORG},
        **{k: "O" for k in ["Book", "Movie", "Software", "Hardware", "Food", "Drug", "Plant", "Water", "Air"]},
    },
    "wojood": {
        "PERS": "PER", "GPE": "LOC", "LOC": "LOC", "FAC": "FAC", "DATE": "TIME", "TIME": "TIME",
        **{k: "O" for k in ["WEBSITE", "LAW", "MONEY", "CURR", "LANGUAGE", "PRODUCT", "PERCENT"]},
    },
}

# Words that would carry one of our labels the source schemes never marked.
_UNSURE_STEMS = [normalize_word(w) for w in [
    "اشتباك", "معارك", "مواجهات", "غار", "قصف", "قذيف", "قذائف", "صاروخ", "صواريخ", "هاون", "مدفع", "دباب",
    "طيران", "طائر", "تفجير", "انفجار", "عبوة", "مفخخ", "لغم", "الغام", "قتل", "مقتل", "قتلى", "قتيل", "شهيد",
    "شهداء", "جرحى", "جريح", "اصاب", "مصاب", "اعتقال", "اختطاف", "خطف", "اغتيال", "اعدام", "هجوم", "هجمات",
    "مسلح", "الجيش", "قوات", "ميليشي", "مليشي", "سلاح", "اسلحة", "رصاص", "استهدف", "سيطر", "حصار", "مجزر",
    "ضحايا", "كيماوي", "اليوم", "امس", "الساعة", "صباح", "مساء", "فجر", "ليلة", "يوم", "شهر", "عام", "سنة",
    "كانون", "شباط", "اذار", "نيسان", "ايار", "حزيران", "تموز", "اب", "ايلول", "تشرين", "يناير", "فبراير",
    "مارس", "ابريل", "مايو", "يونيو", "يوليو", "اغسطس", "سبتمبر", "اكتوبر", "نوفمبر", "ديسمبر", "الاحد",
    "الاثنين", "الثلاثاء", "الاربعاء", "الخميس", "الجمعة", "السبت",
]]


def _unsure(word: str) -> bool:
    if any(c.isdigit() for c in word):
        return True
    w = normalize_word(word)
    return len(w) > 1 and any(s in w for s in _UNSURE_STEMS if len(s) >= 3 or w == s or w.endswith(s))


def read_columns(path: Path, sep: str | None) -> list[list[tuple[str, str]]]:
    """Sentences of ``(token, first tag)`` from a column file (BOM, CRLF and U+200E marks removed)."""
    raw = path.read_text(encoding="utf-8-sig").replace("\u200e", "").replace("\r", "")
    sents: list[list[tuple[str, str]]] = []
    cur: list[tuple[str, str]] = []
    for line in raw.split("\n"):
        parts = [p for p in (line.split(sep) if sep else line.split()) if p != ""]
        if len(parts) < 2 or parts[0] == "$#$":
            if cur:
                sents.append(cur)
            cur = []
            continue
        cur.append((parts[0].strip(), parts[1].strip()))
    if cur:
        sents.append(cur)
    return sents


def _map_tag(tag: str, mapping: dict[str, str]) -> str:
    if tag == "O" or "-" not in tag:
        return "O"
    bi, typ = tag.split("-", 1)
    lab = mapping.get(typ, UNKNOWN)
    if lab in ("O", UNKNOWN):
        return lab
    return f"{bi}-{lab}"


def _retokenize(sent: list[tuple[str, str]], join_clitics: bool) -> tuple[str, list[tuple[str, str]]]:
    """Join source tokens into text and re-tag it with the scheme's tokenizer.

    A scheme token takes the tag of the first source token it overlaps; where
    source tokens were split clitics (FANE), they are glued back first.
    """
    pieces: list[str] = []
    spans: list[tuple[int, int, str]] = []
    pos = 0
    glue = False
    proclitics = {"و", "ف", "ب", "ل", "ك", "س"}
    enclitics = {"ها", "هم", "ه", "هما", "هن", "نا", "كم", "كما", "ي"}
    for i, (tok, tag) in enumerate(sent):
        attach = glue or (join_clitics and tok in enclitics and i > 0)
        if pieces and not attach:
            pieces.append(" ")
            pos += 1
        spans.append((pos, pos + len(tok), tag))
        pieces.append(tok)
        pos += len(tok)
        glue = join_clitics and tok in proclitics and i + 1 < len(sent)
    text = "".join(pieces)
    out: list[tuple[str, str]] = []
    prev_src = -1
    for t in tokenize(text):
        src = next(k for k, (s, e, _) in enumerate(spans) if e > t.start)
        tags = [spans[k][2] for k in range(len(spans)) if spans[k][1] > t.start and spans[k][0] < t.end]
        # A glued clitic ("و" + "الشرطة") must not hide the entity tag of its host word.
        first = next((t for t in tags if t not in ("O", UNKNOWN)), tags[0])
        if first.startswith("I-") and tags[0] == "O":
            first = "B-" + first[2:]
        # a scheme token that merges a B- and I- of one entity keeps the B-
        if src == prev_src and first.startswith("B-"):
            first = "I-" + first[2:]
        out.append((t.text, first))
        prev_src = src
    return text, out


def _convert(path: Path, name: str, sep: str | None, join_clitics: bool) -> list[Document]:
    mapping = MAPPINGS[name]
    docs: list[Document] = []
    sents: list[list[tuple[str, str]]] = []
    texts: list[str] = []
    for sent in read_columns(path, sep):
        mapped = [(tok, _map_tag(tag, mapping)) for tok, tag in sent]
        text, retagged = _retokenize(mapped, join_clitics)
        fixed = []
        prev = "O"
        for tok, tag in retagged:
            if tag == "O" and _unsure(tok):
                tag = UNKNOWN
            if tag.startswith("I-") and prev[2:] != tag[2:]:
                tag = "B-" + tag[2:]
            fixed.append((tok, tag))
            prev = tag
        sents.append(fixed)
        texts.append(text)
    docs.append(Document(f"{name}:{path.stem}", str(path), sents, text=None))
    n_unk = sum(1 for s in sents for _, t in s if t == UNKNOWN)
    n_tok = sum(len(s) for s in sents)
    log.info("%s: %d sentences, %d tokens, %.1f%% unknown", path, len(sents), n_tok, 100 * n_unk / max(1, n_tok))
    return docs


AUX_FORMATS: dict[str, Callable[[Path], list[Document]]] = {
    "anercorp": lambda p: _convert(p, "anercorp", None, False),
    "aqmar": lambda p: _convert(p, "aqmar", None, False),
    "fane": lambda p: _convert(p, "fane", "\t", True),
    "wojood": lambda p: _convert(p, "wojood", None, False),
    # Already in the project's labels and tokens (e.g. a silver corpus from training/silver_corpus.py).
    "conll": lambda p: read_conll(p),
}


def read_aux(path: str | Path, fmt: str) -> list[Document]:
    """Read an auxiliary corpus file into documents tagged in our label set.

    Args:
        path: The corpus file.
        fmt: ``anercorp``, ``aqmar``, ``fane``, ``wojood`` or ``conll`` (the
            project's own CoNLL format and labels, read as they are).

    Raises:
        ValueError: For an unknown format.
    """
    if fmt not in AUX_FORMATS:
        raise ValueError(f"unknown auxiliary format {fmt!r}; choose from {sorted(AUX_FORMATS)}")
    return AUX_FORMATS[fmt](Path(path))

