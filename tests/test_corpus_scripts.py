"""The corpus-building scripts in ``training/``: sentence selection and placing a later batch."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "training"))

import anercorp_dev_split  # noqa: E402
import finalize_corpus  # noqa: E402
import prepare_corpus  # noqa: E402
import synthetic_overlap  # noqa: E402


def _sent(text: str) -> list[tuple[str, str]]:
    return [(w, "O") for w in text.split()]


SENTENCES = [
    _sent("قتل ثلاثة جنود في هجوم على الجيش قرب المدينة"),        # casualty + 2 conflict words
    _sent("اندلعت معارك عنيفة بين الجيش والمسلحين في المدينة امس"),  # conflict, no casualty
    _sent("افتتح الوزير معرضا للكتاب في العاصمة صباح امس"),          # neither
    _sent("اصيب خمسة مدنيين بجروح في قصف الطيران على البلدة"),       # casualty + 2 conflict words
    _sent("توفي الكاتب المعروف عن عمر ناهز تسعين عاما امس"),         # no casualty stem, no conflict
]


def test_casualty_selection_keeps_only_sentences_reporting_killed_or_wounded() -> None:
    docs = prepare_corpus.news_documents("wikifane", SENTENCES, {}, rejoin=False, quota=10, per_doc=10,
                                         exclude=set(), casualties=True)
    (doc, text) = docs[0]
    assert doc.source == "wikifane sentences 0,3"
    assert text.splitlines() == [" ".join(w for w, _ in SENTENCES[i]) for i in (0, 3)]


def test_casualty_selection_skips_sentences_already_annotated() -> None:
    skip = {prepare_corpus.sentence_key([w for w, _ in SENTENCES[0]])}
    docs = prepare_corpus.news_documents("wikifane", SENTENCES, {}, rejoin=False, quota=10, per_doc=10,
                                         exclude=set(), skip=skip, casualties=True)
    assert docs[0][0].source == "wikifane sentences 3"


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        (["w-002", "w-001", "w-003"], {"w-001": "train", "w-002": "train", "w-003": "dev"}),
        (["w-001"], {"w-001": "train"}),  # a lone document never empties train
    ],
)
def test_a_later_batch_goes_to_train_and_its_last_document_to_dev(ids: list[str], expected: dict[str, str]) -> None:
    assert finalize_corpus.place_added(ids) == expected


def test_conflict_selection_takes_war_sentences_with_or_without_casualties() -> None:
    docs = prepare_corpus.news_documents("wikifane", SENTENCES, {}, rejoin=False, quota=10, per_doc=10,
                                         exclude=set(), casualties=False)
    assert docs[0][0].source == "wikifane sentences 0,1,3"  # the book fair and the obituary are not war


def test_a_full_rerun_keeps_the_later_batches_in_train_and_the_third_where_it_was_placed() -> None:
    sizes = {"wikifane-007": 900, "wikifane-008": 1000, "wikifane-015": 1100, "wikifane-001": 800, "sa-about-press": 1100}
    splits = finalize_corpus.assign_splits(sizes, {d: [] for d in sizes})
    assert splits == {"wikifane-001": "train", "wikifane-007": "dev", "wikifane-008": "train", "wikifane-015": "train",
                      "sa-about-press": "train"}


def test_a_syrian_archive_page_becomes_a_document_named_after_its_path(tmp_path: Path) -> None:
    page = tmp_path / "tools-methods" / "methodology" / "index_ar.md"
    page.parent.mkdir(parents=True)
    page.write_text("---\ntitle: المنهجية\n---\n\n## المنهجية\n\nيجمع **الأرشيف السوري** المقاطع.\n", encoding="utf-8")
    doc, text = prepare_corpus.sa_document(tmp_path, "tools-methods/methodology/index_ar.md")
    assert doc.doc_id == "sa-tools-methods-methodology-index"
    assert doc.source == "syrian-archive/tools-methods/methodology/index_ar.md"
    assert "يجمع الأرشيف السوري المقاطع" in text and "**" not in text and "title:" not in text


def test_encoder_adaptation_text_leaves_out_held_out_sentences_and_pages(tmp_path: Path) -> None:
    import adapt_encoder

    aner = tmp_path / "data" / "anercorp"
    aner.mkdir(parents=True)
    rows = ["\n".join(f"{w} O" for w, _ in s) for s in SENTENCES[:3]]
    (aner / "ANERCorp_CamelLab_train.reconstructed.txt").write_text("\n\n".join(rows) + "\n", encoding="utf-8")
    sa = tmp_path / "data" / "syrian-archive" / "investigations"
    sa.mkdir(parents=True)
    (sa / "kept_ar.md").write_text("---\ntitle: x\n---\nقصفت الطائرات الحربية السوق الشعبي في البلدة صباح اليوم.\n", encoding="utf-8")
    (sa / "held_ar.md").write_text("قصفت المدفعية المشفى الميداني في القرية مساء امس.\n", encoding="utf-8")
    held_key = prepare_corpus.sentence_key([w for w, _ in SENTENCES[1]])

    sentences, counts = adapt_encoder.unlabelled_sentences(tmp_path, {held_key}, {"sa-investigations-held"})

    assert " ".join(w for w, _ in SENTENCES[1]) not in sentences
    assert counts["anercorp-train"] == 2 and counts["excluded_or_duplicate"] == 1
    assert counts["held_out_pages"] == 1
    assert not any("المدفعية" in s for s in sentences) and any("السوق" in s for s in sentences)


@pytest.mark.parametrize(
    ("tags", "confidence", "expected"),
    [
        (["B-EVENT", "O", "B-LOC"], [0.9, 0.9, 0.9], ["B-EVENT", "O", "B-LOC"]),
        # an unsure word is masked, not guessed; four of five sure words are enough
        (["B-KILLED", "I-KILLED", "O", "O", "O"], [0.9, 0.5, 0.9, 0.9, 0.9], ["B-KILLED", "UNK", "O", "O", "O"]),
        (["B-LOC", "O", "B-PER"], [0.99, 0.99, 0.99], None),  # no conflict entity: nothing the gold corpus lacks
        (["B-EVENT", "O"], [0.9, 0.5], None),  # half the words unsure
        (["B-EVENT", "O", "O", "O", "O"], [0.5, 0.9, 0.9, 0.9, 0.9], None),  # the only conflict entity is unsure
        (["O", "O"], [1.0, 1.0], None),
    ],
)
def test_silver_sentences_mask_unsure_words_and_need_a_sure_conflict_entity(tags: list[str], confidence: list[float], expected) -> None:
    import numpy as np
    import silver_corpus

    assert silver_corpus.silver_tags(tags, np.array(confidence), 0.6, 0.8) == expected


def test_an_ensemble_of_one_model_twice_reads_as_that_model(tiny_model_dir: Path) -> None:
    import numpy as np
    import score_ensemble

    from conflictner.parser import Parser

    single = Parser.from_pretrained(tiny_model_dir)
    ensemble = score_ensemble.EnsembleParser([single, Parser.from_pretrained(tiny_model_dir)])
    text = "قصفت الطائرات الحربية بلدة حيش صباح اليوم"
    assert np.allclose(ensemble.word_probabilities([text])[0], single.word_probabilities([text])[0], atol=1e-6)
    assert ensemble.predict_entities([text]) == single.predict_entities([text])


def test_a_teacher_trained_on_a_held_out_document_is_found(tmp_path: Path) -> None:
    import json

    import silver_corpus

    from conflictner.corpus import Document
    from conflictner.train import documents_hash

    held = [Document("dev-doc", "x", [[("قصف", "B-EVENT")]], text="قصف"), Document("test-doc", "x", [[("حلب", "B-LOC")]], text="حلب")]
    (tmp_path / "train_report.json").write_text(json.dumps({"data": {"train_hashes": documents_hash(held[1:]), "dev_hashes": documents_hash(held[:1])}}), encoding="utf-8")
    # its dev set may be ours (selection), its training set may not
    assert silver_corpus.teachers_trained_on(tmp_path, held) == ["test-doc"]
    with pytest.raises(SystemExit, match="no train_report.json"):
        silver_corpus.teachers_trained_on(tmp_path / "missing", held)


def test_anercorp_dev_split_cuts_by_position_and_drops_sentences_the_conflict_corpus_has(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "train").mkdir(parents=True)
    (corpus / "train" / "d.conll").write_text("# doc_id = d\nقصف\tB-EVENT\nحلب\tI-EVENT\n", encoding="utf-8")
    src = tmp_path / "aner.txt"
    src.write_text("أ O\nب O\n\nج B-LOC\n\nقصف O\nحلب B-LOC\n\nد B-PERS\n", encoding="utf-8")
    out = tmp_path / "split"
    assert anercorp_dev_split.main(["--train-file", str(src), "--out", str(out), "--train-share", "0.5",
                                    "--corpus", str(corpus), "--silver", str(tmp_path / "none.conll")]) == 0
    assert (out / "train50.txt").read_text(encoding="utf-8") == "أ O\nب O\n\nج B-LOC\n"
    assert (out / "dev50.txt").read_text(encoding="utf-8") == "قصف O\nحلب B-LOC\n\nد B-PERS\n"
    assert (out / "dev50-unseen.txt").read_text(encoding="utf-8") == "د B-PERS\n"


def _corpus(root: Path, split: str, doc_id: str, text: str) -> None:
    (root / split).mkdir(parents=True, exist_ok=True)
    rows = "\n".join(f"{w}\tO" for w in text.split())
    (root / split / f"{doc_id}.conll").write_text(f"# doc_id = {doc_id}\n{rows}\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("synthetic_text", "status"),
    [
        ("قتل ثلاثة مدنيين في قصف مدفعي على بلدة كفرنبل صباح اليوم", 0),
        # six words of the test document, with other spelling and diacritics: still a copy
        ("وقال المصدر إن قَصفاً جوياً استهدف سوق مدينه اريحا ظهر امس", 1),
    ],
)
def test_synthetic_documents_may_not_share_a_phrase_with_held_out_text(
    tmp_path: Path, synthetic_text: str, status: int
) -> None:
    corpus = tmp_path / "corpus"
    _corpus(corpus, "train", "t", "اندلعت اشتباكات عنيفة في محيط المطار العسكري")
    _corpus(corpus, "test", "h", "قصفا جويا استهدف سوق مدينة أريحا ظهر أمس وأدى")
    synthetic = tmp_path / "synthetic"
    _corpus(synthetic, "train", "synth-001", synthetic_text)
    assert synthetic_overlap.main([str(synthetic), "--corpus", str(corpus)]) == status
