#!/usr/bin/env python3
"""Domain-adaptive masked-language-model training of the base encoder (an experiment).

multilingual-e5-small was trained contrastively and then quantized to 4 bits; its
masked-LM head is gone. This script gives it a fresh MLM head (the decoder tied to
the frozen word embeddings, so the embedding matrix stays byte-identical) and trains
the encoder on unlabelled Arabic text from ``shared/data`` for a fixed number of
steps, then saves the encoder as a new base folder for ``configs/default.toml``
(``--set model.base=...``). The idea: let the encoder re-fit the 4-bit weights and
the domain's text before the NER fine-tuning.

Held-out text never enters: every sentence of the corpus's dev and test documents,
the ANERcorp test file and the example report is excluded by sentence key (the same
key ``conflictner annotations validate`` uses for overlap), and so are the Syrian
Archive pages that are dev or test documents, as whole pages.

Usage::

    .venv/bin/python training/adapt_encoder.py --out models/base-e5-small-adapted --steps 600
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from prepare_corpus import detokenize, sa_document  # noqa: E402

from conflictner.auxdata import read_columns  # noqa: E402
from conflictner.corpus import load_corpus, sentence_key  # noqa: E402

log = logging.getLogger("adapt_encoder")


def held_out_keys(annotations: Path, shared: Path) -> tuple[set[str], set[str]]:
    """Sentence keys and document ids of the corpus's dev and test splits (plus the ANERcorp test file)."""
    corpus = load_corpus(annotations, ["dev", "test"])
    docs = corpus["dev"] + corpus["test"]
    keys = {sentence_key(t for t, _ in s) for d in docs for s in d.sentences if len(s) > 3}
    aner_test = read_columns(shared / "data" / "anercorp" / "ANERCorp_CamelLab_test.txt", None)
    keys |= {sentence_key(t for t, _ in s) for s in aner_test if len(s) > 3}
    return keys, {d.doc_id for d in docs}


def unlabelled_sentences(shared: Path, keys: set[str], held_ids: set[str]) -> tuple[list[str], dict[str, int]]:
    """Plain-text sentences of the shared corpora that are not held out, deduplicated by key."""
    data = shared / "data"
    columns = [
        ("anercorp-train", data / "anercorp" / "ANERCorp_CamelLab_train.reconstructed.txt", None, False),
        ("newsfane", data / "fane" / "NewsFANE_Gold_2014_170K.txt", "\t", True),
        ("wikifane", data / "fane" / "WikiFANE_Gold_2014_500K.txt", "\t", True),
        *[(f"aqmar-{p.stem}", p, None, False) for p in sorted((data / "aqmar").glob("*.txt"))],
        *[(f"wojood-{p.stem}", p, None, False) for p in sorted((data / "wojood-sample").glob("*.txt"))],
    ]
    seen: set[str] = set()
    out: list[str] = []
    counts: dict[str, int] = {}

    def add(name: str, tokens: list[str], text: str) -> None:
        if len(tokens) < 4:
            return
        k = sentence_key(tokens)
        if k in keys or k in seen:
            counts["excluded_or_duplicate"] = counts.get("excluded_or_duplicate", 0) + 1
            return
        seen.add(k)
        out.append(text)
        counts[name] = counts.get(name, 0) + 1

    for name, path, sep, rejoin in columns:
        if not path.exists():
            log.warning("%s: %s not found, skipped", name, path)
            continue
        for sent in read_columns(path, sep):
            add(name, [t for t, _ in sent], detokenize(sent, rejoin_clitics=rejoin)[0])
    sa = data / "syrian-archive"
    for p in sorted(sa.rglob("*_ar.md")):
        # Named as the corpus names its Syrian Archive documents, so dev/test pages are recognised.
        doc, _ = sa_document(sa, p.relative_to(sa).as_posix())
        if doc.doc_id in held_ids:
            counts["held_out_pages"] = counts.get("held_out_pages", 0) + 1
            continue
        for sent in doc.sentences:
            toks = [t for t, _ in sent]
            add("syrian-archive", toks, " ".join(toks))
    return out, counts


