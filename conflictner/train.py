"""Fine-tuning a token classifier on annotated reports (``conflictner train``).

Built on transformers' ``Trainer``: subword label alignment with ``-100``
(only a word's first subword carries its tag, as at inference; ``UNK`` tags of
auxiliary corpora are masked the same way), separate learning rates for the
word embeddings, the encoder and the classification head, optional
down-weighting of ``O``, dev-set early stopping on entity F1 (whole dev documents
read by the parser, the score ``conflictner evaluate`` reports), checkpoints that
resume after an interruption, and a ``train_report.json`` beside the model.

A training config is TOML (see ``configs/``)::

    [model]
    base = "models/base-e5-small-trimmed"   # a local folder or a hub id
    [data]
    train = ["annotations/train"]
    dev = ["annotations/dev"]
    [train]
    epochs = 8

Example:
    >>> from conflictner.train import TrainConfig, train
    >>> cfg = TrainConfig.from_toml("configs/default.toml", overrides=["train.epochs=1"])  # doctest: +SKIP
    >>> train(cfg)                                                                         # doctest: +SKIP
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import json
import logging
import math
import platform
import random
import re
import subprocess
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .corpus import Document, load_corpus, read_conll, sentence_key, tags_to_spans_by_sentence, text_hash
from .decode import word_subwords
from .evaluate import OUTSIDE_WEIGHTS, Calibration, calibration_record
from .labels import ENTITY_LABELS, UNKNOWN, bio_from_spans, bio_tags

__all__ = ["TrainConfig", "AuxCorpus", "load_documents", "encode_documents", "train", "ConfigError"]

log = logging.getLogger(__name__)

#: Values of ``TrainConfig.subword_labels``, with the parser aggregation each one is trained for.
SUBWORD_LABELS = {"first": "first", "all": "mean"}


class ConfigError(ValueError):
    """A training config is malformed (the message names the key)."""


@dataclass
class AuxCorpus:
    """An auxiliary corpus mixed into training (see :mod:`conflictner.auxdata`)."""

    path: str
    format: str
    weight: float = 1.0


@dataclass
class TrainConfig:
    """Everything a training run depends on; written into ``train_report.json``.

    Attributes:
        base: Base checkpoint: a local folder (BERT-like, safetensors) or a hub id.
        labels: Entity labels; the tag list is their IOB2 expansion.
        train: Training data: corpus folders (``train/`` ... ``texts/``), CoNLL files or folders of them.
        dev: Development data (same forms), used for early stopping.
        aux: Auxiliary corpora mixed into the training set.
        aux_stage: ``mix`` (aux examples join the training set) or ``pretrain``
            (a first stage on the aux corpora alone, then the main data).
        output_dir: Where the model, checkpoints and report go.
        max_length: Subwords per training window (including special tokens).
        epochs: Maximum epochs (early stopping may end sooner).
        batch_size: Windows per step.
        group_by_length: Batch windows of similar length together (transformers'
            ``LengthGroupedSampler``) so short sentences are not padded to a full window;
            on the default corpus a step takes about 1.9 s instead of 2.3 s, same windows.
        lr_encoder: Learning rate of the transformer layers.
        lr_head: Learning rate of the classification head.
        lr_embeddings: Learning rate of the word embeddings (0 freezes them).
        layer_decay: Layer-wise learning-rate decay: the top transformer layer trains at
            ``lr_encoder``, each layer below at ``layer_decay`` times the one above, the
            other embedding parameters at the bottom layer's rate times ``layer_decay``
            (1 = one rate for the whole encoder).
        weight_decay: AdamW weight decay.
        warmup_ratio: Fraction of steps with linear warm-up.
        o_weight: Loss weight of the ``O`` tag (below 1 favours recall of rare labels).
        label_smoothing: Share of each word's target spread evenly over all tags
            (``torch.nn.functional.cross_entropy``; 0 = off).
        token_dropout: Share of a training window's subwords replaced by the tokenizer's
            unknown token at each step (``drop_tokens``; regularisation, 0 = off).
        rare_labels: Labels whose training windows are oversampled (see ``rare_repeat``).
        rare_repeat: Each training window holding a span of a ``rare_labels`` label is seen
            this many times per epoch (sampling for rare labels; 1 = off).
        augment_labels: Labels whose mentions are swapped in new copies of the training
            sentences that hold them (``replace_mentions``; empty = off).
        augment_copies: How many such copies of each of those sentences.
        subword_labels: Which subwords of a word carry its tag in training: ``first`` (the
            others are masked; the parser reads each word's first subword) or ``all`` (every
            subword; the parser averages them). With the XLM-R vocabulary a word's first
            subword is often a bare ``▁`` or a clitic (``▁و``, ``▁ال``, ``▁ب``): 7% of dev words
            begin with a bare ``▁``.
        patience: Evaluations without dev F1 improvement before stopping.
        seed: Random seed (data order, dropout, head initialisation).
        save_dtype: ``float32`` or ``float16`` for the saved weights.
        outside_weights: Factors on the ``O`` probability tried on dev after training; the best
            is stored with the model (``conflictner.evaluate.calibrate_outside_weight``;
            ``[1.0]`` = decode the probabilities as predicted).
        max_steps: Stop after this many steps (testing aid; -1 = no limit).
    """

    base: str = "models/base-e5-small-trimmed"
    labels: list[str] = field(default_factory=lambda: list(ENTITY_LABELS))
    train: list[str] = field(default_factory=lambda: ["annotations/train"])
    dev: list[str] = field(default_factory=lambda: ["annotations/dev"])
    aux: list[AuxCorpus] = field(default_factory=list)
    aux_stage: str = "mix"
    output_dir: str = "runs/default"
    max_length: int = 128
    epochs: float = 8
    batch_size: int = 16
    group_by_length: bool = False
    lr_encoder: float = 2e-4
    lr_head: float = 2e-3
    lr_embeddings: float = 0.0
    layer_decay: float = 1.0
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    o_weight: float = 1.0
    label_smoothing: float = 0.0
    token_dropout: float = 0.0
    rare_labels: list[str] = field(default_factory=list)
    rare_repeat: int = 1
    augment_labels: list[str] = field(default_factory=list)
    augment_copies: int = 1
    subword_labels: str = "first"
    patience: int = 3
    seed: int = 13
    save_dtype: str = "float32"
    outside_weights: list[float] = field(default_factory=lambda: list(OUTSIDE_WEIGHTS))
    max_steps: int = -1

    @classmethod
    def from_toml(cls, path: str | Path, overrides: Sequence[str] = ()) -> TrainConfig:
        """Read a config file; ``overrides`` are ``section.key=value`` or ``key=value`` strings.

        Paths in the file are relative to the current directory (run from the project root).

        Raises:
            ConfigError: Unknown keys, wrong types or malformed overrides.
        """
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise ConfigError(f"cannot read config {path}: {e}") from e
        flat: dict[str, Any] = {}
        for section, values in raw.items():
            if isinstance(values, dict):
                flat.update(values)
            else:
                flat[section] = values
        for ov in overrides:
            key, sep, val = ov.partition("=")
            if not sep:
                raise ConfigError(f"override {ov!r} must look like key=value")
            key = key.strip().split(".")[-1]
            try:
                flat[key] = tomllib.loads(f"v = {val}")["v"]
            except tomllib.TOMLDecodeError:
                flat[key] = val
        return cls.from_dict(flat)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainConfig:
        names = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - set(names))
        if unknown:
            raise ConfigError(f"unknown config keys: {', '.join(unknown)}")
        kwargs: dict[str, Any] = {}
        for k, v in d.items():
            if k == "aux":
                kwargs[k] = [AuxCorpus(**a) if isinstance(a, dict) else a for a in v]
                continue
            if k in ("train", "dev", "labels", "rare_labels", "augment_labels") and isinstance(v, str):
                v = [v]
            default = getattr(cls(), k)
            if isinstance(default, bool) != isinstance(v, bool) or (
                isinstance(default, (int, float)) and not isinstance(v, (int, float))
            ):
                raise ConfigError(f"config key {k!r} expects {type(default).__name__}, got {v!r}")
            kwargs[k] = v
        cfg = cls(**kwargs)
        if cfg.subword_labels not in SUBWORD_LABELS:
            raise ConfigError(f"subword_labels must be one of {sorted(SUBWORD_LABELS)}, got {cfg.subword_labels!r}")
        if cfg.aux_stage not in ("mix", "pretrain"):
            raise ConfigError("aux_stage must be 'mix' or 'pretrain'")
        if cfg.save_dtype not in ("float32", "float16"):
            raise ConfigError("save_dtype must be 'float32' or 'float16'")
        if cfg.rare_repeat < 1 or set(cfg.rare_labels) - set(cfg.labels):
            raise ConfigError(f"rare_repeat must be at least 1 and rare_labels among {cfg.labels}")
        if cfg.augment_copies < 1 or set(cfg.augment_labels) - set(cfg.labels):
            raise ConfigError(f"augment_copies must be at least 1 and augment_labels among {cfg.labels}")
        if not cfg.outside_weights or any(not w > 0 for w in cfg.outside_weights):
            raise ConfigError(f"outside_weights must be positive numbers, got {cfg.outside_weights}")
        if not 0 < cfg.layer_decay <= 1:
            raise ConfigError(f"layer_decay must be in (0, 1], got {cfg.layer_decay}")
        if not 0 <= cfg.label_smoothing < 1:
            raise ConfigError(f"label_smoothing must be in [0, 1), got {cfg.label_smoothing}")
        if not 0 <= cfg.token_dropout < 1:
            raise ConfigError(f"token_dropout must be in [0, 1), got {cfg.token_dropout}")
        return cfg

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# --- data ----------------------------------------------------------------------------


def load_documents(sources: Sequence[str | Path], split: str = "train") -> list[Document]:
    """Documents from corpus folders, CoNLL files, folders of CoNLL files or JSONL files.

    A corpus folder (one with ``texts/`` and split subfolders) contributes its
    ``split``; a JSONL file holds ``{"id", "text", "entities": [...]}`` records.
    """
    from .formats import read_jsonl

    docs: list[Document] = []
    for src in sources:
        p = Path(src)
        if p.is_dir() and (p / "texts").is_dir():
            docs += load_corpus(p, [split])[split]
        elif p.is_dir() and (p.parent / "texts").is_dir():
            docs += [d for f in sorted(p.glob("*.conll")) for d in _with_text(read_conll(f), p.parent / "texts")]
        elif p.is_dir():
            docs += [d for f in sorted(p.glob("*.conll")) for d in read_conll(f)]
        elif p.suffix == ".jsonl":
            docs += read_jsonl(p)
        elif p.is_file() and (p.parent.parent / "texts").is_dir():
            docs += _with_text(read_conll(p), p.parent.parent / "texts")
        elif p.is_file():
            docs += read_conll(p)
        else:
            raise FileNotFoundError(f"training data {p} does not exist")
    return docs


def _with_text(docs: list[Document], texts: Path) -> list[Document]:
    for d in docs:
        tp = texts / f"{d.doc_id}.txt"
        if tp.exists():
            d.text = tp.read_text(encoding="utf-8")
    return docs


def documents_hash(docs: Sequence[Document]) -> list[str]:
    """Per-document hashes (of the text, or of the token sequence when there is no text)."""
    return [text_hash(d.text) if d.text else text_hash(" ".join(d.tokens)) for d in docs]


def oversample_windows(examples: list[dict[str, list[int]]], tag_ids: set[int], repeat: int) -> list[dict[str, list[int]]]:
    """Each window whose labels include one of ``tag_ids`` ``repeat`` times, the others once.

    The Trainer shuffles every epoch, so the copies do not sit side by side in training.

    Example:
        >>> oversample_windows([{"labels": [0, 3]}, {"labels": [0, 0]}], {3}, 2)
        [{'labels': [0, 3]}, {'labels': [0, 3]}, {'labels': [0, 0]}]
    """
    out: list[dict[str, list[int]]] = []
    for ex in examples:
        out += [ex] * (repeat if tag_ids.intersection(ex["labels"]) else 1)
    return out


def replace_mentions(docs: Sequence[Document], labels: Sequence[str], copies: int, seed: int) -> list[Document]:
    """Mention replacement (Dai & Adel 2020): new training sentences with other mentions of a label.

    Every sentence holding a span of ``labels`` is copied ``copies`` times; in each copy,
    every such span is swapped for another mention of the same label, drawn from the
    distinct mentions of ``docs``. The rest of the sentence, and the tags of other
    labels, stay as they are, so the model sees each context with more mention forms.
    The copies of one document form one new document (``<doc_id>#mr<copy>``).

    Example:
        >>> d = Document("a", "", [[("مقتل", "B-KILLED"), ("3", "I-KILLED"), ("في", "O"), ("حلب", "B-LOC")],
        ...                        [("جرحى", "B-INJURED")], [("ثمانية", "B-KILLED"), ("شهداء", "I-KILLED")]])
        >>> [s for doc in replace_mentions([d], ["KILLED"], 1, seed=0) for s in doc.sentences]
        [[('ثمانية', 'B-KILLED'), ('شهداء', 'I-KILLED'), ('في', 'O'), ('حلب', 'B-LOC')], [('مقتل', 'B-KILLED'), ('3', 'I-KILLED')]]
    """
    wanted = set(labels)
    # Each sentence's spans of the wanted labels, found once for the pool and every copy.
    marked = [
        (doc, [(sent, [sp for sp in spans if sp[2] in wanted]) for sent, spans in zip(doc.sentences, tags_to_spans_by_sentence(doc))])
        for doc in docs
    ]
    pool: dict[str, set[tuple[str, ...]]] = collections.defaultdict(set)
    for _doc, sents in marked:
        for sent, spans in sents:
            for a, b, lab in spans:
                pool[lab].add(tuple(w for w, _ in sent[a:b]))
    # sorted: the same mentions in the same order on every run, so the seed alone fixes the draw
    choices = {lab: sorted(forms) for lab, forms in pool.items()}
    rnd = random.Random(seed)
    out: list[Document] = []
    for c in range(copies):
        for doc, sents in marked:
            new_sents: list[list[tuple[str, str]]] = []
            for sent, spans in sents:
                if not spans:
                    continue
                new: list[tuple[str, str]] = []
                pos = 0
                for a, b, lab in spans:
                    new += sent[pos:a]
                    own = tuple(w for w, _ in sent[a:b])
                    others = [m for m in choices[lab] if m != own] or [own]
                    form = others[rnd.randrange(len(others))]
                    new += list(zip(form, bio_from_spans(len(form), [(0, len(form), lab)])))
                    pos = b
                new_sents.append(new + sent[pos:])
            if new_sents:
                out.append(Document(f"{doc.doc_id}#mr{c}", "mention replacement", new_sents))
    return out


def encode_documents(
    docs: Sequence[Document], tokenizer: Any, tag2id: dict[str, int], max_length: int, subword_labels: str = "first"
) -> list[dict[str, list[int]]]:
    """Training windows: consecutive sentences packed up to ``max_length`` subwords.

    Labels sit on each word's first subword (``subword_labels="first"``) or on all of
    its subwords (``"all"``); other subwords, special tokens and ``UNK`` words get
    ``-100``. A sentence longer than a window is split at word boundaries; nothing is dropped.
    """
    if subword_labels not in SUBWORD_LABELS:
        raise ValueError(f"subword_labels must be one of {sorted(SUBWORD_LABELS)}, got {subword_labels!r}")
    specials = tokenizer.num_special_tokens_to_add(pair=False)
    capacity = max_length - specials
    cls_id, sep_id = tokenizer.cls_token_id, tokenizer.sep_token_id
    examples: list[dict[str, list[int]]] = []

    def flush(ids: list[int], labels: list[int]) -> None:
        if not ids:
            return
        full_ids = ([cls_id] if cls_id is not None else []) + ids + ([sep_id] if sep_id is not None else [])
        full_lab = ([-100] if cls_id is not None else []) + labels + ([-100] if sep_id is not None else [])
        examples.append({"input_ids": full_ids, "attention_mask": [1] * len(full_ids), "labels": full_lab})

    for doc in docs:
        ids: list[int] = []
        labels: list[int] = []
        for sent in doc.sentences:
            subs = word_subwords(tokenizer, [t for t, _ in sent])
            s_ids: list[int] = []
            s_lab: list[int] = []
            pieces: list[tuple[list[int], list[int]]] = []
            for (_tok, tag), sw in zip(sent, subs):
                sw = sw or [tokenizer.unk_token_id]
                lab = -100 if tag == UNKNOWN else tag2id.get(tag, tag2id["O"])
                w_ids = sw
                w_lab = [lab] * len(sw) if subword_labels == "all" else [lab] + [-100] * (len(sw) - 1)
                if len(s_ids) + len(w_ids) > capacity and s_ids:
                    pieces.append((s_ids, s_lab))
                    s_ids, s_lab = [], []
                s_ids += w_ids[:capacity]
                s_lab += w_lab[:capacity]
            if s_ids:
                pieces.append((s_ids, s_lab))
            for p_ids, p_lab in pieces:
                if len(ids) + len(p_ids) > capacity:
                    flush(ids, labels)
                    ids, labels = [], []
                ids += p_ids
                labels += p_lab
        flush(ids, labels)
    return examples


# --- training ------------------------------------------------------------------------


def _git_version() -> str:
    """The commit of the running code, ``+dirty`` when tracked files differ from it.

    Read when training starts: the code that trains is the code imported then,
    whatever is committed while it runs.
    """
    here = Path(__file__).resolve().parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5, cwd=here)
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "."],
                                capture_output=True, text=True, timeout=5, cwd=here)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    version = head.stdout.strip()
    if not version:
        return "unknown"
    return version + ("+dirty" if status.stdout.strip() else "")


def optimizer_groups(model: Any, cfg: TrainConfig) -> list[dict[str, Any]]:
    """AdamW parameter groups: frozen or separately trained word embeddings, a head rate, layer-wise encoder rates.

    The e5 token vectors are small, so one rate for everything learns nothing (see
    ``configs/default.toml``); the word embeddings are frozen unless ``lr_embeddings > 0``.
    With ``layer_decay=0.5`` a 2-layer encoder gets rates ``[lr, lr/2, lr/4]`` (top layer,
    bottom layer, other embedding parameters), then the head's; with 1, one encoder group.
    """
    n_layers = int(getattr(model.config, "num_hidden_layers", 0))
    emb: list[Any] = []
    head: list[Any] = []
    # Depth below the top layer: 0 for the top layer, n_layers for the embeddings.
    enc: dict[int, list[Any]] = collections.defaultdict(list)
    for name, p in model.named_parameters():
        if "word_embeddings" in name:
            p.requires_grad_(cfg.lr_embeddings > 0)
            if cfg.lr_embeddings > 0:
                emb.append(p)
        elif name.startswith("classifier"):
            head.append(p)
        else:
            layer = re.search(r"\.layer\.(\d+)\.", name)
            depth = n_layers - 1 - int(layer.group(1)) if layer else (n_layers if "embeddings" in name else 0)
            # Without decay, one encoder group as before, so checkpoints of older runs still resume.
            enc[depth if cfg.layer_decay != 1 else 0].append(p)
    groups = [
        {"params": params, "lr": cfg.lr_encoder * cfg.layer_decay**depth, "weight_decay": cfg.weight_decay}
        for depth, params in sorted(enc.items())
    ]
    groups.append({"params": head, "lr": cfg.lr_head, "weight_decay": 0.0})
    if emb:
        groups.append({"params": emb, "lr": cfg.lr_embeddings, "weight_decay": 0.0})
    return groups


def whole_document_scores(model: Any, tokenizer: Any, tags: list[str], max_length: int,
                          docs: Sequence[Document]) -> dict[str, float]:
    """Dev scores of a model in training, as ``conflictner evaluate`` computes them.

    The model reads each whole document through the :class:`~conflictner.parser.Parser`
    (overlapping windows merged, constrained Viterbi), not the training windows, so the
    checkpoint kept as best is chosen on the score that is published for it: the two
    differ by up to 0.026 F1 on the 7 dev documents, in either direction.

    Returns:
        Strict IOB2 micro ``precision``, ``recall`` and ``f1``, and ``macro_f1``, decoded
        with outside weight 1 (the weight is chosen once, after training).
    """
    return dict(_dev_calibration(model, tokenizer, tags, max_length, docs, (1.0,)).dev)


def _dev_calibration(model: Any, tokenizer: Any, tags: list[str], max_length: int, docs: Sequence[Document],
                     weights: Sequence[float]) -> Calibration:
    """Whole dev documents read once by a parser over the model in training, decoded at each outside weight."""
    from .evaluate import calibrate_outside_weight
    from .model import LoadedModel, stored_aggregation
    from .parser import Parser

    was_training = model.training
    model.eval()  # no dropout while scoring
    try:
        loaded = LoadedModel(model, tokenizer, tags, Path("."), max_length, aggregation=stored_aggregation(model.config))
        parser = Parser(loaded, incidents=False)
        return calibrate_outside_weight(parser, docs, weights)
    finally:
        model.train(was_training)


def token_loss(logits: Any, labels: Any, o_index: int, cfg: TrainConfig) -> Any:
    """Mean cross-entropy over labelled subwords (``-100`` is skipped), with the ``O`` weight and label smoothing of ``cfg``.

    Example:
        >>> import torch
        >>> sure = torch.tensor([[[9.0, 0.0, 0.0], [0.0, 9.0, 0.0]]])
        >>> round(float(token_loss(sure, torch.tensor([[0, -100]]), 0, TrainConfig())), 4)
        0.0002
        >>> round(float(token_loss(sure, torch.tensor([[0, -100]]), 0, TrainConfig(label_smoothing=0.3))), 4)
        1.8002
    """
    import torch

    weight = torch.ones(logits.shape[-1], device=logits.device)
    weight[o_index] = cfg.o_weight
    return torch.nn.functional.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), weight=weight, ignore_index=-100,
        label_smoothing=cfg.label_smoothing,
    )


def drop_tokens(input_ids: Any, attention_mask: Any, share: float, unk_id: int, keep: Sequence[int] = ()) -> Any:
    """``input_ids`` with about ``share`` of the attended subwords, other than ``keep``, replaced by ``unk_id``.

    Labels stay where they are: the model has to tag a word it cannot see from its
    context and its other subwords, which is what an unseen or misspelt name asks of it.

    Example:
        >>> import torch
        >>> ids, mask = torch.tensor([[0, 5, 6, 7, 2, 1]]), torch.tensor([[1, 1, 1, 1, 1, 0]])
        >>> drop_tokens(ids, mask, 0.0, unk_id=3, keep=[0, 2]).tolist()
        [[0, 5, 6, 7, 2, 1]]
        >>> drop_tokens(ids, mask, 1.0, unk_id=3, keep=[0, 2]).tolist()  # every one but the kept and the padding
        [[0, 3, 3, 3, 2, 1]]
    """
    import torch

    if share <= 0:
        return input_ids
    hit = (torch.rand(input_ids.shape, device=input_ids.device) < share) & attention_mask.bool()
    for k in keep:
        hit &= input_ids != k
    return input_ids.masked_fill(hit, unk_id)


def _make_trainer_class():
    import torch
    from transformers import Trainer

    class ConflictTrainer(Trainer):
        """Trainer with per-group learning rates, an optional ``O`` loss weight and whole-document dev scores."""

        def __init__(self, *args: Any, cfg: TrainConfig, o_index: int, tags: list[str],
                     dev_docs: Sequence[Document], **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.cfg = cfg
            self.o_index = o_index
            self.tags = tags
            self.dev_docs = dev_docs

        def evaluate(self, eval_dataset: Any = None, ignore_keys: Any = None, metric_key_prefix: str = "eval") -> dict[str, float]:
            if eval_dataset is not None or not self.dev_docs:
                return super().evaluate(eval_dataset, ignore_keys, metric_key_prefix)
            scores = whole_document_scores(self.model, self.processing_class, self.tags, self.cfg.max_length, self.dev_docs)
            metrics: dict[str, float] = {f"{metric_key_prefix}_{k}": v for k, v in scores.items()}
            metrics["epoch"] = self.state.epoch or 0.0
            self.log(metrics)
            # Early stopping and best-checkpoint tracking read these metrics in on_evaluate.
            self.control = self.callback_handler.on_evaluate(self.args, self.state, self.control, metrics)
            return metrics

        def create_optimizer(self, model: Any = None) -> Any:
            if self.optimizer is not None:
                return self.optimizer
            model = model or self.model
            groups = optimizer_groups(model, self.cfg)
            self.optimizer = torch.optim.AdamW(groups)
            return self.optimizer

        def compute_loss(self, model: Any, inputs: dict[str, Any], return_outputs: bool = False, **kw: Any) -> Any:
            labels = inputs.pop("labels")
            if model.training and self.cfg.token_dropout > 0:
                tok = self.processing_class
                inputs["input_ids"] = drop_tokens(inputs["input_ids"], inputs["attention_mask"], self.cfg.token_dropout,
                                                  tok.unk_token_id, tok.all_special_ids)
            outputs = model(**inputs)
            loss = token_loss(outputs.logits, labels, self.o_index, self.cfg)
            return (loss, outputs) if return_outputs else loss

    return ConflictTrainer


def _held_out_keys(cfg: TrainConfig, dev_docs: Sequence[Document]) -> set[str]:
    """Sentence keys of dev and test documents, which auxiliary data must not bring into training."""
    docs = list(dev_docs)
    for src in list(cfg.train) + list(cfg.dev):
        p = Path(src)
        if p.is_dir() and (p / "texts").is_dir():
            docs += load_corpus(p, ["test"])["test"]
    return {sentence_key(t for t, _ in s) for d in docs for s in d.sentences if len(s) > 3}


def _last_checkpoint(out: Path) -> str | None:
    """The newest *complete* checkpoint in ``out``, or None.

    The Trainer writes ``trainer_state.json`` last, so a run killed while saving leaves a
    checkpoint without it (or with half of it); resuming from that one would fail, so it is
    skipped, with a warning, in favour of the previous complete one.
    """
    complete: list[tuple[int, Path]] = []
    for p in out.glob("checkpoint-*"):
        step = p.name.split("-")[-1]
        if not step.isdigit():
            continue
        try:
            json.loads((p / "trainer_state.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log.warning("skipping %s: incomplete (the run was interrupted while saving it)", p)
            continue
        complete.append((int(step), p))
    return str(max(complete)[1]) if complete else None


def _run_stage(cfg: TrainConfig, model: Any, tokenizer: Any, train_ex: list, dev_ex: list, out: Path,
               tags: list[str], *, dev_docs: Sequence[Document], epochs: float, resume: bool) -> dict[str, Any]:
    from datasets import Dataset
    from transformers import DataCollatorForTokenClassification, EarlyStoppingCallback, TrainingArguments

    steps_per_epoch = max(1, math.ceil(len(train_ex) / cfg.batch_size))
    total = steps_per_epoch * epochs if cfg.max_steps < 0 else cfg.max_steps
    args = TrainingArguments(
        output_dir=str(out),
        num_train_epochs=epochs,
        max_steps=cfg.max_steps,
        per_device_train_batch_size=cfg.batch_size,
        per_device_eval_batch_size=cfg.batch_size * 2,
        train_sampling_strategy="group_by_length" if cfg.group_by_length else "random",
        lr_scheduler_type="linear",
        warmup_steps=int(total * cfg.warmup_ratio),
        eval_strategy="epoch" if dev_ex else "no",
        save_strategy="epoch",
        save_total_limit=2,
        load_best_model_at_end=bool(dev_ex),
        metric_for_best_model="f1" if dev_ex else None,
        greater_is_better=True,
        logging_steps=max(1, steps_per_epoch // 5),
        seed=cfg.seed,
        data_seed=cfg.seed,
        report_to=[],
        use_cpu=True,
        dataloader_num_workers=0,
        save_only_model=False,
        disable_tqdm=False,
    )
    trainer = _make_trainer_class()(
        model=model,
        args=args,
        train_dataset=Dataset.from_list(train_ex),
        # Dev is scored on whole documents (ConflictTrainer.evaluate); Trainer still needs an eval set
        # to schedule evaluations, and the windows serve an explicit evaluate(eval_dataset=...).
        eval_dataset=Dataset.from_list(dev_ex) if dev_ex else None,
        data_collator=DataCollatorForTokenClassification(tokenizer, label_pad_token_id=-100),
        processing_class=tokenizer,
        callbacks=[EarlyStoppingCallback(early_stopping_patience=cfg.patience)] if dev_ex else [],
        cfg=cfg,
        o_index=tags.index("O"),
        tags=tags,
        dev_docs=dev_docs,
    )
    ckpt = _last_checkpoint(out) if resume else None
    if ckpt:
        log.info("resuming from %s", ckpt)
    result = trainer.train(resume_from_checkpoint=ckpt)
    metrics: dict[str, Any] = {"train_loss": result.training_loss, "steps": result.global_step}
    if dev_ex:
        dev = trainer.evaluate()
        # Trainer.log stamps the epoch training ended at; the kept model is the best checkpoint's.
        dev.pop("epoch", None)
        metrics.update({f"dev_{k.removeprefix('eval_')}": v for k, v in dev.items()})
        best = trainer.state.best_model_checkpoint
        if best:
            step = int(best.rsplit("-", 1)[-1])
            metrics["best_step"] = step
            metrics["best_epoch"] = round(step / steps_per_epoch, 2)
    return metrics


def train(cfg: TrainConfig, *, resume: bool = True) -> Path:
    """Train a model as the config says; return the folder of the final model.

    The final model (best on dev) is written to ``<output_dir>/model`` with a
    ``train_report.json``; ``<output_dir>/checkpoint-*`` hold resumable state,
    and a rerun with the same output dir resumes from the last of them.
    """
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer, set_seed

    from .auxdata import read_aux

    started = time.time()
    code_version = _git_version()
    set_seed(cfg.seed)
    out = Path(cfg.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    tags = bio_tags(cfg.labels)
    tag2id = {t: i for i, t in enumerate(tags)}
    train_docs = load_documents(cfg.train, "train")
    dev_docs = load_documents(cfg.dev, "dev") if cfg.dev else []
    if not train_docs:
        raise ConfigError(f"no training documents found in {cfg.train}")
    unknown_tags = sorted({t for d in train_docs for t in d.tags if t not in tag2id and t not in ("O", UNKNOWN)})
    if unknown_tags:
        raise ConfigError(f"training data uses tags outside the label set {cfg.labels}: {unknown_tags[:10]}")
    aux_docs: list[tuple[Document, float]] = []
    held_out = _held_out_keys(cfg, dev_docs)
    for a in cfg.aux:
        for d in read_aux(a.path, a.format):
            kept = [s for s in d.sentences if sentence_key(t for t, _ in s) not in held_out]
            if len(kept) < len(d.sentences):
                # NewsFANE and ANERcorp share text with the corpus's news documents.
                log.info("%s: dropped %d sentences that occur in dev/test documents", a.path, len(d.sentences) - len(kept))
            d.sentences = kept
            aux_docs.append((d, a.weight))

    base = cfg.base
    if Path(base).exists():
        base = str(Path(base))
    tokenizer = AutoTokenizer.from_pretrained(base, use_fast=True, trust_remote_code=False)
    model = AutoModelForTokenClassification.from_pretrained(
        base, num_labels=len(tags), id2label=dict(enumerate(tags)), label2id=tag2id,
        use_safetensors=True, trust_remote_code=False, dtype=torch.float32,
        ignore_mismatched_sizes=True,
    )
    # Recorded before training so checkpoints carry it too: a parser reading a checkpoint with
    # windows longer than the fine-tuning length scores far worse (dev F1 0.61 vs 0.76 at 512 vs 128).
    model.config.conflictner_max_length = cfg.max_length
    model.config.conflictner_aggregation = SUBWORD_LABELS[cfg.subword_labels]
    train_ex = encode_documents(train_docs, tokenizer, tag2id, cfg.max_length, cfg.subword_labels)
    augmented_sentences = 0
    if cfg.augment_labels:
        augmented = replace_mentions(train_docs, cfg.augment_labels, cfg.augment_copies, cfg.seed)
        augmented_sentences = sum(len(d.sentences) for d in augmented)
        aug_ex = encode_documents(augmented, tokenizer, tag2id, cfg.max_length, cfg.subword_labels)
        log.info("mention replacement %s: %d sentences, %d windows", cfg.augment_labels, augmented_sentences, len(aug_ex))
        train_ex += aug_ex
    if cfg.rare_repeat > 1 and cfg.rare_labels:
        n = len(train_ex)
        # B- and I- tags: a window cut inside a long span still teaches it
        train_ex = oversample_windows(train_ex, {tag2id[f"{p}-{lab}"] for lab in cfg.rare_labels for p in "BI"}, cfg.rare_repeat)
        log.info("rare labels %s: %d training windows seen %d times", cfg.rare_labels, (len(train_ex) - n) // (cfg.rare_repeat - 1), cfg.rare_repeat)
    dev_ex = encode_documents(dev_docs, tokenizer, tag2id, cfg.max_length, cfg.subword_labels)
    aux_ex: list[dict[str, list[int]]] = []
    for d, w in aux_docs:
        ex = encode_documents([d], tokenizer, tag2id, cfg.max_length, cfg.subword_labels)
        # weight < 1 subsamples, > 1 repeats: a simple, seed-stable way to weigh corpora
        rnd = random.Random(cfg.seed)
        k = int(round(len(ex) * w))
        aux_ex += (ex * math.ceil(w))[:k] if w >= 1 else rnd.sample(ex, k)
    log.info("windows: train %d, dev %d, aux %d", len(train_ex), len(dev_ex), len(aux_ex))

    stages: dict[str, Any] = {}
    if aux_ex and cfg.aux_stage == "pretrain":
        stages["aux"] = _run_stage(cfg, model, tokenizer, aux_ex, dev_ex, out / "stage-aux", tags, dev_docs=dev_docs, epochs=1,
                                    resume=resume)
        train_all = train_ex
    else:
        train_all = train_ex + aux_ex
    stages["main"] = _run_stage(cfg, model, tokenizer, train_all, dev_ex, out, tags, dev_docs=dev_docs, epochs=cfg.epochs,
                                 resume=resume)

    final = out / "model"
    if cfg.save_dtype == "float16":
        # Calibrated and scored with the weights as they will be saved, so the report matches `evaluate`.
        model = model.to(torch.float16).to(torch.float32)
    calibration = None
    if dev_docs:
        calibration = _dev_calibration(model, tokenizer, tags, cfg.max_length, dev_docs, cfg.outside_weights)
        log.info("outside weight %g (dev F1 by weight: %s)", calibration.outside_weight, calibration.f1_by_weight)
        model.config.conflictner_outside_weight = calibration.outside_weight
    if cfg.save_dtype == "float16":
        model = model.to(torch.float16)
    model.save_pretrained(str(final), safe_serialization=True)
    tokenizer.save_pretrained(str(final))
    report = {
        "config": cfg.to_dict(),
        "tags": tags,
        "data": {
            "train_documents": len(train_docs),
            "dev_documents": len(dev_docs),
            "train_hashes": documents_hash(train_docs),
            "dev_hashes": documents_hash(dev_docs),
            "aux": [dataclasses.asdict(a) for a in cfg.aux],
            "aux_file_sha256": {a.path: hashlib.sha256(Path(a.path).read_bytes()).hexdigest()[:16] for a in cfg.aux},
            "windows": {"train": len(train_ex), "dev": len(dev_ex), "aux": len(aux_ex)},
            "augmented_sentences": augmented_sentences,
        },
        "metrics": stages,
        # Its "dev" holds the saved model's whole-document dev scores at its outside weight (= `evaluate --split dev`).
        "calibration": calibration_record(calibration, f"{', '.join(cfg.dev)} (dev)") if calibration else None,
        "code_version": code_version,
        "library_versions": _versions(),
        "python": platform.python_version(),
        "seconds": round(time.time() - started, 1),
    }
    (final / "train_report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    log.info("model saved to %s (%.0f s)", final, time.time() - started)
    return final


def _versions() -> dict[str, str]:
    import importlib.metadata as md

    out = {}
    for pkg in ("torch", "transformers", "tokenizers", "conflictner"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            out[pkg] = "unknown"
    return out
