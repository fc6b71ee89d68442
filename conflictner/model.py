"""Loading token-classification checkpoints safely, and tiny models for tests.

Any BERT-like checkpoint folder works (the shipped trimmed multilingual-e5,
AraBERT, CAMeLBERT, a user's own): it loads through
``AutoModelForTokenClassification`` with ``trust_remote_code`` off and
safetensors only, so a checkpoint can never run code or unpickle objects.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ModelError", "AGGREGATIONS", "stored_aggregation", "LoadedModel", "load_checkpoint", "check_model_dir", "DEFAULT_MODEL_DIR", "build_random_model"]

log = logging.getLogger(__name__)

#: Where the shipped model lives inside the package.
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "model"


#: Ways a word's probabilities come from its subwords': the first subword's, or their mean.
AGGREGATIONS = ("first", "mean")


def stored_aggregation(config: object) -> str:
    """The subword aggregation a model was trained for: its config's ``conflictner_aggregation``.

    Models trained before the key existed (or with first-subword tags) read first subwords.

    Raises:
        ValueError: The stored value is not one of :data:`AGGREGATIONS`.
    """
    aggregation = str(getattr(config, "conflictner_aggregation", None) or "first")
    if aggregation not in AGGREGATIONS:
        raise ValueError(f"conflictner_aggregation {aggregation!r}, not one of {AGGREGATIONS}")
    return aggregation


class ModelError(RuntimeError):
    """A model folder is missing, incomplete or corrupt. The message names the path and what is wrong."""


@dataclass
class LoadedModel:
    """A model with its tokenizer and tag list."""

    model: object
    tokenizer: object
    tags: list[str]
    path: Path
    max_length: int
    #: Factor on the ``O`` probability before decoding, measured on dev (see :mod:`conflictner.decode`).
    outside_weight: float = 1.0
    #: How a word's subword probabilities become the word's: ``first`` or ``mean`` (set by training's ``subword_labels``).
    aggregation: str = "first"


def check_model_dir(path: str | Path) -> Path:
    """Check that a folder holds a loadable checkpoint, before handing it to transformers.

    Raises:
        ModelError: Naming the folder and each missing or unreadable part.
    """
    p = Path(path)
    if not p.exists():
        raise ModelError(f"model folder {p} does not exist")
    if not p.is_dir():
        raise ModelError(f"model path {p} is not a folder")
    missing = [n for n in ("config.json",) if not (p / n).is_file()]
    if not any(p.glob("*.safetensors")):
        pickled = [q.name for q in p.glob("*.bin")] + [q.name for q in p.glob("*.pt")]
        hint = f" (found pickle files {pickled}, which are never loaded: convert them to safetensors)" if pickled else ""
        missing.append("model.safetensors" + hint)
    if not (p / "tokenizer.json").is_file() and not (p / "vocab.txt").is_file():
        missing.append("tokenizer.json")
    if missing:
        raise ModelError(f"model folder {p} is incomplete: missing {', '.join(missing)}")
    try:
        cfg = json.loads((p / "config.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ModelError(f"model folder {p}: config.json is not valid JSON ({e})") from e
    if not cfg.get("id2label"):
        raise ModelError(f"model folder {p}: config.json has no id2label (not a token-classification model)")
    return p


def load_checkpoint(path: str | Path, *, device: str = "cpu") -> LoadedModel:
    """Load a token-classification checkpoint for inference.

    Args:
        path: A folder with ``config.json``, ``*.safetensors`` and a tokenizer.
        device: Torch device.

    Raises:
        ModelError: If the folder is missing, incomplete or corrupt.
    """
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    p = check_model_dir(path)
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(p), use_fast=True, trust_remote_code=False)
        model = AutoModelForTokenClassification.from_pretrained(
            str(p), use_safetensors=True, trust_remote_code=False, dtype=torch.float32
        )
    except Exception as e:  # transformers raises many types; the user needs the path and the cause
        raise ModelError(f"model folder {p} could not be loaded: {type(e).__name__}: {e}") from e
    if not getattr(tokenizer, "is_fast", False):
        raise ModelError(f"model folder {p}: a fast tokenizer (tokenizer.json) is needed for offsets")
    model.to(device)
    model.eval()
    tags = [model.config.id2label[i] for i in range(len(model.config.id2label))]
    # Windows as long as the ones the model was fine-tuned on (recorded by `train`), else the model's limit.
    trained = getattr(model.config, "conflictner_max_length", None)
    max_length = int(trained or min(getattr(model.config, "max_position_embeddings", 512), 512))
    outside_weight = float(getattr(model.config, "conflictner_outside_weight", None) or 1.0)
    if outside_weight <= 0:
        raise ModelError(f"model folder {p}: config.json has conflictner_outside_weight {outside_weight}, which must be positive")
    try:
        aggregation = stored_aggregation(model.config)
    except ValueError as e:
        raise ModelError(f"model folder {p}: config.json has {e}") from e
    log.info("loaded %s (%d tags, max_length %d, outside weight %g, %s-subword aggregation)",
             p, len(tags), max_length, outside_weight, aggregation)
    return LoadedModel(model, tokenizer, tags, p, max_length, outside_weight, aggregation)


def build_random_model(
    out_dir: str | Path,
    texts: Sequence[str],
    tags: Sequence[str],
    *,
    hidden_size: int = 32,
    layers: int = 2,
    heads: int = 2,
    max_position_embeddings: int = 64,
    vocab_size: int = 400,
    seed: int = 0,
) -> Path:
    """Write a tiny randomly initialised BERT token classifier with its own tokenizer.

    Used by tests and examples that need a real model folder in seconds: the
    tokenizer is a Unigram sentencepiece model trained in-process on ``texts``
    (with the same ``▁`` metaspace convention as XLM-R), so the whole
    inference path — offsets, word ids, windows — is the real one.
    """
    import torch
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertForTokenClassification, PreTrainedTokenizerFast

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    trainer = trainers.UnigramTrainer(
        vocab_size=vocab_size,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
        unk_token="<unk>",
    )
    tok.train_from_iterator(list(texts), trainer=trainer)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", 0), ("</s>", 2)]
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="<pad>",
        cls_token="<s>", sep_token="</s>", mask_token="<mask>", model_max_length=max_position_embeddings,
    )
    fast.save_pretrained(str(out))
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=tok.get_vocab_size(), hidden_size=hidden_size, num_hidden_layers=layers,
        num_attention_heads=heads, intermediate_size=hidden_size * 2,
        max_position_embeddings=max_position_embeddings, pad_token_id=1,
        id2label=dict(enumerate(tags)), label2id={t: i for i, t in enumerate(tags)},
    )
    BertForTokenClassification(config).save_pretrained(str(out), safe_serialization=True)
    return out
