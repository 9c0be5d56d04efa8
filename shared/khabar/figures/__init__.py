"""Economic figures in Arabic news: money (ISO 4217), percentages and quantities, with exact
values, metric, direction and ranges. See README.md in this folder for the vocabularies and the
rule for ambiguous currencies (دينار، ريال، درهم، جنيه، ليرة)."""

from __future__ import annotations

from khabar.figures.extract import extract_figures
from khabar.figures.numbers import NumberSpan, extract_numbers, find_numbers, parse_digits

__all__ = ["extract_figures", "extract_numbers", "find_numbers", "parse_digits", "NumberSpan"]
