"""Annotated documents: CoNLL files, character spans, and corpus validation.

A corpus document is stored twice over in ``annotations/``: the raw text in
``texts/<doc_id>.txt`` (what offsets refer to) and its BIO tags in
``<split>/<doc_id>.conll``::

    # doc_id = sa-incident-1
    # source = syrian-archive/investigations/...
    الموقع	O
    إدلب	B-LOC

One token per line (token, TAB, tag), a blank line between sentences. The
tokens must equal ``conflictner.text.tokenize`` over the text, which is what
``validate`` checks, so every tag maps back to exact character offsets.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .labels import ENTITY_LABELS, UNKNOWN, bio_from_spans, spans_from_bio
from .text import split_sentences, tokenize

__all__ = [
    "Document",
    "Problem",
    "read_conll",
    "write_conll",
    "document_from_spans",
    "validate_corpus",
    "markdown_to_text",
    "text_hash",
]

log = logging.getLogger(__name__)

SPLITS = ("train", "dev", "test")


@dataclass(frozen=True)
class Problem:
    """One problem found in an annotation file, with its location."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class Document:
    """A tokenised, tagged document.

    Attributes:
        doc_id: Unique identifier.
        source: Where the text came from.
        sentences: Sentences as lists of ``(token, tag)``.
        text: The raw text, when known; offsets refer to it.
        lines: For documents read from a file, the line number of each token.
    """

    doc_id: str
    source: str
    sentences: list[list[tuple[str, str]]]
    text: str | None = None
    lines: list[list[int]] = field(default_factory=list)

    @property
    def tokens(self) -> list[str]:
        return [tok for sent in self.sentences for tok, _ in sent]

    @property
    def tags(self) -> list[str]:
        return [tag for sent in self.sentences for _, tag in sent]

    def char_spans(self) -> list[tuple[int, int, str]]:
        """Entity spans as character offsets into ``text`` (sentence-bounded).

        Raises:
            ValueError: If the text is missing or does not tokenize to the tokens.
        """
        if self.text is None:
            raise ValueError(f"{self.doc_id}: no text to take offsets from")
        toks = tokenize(self.text)
        if [t.text for t in toks] != self.tokens:
            raise ValueError(f"{self.doc_id}: tokens do not match the tokenization of its text")
        spans: list[tuple[int, int, str]] = []
        i = 0
        for sent in self.sentences:
            for first, last, label in spans_from_bio([t for _, t in sent]):
                spans.append((toks[i + first].start, toks[i + last - 1].end, label))
            i += len(sent)
        return spans


