"""Build the raw material of the annotated corpus from ``../shared/data``.

Writes, under ``annotations/``:

* ``texts/<doc_id>.txt`` — the plain text of every document (what offsets refer to);
* ``_work/todo/<doc_id>.conll`` — an annotation task per document: the scheme's
  tokens with a starting tag (the source corpus's PER/LOC/ORG where it has
  them, else ``O``), to be corrected in the full scheme.

Sources: Syrian Archive investigation and incident pages (``*_ar.md``), the
shared example report, and conflict-dense sentences selected from the *train*
parts of ANERcorp (CAMeL split) and NewsFANE (its first 80%; NewsFANE has no
official split); later (``--wikifane``) WikiFANE sentences that report people killed or
wounded. The ANERcorp test file is read only to keep its sentences out.

Usage:
    python training/prepare_corpus.py --shared ../shared --out annotations
    # casualty-dense WikiFANE sentences (third batch), 24 to a document:
    python training/prepare_corpus.py --wikifane 8 --per-doc 24
    # once those are all annotated (fourth batch): the most conflict-dense other WikiFANE sentences
    python training/prepare_corpus.py --wikifane 8 --per-doc 24 --conflict
    # later, more news documents from sentences no document has yet:
    python training/prepare_corpus.py --extend --aner-quota 5000 --fane-quota 5000
    python training/prepare_corpus.py --extend --aner-quota 5000 --fane-quota 5000 --max-words 200
    python training/prepare_corpus.py --count   # news sentences in the splits
    # Syrian Archive pages the first batch left out (methodology, advocacy; sixth batch):
    python training/prepare_corpus.py --sa-pages tools-methods/methodology/index_ar.md ...
"""

from __future__ import annotations

import argparse
import logging
import re
from pathlib import Path

from conflictner.auxdata import read_columns
from conflictner.corpus import Document, document_from_spans, markdown_to_text, sentence_key, write_conll
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


# Second tier, used by ``--extend`` once the first tier's sentences are all annotated:
# words of armed-conflict context (occupation, soldiers, security forces, armed groups).
WIDE_STEMS = [
    "احتلال", "جنود", "جندي", "غزو", "عدوان", "المقاومه", "سلاح", "اسلحه", "الشرطه",
    "سجن", "اسري", "اسير", "معتقل", "حماس", "حزب الله", "طالبان", "القاعده", "متمرد",
    "تمرد", "ميليشيات", "مليشيات", "اعتداء", "عنف", "ارهابي", "قوات", "جيش", "اجتياح", "انسحاب", "نزاع",
    "صراع", "المسلحه", "هدنه", "اطلاق النار", "قنبله", "رهائن", "رهينه", "تعذيب", "اباده", "لاجئ", "نازح",
    "دمار", "تدمير", "اقتحام", "مداهم", "كمين", "عسكر",
]
_WIDE = _CONFLICT + [normalize_word(w) for w in WIDE_STEMS]

# Third source, used by ``--wikifane``: casualty words. Casualty spans are the scheme's
# rarest labels and the tagger's weakest, so WikiFANE sentences are taken only if they
# report people killed or wounded (and are about armed conflict).
CASUALTY_STEMS = ["قتل", "مقتل", "قتلي", "قتيل", "شهيد", "شهداء", "جرحي", "جريح", "جرح", "اصابه", "مصاب", "اصيب", "ضحايا"]
_CASUALTY = [normalize_word(w) for w in CASUALTY_STEMS]


def _count_stems(words: list[str], stems: list[str]) -> int:
    return sum(1 for w in words if any(stem in normalize_word(w) for stem in stems))


def conflict_score(words: list[str], *, wide: bool = False) -> int:
    """Number of words that contain a conflict stem."""
    return _count_stems(words, _WIDE if wide else _CONFLICT)


def casualty_score(words: list[str]) -> int:
    """Number of words that contain a casualty stem."""
    return _count_stems(words, _CASUALTY)


def annotated_sentences(roots: list[Path]) -> dict[str, set[int]]:
    """Sentence numbers per news corpus already used by documents under ``roots``.

    Read from each document's ``# source = NAME sentences i,j,...`` line.
    """
    used: dict[str, set[int]] = {}
    for root in roots:
        for path in sorted(root.glob("*.conll")):
            for line in path.read_text(encoding="utf-8").splitlines():
                m = re.match(r"# source = (\S+) sentences ([\d,]+)$", line)
                if m:
                    used.setdefault(m.group(1), set()).update(map(int, m.group(2).split(",")))
    return used


def last_number(roots: list[Path], name: str) -> int:
    nums = [int(p.stem.rsplit("-", 1)[1]) for root in roots for p in root.glob(f"{name}-*.conll")]
    return max(nums, default=0)


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


