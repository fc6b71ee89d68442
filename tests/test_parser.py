"""Inference: windows, first-subword aggregation, batching, bad input, model folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

import conflictner
from conflictner.decode import plan_windows
from conflictner.labels import bio_tags
from conflictner.model import LoadedModel, ModelError
from conflictner.parser import Parser

from .conftest import example_text


@pytest.mark.parametrize(
    ("lengths", "capacity", "stride"),
    [([1] * 10, 4, 2), ([3, 1, 4, 1, 5, 9, 2, 6], 10, 3), ([2] * 50, 16, 8), ([20, 1, 1], 8, 2), ([1], 4, 2), ([5] * 7, 5, 2)],
)
def test_windows_cover_every_word_and_overlap(lengths: list[int], capacity: int, stride: int) -> None:
    wins = plan_windows(0, lengths, capacity, stride)
    covered = set()
    for w in wins:
        covered |= set(range(w.first, w.last))
        assert w.n_subwords <= capacity or w.last - w.first == 1
    assert covered == set(range(len(lengths)))
    for a, b in zip(wins, wins[1:]):
        assert b.first > a.first and b.first <= a.last


class _LookupModel(torch.nn.Module):
    """Logits that depend only on the subword id: a deterministic stand-in for a BERT."""

    def __init__(self, n_vocab: int, tags: list[str], rules: dict[int, str]) -> None:
        super().__init__()
        self.table = torch.full((n_vocab, len(tags)), -5.0)
        self.table[:, 0] = 5.0
        for idx, tag in rules.items():
            self.table[idx] = -5.0
            self.table[idx, tags.index(tag)] = 5.0

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor):  # noqa: ARG002
        class Out:
            pass

        o = Out()
        o.logits = self.table[input_ids]
        return o


def _lookup_parser(tiny_model_dir: Path, words_tags: dict[str, tuple[str, str]], **kw) -> Parser:
    """A parser whose model tags a word's first subword by rule and its other subwords O."""
    base = conflictner.load(tiny_model_dir)
    tok = base.tokenizer
    tags = bio_tags()
    rules = {}
    for word, (first_tag, other_tag) in words_tags.items():
        ids = tok.backend_tokenizer.encode(word, add_special_tokens=False).ids
        rules[ids[0]] = first_tag
        for i in ids[1:]:
            rules.setdefault(i, other_tag)
    model = _LookupModel(tok.backend_tokenizer.get_vocab_size(), tags, rules)
    return Parser(LoadedModel(model, tok, tags, base.path, 512), **kw)


def test_an_entity_across_a_window_edge_comes_out_whole(tiny_model_dir: Path) -> None:
    words = {"قوات": ("B-ACTOR", "O"), "النظام": ("I-ACTOR", "O"), "السوري": ("I-ACTOR", "O")}
    filler = " ".join(["و"] * 9)
    text = f"{filler} قوات النظام السوري {filler} قوات النظام السوري {filler}"
    small = _lookup_parser(tiny_model_dir, words, max_length=10, stride=3)
    large = _lookup_parser(tiny_model_dir, words, max_length=512)
    got_small = [(e.label, e.text) for e in small.predict_entities([text])[0]]
    got_large = [(e.label, e.text) for e in large.predict_entities([text])[0]]
    assert got_large == [("ACTOR", "قوات النظام السوري")] * 2
    assert got_small == got_large


def test_word_label_comes_from_its_first_subword(tiny_model_dir: Path) -> None:
    p = _lookup_parser(tiny_model_dir, {"ديرالزور": ("B-LOC", "I-PER")})
    ents = p.predict_entities(["في ديرالزور اليوم"])[0]
    assert [(e.label, e.text) for e in ents] == [("LOC", "ديرالزور")]
    assert 0.0 < ents[0].score <= 1.0


def test_every_entity_offset_maps_back_to_the_text(tiny_parser: Parser) -> None:
    text = "إدلـــب\u200c ١٢٣ «الدفاع المدني» 😀 ISIS\u00a0ودَاعِش.\n\nسطر"
    for ent in tiny_parser.predict_entities([text * 3])[0]:
        assert (text * 3)[ent.start : ent.end] == ent.text


def test_parse_batch_returns_results_in_input_order(tiny_parser: Parser) -> None:
    texts = [example_text()[: n * 40] for n in (5, 1, 9, 3)] + ["", "حلب"]
    batch = tiny_parser.parse_batch(texts)
    assert [r.text for r in batch] == texts
    for text, report in zip(texts, batch):
        assert report.entities == tiny_parser.parse(text).entities


@pytest.mark.parametrize("text", ["", " ", "\n\n\t", "\u200b"])
def test_empty_or_blank_text_gives_an_empty_report(tiny_parser: Parser, text: str) -> None:
    report = tiny_parser.parse(text)
    assert report.text == text and report.entities == () and report.incidents == ()


@pytest.mark.parametrize("bad", [None, 42, b"bytes", ["list"]])
def test_non_string_input_raises_type_error(tiny_parser: Parser, bad: object) -> None:
    with pytest.raises(TypeError, match="expects the report as str"):
        tiny_parser.parse(bad)  # type: ignore[arg-type]


