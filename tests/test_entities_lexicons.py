"""The tagger's outside knowledge: word frequencies, GeoNames places, the names seen in training,
and tag propagation for `khabar tag`."""

from __future__ import annotations

import gzip
import json

from khabar import cli
from khabar.entities._paths import MODEL_PATH, beside
from khabar.entities.bio import chunks
from khabar.entities.extract import _sentence_mentions, extract_entities
from khabar.entities.features import sentence_features
from khabar.entities.gazetteer import gazetteer, names_from
from khabar.entities.propagate import fix_spans, propagate_tags, split_coordinated
from khabar.entities.tagger import Model, model_attrs, prepare, read_attrs
from khabar.entities.training import train
from khabar.entities.training.corpus import Sentence
from khabar.entities.zipf import table, zipf
from khabar.text import normalize, normalize_word, token_spans


def test_zipf_table_ranks_common_words_above_rare_names():
    assert len(table()) > 100_000
    assert zipf("في") > 6.5 > zipf("شركه") > 5 > zipf(normalize_word("زيورخ")) > 3
    assert zipf("اتيجالي") == 0  # absent: a rare transliterated name


def test_zipf_features_expose_the_article_asymmetry_of_proper_names():
    def own(word: str) -> dict[str, str]:
        [feats] = sentence_features(prepare([word]), lexicon=names_from([]))
        return dict(f.split("=", 1) for f in feats if f[:3] in ("zw=", "zs=", "za="))

    assert own("موسكو")["za"] == "-3"  # Moscow is never written with ال
    assert own("الأندلس")["za"] == "2"  # al-Andalus is rarely written without it
    assert own("البرنامج")["za"] in ("0", "-1", "1")  # a common noun takes both
    assert own("أتيجالي") == {"zw": "0", "zs": "0", "za": "none"}


def test_geonames_cities_are_weak_places_with_ids():
    [m] = gazetteer().match([normalize_word("زيورخ")])
    assert (m.entry.canonical_id, m.entry.category, m.entry.weak) == ("loc:zurich_ch", "GN", True)
    [m] = gazetteer().match(prepare(["بلنسية"]))
    assert m.entry.canonical_id.startswith("loc:valencia_")
    # curated entries keep precedence over GeoNames
    [m] = gazetteer().match(prepare(["القاهرة"]))
    assert m.entry.category != "GN" and not m.entry.weak


def _mentions(words: list[str], tags: list[str]):
    nt = normalize(" ".join(words)).text
    spans = token_spans(nt)
    ws = [nt[a:b] for a, b in spans]
    return _sentence_mentions(spans, ws, gazetteer().match(ws), tags, __import__("collections").Counter(ws))


def test_a_geonames_name_types_only_spans_tagged_as_places():
    words = ["وصل", "زيورخ", "أمس"]
    [loc] = _mentions(words, ["O", "B-LOC", "O"])
    assert (loc.type, loc.entry.canonical_id) == ("LOCATION", "loc:zurich_ch")
    [per] = _mentions(words, ["O", "B-PERS", "O"])  # a person who shares a city's name stays a person
    assert per.type == "PERSON" and per.entry is None
    assert _mentions(words, ["O", "O", "O"]) == []  # weak: never an entity on its own


def _sentence(sid: str, tokens: str, tags: str) -> Sentence:
    return Sentence(sid, tokens.split(), tags.split())


def test_training_names_keep_mostly_labelled_words_and_multiword_names():
    sents = [
        _sentence("t-1", "قال جورج بوش إن", "O B-PERS I-PERS O"),
        _sentence("t-2", "وزار بوش مصر", "O B-PERS B-LOC"),
        _sentence("t-3", "في مصر", "O B-LOC"),
        _sentence("t-4", "الأمل كبير", "B-ORG O"),
        _sentence("t-5", "الأمل والعمل الأمل", "O O O"),
    ]
    rows = train.training_names(sents)
    assert ["PERS", "جورج", "بوش"] in rows and ["PERS", "بوش"] in rows and ["LOC", "مصر"] in rows
    assert not any(r[1:] == [normalize_word("الأمل")] for r in rows)  # labelled once in three


def test_featurize_jackknifes_the_training_names(monkeypatch):
    monkeypatch.setattr(train, "_jackknife_fold", lambda sid: int(sid[-1]) % train.JACKKNIFE)
    sents = [_sentence(f"t-{k}", "قال زيدان", "O B-PERS") for k in range(2)]
    sents.append(_sentence("t-2", "قال عبدالودود", "O B-PERS"))  # its only sighting is its own fold
    feats = train.featurize(sents)
    assert "n=B-PERS1" in feats[0][1] and "n=B-PERS1" in feats[1][1]  # seen in the other fold
    assert not any(f.startswith("n=") for f in feats[2][1])
    [given] = train.featurize(sents[2:], lexicon=names_from([["PERS", "عبدالودود"]]))
    assert "n=B-PERS1" in given[1]