def text_hash(text: str) -> str:
    """A stable hash of a document's text (used to detect train/test overlap)."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:16]


_META = re.compile(r"^#\s*(\w+)\s*=\s*(.*)$")


def read_conll(path: str | Path, *, problems: list[Problem] | None = None) -> list[Document]:
    """Read a CoNLL file that holds one or more documents.

    Accepts ``token<TAB>tag`` or ``token<SPACE>tag`` lines. Documents start at
    a ``# doc_id = ...`` line; a file without one is one document named after
    the file. Malformed lines are reported to ``problems`` (when given) or
    raise ``ValueError``.
    """
    path = Path(path)
    docs: list[Document] = []
    doc: Document | None = None
    sent: list[tuple[str, str]] = []
    sent_lines: list[int] = []

    def report(line: int, msg: str) -> None:
        if problems is None:
            raise ValueError(f"{path}:{line}: {msg}")
        problems.append(Problem(str(path), line, msg))

    def close_sentence() -> None:
        nonlocal sent, sent_lines
        if sent:
            assert doc is not None
            doc.sentences.append(sent)
            doc.lines.append(sent_lines)
        sent, sent_lines = [], []

    with path.open(encoding="utf-8-sig") as fh:
        for lineno, raw in enumerate(fh, 1):
            line = raw.rstrip("\r\n")
            if not line.strip():
                close_sentence()
                continue
            # A comment is a '#' line without a TAB; "#التح<TAB>B-LOC" (a hashtag) is a token.
            if line.startswith("#") and "\t" not in line:
                m = _META.match(line)
                if m and m.group(1) == "doc_id":
                    close_sentence()
                    doc = Document(m.group(2).strip(), "", [])
                    docs.append(doc)
                elif m and m.group(1) == "source" and doc is not None:
                    doc.source = m.group(2).strip()
                continue
            if doc is None:
                doc = Document(path.stem, str(path), [])
                docs.append(doc)
            parts = line.split("\t") if "\t" in line else line.rsplit(" ", 1)
            if len(parts) != 2 or not parts[0] or not parts[1]:
                report(lineno, f"expected 'token<TAB>tag', got {line!r}")
                continue
            sent.append((parts[0], parts[1].strip()))
            sent_lines.append(lineno)
    close_sentence()
    return docs


def write_conll(docs: Iterable[Document], path: str | Path) -> None:
    """Write documents to one CoNLL file (see the module docstring)."""
    with Path(path).open("w", encoding="utf-8") as fh:
        for doc in docs:
            fh.write(f"# doc_id = {doc.doc_id}\n# source = {doc.source}\n")
            for sent in doc.sentences:
                for tok, tag in sent:
                    fh.write(f"{tok}\t{tag}\n")
                fh.write("\n")


def document_from_spans(
    doc_id: str,
    text: str,
    spans: Sequence[tuple[int, int, str]],
    *,
    source: str = "",
    problems: list[str] | None = None,
) -> Document:
    """Tag a text from character spans, sentence by sentence.

    A span whose ends do not fall on token boundaries, or that crosses a
    sentence boundary, cannot be represented in BIO: it is reported (in
    ``problems`` when given, else as ``ValueError``), never dropped silently.
    """
    toks = tokenize(text)
    starts = {t.start: i for i, t in enumerate(toks)}
    ends = {t.end: i for i, t in enumerate(toks)}
    sentences = split_sentences(text, toks)
    sent_of: list[int] = []
    for si, s in enumerate(sentences):
        sent_of += [si] * len(s)
    token_spans: list[tuple[int, int, str]] = []
    for start, end, label in spans:
        first, last = starts.get(start), ends.get(end)
        msg = None
        if first is None or last is None:
            msg = f"span {start}-{end} {label} {text[start:end]!r} does not fall on token boundaries"
        elif sent_of[first] != sent_of[last]:
            msg = f"span {start}-{end} {label} {text[start:end]!r} crosses a sentence boundary"
        if msg:
            if problems is None:
                raise ValueError(f"{doc_id}: {msg}")
            problems.append(f"{doc_id}: {msg}")
            continue
        token_spans.append((first, last + 1, label))
    tags = bio_from_spans(len(toks), token_spans)
    out: list[list[tuple[str, str]]] = []
    i = 0
    for s in sentences:
        out.append([(t.text, tags[i + k]) for k, t in enumerate(s)])
        i += len(s)
    return Document(doc_id, source, out, text=text)


def _valid_tag(tag: str, labels: Sequence[str]) -> bool:
    if tag in ("O", UNKNOWN):
        return True
    return tag[:2] in ("B-", "I-") and tag[2:] in labels


def validate_document(doc: Document, path: str, text: str | None, labels: Sequence[str] = ENTITY_LABELS) -> list[Problem]:
    """Check one document's tags and tokens; return every problem found."""
    problems: list[Problem] = []
    first_line = doc.lines[0][0] if doc.lines and doc.lines[0] else 1
    if not doc.sentences:
        problems.append(Problem(path, first_line, f"document {doc.doc_id} is empty"))
        return problems
    for sent, lines in zip(doc.sentences, doc.lines or [[0] * len(s) for s in doc.sentences]):
        prev = "O"
        for (_tok, tag), ln in zip(sent, lines):
            if not _valid_tag(tag, labels):
                problems.append(Problem(path, ln, f"unknown tag {tag!r}"))
            elif tag.startswith("I-") and (prev == "O" or prev[2:] != tag[2:]):
                problems.append(Problem(path, ln, f"{tag} after {prev} (IOB2 requires B- to start an entity)"))
            prev = tag
    if text is None:
        problems.append(Problem(path, first_line, f"no text file for document {doc.doc_id}"))
        return problems
    gold = tokenize(text)
    flat = [(tok, ln) for sent, lines in zip(doc.sentences, doc.lines) for (tok, _), ln in zip(sent, lines)]
    for k, ((tok, ln), ref) in enumerate(zip(flat, gold)):
        if tok != ref.text:
            problems.append(Problem(path, ln, f"token {k} is {tok!r} but the text tokenizes to {ref.text!r} at offset {ref.start}"))
            break
    if len(flat) != len(gold):
        ln = flat[-1][1] if flat else first_line
        problems.append(Problem(path, ln, f"{len(flat)} tokens in file, {len(gold)} in the text"))
    return problems