def test_a_one_megabyte_report_is_windowed_not_truncated(tiny_parser: Parser) -> None:
    unit = example_text()
    text = (unit * (1_000_000 // len(unit) + 1))[:1_000_000]
    probs_seen = tiny_parser.predict_entities([text])[0]
    assert all(text[e.start : e.end] == e.text for e in probs_seen)
    # entities are found near the very end: the tail was read, not cut off
    assert max(e.end for e in probs_seen) > len(text) - 2000


def test_report_serialises_to_json(tiny_parser: Parser) -> None:
    report = tiny_parser.parse("قصف الطيران الحربي بلدة حيش", report_date="2016-10-01")
    data = json.loads(report.to_json())
    assert data["text"] == report.text and data["report_date"] == "2016-10-01"
    assert isinstance(data["entities"], list) and isinstance(data["incidents"], list)


def test_bad_report_date_is_a_clear_error(tiny_parser: Parser) -> None:
    with pytest.raises(ValueError, match="ISO date"):
        tiny_parser.parse("نص", report_date="yesterday")


def test_missing_model_folder_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="does not exist"):
        conflictner.load(tmp_path / "nope")


@pytest.mark.parametrize("remove", ["config.json", "model.safetensors", "tokenizer.json"])
def test_incomplete_model_folder_names_what_is_missing(tiny_model_dir: Path, tmp_path: Path, remove: str) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model_dir, broken)
    (broken / remove).unlink()
    with pytest.raises(ModelError, match=remove.split(".")[0]) as info:
        conflictner.load(broken)
    assert str(broken) in str(info.value)


def test_corrupt_weights_are_reported_with_the_path(tiny_model_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "corrupt"
    shutil.copytree(tiny_model_dir, broken)
    (broken / "model.safetensors").write_bytes(b"\x00garbage" * 10)
    with pytest.raises(ModelError, match="could not be loaded") as info:
        conflictner.load(broken)
    assert str(broken) in str(info.value)


def test_mean_aggregation_is_available(tiny_model_dir: Path) -> None:
    p = conflictner.load(tiny_model_dir, aggregation="mean")
    ents = p.predict_entities([example_text()])[0]
    assert all(0 <= e.score <= 1 for e in ents)
    with pytest.raises(ValueError, match="aggregation"):
        conflictner.load(tiny_model_dir, aggregation="max")


def test_a_model_trained_on_all_subwords_is_read_with_mean_aggregation(tiny_model_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "m"
    shutil.copytree(tiny_model_dir, folder)
    cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    assert conflictner.load(folder).aggregation == "first"  # no key: models trained before the option
    (folder / "config.json").write_text(json.dumps({**cfg, "conflictner_aggregation": "mean"}), encoding="utf-8")
    assert conflictner.load(folder).aggregation == "mean"
    assert conflictner.load(folder, aggregation="first").aggregation == "first"  # the caller still decides
    (folder / "config.json").write_text(json.dumps({**cfg, "conflictner_aggregation": "max"}), encoding="utf-8")
    with pytest.raises(ModelError, match="conflictner_aggregation"):
        conflictner.load(folder)


def test_probabilities_are_normalised(tiny_parser: Parser) -> None:
    words = conflictner.text.tokenize("قصف على حلب")  # type: ignore[attr-defined]
    probs = tiny_parser.word_probabilities(["قصف على حلب"], words=[words])[0]
    assert probs.shape == (3, len(tiny_parser.tags))
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-4)
    assert np.array_equal(probs, tiny_parser.word_probabilities(["قصف على حلب"])[0])


def test_decoding_is_a_parser_option(tiny_model_dir: Path) -> None:
    text = example_text()[:400]
    for decoding in ("viterbi", "argmax"):
        ents = conflictner.load(tiny_model_dir, decoding=decoding).predict_entities([text])[0]
        assert all(text[e.start:e.end] == e.text for e in ents)
    with pytest.raises(ValueError, match="decoding"):
        conflictner.load(tiny_model_dir, decoding="beam")


def test_outside_weight_comes_from_the_model_folder_and_can_be_overridden(tiny_model_dir: Path, tmp_path: Path) -> None:
    assert conflictner.load(tiny_model_dir).outside_weight == 1.0  # a model never calibrated decodes as predicted
    calibrated = tmp_path / "calibrated"
    shutil.copytree(tiny_model_dir, calibrated)
    cfg = json.loads((calibrated / "config.json").read_text(encoding="utf-8"))
    (calibrated / "config.json").write_text(json.dumps({**cfg, "conflictner_outside_weight": 2.5}), encoding="utf-8")
    assert conflictner.load(calibrated).outside_weight == 2.5
    assert "outside_weight=2.5" in repr(conflictner.load(calibrated))
    assert conflictner.load(calibrated, outside_weight=1.0).outside_weight == 1.0
    with pytest.raises(ValueError, match="outside_weight must be positive"):
        conflictner.load(calibrated, outside_weight=0.0)
    (calibrated / "config.json").write_text(json.dumps({**cfg, "conflictner_outside_weight": -1}), encoding="utf-8")
    with pytest.raises(ModelError, match="conflictner_outside_weight"):
        conflictner.load(calibrated)


def test_a_huge_outside_weight_leaves_only_the_outside_tag(tiny_parser: Parser) -> None:
    text = example_text()[:400]
    words = conflictner.text.tokenize(text)  # type: ignore[attr-defined]
    probs = tiny_parser.word_probabilities([text], words=[words])
    assert tiny_parser.decode([text], [words], probs, outside_weight=1e9) == [[]]
    assert tiny_parser.decode([text], [words], probs) == tiny_parser.predict_entities([text])