def test_a_model_reads_the_names_written_beside_it(tmp_path):
    model = tmp_path / "m.crfsuite"
    sents = [_sentence(f"t-{k}", "قال الرئيس زيدان في تونس", "O O B-PERS O B-LOC") for k in range(8)]
    train.train(sents, model, max_iter=20)
    rows = json.loads(beside(model, "names.json").read_text(encoding="utf-8"))["names"]
    assert ["PERS", "زيدان"] in rows and ["LOC", "تونس"] in rows
    assert ("زيدان",) in Model(model).lexicon.entries
    assert beside(model, "attrs.gz").exists() and Model(model).attrs == model_attrs(model)


def test_saved_attributes_are_used_only_for_their_own_model(tmp_path):
    assert read_attrs(MODEL_PATH) == model_attrs(MODEL_PATH)  # the shipped list is current
    model = tmp_path / "m.crfsuite"
    sents = [_sentence(f"t-{k}", "قال الرئيس زيدان في تونس", "O O B-PERS O B-LOC") for k in range(8)]
    train.train(sents, model, max_iter=20)
    saved = beside(model, "attrs.gz").read_bytes()
    train.train(sents[:4] + [_sentence("t-9", "زار شيراك باريس", "O B-PERS B-LOC")], model, max_iter=20)
    beside(model, "attrs.gz").write_bytes(saved)  # a list left over from the previous model
    stale = frozenset(gzip.decompress(saved).decode("utf-8").split("\n")[1:])
    assert stale != model_attrs(model)
    assert read_attrs(model) == model_attrs(model)  # the digest no longer matches: crfsuite is asked


def test_attributes_with_negligible_weights_are_not_handed_to_crfsuite():
    import pycrfsuite

    from khabar.entities.features import Kept, window_docs
    from khabar.entities.tagger import MIN_WEIGHT
    from khabar.entities.training import corpus

    tagger = pycrfsuite.Tagger()
    tagger.open(str(MODEL_PATH))
    weights = tagger.info().state_features
    every = frozenset(a for a, _ in weights)
    kept = model_attrs(MODEL_PATH)
    assert kept < every and len(kept) > 0.8 * len(every)  # a minority is left out
    assert all(abs(w) < MIN_WEIGHT for (a, _), w in weights.items() if a not in kept)
    # and the tags of held-out news barely change: the dev tail's first 300 sentences
    sents = corpus.split(corpus.load())[1][:300]
    words = [prepare(s.tokens) for s in sents]
    pruned, full = Model(MODEL_PATH), Model(MODEL_PATH)
    full.attrs, full.kept = every, Kept(every, as_bytes=True)
    full.info = full.kept.info
    same = total = 0
    for w, s, d in zip(words, sents, window_docs(words), strict=True):
        a, b = pruned.tag(w, None, s.tokens, d), full.tag(w, None, s.tokens, d)
        same += sum(x == y for x, y in zip(a, b, strict=True))
        total += len(a)
    assert same / total > 0.999


def test_propagate_tags_copies_names_within_the_window_only():
    sentences = [["قال", "شيراك"], ["وشيراك", "زار"], ["بن", "بن"], ["x"] * 1, ["ثم", "شيراك"]]
    tags = [["O", "B-PERS"], ["O", "O"], ["B-PERS", "O"], ["O"], ["O", "O"]]
    out = propagate_tags(sentences, tags, window=2)
    assert out[1] == ["B-PERS", "O"]  # clitic و is part of the token, as ANERcorp tags it
    assert out[2] == ["B-PERS", "O"]  # a name of under three letters without clitics is never copied
    assert out[4] == ["O", "O"]  # four sentences away: outside the window
    assert propagate_tags(sentences, tags, window=4)[4] == ["O", "B-PERS"]


