"""Shared fixtures: a tiny random model built in-process, and small corpora."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conflictner.labels import bio_tags

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
EXAMPLE = SHARED / "examples" / "deir-ez-zor-daily-report.txt"


def example_text() -> str:
    if EXAMPLE.exists():
        return EXAMPLE.read_text(encoding="utf-8")
    return json.loads((FIXTURES / "deir-ez-zor-gold.json").read_text(encoding="utf-8"))["text"]


@pytest.fixture(scope="session")
def gold_example() -> dict:
    return json.loads((FIXTURES / "deir-ez-zor-gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer random BERT with a tokenizer trained on the example report (seconds to build)."""
    from conflictner.model import build_random_model

    out = tmp_path_factory.mktemp("tiny-model")
    texts = [example_text(), "قصف الطيران الحربي بلدة حيش اليوم وقتل 5 مدنيين", "Latin text 123 and ١٢٣ digits"]
    return build_random_model(out, texts * 3, bio_tags(), vocab_size=300)


@pytest.fixture(scope="session")
def tiny_parser(tiny_model_dir: Path):
    import conflictner

    return conflictner.load(tiny_model_dir)


@pytest.fixture()
def tiny_corpus(tmp_path: Path) -> Path:
    """A copy of the small corpus fixture (train/dev/test/texts) that a test may break."""
    dst = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "corpus", dst)
    return dst
