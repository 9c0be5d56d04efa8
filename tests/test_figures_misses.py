"""Figures: the last real-news misses (issue 15, part 3), each a general rule.

Lists whose unit is written once, ranges whose low end borrows the high end's scale and currency,
Tunisian dinars with their millimes after a comma, spoken decimals with «فاصل», lengths in metres;
and, next to each rule, what it must leave alone (years, dates, counts, numbers with their own unit).
"""

from __future__ import annotations

import pytest

from khabar.figures import extract_figures, extract_numbers
from khabar.models import Figure


def _triples(text: str) -> list[tuple[str, float, str]]:
    return [(f.kind, f.value, f.unit) for f in extract_figures(text)]


def _values(figs: list[Figure]) -> list[float]:
    return [f.value for f in figs]


# --- 1. a list whose unit is written once ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("سجلت القطاعات الثلاثة نموا بنسبة 4.7 و5.7 و6.8 بالمائة", [4.7, 5.7, 6.8]),
        ("بلغت حصة الفلاحة والصناعة 12 و31 بالمائة على التوالي", [12.0, 31.0]),
        ("تقدر الزيادة ب 2.5 و 0.4 في المائة على التوالي", [2.5, 0.4]),
        ("تراوحت الخسائر في حدود 3 او 4 بالمائة", [3.0, 4.0]),
        ("بيعت التذاكر ب 30 و45 و90 دينارا", [30.0, 45.0, 90.0]),
    ],
)
def test_list_before_one_unit_takes_it(text: str, expected: list[float]) -> None:
    figs = extract_figures(text)
    assert _values(figs) == [pytest.approx(v) for v in expected]
    assert len({(f.kind, f.unit) for f in figs}) == 1
    assert all(f.range_role is None for f in figs)  # a list, not a range
    assert all(text[f.start : f.end] == f.text for f in figs)


def test_list_members_take_the_scale_and_share_the_context() -> None:
    figs = extract_figures("ارتفعت صادرات البلدين إلى 3 و7 مليارات دولار")
    assert [(f.kind, f.value, f.unit) for f in figs] == [("money", 3e9, "USD"), ("money", 7e9, "USD")]
    assert [(f.metric, f.direction) for f in figs] == [("exports", "up"), ("exports", "up")]
    pcts = extract_figures("ارتفع النمو بنسبة 4.7 و5.7 و6.8 بالمائة")
    assert {(f.metric, f.direction) for f in pcts} == {("growth", "up")}
    assert pcts[1].text == "5.7"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("خصصت الدولة 28 مليار دينار للصناعة و12 للخدمات", [("money", 28e9, "TND"), ("money", 12e9, "TND")]),
        (
            "رصدت 6 ملايين دينار لولاية صفاقس و4 لولاية سوسة و2.5 لولاية قابس",
            [("money", 6e6, "TND"), ("money", 4e6, "TND"), ("money", 2.5e6, "TND")],
        ),
        ("قدرت المنحة بـ 300 دينار للطالب و150 للتلميذ", [("money", 300.0, "TND"), ("money", 150.0, "TND")]),
        (
            "نما الإنتاج بنسبة 5 بالمائة في القطاع العام و3 في القطاع الخاص",
            [("percent", 5.0, "%"), ("percent", 3.0, "%")],
        ),
        (
            "استثمرت 2 مليار يورو في الطاقة و800 مليون في النقل",
            [("money", 2e9, "EUR"), ("money", 800e6, "EUR")],  # its own scale is kept
        ),
        ("أقرضت 40 مليون دينار كويتي للحكومة، و25 للبلديات", [("money", 40e6, "KWD"), ("money", 25e6, "KWD")]),
    ],
)
def test_later_bare_number_with_the_same_preposition_takes_the_unit(
    text: str, expected: list[tuple[str, float, str]]
) -> None:
    assert _triples(text) == [(k, pytest.approx(v), u) for k, v, u in expected]


def test_later_bare_number_shares_the_context_and_spans_only_the_number() -> None:
    text = "ارتفعت الاستثمارات إلى 28 مليار دينار للصناعة و12 للخدمات"
    first, second = extract_figures(text)
    assert second.text == "12" and text[second.start : second.end] == "12"
    assert (second.metric, second.direction) == (first.metric, first.direction) == ("investment", "up")


