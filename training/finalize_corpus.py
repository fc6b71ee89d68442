"""Place annotated documents into the corpus splits (``annotations/{train,dev,test}``).

Documents are split whole, about 80/10/10 by tokens within each source group
(Syrian Archive pages, ANERcorp sentences, NewsFANE sentences), with a fixed
seed. The shared example report always goes to ``test``, the second batch of news
documents to ``train``, the third batch (WikiFANE) as ``--add`` placed it. NewsFANE re-annotates
ANERcorp text, so a news sentence can occur in two documents: documents that
share a sentence are kept in the same split (never one in train and one in test).

Usage:
    python training/finalize_corpus.py --work annotations/_work/done --out annotations
    # later batches are added without moving (or rewriting) any placed document:
    python training/finalize_corpus.py --add wikifane-001 ... wikifane-007
    # or all into one split (the fourth batch went to train, so dev stayed as it was):
    python training/finalize_corpus.py --add wikifane-008 ... wikifane-015 --split train   # fifth batch: 016 ... 023
    python training/finalize_corpus.py --add sa-about-press ... --split train                # sixth batch (SIXTH_BATCH)
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import shutil
from collections import defaultdict
from pathlib import Path

from conflictner.corpus import read_conll, sentence_key

log = logging.getLogger("finalize_corpus")

# The second batch of news documents (annotated after the first model was scored) stays
# in train, so dev and test remain the documents every published score was measured on.
SECOND_BATCH = [f"anercorp-train-{n:03d}" for n in range(16, 24)] + [f"newsfane-train-{n:03d}" for n in range(15, 19)]
FIXED = {"deir-ez-zor-daily-report": "test"}
# The third batch (WikiFANE casualty sentences) was placed with ``--add``; a full re-run keeps it there.
THIRD_BATCH = [f"wikifane-{n:03d}" for n in range(1, 8)]
# The fourth and fifth batches (WikiFANE conflict sentences) went to train with ``--add … --split train``:
# dev stays the seven documents every model since the third batch was selected on.
FOURTH_BATCH = [f"wikifane-{n:03d}" for n in range(8, 24)]
# The sixth batch (Syrian Archive pages the first batch left out: about, advocacy, tools) went to train
# the same way; pages that share sentences with a dev or test document were not taken.
SIXTH_BATCH = ["sa-about-frequently-asked-questions", "sa-about-press", "sa-investigations-eyes-on-aleppo-further-research",
               "sa-tech-advocacy-april-takedowns", "sa-tech-advocacy-impact-extremist-human-rights", "sa-tech-advocacy-index",
               "sa-tools-methods-technology"]


def place_added(doc_ids: list[str]) -> dict[str, str]:
    """Splits of a later batch added to a finished corpus (``--add``).

    The last document of the batch goes to dev and the others to train; test never
    changes, so scores on it stay comparable. The third batch (WikiFANE casualty
    sentences) is why: dev had only 14 casualty spans to select a model on.

    Example:
        >>> place_added(["wikifane-002", "wikifane-001"])
        {'wikifane-001': 'train', 'wikifane-002': 'dev'}
    """
    ids = sorted(doc_ids)
    return {d: "dev" if d == ids[-1] and len(ids) > 1 else "train" for d in ids}


def _group(doc_id: str) -> str:
    return doc_id.split("-")[0] if not doc_id.startswith("sa-") else "sa"


def _components(docs: dict[str, list[str]]) -> list[set[str]]:
    """Documents linked by a shared sentence (union-find over sentence keys)."""
    parent = {d: d for d in docs}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    owner: dict[str, str] = {}
    for d, keys in docs.items():
        for k in keys:
            if k in owner:
                parent[find(d)] = find(owner[k])
            else:
                owner[k] = d
    comps: dict[str, set[str]] = defaultdict(set)
    for d in docs:
        comps[find(d)].add(d)
    return list(comps.values())


def assign_splits(sizes: dict[str, int], sentences: dict[str, list[str]], dev: float = 0.1, test: float = 0.1) -> dict[str, str]:
    """Split assignment by document component, balanced by tokens within each group.

    Documents of ``SECOND_BATCH`` are left out of the balancing (so the first batch's
    splits do not move) and go to train, unless one shares a sentence with a dev or
    test document: then it follows that document, as no sentence may be in two splits.
    """
    later = {d for d in sizes if d in SECOND_BATCH}
    third = place_added([d for d in sizes if d in THIRD_BATCH])
    third.update({d: "train" for d in sizes if d in FOURTH_BATCH or d in SIXTH_BATCH})
    first = {d: n for d, n in sizes.items() if d not in later and d not in third}
    out = _balance(first, {d: sentences[d] for d in first}, dev, test)
    held_out = {k: out[d] for d in first if out[d] != "train" for k in sentences[d]}
    for d in sorted(later):
        splits = {held_out[k] for k in sentences[d] if k in held_out}
        out[d] = min(splits) if splits else "train"
        if splits:
            log.warning("%s shares a sentence with a %s document: placed in %s", d, "/".join(sorted(splits)), out[d])
    out.update(third)  # no WikiFANE sentence occurs in another document (checked when they were made)
    return out


def _balance(sizes: dict[str, int], sentences: dict[str, list[str]], dev: float, test: float) -> dict[str, str]:
    out: dict[str, str] = {}
    comps = _components(sentences)
    by_group: dict[str, list[set[str]]] = defaultdict(list)
    for c in comps:
        fixed = {FIXED[d] for d in c if d in FIXED}
        if fixed:
            for d in c:
                out[d] = fixed.pop() if len(fixed) == 1 else "test"
            continue
        by_group[_group(sorted(c)[0])].append(c)
    for group, cs in sorted(by_group.items()):
        cs.sort(key=lambda c: hashlib.sha256(",".join(sorted(c)).encode()).hexdigest())
        total = sum(sizes[d] for c in cs for d in c)
        acc = {"test": 0, "dev": 0}
        for c in cs:
            n = sum(sizes[d] for d in c)
            if acc["test"] + n <= test * total * 1.15:
                split = "test"
            elif acc["dev"] + n <= dev * total * 1.15:
                split = "dev"
            else:
                split = "train"
            acc[split] = acc.get(split, 0) + n
            for d in c:
                out[d] = split
        log.info("%s: %d tokens; test %d, dev %d", group, total, acc["test"], acc["dev"])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path("annotations/_work/done"))
    ap.add_argument("--out", type=Path, default=Path("annotations"))
    ap.add_argument("--add", nargs="+", metavar="DOC_ID",
                    help="only place these documents (a later batch); placed documents are left as they are")
    ap.add_argument("--split", choices=("train", "dev", "test"),
                    help="with --add: put every added document into this split (default: the last one to dev, the rest to train)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.add:
        placed = {p.stem for split in ("train", "dev", "test") for p in (args.out / split).glob("*.conll")}
        clash = sorted(placed & set(args.add))
        if clash:
            raise SystemExit(f"already in the corpus (adjudicated copies would be overwritten): {clash}")
        placement = {d: args.split for d in args.add} if args.split else place_added(args.add)
        for doc_id, split in placement.items():
            shutil.copy(args.work / f"{doc_id}.conll", args.out / split / f"{doc_id}.conll")
            log.info("%s -> %s", doc_id, split)
        return
    files = sorted(args.work.glob("*.conll"))
    sizes, sentences = {}, {}
    for f in files:
        (doc,) = read_conll(f)
        sizes[doc.doc_id] = len(doc.tokens)
        # only news sentences can repeat across documents; Syrian Archive pages are unique texts
        sentences[doc.doc_id] = [sentence_key(t for t, _ in s) for s in doc.sentences if len(s) > 4] if _group(doc.doc_id) != "sa" else []
    splits = assign_splits(sizes, sentences)
    for split in ("train", "dev", "test"):
        d = args.out / split
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
    for f in files:
        shutil.copy(f, args.out / splits[f.stem] / f.name)
    for split in ("train", "dev", "test"):
        ids = [k for k, v in splits.items() if v == split]
        log.info("%-5s %3d documents, %6d tokens", split, len(ids), sum(sizes[i] for i in ids))


if __name__ == "__main__":
    main()
