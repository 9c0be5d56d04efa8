"""crfsuite's model file read and written (crf_file.py) and the merged attributes built on it
(merged.py): the shipped model must tag exactly as it did before its attributes were merged."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pycrfsuite
import pytest

from khabar.entities._paths import MODEL_PATH, beside
from khabar.entities.crf_file import CRFModel, ModelFormatError, hashlittle, read_model, write_model
from khabar.entities.features import Kept, window_docs
from khabar.entities.merged import OFFSETS, is_merged, merge_model, merged_attr
from khabar.entities.tagger import Model, kept_attrs, prepare, write_attrs
from khabar.entities.training import corpus
from khabar.entities.training.train import MERGE_OWN, MERGE_VIEWS
from khabar.text import normalize_word


def test_hashlittle_gives_lookup3s_published_values() -> None:
    # lookup3.c's own driver prints these for "Four score and seven years ago" with initval 0 and 1.
    assert hashlittle(b"Four score and seven years ago") == 0x17770551
    assert hashlittle(b"Four score and seven years ago", 1) == 0xCD628161
    assert hashlittle(b"") == 0xDEADBEEF


def test_hashlittle_matches_the_hashes_crfsuite_stored() -> None:
    buf = MODEL_PATH.read_bytes()
    off_attrs = struct.unpack_from("<9I", buf, 16)[5]
    refs = struct.unpack_from("<512I", buf, off_attrs + 24)
    stored = set()
    for t in range(256):
        start, n = refs[2 * t], refs[2 * t + 1]
        for k in range(n):
            hv, record = struct.unpack_from("<II", buf, off_attrs + start + 8 * k)
            if record:
                stored.add(hv)
    model = read_model(buf)
    assert stored == {hashlittle(a.encode() + b"\0") for a in model.attrs}
    assert len(stored) > 10_000


def test_a_model_written_back_is_the_same_model_to_crfsuite() -> None:
    model = read_model(MODEL_PATH.read_bytes())
    out = write_model(model)
    assert read_model(out) == model
    a, b = pycrfsuite.Tagger(), pycrfsuite.Tagger()
    a.open(str(MODEL_PATH))
    b.open_inmemory(out)
    assert b.labels() == a.labels()
    ia, ib = a.info(), b.info()
    assert ib.transitions == ia.transitions and ib.state_features == ia.state_features


def test_other_bytes_are_refused() -> None:
    with pytest.raises(ModelFormatError):
        read_model(b"not a crfsuite model at all, though long enough to have a header")
    with pytest.raises(ModelFormatError, match="lCRF"):
        read_model(MODEL_PATH.read_bytes()[:-1])  # truncated: the header's size no longer matches


def _toy_model(tmp_path: Path) -> Path:
    trainer = pycrfsuite.Trainer(verbose=False)
    data = [
        ([["w=a", "s=a"], ["w=b", "k=1"], ["w=c"]], ["O", "B", "I"]),
        ([["w=b", "s=b"], ["w=a", "k=1"], ["w=c", "s=a"]], ["B", "I", "O"]),
        ([["w=c"], ["w=b", "s=b", "k=1"]], ["O", "B"]),
    ]
    for xseq, yseq in data:
        trainer.append(xseq, yseq)
    trainer.set_params({"c2": 0.1, "max_iterations": 50, "feature.possible_transitions": True})
    path = tmp_path / "toy.crfsuite"
    trainer.train(str(path))
    return path


def test_a_merged_attribute_scores_as_its_parts_do(tmp_path: Path) -> None:
    path = _toy_model(tmp_path)
    merged = merge_model(read_model(path.read_bytes()), [("@|b", ["w=b", "s=b", "k=1", "unknown"])])
    plain, fast = pycrfsuite.Tagger(), pycrfsuite.Tagger()
    plain.open(str(path))
    fast.open_inmemory(write_model(merged))
    for seq, short in (
        ([["w=a"], ["w=b", "s=b", "k=1"], ["w=c"]], [["w=a"], ["@|b"], ["w=c"]]),
        ([["w=b", "s=b", "k=1"], ["w=a", "s=a"]], [["@|b"], ["w=a", "s=a"]]),
    ):
        assert fast.tag(short) == plain.tag(seq)
        for t in range(len(seq)):
            for label in plain.labels():
                assert fast.marginal(label, t) == pytest.approx(plain.marginal(label, t), abs=1e-12)
    with pytest.raises(ValueError, match="already in the model"):
        merge_model(merged, [("@|b", ["w=a"])])


def test_merged_attribute_names_cannot_be_features() -> None:
    assert merged_attr("في") == "@|في" and merged_attr("في", -1) == "@-1|في"
    assert is_merged(merged_attr("x", 2)) and not is_merged("w=x")


@pytest.fixture(scope="module")
def unmerged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped model without its merged attributes: the model `khabar train-ner` trained."""
    crf = read_model(MODEL_PATH.read_bytes())
    keep = [i for i, a in enumerate(crf.attrs) if not is_merged(a)]
    plain = CRFModel(
        crf.labels, [crf.attrs[i] for i in keep], [crf.state[i] for i in keep], crf.transitions, crf.label_slots
    )
    path = tmp_path_factory.mktemp("unmerged") / "ner.crfsuite"
    path.write_bytes(write_model(plain))
    shutil.copy(beside(MODEL_PATH, "names.json"), beside(path, "names.json"))
    write_attrs(path)
    return path


