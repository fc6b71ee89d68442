#!/usr/bin/env python3
"""Pseudo-label unlabelled conflict sentences with an ensemble of trained models (self-training).

The annotated corpus is small (~140k tokens); the shared data holds ~28k more Arabic
sentences (ANERcorp train, News/WikiFANE, AQMAR, the Wojood sample, Syrian Archive pages)
that nobody tagged with the project's labels. This script tags them with the average of
the word probabilities of several fine-tuned models (an ensemble is more accurate than
any member on dev), masks the words it is unsure of (``UNK``, left out of the loss), keeps
the sentences that are mostly sure and mention a conflict entity, and writes them as a
CoNLL file that ``[data] aux`` can mix into
training (format ``conll``). A student trained on gold + silver can then ship as one model.

Held-out text never enters: the sentences come from ``adapt_encoder.unlabelled_sentences``,
which leaves out every dev/test sentence, the ANERcorp test file and the dev/test pages;
sentences of the train split are left out too (they have gold tags). A teacher whose
``train_report.json`` lists a dev or test document among its training data is refused.

Usage::

    .venv/bin/python training/silver_corpus.py --out runs/silver/silver.conll \
        --teacher runs/a/model --teacher runs/b/model --teacher runs/c/model
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapt_encoder import held_out_keys, unlabelled_sentences  # noqa: E402
from prepare_corpus import conflict_score  # noqa: E402
from score_ensemble import EnsembleParser  # noqa: E402

from conflictner.corpus import Document, load_corpus, sentence_key, write_conll  # noqa: E402
from conflictner.decode import viterbi_bio  # noqa: E402
from conflictner.evaluate import training_overlap  # noqa: E402
from conflictner.labels import UNKNOWN  # noqa: E402
from conflictner.parser import Parser  # noqa: E402
from conflictner.text import tokenize  # noqa: E402

log = logging.getLogger("silver_corpus")

# A sentence is worth a silver copy only if it mentions what the gold corpus is short of.
CONFLICT_LABELS = ("ACTOR", "WEAPON", "EVENT", "KILLED", "INJURED")


def silver_tags(tags: list[str], confidence: np.ndarray, min_confidence: float, min_sure: float) -> list[str] | None:
    """The sentence's silver tags, or None when it is not worth keeping.

    Words whose chosen tag has an ensemble probability below ``min_confidence`` become
    ``UNK`` (masked out of the loss, as the auxiliary corpora's unsure words are); a
    sentence is kept when it holds a confident conflict entity and at least ``min_sure``
    of its words are confident.
    """
    sure = confidence >= min_confidence
    if not len(tags) or sure.mean() < min_sure:
        return None
    out = [t if ok else UNKNOWN for t, ok in zip(tags, sure)]
    if not any(t[2:] in CONFLICT_LABELS for t in out if t not in ("O", UNKNOWN)):
        return None
    return out


def teachers_trained_on(teacher: Path, held_out: list[Document]) -> list[str]:
    """Held-out documents whose hash is among a teacher's *training* documents (its dev set may be ours)."""
    if not (teacher / "train_report.json").exists():
        raise SystemExit(f"{teacher}: no train_report.json, so its training data cannot be checked")
    return training_overlap(teacher, held_out, include_dev=False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--teacher", type=Path, action="append", required=True, help="A model folder (repeat for an ensemble).")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--annotations", type=Path, default=ROOT / "annotations")
    ap.add_argument("--min-confidence", type=float, default=0.6,
                    help="Words whose chosen tag has a lower ensemble probability are masked (UNK).")
    ap.add_argument("--min-sure", type=float, default=0.8, help="Share of a kept sentence's words that must be confident.")
    ap.add_argument("--min-stems", type=int, default=1, help="Conflict words (prepare_corpus stems) a sentence needs to be tagged at all.")
    ap.add_argument("--max-sentences", type=int, default=0, help="Keep at most this many (0: all that pass).")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    t0 = time.time()
    held_out = [d for docs in load_corpus(args.annotations, ["dev", "test"]).values() for d in docs]
    for teacher in args.teacher:
        leaked = teachers_trained_on(teacher, held_out)
        if leaked:
            # Its tags on unlabelled text would carry what it learned from held-out documents.
            raise SystemExit(f"{teacher} was trained on {len(leaked)} dev/test document(s), e.g. {leaked[0]}")
    keys, held_ids = held_out_keys(args.annotations, args.shared)
    train = load_corpus(args.annotations, ["train"])["train"]
    keys |= {sentence_key(t for t, _ in s) for d in train for s in d.sentences if len(s) > 3}
    texts, counts = unlabelled_sentences(args.shared, keys, held_ids)
    n_unlabelled = len(texts)
    log.info("%d unlabelled sentences: %s", n_unlabelled, counts)
    words = [tokenize(t) for t in texts]
    # A cheap first cut before the teachers run: about one sentence in eight holds a word of
    # armed conflict, and mostly only those can pass ``silver_tags``' conflict-entity test.
    keep = [i for i, w in enumerate(words) if conflict_score([x.text for x in w], wide=True) >= args.min_stems]
    texts, words = [texts[i] for i in keep], [words[i] for i in keep]
    log.info("%d sentences with at least %d conflict word(s)", len(texts), args.min_stems)

    ensemble = EnsembleParser([Parser.from_pretrained(path, incidents=False) for path in args.teacher])
    tags = list(ensemble.tags)
    t1 = time.time()
    probs = ensemble.word_probabilities(texts, words=words)
    log.info("%d teachers: %d sentences in %.0f s", len(args.teacher), len(texts), time.time() - t1)

    kept: list[list[tuple[str, str]]] = []
    per_label: dict[str, int] = {}
    for w, p in zip(words, probs):
        if not w:
            continue
        best = viterbi_bio(p, tags, [0])
        seq = silver_tags([tags[i] for i in best], p[np.arange(len(w)), best], args.min_confidence, args.min_sure)
        if seq is not None:
            kept.append([(x.text, t) for x, t in zip(w, seq)])
            for t in seq:
                if t.startswith("B-"):
                    per_label[t[2:]] = per_label.get(t[2:], 0) + 1
    if args.max_sentences and len(kept) > args.max_sentences:
        kept = random.Random(args.seed).sample(kept, args.max_sentences)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    doc = Document("silver", "pseudo-labelled by " + ", ".join(str(t) for t in args.teacher), kept)
    write_conll([doc], args.out)
    report = {
        "teachers": [str(t) for t in args.teacher], "sentences_unlabelled": n_unlabelled, "sentences_in": len(texts), "sentences_kept": len(kept),
        "tokens_kept": sum(len(s) for s in kept), "entities_before_sampling": per_label, "sources": counts,
        "min_confidence": args.min_confidence, "min_sure": args.min_sure, "min_stems": args.min_stems, "seconds": round(time.time() - t0, 1),
    }
    args.out.with_suffix(".json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    log.info("kept %d of %d sentences (%s) in %.0f s", len(kept), len(texts), per_label, time.time() - t0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
