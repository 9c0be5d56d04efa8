"""One list of currency names (khabar.currencies) behind both extractors."""

from __future__ import annotations

from khabar.currencies import currency_words
from khabar.entities import extract_entities
from khabar.figures.lexicon import UNIT_FORMS


def test_figures_and_entities_read_the_same_currency_names():
    money = frozenset(f for f, u in UNIT_FORMS.items() if u.kind == "money" and f.isalpha())
    assert money == currency_words()
    assert {"دينار", "ين", "فرنك"} <= currency_words()


def test_a_currency_name_is_never_an_entity():
    text = "تراجع الين الياباني أمام الدولار في طوكيو"
    found = {e.text for e in extract_entities(text)}
    assert not any("الين" in t for t in found)
