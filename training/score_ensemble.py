#!/usr/bin/env python3
"""Score an ensemble of models on a corpus split: word probabilities averaged, then decoded.

Every member is read with the same windows and decoding as ``conflictner evaluate``; the
ensemble is the mean of their word-by-tag probabilities (``Parser.word_probabilities``).
It is how ``training/silver_corpus.py``'s teachers are judged on dev before they label
anything. Members must share the tag set (models trained with the same label list).

Usage::

    .venv/bin/python training/score_ensemble.py --split dev runs/a/model runs/b/model
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conflictner.corpus import load_corpus  # noqa: E402
from conflictner.evaluate import evaluate  # noqa: E402
from conflictner.parser import Parser  # noqa: E402
from conflictner.text import Token  # noqa: E402


class EnsembleParser(Parser):
    """A parser whose word probabilities are the mean of several parsers' (the first one's settings otherwise)."""

    def __init__(self, members: Sequence[Parser]) -> None:
        first = members[0]
        for m in members[1:]:
            if list(m.tags) != list(first.tags):
                raise ValueError(f"{m.path}: tag set differs from {first.path}'s")
        super().__init__(first.loaded, max_length=first.max_length, stride=first.stride, batch_size=first.batch_size,
                         aggregation=first.aggregation, decoding=first.decoding, incidents=first.incidents)
        self.members = list(members)

    def word_probabilities(
        self,
        texts: Sequence[str],
        *,
        words: Sequence[Sequence[Token]] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> list[np.ndarray]:
        runs = [m.word_probabilities(texts, words=words) for m in self.members]
        return [np.mean(ps, axis=0) for ps in zip(*runs)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("models", nargs="+", type=Path)
    ap.add_argument("--data", type=Path, default=ROOT / "annotations")
    ap.add_argument("--split", default="dev")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    docs = load_corpus(args.data, [args.split])[args.split]
    ensemble = EnsembleParser([Parser.from_pretrained(m) for m in args.models])
    result = evaluate(ensemble, docs)
    print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) if args.json else result.table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
