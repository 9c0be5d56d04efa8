"""Fuzzing: arbitrary bytes never escape the reject path; arbitrary text never breaks extraction."""

from __future__ import annotations

import gzip
import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khabar.config import Limits
from khabar.extract import extract
from khabar.formats import read_upload
from khabar.models import Article, Reject

NAMES = ["a.txt", "a.json", "a.jsonl", "a.jsonl.gz", "a.zip", "a.tar.gz", "a.html", "a.bin"]
LIMITS = Limits(max_article_bytes=50_000, max_uncompressed_bytes=5_000_000)
ARABIC = st.lists(
    st.sampled_from(
        list("ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئىة ٠١٢٣٤٥٦٧٨٩0123456789.,٫٬%٪،\n")
        + ["مليار", "دولار", " بالمائة", "روسيا", "بوتين", " و", "في المئة"]
    ),
    max_size=120,
).map("".join)


def _check(items: list[Article | Reject]) -> None:
    assert items, "every upload yields at least one article or reject"
    for it in items:
        assert isinstance(it, Article | Reject)
        if isinstance(it, Reject):
            assert it.reason and it.locator


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(NAMES), data=st.binary(max_size=2000))
def test_arbitrary_bytes_end_as_articles_or_rejects(name: str, data: bytes) -> None:
    _check(list(read_upload(name, io.BytesIO(data), LIMITS)))


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=1500), cut=st.integers(min_value=0, max_value=1500))
def test_corrupted_containers(data: bytes, cut: int) -> None:
    gz = gzip.compress(data)
    _check(list(read_upload("x.jsonl.gz", io.BytesIO(gz[:cut]), LIMITS)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("m.jsonl", data)
    blob = buf.getvalue()
    _check(list(read_upload("x.zip", io.BytesIO(blob[:cut] + blob[cut + 1 :]), LIMITS)))


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(ARABIC, st.text(max_size=300)))
def test_extraction_never_raises_and_offsets_are_valid(text: str) -> None:
    res = extract(text)
    for e in res.entities:
        assert 0 <= e.start < e.end <= len(text) and text[e.start : e.end] == e.text
    for f in res.figures:
        assert 0 <= f.start < f.end <= len(text) and text[f.start : f.end] == f.text
        assert f.value == f.value  # not NaN
