"""Word clusters (data/ner_clusters.tsv.gz) and the WikiFANE clitic joining used to build them."""

from __future__ import annotations

import gzip
import random
from itertools import combinations

import pytest

from khabar.entities.clusters import SIZES, TABLE, cluster_ids, table
from khabar.entities.training.wikifane import join_clitics
from khabar.text import normalize_word

# Words used alike in news: each group should mostly share a coarse (64) cluster.
GROUPS = [
    "جانفي فيفري مارس أفريل ماي جوان جويلية أوت سبتمبر أكتوبر نوفمبر ديسمبر",  # Tunisian month names
    "صفاقس سوسة بنزرت قابس نابل القيروان المنستير المهدية قفصة توزر مدنين جندوبة",  # Tunisian cities
    "فرنسا ألمانيا إيطاليا إسبانيا روسيا الصين اليابان مصر المغرب الجزائر ليبيا العراق",  # countries
    "الاثنين الثلاثاء الأربعاء الخميس الجمعة السبت الأحد",  # week days
]


def test_table_is_small_sorted_and_complete():
    assert TABLE.stat().st_size < 1_500_000
    lines = table()
    assert len(lines) > 20_000
    assert lines == sorted(lines)
    for line in lines[:: len(lines) // 50]:
        word, *ids = line.split("\t")
        assert word and all(0 <= int(c) < k for c, k in zip(ids, SIZES, strict=True))


@pytest.mark.parametrize("word", ["تونس", "وزير", "شركة", "الحكومة", "قال"])
def test_frequent_words_have_ids(word: str):
    ids = cluster_ids(normalize_word(word))
    assert ids is not None and len(ids) == 3


@pytest.mark.parametrize("word", ["زخقثضظ", "xqzw", "", "تونس تونس"])
def test_absent_words_have_none(word: str):
    assert cluster_ids(word) is None


def coarse(word: str) -> int:
    ids = cluster_ids(word)
    assert ids is not None, word
    return ids[0]


def test_related_words_share_coarse_clusters_far_more_often_than_random_pairs():
    # GIVEN groups of related frequent words and random pairs of table words
    pairs = [p for g in GROUPS for p in combinations([coarse(normalize_word(w)) for w in g.split()], 2)]
    words = [line.split("\t", 1)[0] for line in table()]
    rng = random.Random(0)
    rand = [(coarse(rng.choice(words)), coarse(rng.choice(words))) for _ in range(5000)]
    # THEN related pairs share their 64-cluster at least half the time (≈ 0.8 in the shipped
    # table), random pairs seldom (≈ 0.02; 1/64 if clusters were equal)
    assert sum(a == b for a, b in pairs) / len(pairs) >= 0.5
    assert sum(a == b for a, b in rand) / len(rand) < 0.1


def test_join_clitics_glues_wikifane_conjunction_and_suffixes_with_tags():
    tokens = ["و", "تعتبر", "مدينة", "جوبا", "عاصمة", "ها", "و", "ملكال", "،", "الى", "و", "هران", "و"]
    tags = ["O", "O", "O", "B-LOC", "O", "O", "O", "B-LOC", "O", "O", "B-LOC", "I-LOC", "O"]
    words, new_tags = join_clitics(tokens, tags)
    assert words == ["وتعتبر", "مدينة", "جوبا", "عاصمتها", "وملكال", "،", "الى", "وهران", "و"]
    assert new_tags == ["O", "O", "B-LOC", "O", "B-LOC", "O", "O", "B-LOC", "O"]


def test_join_clitics_without_tags_leaves_lone_clitics_alone():
    assert join_clitics(["ها", "،", "و", "1990", "و", "هم"], None) == (["ها", "،", "و", "1990", "وهم"], None)
    assert join_clitics([], None) == ([], None)


def test_table_is_gzipped_without_a_timestamp():
    # mtime 0: a rebuild gives the same bytes, and git sees no change
    assert TABLE.read_bytes()[4:8] == b"\0\0\0\0"
    assert gzip.decompress(TABLE.read_bytes()).decode("utf-8").split("\n") == table()