def iter_corpus_files(root: Path) -> Iterator[tuple[str, Path]]:
    """``(split, path)`` for each CoNLL file of a corpus folder."""
    for split in SPLITS:
        d = root / split
        if d.is_dir():
            for p in sorted(d.glob("*.conll")):
                yield split, p


def load_corpus(root: str | Path, splits: Sequence[str] = SPLITS) -> dict[str, list[Document]]:
    """Read a corpus folder (``train/ dev/ test/ texts/``) into documents with their text."""
    root = Path(root)
    out: dict[str, list[Document]] = {s: [] for s in splits}
    for split, path in iter_corpus_files(root):
        if split not in out:
            continue
        for doc in read_conll(path):
            tp = root / "texts" / f"{doc.doc_id}.txt"
            doc.text = tp.read_text(encoding="utf-8") if tp.exists() else None
            out[split].append(doc)
    return out


def validate_corpus(root: str | Path, labels: Sequence[str] = ENTITY_LABELS) -> list[Problem]:
    """Validate a corpus folder: tags, tokens against texts, duplicates across splits.

    Returns:
        Every problem, with file and line; an empty list means the corpus is valid.
    """
    root = Path(root)
    problems: list[Problem] = []
    seen_ids: dict[str, str] = {}
    seen_hash: dict[str, str] = {}
    n_files = 0
    for split, path in iter_corpus_files(root):
        n_files += 1
        docs = read_conll(path, problems=problems)
        if not docs:
            problems.append(Problem(str(path), 1, "file holds no document"))
        for doc in docs:
            ln = doc.lines[0][0] if doc.lines and doc.lines[0] else 1
            where = f"{split}/{path.name}"
            if doc.doc_id in seen_ids:
                problems.append(Problem(str(path), ln, f"document {doc.doc_id} also in {seen_ids[doc.doc_id]}"))
            seen_ids[doc.doc_id] = where
            tp = root / "texts" / f"{doc.doc_id}.txt"
            text = tp.read_text(encoding="utf-8") if tp.exists() else None
            problems += validate_document(doc, str(path), text, labels)
            if text is not None:
                h = text_hash(text)
                if h in seen_hash and seen_hash[h] != where:
                    problems.append(Problem(str(path), ln, f"document text duplicates {seen_hash[h]}"))
                seen_hash.setdefault(h, where)
    if n_files == 0:
        problems.append(Problem(str(root), 0, "no .conll files under train/, dev/ or test/"))
    return problems


def sentence_key(tokens: Iterable[str]) -> str:
    """A spelling- and spacing-insensitive key, to find one sentence in two documents or corpora.

    Example:
        >>> sentence_key(["قَصف", "المدينه"]) == sentence_key(["قصف", "المدينة"])
        True
    """
    from .text import normalize_word

    return normalize_word("".join(tokens)).replace(" ", "")


def _sentence_key(sent: Sequence[tuple[str, str]]) -> str:
    return sentence_key(t for t, _ in sent)


def _sentence_owners(docs: Iterable[Document], min_tokens: int) -> dict[str, set[str]]:
    owners: dict[str, set[str]] = {}
    for doc in docs:
        for sent in doc.sentences:
            if len(sent) >= min_tokens:
                owners.setdefault(_sentence_key(sent), set()).add(doc.doc_id)
    return owners


def without_sentences_of(docs: Sequence[Document], train: Sequence[Document], min_tokens: int = 7) -> tuple[list[Document], int, int]:
    """Copies of ``docs`` without the sentences that also occur in ``train`` (see :func:`held_out_overlap`).

    The copies have no raw text (their sentences are no longer contiguous in it), so
    they are scored on their tokens like a CoNLL file. Used by
    ``conflictner evaluate --unseen-only`` to score a model only on sentences it never saw.

    Returns:
        The copies, and the number of sentences and tokens dropped.
    """
    owners = _sentence_owners(train, min_tokens)
    out, n_sent, n_tok = [], 0, 0
    for doc in docs:
        keep = [s for s in doc.sentences if len(s) < min_tokens or _sentence_key(s) not in owners]
        n_sent += len(doc.sentences) - len(keep)
        n_tok += sum(len(s) for s in doc.sentences) - sum(len(s) for s in keep)
        out.append(Document(doc.doc_id, doc.source, keep) if len(keep) < len(doc.sentences) else doc)
    return out, n_sent, n_tok