def blocks(tokenizer: Any, sentences: list[str], length: int) -> list[list[int]]:
    """Token ids of all sentences, each as ``[CLS] ... [SEP]``, concatenated and cut into blocks.

    The pieces after the last full block (fewer than ``length``) are left out of the MLM text.
    """
    ids: list[int] = []
    for enc in tokenizer(sentences, add_special_tokens=True)["input_ids"]:
        ids.extend(enc)
    return [ids[i : i + length] for i in range(0, len(ids) - length + 1, length)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", type=Path, default=ROOT / "models" / "base-e5-small-trimmed")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--annotations", type=Path, default=ROOT / "annotations")
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--length", type=int, default=128)
    ap.add_argument("--lr-encoder", type=float, default=1e-4)
    ap.add_argument("--lr-head", type=float, default=1e-3)
    ap.add_argument("--mlm-probability", type=float, default=0.15)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    import torch
    from datasets import Dataset
    from transformers import (
        AutoTokenizer,
        BertForMaskedLM,
        DataCollatorForLanguageModeling,
        Trainer,
        TrainingArguments,
        set_seed,
    )

    torch.set_num_threads(args.threads)
    set_seed(args.seed)
    t0 = time.time()
    keys, held_ids = held_out_keys(args.annotations, args.shared)
    sentences, counts = unlabelled_sentences(args.shared, keys, held_ids)
    log.info("%d sentences: %s", len(sentences), counts)
    tok = AutoTokenizer.from_pretrained(args.base)
    random.Random(args.seed).shuffle(sentences)
    all_blocks = blocks(tok, sentences, args.length)
    n_eval = max(32, len(all_blocks) // 50)
    eval_blocks, train_blocks = all_blocks[:n_eval], all_blocks[n_eval:]
    log.info("%d training blocks of %d pieces, %d held back for MLM loss", len(train_blocks), args.length, n_eval)

    model = BertForMaskedLM.from_pretrained(args.base)
    # The decoder is tied to the word embeddings: freezing them keeps the embedding matrix (and so
    # the trimmed vocabulary's vectors) exactly as built, as the NER fine-tuning does.
    head, enc = [], []
    for name, p in model.named_parameters():
        if "word_embeddings" in name:
            p.requires_grad_(False)
        elif name.startswith("cls."):
            head.append(p)
        else:
            enc.append(p)
    optim = torch.optim.AdamW([
        {"params": enc, "lr": args.lr_encoder, "weight_decay": 0.01},
        {"params": head, "lr": args.lr_head, "weight_decay": 0.0},
    ])
    collator = DataCollatorForLanguageModeling(tok, mlm_probability=args.mlm_probability)
    work = args.out.with_name(args.out.name + "-work")
    targs = TrainingArguments(
        output_dir=str(work), max_steps=args.steps, per_device_train_batch_size=args.batch_size,
        per_device_eval_batch_size=args.batch_size, lr_scheduler_type="linear",
        warmup_steps=max(1, args.steps // 10), logging_steps=max(1, args.steps // 20), save_strategy="no",
        eval_strategy="no", seed=args.seed, data_seed=args.seed, report_to=[], use_cpu=True,
        dataloader_num_workers=0,
    )
    ds = lambda b: Dataset.from_list([{"input_ids": x} for x in b])  # noqa: E731
    trainer = Trainer(model=model, args=targs, train_dataset=ds(train_blocks), eval_dataset=ds(eval_blocks),
                      data_collator=collator, optimizers=(optim, None))
    before = trainer.evaluate()["eval_loss"]
    log.info("held-back MLM loss before: %.3f", before)
    result = trainer.train()
    after = trainer.evaluate()["eval_loss"]
    log.info("held-back MLM loss after: %.3f (perplexity %.1f -> %.1f)", after, math.exp(before), math.exp(after))

    args.out.mkdir(parents=True, exist_ok=True)
    model.bert.save_pretrained(args.out)
    tok.save_pretrained(args.out)
    report = {
        "base": str(args.base), "sentences": counts, "train_blocks": len(train_blocks), "eval_blocks": n_eval,
        "steps": result.global_step, "train_loss": result.training_loss, "mlm_loss_before": before,
        "mlm_loss_after": after, "seconds": round(time.time() - t0, 1),
        "args": {k: str(v) for k, v in vars(args).items()},
    }
    (args.out / "adapt_report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)
    log.info("wrote %s in %.0f s", args.out, time.time() - t0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