def news_documents(name: str, sents: list[list[tuple[str, str]]], mapping: dict[str, str], *, rejoin: bool,
                   quota: int, per_doc: int, exclude: set[str], skip: set[str] | None = None,
                   wide: bool = False, first_number: int = 1, max_words: int = 120,
                   casualties: bool = False) -> list[tuple[Document, str]]:
    """Conflict-dense sentences of one news corpus, ``per_doc`` to a document.

    Args:
        skip: Keys (:func:`sentence_key`) of sentences already annotated; they are not
            chosen again, and the chosen ones are added to it.
        wide: Score with the wider second-tier vocabulary (``--extend``).
        first_number: Number of the first new document (``NAME-NNN``).
        max_words: Longest sentence taken.
        casualties: Take only sentences with a casualty word and two conflict words,
            most casualty words first (``--wikifane``).
    """
    skip = set() if skip is None else skip
    scored = []
    for i, s in enumerate(sents):
        if not 5 <= len(s) <= max_words:
            continue
        key = sentence_key([t for t, _ in s])
        if key in skip:
            continue
        words = [t for t, _ in s]
        if casualties:
            n_casualty = casualty_score(words)
            if n_casualty and conflict_score(words) >= 2:
                scored.append((n_casualty, i))
            continue
        score = conflict_score(words, wide=wide)
        # Short sentences need one conflict word, long ones two; the wide tier's context
        # words are weaker evidence, so "short" is shorter for them.
        short = 90 if not wide or conflict_score(words) else 70
        if score >= 2 or (score >= 1 and len(s) <= short):
            scored.append((score, i))
    chosen = sorted(i for _, i in sorted(scored, reverse=True)[:quota])
    skip.update(sentence_key([t for t, _ in sents[i]]) for i in chosen)
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
        doc_id = f"{name}-{k // per_doc + first_number:03d}"
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
    ap.add_argument("--extend", action="store_true",
                    help="add news documents of not-yet-annotated sentences (wider vocabulary), numbered after the existing ones")
    ap.add_argument("--max-words", type=int, default=120, help="longest news sentence taken")
    ap.add_argument("--wikifane", type=int, default=0, metavar="N",
                    help="add N WikiFANE documents of casualty sentences (third batch)")
    ap.add_argument("--conflict", action="store_true",
                    help="with --wikifane: take the most conflict-dense sentences, not only casualty ones (fourth batch)")
    ap.add_argument("--per-doc", type=int, default=50, help="news sentences per document")
    ap.add_argument("--sa-pages", nargs="+", metavar="REL",
                    help="add these Syrian Archive pages (paths under data/syrian-archive), e.g. the methodology and "
                         "advocacy pages the first batch left out as not reporting conflict (sixth batch)")
    ap.add_argument("--count", action="store_true", help="only count the news sentences of the corpus splits")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    data = args.shared / "data"
    if args.count:
        count_news(args.out, data)
        return
    texts = args.out / "texts"
    todo = args.out / "_work" / "todo"
    texts.mkdir(parents=True, exist_ok=True)
    todo.mkdir(parents=True, exist_ok=True)
    docs: list[tuple[Document, str]] = []
    if args.sa_pages:
        docs = [sa_document(data / "syrian-archive", rel) for rel in args.sa_pages]
    elif args.wikifane:
        docs = wikifane_documents(args, data)
    elif args.extend:
        docs = extend_news(args, data)
    else:
        docs = all_documents(args, data)
    total = 0
    for doc, text in docs:
        (texts / f"{doc.doc_id}.txt").write_text(text, encoding="utf-8")
        write_conll([doc], todo / f"{doc.doc_id}.conll")
        total += len(doc.tokens)
        log.info("%-70s %6d tokens", doc.doc_id, len(doc.tokens))
    log.info("%d documents, %d tokens", len(docs), total)


def _news_sources(data: Path) -> tuple[set[str], list, list]:
    aner_test = read_columns(data / "anercorp" / "ANERCorp_CamelLab_test.txt", sep=None)
    exclude = {sentence_key([t for t, _ in s]) for s in aner_test}  # only ever used to keep test sentences out
    aner = read_columns(data / "anercorp" / "ANERCorp_CamelLab_train.reconstructed.txt", sep=None)
    fane = read_columns(data / "fane" / "NewsFANE_Gold_2014_170K.txt", sep="\t")
    return exclude, aner, fane[: int(len(fane) * 0.8)]