def test_the_shipped_model_has_merged_attributes_for_frequent_words() -> None:
    attrs = Model(MODEL_PATH).attrs
    for w in ("في", "من", normalize_word("إلى"), "تونس"):
        assert merged_attr(w) in attrs
    assert merged_attr("في", -1) in attrs and merged_attr("في", 2) in attrs
    # Nearly every merged attribute is kept (an empty sum, a view with no kept feature, is not).
    assert 0.9 * (MERGE_OWN + 4 * MERGE_VIEWS) <= sum(map(is_merged, attrs)) <= MERGE_OWN + 4 * MERGE_VIEWS


def test_the_shipped_model_tags_the_dev_tail_as_its_unmerged_self(unmerged: Path, kit: Path) -> None:
    _train, dev = corpus.split(corpus.load(kit / "data" / "anercorp" / "train.jsonl"))
    fast, plain = Model(MODEL_PATH), Model(unmerged)
    words = [prepare(s.tokens) for s in dev]
    n_fast = n_plain = 0
    for w, s, d in zip(words, dev, window_docs(words), strict=True):
        assert fast.tag(w, None, s.tokens, d) == plain.tag(w, None, s.tokens, d)
        n_fast += sum(map(len, fast.features(w, None, s.tokens, d)))
        n_plain += sum(map(len, plain.features(w, None, s.tokens, d)))
    assert len(dev) == 660
    assert n_fast < 0.5 * n_plain  # what the merge is for: fewer strings handed to crfsuite


def test_merged_attributes_still_sum_what_tagging_would_hand_over() -> None:
    """A drift check: the lexicons, clusters and lists that build a word's features can be
    regenerated without retraining; a merged attribute must still stand for exactly those features."""
    crf = read_model(MODEL_PATH.read_bytes())
    index = {a: i for i, a in enumerate(crf.attrs)}
    plain = Kept(frozenset(a for a in kept_attrs(crf) if not is_merged(a)))
    merged = [a for a in crf.attrs if is_merged(a)]
    for attr in merged[:: len(merged) // 300]:
        offset, word = attr[1:].split("|", 1)
        info = plain.info(word)
        feats = info[2] if not offset else info[3 + OFFSETS.index(int(offset))]
        assert attr == merged_attr(word, int(offset or 0))
        want = [0.0] * len(crf.labels)
        for f in feats:
            for label, w in crf.state[index[f]]:
                want[label] += w
        got = dict(crf.state[index[attr]])
        assert [got.get(k, 0.0) for k in range(len(crf.labels))] == pytest.approx(want, abs=1e-12)
