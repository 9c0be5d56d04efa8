"""The outside knowledge of issue 13: the dev tail, name-token lists, names mined from the kit's
Wikipedia corpora, domain-augmented training on an outside corpus, cross-validation recorded for
`khabar eval entities`."""

from __future__ import annotations

import gzip
import json

from khabar import cli
from khabar.entities import name_tokens, outside_names
from khabar.entities._paths import beside
from khabar.entities.features import sentence_features
from khabar.entities.gazetteer import names_from
from khabar.entities.tagger import Model, prepare
from khabar.entities.training import corpus, evaluate, kit_names, train
from khabar.entities.training.corpus import Sentence
from khabar.text import normalize_word


def _feats(words: list[str], **kw) -> list[list[str]]:
    return sentence_features(prepare(words), lexicon=names_from([]), **kw)


def test_dev_split_is_the_contiguous_tail_of_the_corpus():
    sents = corpus.load()
    train_set, dev = corpus.split(sents)
    assert len(dev) == len(sents) // 6 and train_set + dev == sents
    ids = [int(s.id.rsplit("-", 1)[1]) for s in dev]
    assert ids == list(range(ids[0], ids[0] + len(ids)))  # later stories, in order, none missing
    assert ids[0] > max(int(s.id.rsplit("-", 1)[1]) for s in train_set)


def test_name_token_flags_come_from_anetac_and_wikidata():
    assert "P" in name_tokens.flags(normalize_word("فانيلا"))  # an ANETAC person only
    assert name_tokens.flags(normalize_word("موغيريني")).startswith("w")  # Wikidata only
    assert name_tokens.flags("كلمهلاتوجد") == ""
    own = _feats(["قال", "موغيريني"])[1]
    assert any(f.startswith("nt=") for f in own) and any(f.startswith("ntz=") for f in own)
    assert any(f.startswith("-1nt=") for f in _feats(["موغيريني", "قالت"])[1])  # seen from a neighbour


def test_name_token_table_matches_a_build_from_the_kit():
    assert name_tokens.TABLE.read_bytes() == kit_names.build_name_tokens()


def test_outside_names_are_typed_and_cut_at_wikipedia_brackets():
    rows = kit_names.outside_rows(
        [
            ("w-1", ["فوربس", "(", "مجلة", ")"], ["B-ORG", "I-ORG", "I-ORG", "I-ORG"]),
            ("w-2", ["زار", "الأمن", "باريس"], ["O", "B-ORG", "B-LOC"]),
            ("w-3", ["قال", "الأمن", "و", "الأمن"], ["O", "O", "O", "O"]),
        ]
    )
    assert ["ORG", "فوربس"] in rows and ["LOC", "باريس"] in rows
    assert ["ORG", "الامن"] not in rows  # labelled in one of three occurrences: a common word


def test_outside_names_give_a_feature_and_hold_many_organisations():
    lex = outside_names.lexicon()
    types = [e.category for e in lex.entries.values()]
    assert types.count("ORG") > 3000 and types.count("PERS") > 3000
    [m] = [m for m in lex.match(prepare(["المنظمة", "العربية", "لحقوق", "الإنسان"])) if m.end - m.start == 4]
    assert m.entry.category == "ORG"
    feats = _feats(["زار", "المنظمة", "العربية", "لحقوق", "الإنسان"])
    assert "x=B-ORGm" in feats[1] and "x=I-ORGm" in feats[2] and "1x=B-ORGm" in feats[0]


def test_outside_organisations_are_also_listed_as_news_names_them():
    rows = kit_names.outside_rows(
        [
            ("w-1", prepare(["نادي", "المولودية", "الوجدية"]), ["B-ORG", "I-ORG", "I-ORG"]),
            ("w-2", prepare(["نادي", "اتحاد", "طنجة", "الرياضي"]), ["B-ORG", "I-ORG", "I-ORG", "I-ORG"]),
            ("w-3", prepare(["شركة", "دانابتروليوم"]), ["B-ORG", "I-ORG"]),
            ("w-4", prepare(["حزب", "الله"]), ["B-ORG", "I-ORG"]),
            ("w-5", prepare(["جامعة", "كامبردج"]), ["B-ORG", "I-ORG"]),
        ]
    )
    names = {" ".join(r[1:]): r[0] for r in rows}
    assert names[normalize_word("المولودية") + " " + normalize_word("الوجدية")] == "ORG"  # no نادي
    assert names[normalize_word("اتحاد") + " " + normalize_word("طنجة")] == "ORG"  # no نادي, no الرياضي
    assert names[normalize_word("دانابتروليوم")] == "ORG"  # a word rare in general Arabic: kept alone
    assert normalize_word("الله") not in names  # a common word is never an organisation alone
    assert normalize_word("كامبردج") not in names  # after جامعة comes a place: not a head we drop
    assert len(rows) == 5 + 5  # also نادي اتحاد طنجة and اتحاد طنجة الرياضي


