"""Offset-preserving normalisation, sentences and clitic stems."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from khabar.text import _SENT_END, arabic_ratio, clitic_stems, normalize, normalize_word, sentence_spans


def test_normalised_spans_map_back_to_the_original() -> None:
    original = "قالَ الرئيسُ إنّ الصادراتِ بلغت ٨٣٫٧ مليار دولار في أوراسيا"
    norm = normalize(original)
    assert "٨" not in norm.text and "83" in norm.text  # Arabic-Indic digits → ASCII
    assert "اوراسيا" in norm.text  # hamza-alef unified, diacritics gone
    i = norm.text.index("اوراسيا")
    s, e = norm.span(i, i + len("اوراسيا"))
    assert original[s:e] == "أوراسيا"
    i = norm.text.index("الرئيس")
    s, e = norm.span(i, i + len("الرئيس"))
    assert original[s:e] == "الرئيسُ"[:-1]  # the trailing diacritic belongs to the next span


@given(st.text(alphabet=st.sampled_from(list("ابتثجأإآىةـَُِّْ ٠١٢.،\n abc")), max_size=60))
def test_offsets_are_monotonic_and_in_range(text: str) -> None:
    norm = normalize(text)
    assert len(norm.offsets) == len(norm.text) + 1
    assert list(norm.offsets) == sorted(norm.offsets)
    assert all(0 <= o <= len(text) for o in norm.offsets)


# Every code point the table may rewrite (Latin-1, the Arabic blocks, presentation forms, general
# punctuation, controls that are dropped) plus plain letters and spaces.
_REWRITTEN = st.one_of(
    st.characters(min_codepoint=0x00A0, max_codepoint=0x00FF),
    st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
    st.characters(min_codepoint=0xFB50, max_codepoint=0xFEFF),
    st.characters(min_codepoint=0x2000, max_codepoint=0x206F),
    st.sampled_from(list("ab \u200c\u200f")),
)


@given(st.text(alphabet=_REWRITTEN, max_size=40))
def test_normalize_word_is_normalize_without_offsets(word: str) -> None:
    assert normalize_word(word) == normalize(word).text


@given(st.text(alphabet=st.sampled_from(list("ab1٢.!?؟|\n \t")), max_size=60))
def test_sentence_ends_as_the_plain_pattern_reads(text: str) -> None:
    # _SENT_END is the plain pattern reordered for speed: the same ends everywhere.
    plain = re.compile(r"(?<!\d)[.!?؟](?!\d)|\n+|[|]\s*$", re.M)
    assert [m.span() for m in _SENT_END.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_sentence_spans_keep_decimals_together() -> None:
    text = "بلغت الصادرات 83.7 مليار دولار. وقال الوزير إن النمو جيد!\nسطر جديد"
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["بلغت الصادرات 83.7 مليار دولار.", "وقال الوزير إن النمو جيد!", "سطر جديد"]


def test_clitic_stems_offer_candidates_longest_first() -> None:
    assert clitic_stems(normalize_word("وبالدولار")) == ["وبالدولار", "بالدولار", "الدولار", "دولار"]
    assert clitic_stems("للاتحاد") == ["للاتحاد", "الاتحاد", "اتحاد"]
    assert clitic_stems("بوتين")[0] == "بوتين"


def test_arabic_ratio() -> None:
    assert arabic_ratio("مرحبا بالعالم") == 1.0
    assert arabic_ratio("hello world") == 0.0
    assert arabic_ratio("123 ...") == 0.0


def test_shipped_table_equals_a_fresh_camel_tools_build() -> None:
    import json

    from khabar.text import TABLE_PATH, build_table

    assert json.loads(TABLE_PATH.read_text(encoding="utf-8")) == build_table()


def test_normalize_agrees_with_camel_tools_on_the_sample(sample_article) -> None:  # type: ignore[no-untyped-def]
    from camel_tools.utils.dediac import dediac_ar
    from camel_tools.utils.normalize import (
        normalize_alef_ar,
        normalize_alef_maksura_ar,
        normalize_teh_marbuta_ar,
        normalize_unicode,
    )

    text = sample_article.read_text(encoding="utf-8")
    expected = normalize_teh_marbuta_ar(
        normalize_alef_maksura_ar(normalize_alef_ar(dediac_ar(normalize_unicode(text))))
    ).replace("\u0640", "")
    assert normalize(text).text == expected
