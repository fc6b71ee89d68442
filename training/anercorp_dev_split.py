#!/usr/bin/env python3
"""Carve a dev split out of the ANERcorp train file, so configurations can be compared without its test file.

ANERcorp's CAMeL Lab split has only train and test. This writes the train file's first
``--train-share`` of sentences (by position: news articles stay whole, mostly) and the rest as
dev, and a second dev file without the sentences that also occur in the project's conflict corpus
or silver corpus, for comparing a model that started from the conflict model (it has seen those).

Usage::

    .venv/bin/python training/anercorp_dev_split.py --out runs/anercorp-split
    conflictner train --config configs/anercorp.toml \\
        --set 'data.train=["runs/anercorp-split/train90.txt"]' \\
        --set 'data.dev=["runs/anercorp-split/dev10-unseen.txt"]' --set output_dir=runs/aner90-base
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conflictner.corpus import load_corpus, read_conll, sentence_key  # noqa: E402

log = logging.getLogger("anercorp_dev_split")


Sentence = list[tuple[str, str]]


def split_sentences(sentences: list[Sentence], share: float) -> tuple[list[Sentence], list[Sentence]]:
    """Sentences cut by position at ``share``.

    >>> split_sentences([[("a", "O")], [("b", "O")], [("c", "O")]], 0.7)
    ([[('a', 'O')], [('b', 'O')]], [[('c', 'O')]])
    """
    cut = int(len(sentences) * share)
    return sentences[:cut], sentences[cut:]


def seen_keys(corpus: Path, silver: Path) -> set[str]:
    """Sentence keys of the conflict corpus's train split and the silver corpus."""
    docs = load_corpus(corpus, ["train"])["train"] + (read_conll(silver) if silver.exists() else [])
    return {sentence_key(t for t, _ in s) for d in docs for s in d.sentences}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train-file", type=Path, default=ROOT.parent / "shared/data/anercorp/ANERCorp_CamelLab_train.reconstructed.txt")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--train-share", type=float, default=0.9)
    ap.add_argument("--corpus", type=Path, default=ROOT / "annotations")
    ap.add_argument("--silver", type=Path, default=ROOT / "annotations/silver/silver.conll")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # Read as `conflictner train` reads the file, so the sentences are the ones training sees.
    sentences = [s for d in read_conll(args.train_file) for s in d.sentences]
    train, dev = split_sentences(sentences, args.train_share)
    seen = seen_keys(args.corpus, args.silver)
    unseen = [s for s in dev if sentence_key(t for t, _ in s) not in seen]
    args.out.mkdir(parents=True, exist_ok=True)
    pct = round(args.train_share * 100)
    for name, sents in ((f"train{pct}.txt", train), (f"dev{100 - pct}.txt", dev), (f"dev{100 - pct}-unseen.txt", unseen)):
        text = "\n\n".join("\n".join(f"{t} {tag}" for t, tag in s) for s in sents)
        (args.out / name).write_text(text + "\n", encoding="utf-8")
        log.info("%s: %d sentences", args.out / name, len(sents))
    return 0


if __name__ == "__main__":
    sys.exit(main())