def test_train_ner_cross_validation_reports_pooled_scores(tmp_path, monkeypatch, capsys):
    kit = tmp_path / "kit"
    (kit / "data" / "anercorp").mkdir(parents=True)
    people = ["زيدان", "شيراك", "بلير", "كلينتون", "مبارك", "عرفات", "بوتين", "ميركل"]
    places = ["تونس", "باريس", "لندن", "القاهرة"]
    rows = [
        {
            "id": f"train-{k}",
            "tokens": ["قال", "الرئيس", people[k % 8], "في", places[k % 4]],
            "tags": ["O", "O", "B-PERS", "O", "B-LOC"],
        }
        for k in range(200)
    ]
    (kit / "data" / "anercorp" / "train.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    monkeypatch.setenv("KHABAR_SHARED", str(kit))
    out = tmp_path / "m.crfsuite"
    assert cli.main(["train-ner", "--cv", "2", "--jobs", "1", "--out", str(out), "--max-iter", "30"]) == 0
    text = capsys.readouterr().out
    assert "fold 0:" in text and "fold 1:" in text and "2-fold cross-validation, pooled" in text
    micro = next(line for line in text.splitlines() if line.strip().startswith("micro"))
    assert "F1=1.0000" in micro  # a pattern this regular is learnt exactly
    assert not list(tmp_path.glob("m.cv*"))  # fold models are cleaned up


def test_a_person_span_never_ends_in_a_number_and_numbers_are_not_surnames():
    [per] = _mentions(["وقال", "هشام", "2016"], ["O", "B-PERS", "I-PERS"])
    assert per.words == ["هشام"]
    # «موفى 2016» (Tunisian 'end of 2016') tagged as a person: the time word is trimmed, nothing is left
    assert _mentions(["إلى", "موفى", "2016"], ["O", "B-PERS", "I-PERS"]) == []


def test_person_spans_split_at_a_coordinated_name():
    words = [prepare(["بين", "واين", "وكريستيانو"]), prepare(["قال", "محمد", "وليد"])]
    tags = [["O", "B-PERS", "I-PERS"], ["O", "B-PERS", "I-PERS"]]
    out = split_coordinated(words, tags)
    assert out[0] == ["O", "B-PERS", "B-PERS"]  # و + كريستيانو: a second person
    assert out[1] == ["O", "B-PERS", "I-PERS"]  # وليد is a name, not و + ليد
    assert split_coordinated([prepare(["الاتحاد", "والتجارة"])], [["B-ORG", "I-ORG"]]) == [["B-ORG", "I-ORG"]]


def test_organisation_spans_split_at_a_coordinated_organisation_head():
    words = prepare(["البنك", "الوطني", "والشركة", "التونسية", "وبنك", "الإسكان"])
    [out] = split_coordinated([words], [["B-ORG"] + ["I-ORG"] * 5])
    assert chunks(out) == [("ORG", 0, 2), ("ORG", 2, 4), ("ORG", 4, 6)]
    # an organisation is not split at و + a word that is no organisation head
    assert split_coordinated([prepare(["البنك", "الدولي", "للإنشاء", "والتعمير"])], [["B-ORG"] + ["I-ORG"] * 3]) == [
        ["B-ORG", "I-ORG", "I-ORG", "I-ORG"]
    ]


def test_a_quoted_name_after_an_organisation_head_is_an_organisation():
    words = prepare(["قررت", "شركة", "النفط", "البريطانية", '"', "بيتروفاك", '"', "إيقاف", "نشاطها"])
    tags = ["O"] * 5 + ["B-PERS"] + ["O"] * 3
    [out] = fix_spans([words], [tags])
    assert chunks(out) == [("ORG", 5, 6)]
    # a quoted person after a reporting verb stays a person; so does one too far from the head
    said = prepare(["وقال", '"', "بوتين", '"'])
    assert fix_spans([said], [["O", "O", "B-PERS", "O"]]) == [["O", "O", "B-PERS", "O"]]
    far = prepare(["شركة", "في", "العاصمة", "الروسية", "قال", '"', "بوتين", '"'])
    assert chunks(fix_spans([far], [["O"] * 6 + ["B-PERS", "O"]])[0]) == [("PERS", 6, 7)]


def test_currency_names_are_never_entities():
    text = "وهوى الدولار نحو 1.5 بالمئة أمام الين الياباني وارتفع الفرنك السويسري."
    assert not [e for e in extract_entities(text) if e.text in ("الين", "الفرنك", "الدولار")]
    assert _mentions(["أمام", "والين"], ["O", "B-ORG"]) == []
    [wayne] = _mentions(["قال", "وين"], ["O", "B-PERS"])  # و + ين is a name here, not 'and yen'
    assert wayne.type == "PERSON"


def test_a_month_glued_to_its_year_is_never_a_name():
    assert _mentions(["في", "جوان2015"], ["O", "B-PERS"]) == []
    [org] = _mentions(["منذ", "سبتمبر2016", "فيتش", "رايتنغ"], ["O", "B-ORG", "I-ORG", "I-ORG"])
    assert org.words == ["فيتش", "رايتنغ"]