@dataclass(frozen=True)
class Overlap:
    """Sentences of one held-out document that also occur in a training document."""

    split: str
    doc_id: str
    sentences: int
    tokens: int
    of_tokens: int
    train_docs: tuple[str, ...]

    def __str__(self) -> str:
        return (f"{self.split}/{self.doc_id}: {self.sentences} sentence(s), {self.tokens} of {self.of_tokens} tokens, "
                f"also in train ({', '.join(self.train_docs)})")


def held_out_overlap(corpus: dict[str, list[Document]], min_tokens: int = 7) -> list[Overlap]:
    """Dev and test sentences that also occur in train, per held-out document.

    Whole-document duplicates are a validation error (:func:`validate_corpus`); a page
    that quotes a paragraph of another (two Syrian Archive reports on one shipment, a
    news sentence in two corpora) is not, but it lets a model see part of its test set.
    This measures that share so scores can be read with it. Sentences are compared
    on their normalised words (:func:`conflictner.text.normalize_word`), so spelling
    variants of one sentence match; sentences shorter than ``min_tokens`` (headings,
    dates, list items) are ignored, as they repeat by nature.

    Example:
        >>> a = Document("a", "", [[("قصف", "B-EVENT"), ("الطيران", "B-ACTOR")]])
        >>> b = Document("b", "", [[("قصف", "O"), ("الطيران", "O")], [("انتهى", "O")]])
        >>> [str(o) for o in held_out_overlap({"train": [a], "test": [b]}, min_tokens=2)]
        ['test/b: 1 sentence(s), 2 of 3 tokens, also in train (a)']
    """
    owners = _sentence_owners(corpus.get("train", []), min_tokens)
    out = []
    for split in ("dev", "test"):
        for doc in corpus.get(split, []):
            hits = [(sent, owners[k]) for sent in doc.sentences if len(sent) >= min_tokens and (k := _sentence_key(sent)) in owners]
            if hits:
                out.append(Overlap(split, doc.doc_id, len(hits), sum(len(s) for s, _ in hits), len(doc.tokens),
                                   tuple(sorted(set().union(*(o for _, o in hits))))))
    return out


# --- markdown sources ----------------------------------------------------------

_FRONT = re.compile(r"^---\s*\n(.*?)\n---\s*\n", re.S)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_BARE_URL = re.compile(r"<?https?://\S+>?")
_HTML = re.compile(r"<[^>]+>")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])")
_EMPH = re.compile(r"(?<![\w])(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1(?![\w])")


def markdown_to_text(md: str) -> str:
    """Plain text of a Markdown page with YAML front matter.

    The front matter's ``title`` and ``desc``/``description`` become the first
    lines; images are dropped; link text is kept and URLs dropped; emphasis
    marks, escapes, heading marks and HTML tags are removed.
    """
    head: list[str] = []
    m = _FRONT.match(md)
    if m:
        for line in m.group(1).splitlines():
            key, _, val = line.partition(":")
            if key.strip() in ("title", "desc", "description"):
                val = val.strip().strip('"').strip("'").strip()
                if val:
                    head.append(val)
        md = md[m.end():]
    body: list[str] = []
    for line in md.splitlines():
        line = _IMAGE.sub("", line)
        line = _LINK.sub(r"\1", line)
        line = _BARE_URL.sub("", line)
        line = _HTML.sub("", line)
        line = re.sub(r"^\s{0,3}(#{1,6}|>|[-*+]\s|\d+\.\s)\s*", "", line)
        for _ in range(2):
            line = _EMPH.sub(r"\2", line)
        line = _ESCAPE.sub(r"\1", line)
        line = line.replace("**", "")
        line = line.strip().strip("_").strip()
        line = re.sub(r"[ \t]+", " ", line)
        if re.fullmatch(r"[-=*_|: ]*", line):
            line = ""
        body.append(line)
    text = "\n".join(head) + "\n\n" + "\n".join(body)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n"


def tags_to_spans_by_sentence(doc: Document) -> list[list[tuple[int, int, str]]]:
    """Token spans per sentence (helper for evaluation and statistics)."""
    return [spans_from_bio([t for _, t in s]) for s in doc.sentences]


def skeleton(doc_id: str, text: str, source: str) -> Document:
    """A document of all-``O`` tags over a text (the start of an annotation task)."""
    return document_from_spans(doc_id, text, [], source=source)

