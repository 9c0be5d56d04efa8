"""Figures: money, percentages, quantities, ranges, context, and what is not a figure."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khabar.figures import extract_figures
from khabar.kit import kit_dir
from khabar.models import Figure

SHARED = kit_dir()


def _triples(text: str) -> list[tuple[str, float, str]]:
    return [(f.kind, f.value, f.unit) for f in extract_figures(text)]


def _only(text: str) -> Figure:
    figs = extract_figures(text)
    assert len(figs) == 1, figs
    return figs[0]


@pytest.mark.parametrize(
    ("text", "value", "iso"),
    [
        ("بلغت 83.7 مليار دولار", 83.7e9, "USD"),
        ("بقيمة مليار دولار", 1e9, "USD"),
        ("دفع 5 دولارات", 5.0, "USD"),
        ("كلف 40 دولارا", 40.0, "USD"),
        ("نحو 3 ملايين دولار أمريكي", 3e6, "USD"),
        ("ملياري دولار", 2e9, "USD"),
        ("ثلاثة مليارات يورو", 3e9, "EUR"),
        ("850 مليون أورو", 850e6, "EUR"),
        ("100 جنيه إسترليني", 100.0, "GBP"),
        ("مليون جنيه استرليني", 1e6, "GBP"),
        ("50 جنيها مصريا", 50.0, "EGP"),
        ("10 ريالات سعودية", 10.0, "SAR"),
        ("5 ملايين ريال قطري", 5e6, "QAR"),
        ("50 ريالا عمانيا", 50.0, "OMR"),
        ("مليون ريال إيراني", 1e6, "IRR"),
        ("عشرة آلاف تومان", 1e5, "IRR"),
        ("20 درهما إماراتيا", 20.0, "AED"),
        ("30 درهم مغربي", 30.0, "MAD"),
        ("5 دنانير كويتية", 5.0, "KWD"),
        ("7 ملايين دينار أردني", 7e6, "JOD"),
        ("دينار بحريني", None, None),
        ("3 مليارات دينار عراقي", 3e9, "IQD"),
        ("117,901 مليون دينار تونسي", 117.901e6, "TND"),
        ("500 مليار دينار جزائري", 500e9, "DZD"),
        ("مليون دينار ليبي", 1e6, "LYD"),
        ("ألف ليرة تركية", 1000.0, "TRY"),
        ("مليار ليرة لبنانية", 1e9, "LBP"),
        ("2000 ليرة سورية", 2000.0, "SYP"),
        ("مليون روبل", 1e6, "RUB"),
        ("10 مليارات يوان", 10e9, "CNY"),
        ("500 مليار ين", 500e9, "JPY"),
        ("مليون روبية هندية", 1e6, "INR"),
        ("20 فرنكا سويسريا", 20.0, "CHF"),
        ("$5", 5.0, "USD"),
        ("5$", 5.0, "USD"),
        ("US$ 20", 20.0, "USD"),
        ("€15", 15.0, "EUR"),
        ("£3 مليارات", 3e9, "GBP"),
        ("USD 7", 7.0, "USD"),
        ("1650 مليما", 1.65, "TND"),
        ("194,647 م د", 194.647e6, "TND"),
        ("500 أد", 500e3, "TND"),
        ("بـ3 ملايين دولار", 3e6, "USD"),
    ],
)
def test_money(text: str, value: float | None, iso: str | None) -> None:
    if value is None:  # a currency name with no amount is not a figure
        assert extract_figures(text) == []
        return
    f = _only(text)
    assert (f.kind, f.unit) == ("money", iso)
    assert f.value == pytest.approx(value)
    assert f.text == text[f.start : f.end]


def test_bare_dollar_forms_attach_to_the_number() -> None:
    assert _triples("صرف الدولارات وسعر الدولار") == []
    assert _triples("أنفق 5 ملايين من الدولارات") == [("money", 5e6, "USD")]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("5%", 5.0),
        ("٥٪", 5.0),
        ("12.5 في المائة", 12.5),
        ("12.5 في المئة", 12.5),
        ("3 بالمائة", 3.0),
        ("3 بالمئة", 3.0),
        ("3 بالمية", 3.0),
        ("71،8 بالمائة", 71.8),
        ("3ر5 بالمائة", 5.3),
        ("اثنين بالمائة", 2.0),
        ("نصف بالمئة", 0.5),
        ("عشرين في المئة", 20.0),
        ("ثلاثة وعشرين بالمئة", 23.0),
        ("بنسبة 10", 10.0),
        ("%4,75", 4.75),
        ("سالب خمسة بالمئة", -5.0),
        ("بـ11%", 11.0),
    ],
)
def test_percent(text: str, value: float) -> None:
    f = _only(text)
    assert (f.kind, f.unit) == ("percent", "%")
    assert f.value == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("إنتاج 10 ملايين برميل يوميا", 10e6, "barrel_per_day"),
        ("نصف مليون برميل في اليوم", 5e5, "barrel_per_day"),
        ("صدّر 3 ملايين برميل", 3e6, "barrel"),
        ("200 ألف طن من القمح", 2e5, "ton"),
        ("مليار متر مكعب من الغاز", 1e9, "cubic_meter"),
        ("40 مليار متر مكعب", 40e9, "cubic_meter"),
        ("محطة بقدرة 500 ميغاواط", 500.0, "megawatt"),
        ("2 جيجاوات", 2.0, "gigawatt"),
        ("مليار كيلوواط ساعة", 1e9, "kilowatt_hour"),
        ("رفع الفائدة 50 نقطة أساس", 50.0, "basis_point"),
        ("بـ 50 نقطة أساسية", 50.0, "basis_point"),
        ("تراجع معدل البطالة 2 نقطة مئوية", 2.0, "percentage_point"),
        ("تراجع مؤشر توننداكس بـ 12 نقطة", 12.0, "point"),
        ("9 ملايين قنطار", 9e6, "quintal"),
        ("1000 هكتار", 1000.0, "hectare"),
    ],
)
def test_quantity(text: str, value: float, unit: str) -> None:
    f = _only(text)
    assert (f.kind, f.unit) == ("quantity", unit)
    assert f.value == pytest.approx(value)


@pytest.mark.parametrize(
    "text",
    [
        "عام 2024",
        "عشرة أشهر",
        "9 رؤساء",
        "12 شخصا",
        "321 666 شخصا",
        "خلال 3 أيام",
        "في 25 ديسمبر 2016",
        "5/17/2018",
        "الهاتف 71 123 456",
        "الفصل 52 من الدستور",
        "المرتبة 3",
        "وفر 800 نقطة توزيع",
        "https://www.test.com/search?q=30%25%2020%",
        "أحد البنوك",
        "ملايين الدولارات",
    ],
)
def test_not_figures(text: str) -> None:
    assert extract_figures(text) == []


def test_range_inherits_scale_and_currency() -> None:
    low, high = extract_figures("استثمارات بين 10 و15 مليار دولار")
    assert (low.kind, low.value, low.unit, low.range_role) == ("money", 10e9, "USD", "low")
    assert (high.kind, high.value, high.unit, high.range_role) == ("money", 15e9, "USD", "high")
    assert low.text == "10" and high.text == "15 مليار دولار"
    assert low.metric == high.metric == "investment"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("نمو بين 2.5 و3 بالمائة", [2.5, 3.0]),
        ("ما بين 500 مليون و1.2 مليار دولار", [500e6, 1.2e9]),
        ("ارتفعت من 10 إلى 15 مليار دولار", [10e9, 15e9]),
        ("نسبة 10-15%", [10.0, 15.0]),
    ],
)
def test_ranges(text: str, expected: list[float]) -> None:
    assert [f.value for f in extract_figures(text)] == [pytest.approx(v) for v in expected]


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("ارتفعت الصادرات بنسبة 5%", "up"),
        ("زادت المبيعات 3 بالمائة", "up"),
        ("نما الاقتصاد 2.1%", "up"),
        ("قفزت الأرباح 40%", "up"),
        ("سجلت ارتفاعا بنسبة 4%", "up"),
        ("انخفض التضخم إلى 3%", "down"),
        ("تراجعت الواردات بنسبة 6ر8 بالمائة", "down"),
        ("هبطت الأسهم 2%", "down"),
        ("تقلص العجز بـ 1.5 مليار دولار", "down"),
        ("وسجلت انخفاضا بنسبة 3%", "down"),
        ("بلغت الصادرات 12 مليار دولار", None),
        ("زادت بنسبة 2% وبلغت 83.7 مليار دولار", "up"),
    ],
)
def test_direction(text: str, direction: str | None) -> None:
    assert extract_figures(text)[0].direction == direction


def test_level_after_a_change_has_no_direction() -> None:
    pct, money = extract_figures("زادت بنسبة 2% وبلغت 83.7 مليار دولار")
    assert (pct.direction, money.direction) == ("up", None)


@pytest.mark.parametrize(
    ("text", "metric"),
    [
        ("بلغ حجم التبادل التجاري 5 مليارات دولار", "trade"),
        ("ارتفعت الصادرات بنسبة 5%", "exports"),
        ("تراجعت الواردات بنسبة 3%", "imports"),
        ("بلغ الناتج المحلي الإجمالي 400 مليار دولار", "gdp"),
        ("بلغت نسبة النمو 1.5 بالمائة", "growth"),
        ("استقر التضخم عند 6.4%", "inflation"),
        ("بلغت ميزانية الدولة 35 مليار دينار", "budget"),
        ("بلغ عجز الميزانية 3ر5 بالمائة", "deficit"),
        ("ارتفع الدين العمومي إلى 70%", "debt"),
        ("استثمارات بقيمة 2 مليار يورو", "investment"),
        ("بلغت احتياطيات النقد الأجنبي 12 مليار دولار", "reserves"),
        ("عائدات السياحة بلغت 2.2 مليار دينار", "revenue"),
        ("حققت أرباحا بقيمة 5 ملايين دينار", "profit"),
        ("ارتفع سعر البنزين إلى 1650 مليما", "price"),
        ("بلغ إنتاج النفط مليون برميل يوميا", "production"),
        ("تراجعت نسبة البطالة إلى 15 بالمائة", "unemployment"),
        ("رفع سعر الفائدة إلى 5%", "interest_rate"),
        ("تراجع سعر الصرف بنسبة 3%", "exchange_rate"),
        ("مساعدات بقيمة 100 مليون دولار", "aid"),
        ("قرض بقيمة 500 مليون دولار", "loan"),
        ("بلغت رسملة البورصة 20 مليار دينار", "market_cap"),
    ],
)
def test_metric(text: str, metric: str) -> None:
    assert extract_figures(text)[0].metric == metric


# --- ambiguous currencies -----------------------------------------------------------------------


def test_ambiguous_currency_from_qualifier_first() -> None:
    f = _only("قالت تونس إن القرض 5 ملايين دينار كويتي")
    assert f.unit == "KWD"


def test_ambiguous_currency_from_nearest_country_in_sentence() -> None:
    text = "أقرضت السعودية مصر 3 مليارات ريال."
    [f] = extract_figures(text, countries=[(text.index("السعودية"), "SA"), (text.index("مصر"), "EG")])
    assert f.unit == "SAR"  # Egypt is nearer but does not use the riyal


def test_ambiguous_currency_from_the_passed_countries() -> None:
    text = "قدمت الحكومة 5 ملايين ريال للمشروع."
    assert _only(text).unit == "SAR"  # documented default
    assert extract_figures(text, countries=[(0, "QA")])[0].unit == "QAR"  # most frequent in the article


def test_ambiguous_currency_from_the_article_without_countries() -> None:
    assert _only("أعلن البنك المركزي الأردني أن الاحتياطي بلغ 10 مليارات دينار").unit == "JOD"
    assert _only("قال وزير المالية اللبناني إن العجز بلغ ألف مليار ليرة").unit == "LBP"


@pytest.mark.parametrize(
    ("word", "default"), [("دينار", "TND"), ("ريال", "SAR"), ("درهم", "AED"), ("جنيه", "EGP"), ("ليرة", "TRY")]
)
def test_ambiguous_currency_defaults(word: str, default: str) -> None:
    assert _only(f"بلغت القيمة 5 ملايين {word}").unit == default


# --- round trips ---------------------------------------------------------------------------------

_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_SCALE_WORDS = {1e3: "ألف", 1e6: "مليون", 1e9: "مليار"}


@settings(max_examples=200)
@given(
    st.integers(min_value=1, max_value=999),
    st.integers(min_value=0, max_value=9),
    st.sampled_from(sorted(_SCALE_WORDS)),
    st.sampled_from([("دولار", "USD"), ("يورو", "EUR"), ("دينار كويتي", "KWD"), ("ريال سعودي", "SAR")]),
    st.booleans(),
)
def test_money_round_trip(whole: int, tenth: int, scale: float, currency: tuple[str, str], indic: bool) -> None:
    amount = f"{whole}.{tenth}" if tenth else str(whole)
    if indic:
        amount = amount.replace(".", "٫").translate(_INDIC)
    text = f"ارتفعت الصادرات إلى {amount} {_SCALE_WORDS[scale]} {currency[0]} هذا العام"
    f = _only(text)
    assert (f.kind, f.unit) == ("money", currency[1])
    assert f.value == pytest.approx((whole + tenth / 10) * scale)


@given(st.integers(min_value=1, max_value=99), st.sampled_from(["%", " بالمائة", " في المئة", "٪"]))
def test_percent_round_trip(n: int, marker: str) -> None:
    f = _only(f"زادت الأسعار بنسبة {n}{marker} مقارنة بالعام الماضي")
    assert (f.kind, f.value, f.direction) == ("percent", n, "up")


# --- acceptance on the sample article --------------------------------------------------------------


@pytest.mark.skipif(not (SHARED / "samples").is_dir(), reason="team kit not next to the checkout")
def test_sample_article_has_exactly_the_two_gold_figures() -> None:
    text = (SHARED / "samples" / "cis_summit_tasnim_ar.txt").read_text(encoding="utf-8")
    figs = extract_figures(text)
    assert [(f.kind, f.value, f.unit, f.metric, f.direction) for f in figs] == [
        ("percent", 2.0, "%", "trade", "up"),
        ("money", 83.7e9, "USD", "trade", None),
    ]
    assert [f.text for f in figs] == ["اثنين بالمائة", "83.7 مليار دولار"]
    assert all(text[f.start : f.end] == f.text for f in figs)
