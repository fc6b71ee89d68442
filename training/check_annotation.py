"""Check one annotated CoNLL file against its text and list its entities.

Used while annotating: it prints every problem with file:line (exit 1) or, when
the file is valid, the entities by label so the annotator can review them.

Usage:
    python training/check_annotation.py annotations/_work/done/DOC.conll [--texts annotations/texts]
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

from conflictner.corpus import read_conll, validate_document
from conflictner.labels import spans_from_bio


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--texts", type=Path, default=Path(__file__).resolve().parent.parent / "annotations" / "texts")
    ap.add_argument("--quiet", action="store_true", help="only problems and counts")
    args = ap.parse_args()
    bad = 0
    for path in args.files:
        problems = []
        docs = read_conll(path, problems=problems)
        for doc in docs:
            tp = args.texts / f"{doc.doc_id}.txt"
            text = tp.read_text(encoding="utf-8") if tp.exists() else None
            problems += validate_document(doc, str(path), text)
            counts: collections.Counter[str] = collections.Counter()
            for sent in doc.sentences:
                toks = [t for t, _ in sent]
                for a, b, lab in spans_from_bio([g for _, g in sent]):
                    counts[lab] += 1
                    if not args.quiet:
                        print(f"{lab:8} {' '.join(toks[a:b])}")
            print(f"{doc.doc_id}: {len(doc.tokens)} tokens, entities: {dict(sorted(counts.items()))}")
        for p in problems:
            print(p)
        bad += len(problems)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
