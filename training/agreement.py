"""Inter-annotator agreement: entity-level exact-match P/R/F1 per label and micro.

Two annotations of the same text are compared span by span; a span counts as
agreed only when both its boundaries and its label match. The first annotation
is the reference (precision = agreed / spans of the second, recall = agreed /
spans of the first); F1 is symmetric, so it does not matter which is which.

Spans are compared as character offsets over the concatenation of the
sentence's tokens normalised with ``conflictner.text.normalize_word`` with the
spaces removed, so two copies whose tokenisation differs slightly still line up.
For identical token sequences this is the same as comparing token spans.

Two comparisons are made:

* ``double``: documents annotated twice independently. The first pass is read
  from ``--first`` (a folder of ``<doc_id>.conll``, or a corpus folder with
  ``train/ dev/ test/``), the second pass from ``--second``. Pre-adjudication
  numbers come from ``annotations/_work/done`` (the first-pass copies as the
  annotators delivered them).
* ``news``: sentences that occur in more than one document (NewsFANE re-annotates
  ANERcorp text). Sentences are matched by their normalised token sequence with
  spaces removed; for each such sentence the first occurrence (ANERcorp first,
  then by document id) is the reference and every occurrence in another document
  is compared with it.

Usage:
    python training/agreement.py --first annotations/_work/done \
        --second annotations/_work/second --out annotations/agreement.json
    python training/agreement.py --after annotations ...   # adds the adjudicated corpus as a check
    python training/agreement.py --markdown ...   # also print Markdown tables

Importable:
    from training.agreement import agreement_counts, scores, compare_sentences
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from conflictner.corpus import Document, read_conll
from conflictner.labels import ENTITY_LABELS, spans_from_bio
from conflictner.text import normalize_word

Sentence = Sequence[tuple[str, str]]


def sentence_key(tokens: Iterable[str]) -> str:
    """The matching key of a sentence: normalised tokens, spaces removed."""
    return "".join(normalize_word(t).replace(" ", "") for t in tokens)


def char_spans(sent: Sentence) -> set[tuple[int, int, str]]:
    """Entity spans of a sentence as offsets into its ``sentence_key``."""
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for tok, _ in sent:
        starts.append(pos)
        pos += len(normalize_word(tok).replace(" ", ""))
        ends.append(pos)
    return {(starts[a], ends[b - 1], lab) for a, b, lab in spans_from_bio([t for _, t in sent])}


@dataclass
class Counts:
    """Agreed / reference-only / other-only span counts per label."""

    tp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)  # in the reference only
    fp: Counter = field(default_factory=Counter)  # in the other annotation only
    tokens: int = 0
    sentences: int = 0
    documents: set = field(default_factory=set)

    def add(self, other: Counts) -> None:
        self.tp.update(other.tp)
        self.fn.update(other.fn)
        self.fp.update(other.fp)
        self.tokens += other.tokens
        self.sentences += other.sentences
        self.documents |= other.documents


def compare_sentences(ref: Sentence, hyp: Sentence) -> Counts:
    """Span counts for one pair of annotations of the same sentence."""
    if sentence_key(t for t, _ in ref) != sentence_key(t for t, _ in hyp):
        raise ValueError("the two sentences do not have the same text")
    r, h = char_spans(ref), char_spans(hyp)
    c = Counts(tokens=len(ref), sentences=1)
    for s in r & h:
        c.tp[s[2]] += 1
    for s in r - h:
        c.fn[s[2]] += 1
    for s in h - r:
        c.fp[s[2]] += 1
    return c


def agreement_counts(pairs: Iterable[tuple[Sentence, Sentence]]) -> Counts:
    """Add up ``compare_sentences`` over (reference, other) sentence pairs."""
    total = Counts()
    for ref, hyp in pairs:
        total.add(compare_sentences(ref, hyp))
    return total


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
            "agreed": tp, "reference_only": fn, "other_only": fp,
            "reference_spans": tp + fn, "other_spans": tp + fp}


def scores(c: Counts) -> dict:
    """Per-label and micro P/R/F1 from counts (labels with no span in either are left out)."""
    labels = [lab for lab in ENTITY_LABELS if c.tp[lab] + c.fp[lab] + c.fn[lab]]
    out = {
        "tokens": c.tokens,
        "sentences": c.sentences,
        "documents": len(c.documents),
        "per_label": {lab: _prf(c.tp[lab], c.fp[lab], c.fn[lab]) for lab in labels},
        "micro": _prf(sum(c.tp.values()), sum(c.fp.values()), sum(c.fn.values())),
    }
    return out


def load_docs(folder: Path) -> dict[str, Document]:
    """Documents of a folder (flat, or a corpus folder with split subfolders), by id."""
    files = sorted(folder.glob("*.conll"))
    if not files:
        files = sorted(p for s in ("train", "dev", "test") for p in (folder / s).glob("*.conll"))
    docs: dict[str, Document] = {}
    for f in files:
        for d in read_conll(f):
            docs[d.doc_id] = d
    return docs


def double_pairs(first: dict[str, Document], second: dict[str, Document]):
    """Sentence pairs (first pass, second pass) of the documents annotated twice."""
    per_doc: dict[str, list] = {}
    for doc_id, d2 in sorted(second.items()):
        d1 = first[doc_id]
        if d1.tokens != d2.tokens:
            raise ValueError(f"{doc_id}: the two passes do not have the same tokens")
        per_doc[doc_id] = list(zip(d1.sentences, d2.sentences))
    return per_doc


def duplicate_sentences(docs: dict[str, Document]):
    """Occurrences ``[(doc_id, sentence_index), ...]`` of sentences found in more than one document."""
    occ: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for doc_id, d in docs.items():
        for i, s in enumerate(d.sentences):
            occ[sentence_key(t for t, _ in s)].append((doc_id, i))
    def order(o: tuple[str, int]) -> tuple[int, str, int]:
        return (0 if o[0].startswith("anercorp") else 1, o[0], o[1])

    return {k: sorted(v, key=order) for k, v in occ.items() if len({d for d, _ in v}) > 1 and k}


def news_pairs(docs: dict[str, Document]):
    """(reference, other, ref_doc, other_doc) for every duplicated sentence."""
    out = []
    for _key, occs in sorted(duplicate_sentences(docs).items()):
        ref_doc, ref_i = occs[0]
        for doc_id, i in occs[1:]:
            if doc_id == ref_doc:
                continue
            out.append((docs[ref_doc].sentences[ref_i], docs[doc_id].sentences[i], ref_doc, doc_id))
    return out


def run(first_dir: Path, second_dir: Path, news_dir: Path | None = None) -> dict:
    """Both agreement sets as a JSON-ready dict."""
    first = load_docs(first_dir)
    second = load_docs(second_dir)
    result: dict = {"method": "entity-level exact match (boundaries and label); pass 1 / first occurrence = reference"}
    total = Counts()
    per_doc_scores = {}
    for doc_id, pairs in double_pairs(first, second).items():
        c = agreement_counts(pairs)
        c.documents.add(doc_id)
        per_doc_scores[doc_id] = {"tokens": c.tokens, "micro_f1": scores(c)["micro"]["f1"]}
        total.add(c)
    result["double_annotated"] = {"first": str(first_dir), "second": str(second_dir), **scores(total),
                                  "per_document": per_doc_scores}
    news_docs = load_docs(news_dir) if news_dir else first
    news_docs = {k: v for k, v in news_docs.items() if not k.startswith("sa-") and k != "deir-ez-zor-daily-report"}
    pairs = news_pairs(news_docs)
    c = Counts()
    for ref, hyp, d1, d2 in pairs:
        cc = compare_sentences(ref, hyp)
        cc.documents |= {d1, d2}
        c.add(cc)
    result["duplicated_news_sentences"] = {"folder": str(news_dir or first_dir), "pairs": len(pairs), **scores(c)}
    return result


def markdown(res: dict) -> str:
    lines = []
    if "after_adjudication" in res:
        lines += ["### Before adjudication", ""]
    for key, title in (("double_annotated", "Double-annotated documents"), ("duplicated_news_sentences", "Duplicated news sentences")):
        r = res[key]
        lines.append(f"**{title}** ({r['documents']} documents, {r['sentences']} sentence pairs, {r['tokens']} tokens)\n")
        lines.append("| label | spans (ref / other) | agreed | P | R | F1 |")
        lines.append("|---|---|---|---|---|---|")
        for lab, s in list(r["per_label"].items()) + [("**micro**", r["micro"])]:
            lines.append(f"| {lab} | {s['reference_spans']} / {s['other_spans']} | {s['agreed']} | "
                         f"{s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} |")
        lines.append("")
    if "after_adjudication" in res:
        lines += ["### After adjudication (corpus vs second pass; duplicated sentences in the corpus)", ""]
        lines.append(markdown(res["after_adjudication"]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    root = Path(__file__).resolve().parent.parent / "annotations"
    ap.add_argument("--first", type=Path, default=root / "_work" / "done", help="first pass (reference)")
    ap.add_argument("--second", type=Path, default=root / "_work" / "second", help="second pass")
    ap.add_argument("--news", type=Path, default=None, help="folder for the duplicated-sentence comparison (default: --first)")
    ap.add_argument("--after", type=Path, default=None,
                    help="also compare an adjudicated corpus folder (stored under 'after_adjudication')")
    ap.add_argument("--out", type=Path, default=None, help="write the numbers as JSON here")
    ap.add_argument("--markdown", action="store_true", help="print Markdown tables")
    args = ap.parse_args(argv)
    res = run(args.first, args.second, args.news)
    if args.after:
        res["after_adjudication"] = run(args.after, args.second)
    if args.out:
        args.out.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(markdown(res) if args.markdown else json.dumps(res, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