@pytest.mark.parametrize(
    "text",
    [
        "خصصت الدولة 28 مليار دينار للصناعة و12 شهرا للإنجاز",  # a count with its own noun
        "خصصت الدولة 28 مليار دينار للصناعة و2017 للخدمات",  # a year
        "خصصت الدولة 28 مليار دينار للصناعة و12 في الخدمات",  # another preposition
        "خصصت الدولة 28 مليار دينار من الميزانية و12 من العمال",  # the partitive «من»
        "خصصت الدولة 28 مليار دينار للصناعة في 2016 و12 للخدمات",  # a number between them
        "خصصت الدولة 3 مليارات و500 مليون دينار للصناعة و12 للخدمات",  # several groups: which scale?
    ],
)
def test_later_bare_number_is_left_alone(text: str) -> None:
    assert [f.text for f in extract_figures(text)][1:] == []


def test_later_number_with_its_own_unit_keeps_it() -> None:
    assert _triples("بلغت 28 مليار دينار للصناعة و12 بالمائة للخدمات") == [
        ("money", 28e9, "TND"),
        ("percent", 12.0, "%"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "خلال سنتي 2015 و2016 بلغت النسبة",
        "يومي 27 و28 ماي 2016",
        "على الساعة 12 و40 دقيقة",
        "سجلت 110 اعتداءات في منوبة و50 في بن عروس",
        "الطريقان 843 و848 بولاية سوسة",
        "خلال الفترة ما بين 2011 و2015",
        "حجز 12 شهرا و5 أيام",
    ],
)
def test_years_dates_and_counts_do_not_become_figures(text: str) -> None:
    assert extract_figures(text) == []


def test_a_year_never_borrows_a_unit() -> None:
    assert _triples("نزلت النسبة خلال 2015 و43 بالمائة") == [("percent", 43.0, "%")]
    assert _triples("تطورت من 15 بالمائة في 2016 إلى 17 بالمائة") == [("percent", 15.0, "%"), ("percent", 17.0, "%")]
    assert _triples("تراجعت النسبة من 2016 إلى 15،5 بالمائة") == [("percent", 15.5, "%")]


def test_a_sum_in_two_groups_is_not_a_list() -> None:
    # «11 مليون و500 دينار» (11 500 dinars in Tunisian speech) is one sum the number reader leaves
    # in two parts: the million must not become 11 million dinars.
    assert 11e6 not in _values(extract_figures("حجزت حوالي 11 مليون و500 دينار"))


def test_one_and_two_written_as_words_follow_their_noun() -> None:
    assert _triples("أجر مقر واحد إلى 100 ألف دولار") == [("money", 100e3, "USD")]


# --- 2. ranges: the low end takes the high end's scale and currency -------------------------------


@pytest.mark.parametrize(
    ("text", "low", "high", "unit"),
    [
        ("يتوقع أن تبلغ الكلفة 4 الى 5 مليارات دولار", 4e9, 5e9, "USD"),
        ("تتطلب ما بين 4 إلى 5 مليارات دولار", 4e9, 5e9, "USD"),
        ("تتراوح الأجور بين حوالي 180 ألفا و482 ألف دولار", 180e3, 482e3, "USD"),
        ("بين نحو 2 و3 ملايين دينار", 2e6, 3e6, "TND"),
        ("نمو بنسبة 4 الى 5 بالمائة", 4.0, 5.0, "%"),
        ("قد يحصل على 61.5 إلى 63 بالمائة من الأصوات", 61.5, 63.0, "%"),
        ("بين 1،2 و1،5 مليار دينار", 1.2e9, 1.5e9, "TND"),
        ("بين 1،200 و1،500 مليار دينار", 1.2e9, 1.5e9, "TND"),  # before a scale word the comma is decimal
        ("أربعة إلى خمسة مليارات دولار", 4e9, 5e9, "USD"),
    ],
)
def test_range_low_end(text: str, low: float, high: float, unit: str) -> None:
    lo, hi = extract_figures(text)
    assert (lo.value, lo.unit, lo.range_role) == (pytest.approx(low), unit, "low")
    assert (hi.value, hi.unit, hi.range_role) == (pytest.approx(high), unit, "high")
    assert text[lo.start : lo.end] == lo.text


def test_range_low_end_with_its_own_scale_keeps_it() -> None:
    lo, hi = extract_figures("بين حوالي 180 ألفا و482 ألف دولار")
    assert (lo.text, lo.value, hi.value) == ("180 ألفا", 180e3, 482e3)