def count_news(out: Path, data: Path) -> None:
    """Log the news sentences in the corpus splits: per corpus, in all, and distinct.

    NewsFANE re-annotates ANERcorp text, so one sentence can be in both corpora.
    """
    _, aner, fane = _news_sources(data)
    used = annotated_sentences([out / d for d in ("train", "dev", "test")])
    keys: set[str] = set()
    for name, sents in (("anercorp-train", aner), ("newsfane-train", fane)):
        idx = used.get(name, set())
        keys |= {sentence_key([t for t, _ in sents[i]]) for i in idx}
        log.info("%s: %d sentences", name, len(idx))
    log.info("news sentences: %d in all, %d distinct", sum(map(len, used.values())), len(keys))


def extend_news(args: argparse.Namespace, data: Path) -> list[tuple[Document, str]]:
    """New news documents whose sentences no existing document (any split, or todo) has."""
    roots = [args.out / d for d in ("train", "dev", "test")] + [args.out / "_work" / "todo"]
    exclude, aner, fane = _news_sources(data)
    used = annotated_sentences(roots)
    # NewsFANE re-annotates ANERcorp text: a sentence used in either corpus is used in both.
    skip = {sentence_key([t for t, _ in aner[i]]) for i in used.get("anercorp-train", ())}
    skip |= {sentence_key([t for t, _ in fane[i]]) for i in used.get("newsfane-train", ())}
    docs = news_documents("anercorp-train", aner, ANER_MAP, rejoin=False, quota=args.aner_quota, per_doc=args.per_doc,
                          exclude=exclude, skip=skip, wide=True, first_number=last_number(roots, "anercorp-train") + 1,
                          max_words=args.max_words)
    docs += news_documents("newsfane-train", fane, FANE_MAP, rejoin=True, quota=args.fane_quota, per_doc=args.per_doc,
                           exclude=exclude, skip=skip, wide=True, first_number=last_number(roots, "newsfane-train") + 1,
                           max_words=args.max_words)
    return docs


def wikifane_documents(args: argparse.Namespace, data: Path) -> list[tuple[Document, str]]:
    """WikiFANE documents of casualty sentences (Wikipedia articles on wars and attacks).

    With ``--conflict``, the most conflict-dense sentences instead (most conflict words
    first), casualty word or not: the 163 casualty sentences were all taken by the third
    batch, and the tagger's most frequent errors are spurious spans, which sentences
    about war without casualties teach it to avoid. WikiFANE shares no text with ANERcorp's test file, which is checked all the same.
    """
    roots = [args.out / d for d in ("train", "dev", "test")] + [args.out / "_work" / "todo"]
    exclude, _, _ = _news_sources(data)
    wiki = read_columns(data / "fane" / "WikiFANE_Gold_2014_500K.txt", sep="\t")
    skip = {sentence_key([t for t, _ in wiki[i]]) for i in annotated_sentences(roots).get("wikifane", ())}
    return news_documents("wikifane", wiki, FANE_MAP, rejoin=True, quota=args.wikifane * args.per_doc,
                          per_doc=args.per_doc, exclude=exclude, skip=skip, casualties=not args.conflict,
                          first_number=last_number(roots, "wikifane") + 1, max_words=args.max_words)


def sa_document(sa: Path, rel: str) -> tuple[Document, str]:
    """One Syrian Archive page (``rel`` under ``sa``, a ``*_ar.md`` file) as plain text and a document."""
    t = markdown_to_text((sa / rel).read_text(encoding="utf-8"))
    doc_id = "sa-" + re.sub(r"[^A-Za-z0-9]+", "-", rel.removesuffix("_ar.md")).strip("-").lower()
    return document_from_spans(doc_id, t, [], source=f"syrian-archive/{rel}"), t


def all_documents(args: argparse.Namespace, data: Path) -> list[tuple[Document, str]]:
    docs: list[tuple[Document, str]] = []
    ex = args.shared / "examples" / "deir-ez-zor-daily-report.txt"
    t = ex.read_text(encoding="utf-8")
    docs.append((document_from_spans("deir-ez-zor-daily-report", t, [], source="shared/examples/deir-ez-zor-daily-report.txt"), t))

    sa = data / "syrian-archive"
    for p in sorted(list((sa / "investigations").rglob("*_ar.md")) + list((sa / "collections").rglob("*_ar.md"))):
        rel = p.relative_to(sa).as_posix()
        if SA_EXCLUDE.search(rel):
            continue
        docs.append(sa_document(sa, rel))

    exclude, aner, fane_train = _news_sources(data)
    docs += news_documents("anercorp-train", aner, ANER_MAP, rejoin=False, quota=args.aner_quota, per_doc=args.per_doc, exclude=exclude)
    docs += news_documents("newsfane-train", fane_train, FANE_MAP, rejoin=True, quota=args.fane_quota, per_doc=args.per_doc, exclude=exclude)
    return docs


if __name__ == "__main__":
    main()
