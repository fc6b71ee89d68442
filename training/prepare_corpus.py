"""Build the raw material of the annotated corpus from ``../shared/data``.

Writes, under ``annotations/``:

* ``texts/<doc_id>.txt`` — the plain text of every document (what offsets refer to);
* ``_work/todo/<doc_id>.conll`` — an annotation task per document: the scheme's
  tokens with a starting tag (the source corpus's PER/LOC/ORG where it has
  them, else ``O``), to be corrected in the full scheme.

Sources: Syrian Archive investigation and incident pages (``*_ar.md``), the
shared example report, and conflict-dense sentences selected from the *train*
parts of ANERcorp (CAMeL split) and NewsFANE (its first 80%; NewsFANE has no
official split). The ANERcorp test file is never read here.

Usage:
    python training/prepare_corpus.py --shared ../shared --out annotations
"""

from __future__ import annotations

import argparse
import logging
import re
from pathlib import Path

from conflictner.auxdata import read_columns
from conflictner.corpus import Document, document_from_spans, markdown_to_text, write_conll
from conflictner.text import normalize_word

log = logging.getLogger("prepare_corpus")

# Words whose presence makes a news sentence conflict-dense (normalised forms, prefixes).
CONFLICT_STEMS = [
    "اشتباك", "معارك", "معركه", "مواجهات", "غاره", "غارات", "قصف", "قذيف", "قذائف", "صاروخ", "صواريخ",
    "هاون", "مدفع", "دبابه", "دبابات", "طيران", "طائره", "طائرات", "تفجير", "انفجار", "عبوه", "مفخخ",
    "انتحاري", "لغم", "الغام", "قتل", "مقتل", "قتلي", "قتيل", "شهيد", "شهداء", "جرحي", "جريح", "اصابه",
    "مصاب", "اصيب", "اعتقال", "اعتقل", "اختطاف", "خطف", "اغتيال", "اعدام", "هجوم", "هجمات", "مسلح",
    "المسلحين", "الجيش", "القوات", "ميليشيا", "مليشيا", "ارهاب", "عسكري", "العسكريه", "حرب", "الحرب",
    "استهدف", "سيطره", "حصار", "رصاص", "قناص", "قنص", "مجزره", "ضحايا", "كيماوي",
]
_CONFLICT = [normalize_word(w) for w in CONFLICT_STEMS]

SA_EXCLUDE = re.compile(r"(acknowledgements|aboutsa|shortSAabout|submit|usingthedatabase|errors|thedata|database/index|About-the-Authors|Data-ethics|Further-research)", re.I)


def conflict_score(words: list[str]) -> int:
    n = 0
    for w in words:
        nw = normalize_word(w)
        if any(stem in nw for stem in _CONFLICT):
            n += 1
    return n


_PROCLITIC = {"و", "ف", "ب", "ل", "ك", "س"}
_ENCLITIC = {"ها", "هم", "ه", "هما", "هن", "نا", "كم", "كما", "ي", "ك"}


def detokenize(tokens: list[tuple[str, str]], *, rejoin_clitics: bool) -> tuple[str, list[tuple[int, int, str]]]:
    """Join source tokens into text and return their char spans with source tags."""
    pieces: list[str] = []
    spans: list[tuple[int, int, str]] = []
    pos = 0
    glue_next = False
    for i, (tok, tag) in enumerate(tokens):
        glue = glue_next or (rejoin_clitics and tok in _ENCLITIC and i > 0 and pieces and pieces[-1][-1:].isalpha())
        if pieces and not glue:
            pieces.append(" ")
            pos += 1
        spans.append((pos, pos + len(tok), tag))
        pieces.append(tok)
        pos += len(tok)
        glue_next = rejoin_clitics and tok in _PROCLITIC and i + 1 < len(tokens) and tokens[i + 1][0][:1].isalpha()
    return "".join(pieces), spans


ANER_MAP = {"PERS": "PER", "PER": "PER", "LOC": "LOC", "ORG": "ORG"}
FANE_MAP = {"Person": "PER", "Nation": "LOC", "Population-Center": "LOC", "State-or-Province": "LOC",
            "Continent": "LOC", "Region-General": "LOC", "Building-Grounds": "FAC", "Airport": "FAC",
            "Government": "ORG", "Media": "ORG", "Non-Governmental": "ORG", "Group": "ACTOR", "Police": "ACTOR",
            "Projectile": "WEAPON", "Shooting": "WEAPON", "Exploding": "WEAPON", "Chemical": "WEAPON"}


def seed_spans(text: str, src: list[tuple[int, int, str]], mapping: dict[str, str]) -> list[tuple[int, int, str]]:
    """Character spans of source entities, as starting tags for annotation."""
    out = []
    cur = None
    for s, e, tag in src:
        if tag == "O" or "-" not in tag:
            if cur:
                out.append(cur)
            cur = None
            continue
        bi, typ = tag.split("-", 1)
        lab = mapping.get(typ)
        if lab is None:
            if cur:
                out.append(cur)
            cur = None
            continue
        if bi == "I" and cur and cur[2] == lab:
            cur = (cur[0], e, lab)
        else:
            if cur:
                out.append(cur)
            cur = (s, e, lab)
    if cur:
        out.append(cur)
    return out


