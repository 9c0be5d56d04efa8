"""Number reading: digits in every script and style, number words, compounds, fractions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from khabar.figures import extract_numbers, parse_digits


def _one(text: str) -> float:
    found = extract_numbers(text)
    assert len(found) == 1, found
    return found[0][3]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("83.7", 83.7),
        ("١٫٢", 1.2),
        ("۱۲۳", 123.0),
        ("1,234,567", 1234567.0),
        ("١٬٢٣٤", 1234.0),
        ("1'234", 1234.0),
        ("71،8", 71.8),
        ("4,8", 4.8),
        ("321 666", 321666.0),
        ("1 414 021 100", 1414021100.0),
        ("5ر2", 2.5),
        ("16ر9", 9.16),
        ("12،220,13", 12220.13),
        ("-9.25", -9.25),
    ],
)
def test_digit_styles(text: str, value: float) -> None:
    assert _one(text) == pytest.approx(value)


def test_comma_before_scale_word_is_decimal() -> None:
    assert _one("117,901 مليون") == pytest.approx(117.901e6)
    assert parse_digits("117,901") == 117901.0
    assert parse_digits("117,901", scaled=True) == pytest.approx(117.901)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("واحد", 1),
        ("واحدة", 1),
        ("اثنان", 2),
        ("اثنين", 2),
        ("اثنتان", 2),
        ("اثنتين", 2),
        ("ثلاث", 3),
        ("ثلاثة", 3),
        ("عشرة", 10),
        ("أحد عشر", 11),
        ("اثنا عشر", 12),
        ("ثلاثة عشر", 13),
        ("عشرون", 20),
        ("عشرين", 20),
        ("ثلاثة وعشرون", 23),
        ("اثنين و عشرون", 22),
        ("تسعين", 90),
        ("مئة", 100),
        ("مائة", 100),
        ("مئتان", 200),
        ("مئتين", 200),
        ("ثلاثمائة", 300),
        ("ثلاث مائة", 300),
        ("مائة وستة عشر", 116),
        ("مائة وواحد وستون", 161),
        ("ألف", 1000),
        ("آلاف", None),
        ("ثلاثة آلاف", 3000),
        ("ألفين", 2000),
        ("ألفين ومائتين", 2200),
        ("مليون", 1e6),
        ("ثلاثة ملايين", 3e6),
        ("مليونين", 2e6),
        ("مليار", 1e9),
        ("مليارات", None),
        ("خمسة مليارات", 5e9),
        ("ملياران", 2e9),
        ("مليارين", 2e9),
        ("ملياري", 2e9),
        ("تريليون", 1e12),
        ("واحد وعشرون تريليون وثلاث مائة", 21e12 + 300),
        ("مائتين وإثنين ألف", 202000),
        ("مليون وألفين ومائتين", 1002200),
        ("نصف", 0.5),
        ("ربع", 0.25),
        ("ثلث", 1 / 3),
        ("ثلثان", 2 / 3),
        ("ثلاثة أرباع", 0.75),
        ("واحد ونصف", 1.5),
        ("مليار ونصف", 1.5e9),
        ("نصف مليون", 5e5),
        ("ثلاثة فاصلة خمسة", 3.5),
        ("اثنان فاصلة صفر خمسة", 2.05),
        ("5 فاصل 7", 5.7),
        ("12 فاصلة 05", 12.05),
        ("خمسة فاصل 25", 5.25),
        ("83.7 مليار", 83.7e9),
        ("١٫٢ تريليون", 1.2e12),
        ("500 ألف", 5e5),
        ("3 مليارات و500 مليون", 3.5e9),
        ("اثني عشر مليار", 12e9),
        ("سالب خمسة", -5),
    ],
)
def test_number_words(text: str, value: float | None) -> None:
    found = extract_numbers(text)
    if value is None:  # a plural scale alone is vague («آلاف الدولارات»), not a number
        assert found == []
    else:
        assert [f[3] for f in found] == [pytest.approx(value)]
        assert found[0][0] == text


@pytest.mark.parametrize(
    ("text", "surface", "value"),
    [("وبلغ 5", "5", 5.0), ("ب3 ملايين", "3 ملايين", 3e6), ("و١٥", "١٥", 15.0), ("بألفين", "ألفين", 2000.0)],
)
def test_clitics_are_left_out_of_the_span(text: str, surface: str, value: float) -> None:
    [(got, start, end, v)] = extract_numbers(text)
    assert (got, v) == (surface, pytest.approx(value))
    assert text[start:end] == surface


def test_numbers_joined_by_wa_stay_apart_unless_they_compound() -> None:
    assert [n[3] for n in extract_numbers("بين 10 و15")] == [10.0, 15.0]
    assert [n[3] for n in extract_numbers("عشرين وثلاثين")] == [20.0, 30.0]
    assert [n[3] for n in extract_numbers("خمسة ملايين وثلاثة ملايين")] == [5e6, 3e6]


def test_not_numbers() -> None:
    assert extract_numbers("192.168.1.2") == []
    assert extract_numbers("يوم الاثنين") == []
    assert extract_numbers("مجموعة G20") == []


_UNITS = ["", "واحد", "اثنان", "ثلاثة", "أربعة", "خمسة", "ستة", "سبعة", "ثمانية", "تسعة"]
_TENS = ["", "عشرة", "عشرون", "ثلاثون", "أربعون", "خمسون", "ستون", "سبعون", "ثمانون", "تسعون"]
_HUNDREDS = ["", "مائة", "مائتان", "ثلاثمائة", "أربعمائة", "خمسمائة", "ستمائة", "سبعمائة", "ثمانمائة", "تسعمائة"]
_TEENS = {11: "أحد عشر", 12: "اثنا عشر"}
_SCALES = [
    (10**9, "مليار", "ملياران", "مليارات"),
    (10**6, "مليون", "مليونان", "ملايين"),
    (1000, "ألف", "ألفان", "آلاف"),
]


def _below_1000(n: int) -> str:
    h, r = divmod(n, 100)
    parts = [_HUNDREDS[h]] if h else []
    if r:
        t, u = divmod(r, 10)
        if r in _TEENS:
            parts.append(_TEENS[r])
        elif 13 <= r <= 19:
            parts.append(f"{_UNITS[u]} عشر")
        elif t and u:
            parts.append(f"{_UNITS[u]} و{_TENS[t]}")
        else:
            parts.append(_TENS[t] or _UNITS[u])
    return " و".join(parts)


def to_words(n: int) -> str:
    """Modern Standard Arabic cardinal (nominative) for 1 <= n < 10**12."""
    parts = []
    for size, one, two, plural in _SCALES:
        k, n = divmod(n, size)
        if k == 1:
            parts.append(one)
        elif k == 2:
            parts.append(two)
        elif 3 <= k <= 10:
            parts.append(f"{_below_1000(k)} {plural}")
        elif k:
            parts.append(f"{_below_1000(k)} {one}")
    if n:
        parts.append(_below_1000(n))
    return " و".join(parts)


_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@given(st.integers(min_value=1, max_value=999_999_999_999))
def test_words_round_trip(n: int) -> None:
    text = to_words(n)
    assert [f[3] for f in extract_numbers(text)] == [n], text


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=99))
def test_digits_round_trip(whole: int, cents: int) -> None:
    western = f"{whole:,}.{cents:02d}"
    indic = f"{whole}٫{cents:02d}".translate(_INDIC)
    for text in (western, indic):
        [(_, _, _, v)] = extract_numbers(f"بلغ {text} اليوم")
        assert v == pytest.approx(whole + cents / 100)