def test_from_to_is_a_change_without_roles() -> None:
    low, high = extract_figures("ارتفعت من 4 إلى 5 مليارات دولار")
    assert (low.value, high.value) == (4e9, 5e9)
    assert low.range_role is high.range_role is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ارتفع التضخم ب 0.5 الى 3.5 بالمائة", [("percent", 3.5, "%")]),  # by 0.5 (points), to 3.5 %
        ("ارتفعت في 2016 الى 5 مليارات دولار", [("money", 5e9, "USD")]),  # a year is not a low end
        ("انخفضت 7 الى 5 مليارات دولار", [("money", 5e9, "USD")]),  # without من, only a rising range
    ],
)
def test_not_a_range(text: str, expected: list[tuple[str, float, str]]) -> None:
    assert _triples(text) == expected


# --- 3. Tunisian dinars with their millimes -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("ارتفع سعر اللتر إلى 2،308 دينار", 2.308, "TND"),
        ("ارتفع سعر اللتر إلى 2,308 دينارا", 2.308, "TND"),
        ("يبلغ الأجر الأدنى 389,120 دينارا في الشهر", 389.12, "TND"),
        ("بيع الكيلوغرام ب 14،500 د", 14.5, "TND"),
        ("بلغ سعره 1,750 دينار ليبي", 1.75, "LYD"),
        ("ارتفع سعر اللتر إلى 2,308 دولار", 2308.0, "USD"),  # only dinars
        ("بلغ سعره 2،308 دينار جزائري", 2308.0, "DZD"),  # the Algerian dinar has 100 centimes
        ("بلغ سعره 2،308 دينار كويتي", 2308.0, "KWD"),  # Gulf press groups thousands with a comma
        ("بلغت الصادرات 2،308 مليون دينار", 2.308e6, "TND"),  # a scale word: already decimal
        ("بلغت الصادرات 1,234,567 دينار", 1234567.0, "TND"),  # several groups: thousands
        ("بلغ سعره 2،3 دينار", 2.3, "TND"),
        ("بلغ سعره 2٬308 دينار", 2308.0, "TND"),  # the Arabic thousands mark stays thousands
    ],
)
def test_dinar_millimes(text: str, value: float, unit: str) -> None:
    [f] = extract_figures(text)
    assert (f.kind, f.unit) == ("money", unit)
    assert f.value == pytest.approx(value)


def test_dinar_millimes_in_ranges_and_lists() -> None:
    assert _values(extract_figures("ليرتفع الأجر من 12,960 إلى 13,693 دينارا في اليوم")) == [12.96, 13.693]
    assert _values(extract_figures("بلغ السعر 1،250 و1،400 دينار")) == [1.25, 1.4]


# --- 4. spoken decimals with «فاصل» ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("نسبة النمو 5 فاصل 7 بالمائة", 5.7),
        ("نسبة النمو خمسة فاصل سبعة بالمائة", 5.7),
        ("نسبة البطالة 15 فاصلة 3 في المائة", 15.3),
        ("نسبة التضخم خمسة فاصل 25 بالمائة", 5.25),
        ("عجز بقيمة 2 فاصلة 05 مليار دولار", 2.05e9),
        ("بلغت سالب 1 فاصل 5 بالمائة", -1.5),
    ],
)
def test_spoken_decimal(text: str, value: float) -> None:
    [f] = extract_figures(text)
    assert f.value == pytest.approx(value)
    assert "فاصل" in f.text


def test_spoken_decimal_needs_a_plain_fraction() -> None:
    assert [n[3] for n in extract_numbers("5 فاصل 7.2")] == [5.0, 7.2]
    assert [n[3] for n in extract_numbers("الحد الفاصل 5")] == [5.0]


# --- 5. lengths in metres --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("جسر بطول 600 متر", 600.0, "meter"),
        ("جسر بطول 600 مترا", 600.0, "meter"),
        ("حفرة عمقها ثلاثة أمتار", 3.0, "meter"),
        ("طريق بطول 1.5 كيلومتر", 1.5, "kilometer"),
        ("طريق بطول 5 كيلو مترات", 5.0, "kilometer"),
        ("مساحة 500 كيلومتر مربع", 500.0, "square_kilometer"),
        ("مساحة 120 متر مربع", 120.0, "square_meter"),
        ("مساحة 120 مترا مربعا", 120.0, "square_meter"),
        ("3 مليارات متر مكعب", 3e9, "cubic_meter"),
        ("20 مترا مكعبا", 20.0, "cubic_meter"),
    ],
)
def test_lengths(text: str, value: float, unit: str) -> None:
    [f] = extract_figures(text)
    assert (f.kind, f.unit, f.value) == ("quantity", unit, pytest.approx(value))
