#!/usr/bin/env python3
"""Check that machine-written training documents copy no held-out text.

The synthetic corpus (``annotations/synthetic``) is written by annotators for training only.
Its value depends on it being new text: a phrase lifted from a dev or test document (the shared
example report is one of the test documents) would let a model see part of what it is scored on. This counts,
per synthetic document, the word n-grams (normalised words, default 6) it shares with the
held-out material and with the train split, lists the held-out ones, and exits with status 1
if there is any.

Usage::

    .venv/bin/python training/synthetic_overlap.py annotations/synthetic
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conflictner.corpus import load_corpus  # noqa: E402
from conflictner.text import normalize_word  # noqa: E402

log = logging.getLogger("synthetic_overlap")


def ngrams(words: Iterable[str], n: int) -> set[tuple[str, ...]]:
    """Word n-grams of normalised words, punctuation-only tokens left out.

    Example:
        >>> ngrams(["قصفُ", "،", "المدينة", "اليوم"], 2) == {("قصف", "المدينه"), ("المدينه", "اليوم")}
        True
    """
    ws = [w for w in (normalize_word(t) for t in words) if any(c.isalnum() for c in w)]
    return {tuple(ws[i : i + n]) for i in range(len(ws) - n + 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("synthetic", type=Path, help="corpus folder of the synthetic documents (texts/, train/)")
    ap.add_argument("--corpus", type=Path, default=ROOT / "annotations")
    ap.add_argument("-n", type=int, default=6)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    corpus = load_corpus(args.corpus, ["train", "dev", "test"])
    held: dict[tuple[str, ...], str] = {}
    for split in ("dev", "test"):
        for d in corpus[split]:
            for g in ngrams(d.tokens, args.n):
                held.setdefault(g, d.doc_id)
    train = {g for d in corpus["train"] for g in ngrams(d.tokens, args.n)}

    bad = 0
    for d in load_corpus(args.synthetic, ["train"])["train"]:
        grams = ngrams(d.tokens, args.n)
        hits = sorted(g for g in grams if g in held)
        log.info("%s: %d %d-grams, %d shared with train, %d with held-out text",
                 d.doc_id, len(grams), args.n, len(grams & train), len(hits))
        for g in hits:
            log.info("    %s  (%s)", " ".join(g), held[g])
        bad += len(hits)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