def test_outside_priors_say_how_wikipedia_labels_a_word():
    ford = outside_names.priors(normalize_word("فورد"))
    assert ford and all(f.startswith("op=") for f in ford) and any("ORG" in f for f in ford)
    assert outside_names.priors(normalize_word("قال")) == ()  # labelled in under a tenth of its uses
    assert set(ford) <= set(_feats(["قال", "فورد"])[1])
    rows = gzip.decompress(outside_names.PRIORS.read_bytes()).decode("utf-8").split("\n")
    assert len(rows) > 10_000 and rows == sorted(rows)


def test_cluster_features_are_given_for_known_words_only():
    [feats] = _feats(["تونس"])
    assert sum(f.startswith(("k0=", "k1=", "k2=")) for f in feats) == 3
    [feats] = _feats(["كلمهلاتوجد"])
    assert not any(f.startswith("k0=") for f in feats)


def test_outside_corpus_features_are_domain_augmented():
    sents = [Sentence("w-1", ["زار", "بوتين", "موسكو"], ["O", "B-PERS", "B-LOC"])]
    lexicon = names_from([])
    plain = train.featurize(sents, lexicon, [lexicon] * kit_names.FOLDS)[0]
    aug = train.featurize_extra(sents, "wikifane", lexicon, [lexicon] * kit_names.FOLDS)[0]
    for p, a in zip(plain, aug, strict=True):
        assert a == [*p, *("wikifane:" + f for f in p)]


def test_training_with_an_outside_corpus_uses_its_features(tmp_path):
    news = [Sentence(f"t-{k}", prepare(["قال", "الرئيس", "زيدان"]), ["O", "O", "B-PERS"]) for k in range(6)]
    wiki = [Sentence(f"w-{k}", ["ولد", "شيراك", "في", "باريس"], ["O", "B-PERS", "O", "B-LOC"]) for k in range(6)]
    model = tmp_path / "m.crfsuite"
    train.train(news, model, c1=0.0, max_iter=30, extra={"wikifane": wiki})
    attrs = Model(model).attrs
    assert any(a.startswith("wikifane:") for a in attrs)  # the corpus's own copies got weights
    assert "w=باريس" in attrs  # and the shared copies too


def test_cross_validation_is_recorded_for_eval_entities(tmp_path, monkeypatch, capsys):
    kit = tmp_path / "kit"
    (kit / "data" / "anercorp").mkdir(parents=True)
    people = ["زيدان", "شيراك", "بلير", "كلينتون"]
    rows = [
        {
            "id": f"train-{k}",
            "tokens": ["قال", "الرئيس", people[k % 4], "في", "تونس"],
            "tags": ["O", "O", "B-PERS", "O", "B-LOC"],
        }
        for k in range(120)
    ]
    (kit / "data" / "anercorp" / "train.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    monkeypatch.setenv("KHABAR_SHARED", str(kit))
    out = tmp_path / "m.crfsuite"
    assert cli.main(["train-ner", "--out", str(out), "--max-iter", "30"]) == 0
    meta = json.loads(beside(out, "meta.json").read_text(encoding="utf-8"))
    assert meta["dev_held_out"]["micro"]["gold"] == 2 * (120 // 6) and "cv" not in meta
    assert cli.main(["train-ner", "--cv", "2", "--jobs", "1", "--out", str(out), "--max-iter", "30"]) == 0
    meta = json.loads(beside(out, "meta.json").read_text(encoding="utf-8"))
    assert meta["cv"]["folds"] == 2 and meta["cv"]["micro"]["gold"] == 240 and "dev_held_out" in meta
    capsys.readouterr()
    monkeypatch.setattr(
        evaluate,
        "eval_seed",
        lambda gold, text: {
            "surfaces_found": 0,
            "surfaces": 0,
            "entities_unified": 0,
            "entities": 0,
            "mention_precision": 0,
            "missing": [],
            "not_unified": [],
            "extra": [],
        },
    )
    monkeypatch.setattr(evaluate, "load_seed", lambda: ({}, ""))
    assert cli.main(["eval", "entities", "--model", str(out)]) == 0
    text = capsys.readouterr().out
    assert "dev tail, held out at training" in text and "2-fold cross-validation" in text