def snap(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Widen source spans to the scheme's token boundaries (clitics attach)."""
    from conflictner.text import tokenize

    toks = tokenize(text)
    out = []
    for s, e, lab in spans:
        inside = [t for t in toks if t.end > s and t.start < e]
        if inside:
            out.append((inside[0].start, inside[-1].end, lab))
    # drop overlaps created by widening (keep the first)
    res, last_end = [], -1
    for s, e, lab in sorted(out):
        if s >= last_end:
            res.append((s, e, lab))
            last_end = e
    return res


def sentence_key(tokens: list[str]) -> str:
    """A spelling- and spacing-insensitive key, to find one sentence in two corpora."""
    return normalize_word("".join(tokens)).replace(" ", "")


def news_documents(name: str, sents: list[list[tuple[str, str]]], mapping: dict[str, str], *, rejoin: bool,
                   quota: int, per_doc: int, exclude: set[str]) -> list[tuple[Document, str]]:
    scored = []
    for i, s in enumerate(sents):
        if not 5 <= len(s) <= 120:
            continue
        score = conflict_score([t for t, _ in s])
        if score >= 2 or (score >= 1 and len(s) <= 90):
            scored.append((score, i))
    chosen = sorted(i for _, i in sorted(scored, reverse=True)[:quota])
    docs = []
    for k in range(0, len(chosen), per_doc):
        # NewsFANE re-annotates ANERcorp text: never let an ANERcorp *test* sentence in.
        idx = [i for i in chosen[k:k + per_doc] if sentence_key([t for t, _ in sents[i]]) not in exclude]
        if len(idx) < len(chosen[k:k + per_doc]):
            log.info("%s: dropped %d sentence(s) that are in the ANERcorp test file", name, len(chosen[k:k + per_doc]) - len(idx))
        texts, spans, off = [], [], 0
        for i in idx:
            t, src = detokenize(sents[i], rejoin_clitics=rejoin)
            sp = snap(t, seed_spans(t, src, mapping))
            spans += [(s + off, e + off, lab) for s, e, lab in sp]
            texts.append(t)
            off += len(t) + 1
        text = "\n".join(texts) + "\n"
        doc_id = f"{name}-{k // per_doc + 1:03d}"
        source = f"{name} sentences {','.join(map(str, idx))}"
        problems: list[str] = []
        docs.append((document_from_spans(doc_id, text, spans, source=source, problems=problems), text))
        for p in problems:  # seed tags only: the annotator marks these by hand
            log.warning("seed span not placed: %s", p)
    log.info("%s: %d conflict sentences in %d documents", name, len(chosen), len(docs))
    return docs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--out", type=Path, default=Path("annotations"))
    ap.add_argument("--aner-quota", type=int, default=1100)
    ap.add_argument("--fane-quota", type=int, default=850)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    data = args.shared / "data"
    texts = args.out / "texts"
    todo = args.out / "_work" / "todo"
    texts.mkdir(parents=True, exist_ok=True)
    todo.mkdir(parents=True, exist_ok=True)
    docs: list[tuple[Document, str]] = []

    ex = args.shared / "examples" / "deir-ez-zor-daily-report.txt"
    t = ex.read_text(encoding="utf-8")
    docs.append((document_from_spans("deir-ez-zor-daily-report", t, [], source="shared/examples/deir-ez-zor-daily-report.txt"), t))

    sa = data / "syrian-archive"
    for p in sorted(list((sa / "investigations").rglob("*_ar.md")) + list((sa / "collections").rglob("*_ar.md"))):
        rel = p.relative_to(sa).as_posix()
        if SA_EXCLUDE.search(rel):
            continue
        t = markdown_to_text(p.read_text(encoding="utf-8"))
        doc_id = "sa-" + re.sub(r"[^A-Za-z0-9]+", "-", rel.removesuffix("_ar.md")).strip("-").lower()
        docs.append((document_from_spans(doc_id, t, [], source=f"syrian-archive/{rel}"), t))

    aner_test = read_columns(data / "anercorp" / "ANERCorp_CamelLab_test.txt", sep=None)
    exclude = {sentence_key([t for t, _ in s]) for s in aner_test}  # only ever used to keep test sentences out
    aner = read_columns(data / "anercorp" / "ANERCorp_CamelLab_train.reconstructed.txt", sep=None)
    docs += news_documents("anercorp-train", aner, ANER_MAP, rejoin=False, quota=args.aner_quota, per_doc=50, exclude=exclude)
    fane = read_columns(data / "fane" / "NewsFANE_Gold_2014_170K.txt", sep="\t")
    fane_train = fane[: int(len(fane) * 0.8)]
    docs += news_documents("newsfane-train", fane_train, FANE_MAP, rejoin=True, quota=args.fane_quota, per_doc=50, exclude=exclude)

    total = 0
    for doc, text in docs:
        (texts / f"{doc.doc_id}.txt").write_text(text, encoding="utf-8")
        write_conll([doc], todo / f"{doc.doc_id}.conll")
        total += len(doc.tokens)
        log.info("%-70s %6d tokens", doc.doc_id, len(doc.tokens))
    log.info("%d documents, %d tokens", len(docs), total)


if __name__ == "__main__":
    main()
