"""Turning parsed records into validated Articles: the one place that says what an article is."""

from __future__ import annotations

import re
from typing import Any

from khabar.config import Limits
from khabar.formats.html import html_to_text, looks_like_html
from khabar.models import Article, Reject
from khabar.text import arabic_ratio

__all__ = ["from_record", "from_txt", "validate", "excerpt"]

_SOURCE_LINE = re.compile(r"^\s*مصدر\s*[|:]\s*(?P<src>.*?)\s*\|?\s*$")


def excerpt(text: str | bytes, n: int = 200) -> str:
    if isinstance(text, bytes):
        text = text[: n * 4].decode("utf-8", errors="replace")
    return text[:n]


def _str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def validate(article: Article, limits: Limits) -> Article | Reject:
    """Body checks shared by every format; HTML bodies are reduced to their text."""
    body = article.body
    if looks_like_html(body):
        body = html_to_text(body)
        if not body.strip():
            return Reject(article.locator, "html_no_text", "HTML without readable text", excerpt(article.body))
        article.body = body
    if not body.strip():
        return Reject(article.locator, "empty_body", "body is empty or white space only", excerpt(body))
    size = len(body.encode("utf-8"))
    if size > limits.max_article_bytes:
        return Reject(
            article.locator,
            "too_large",
            f"body is {size} bytes; the limit is {limits.max_article_bytes}",
            excerpt(body),
        )
    if arabic_ratio(body) < 0.3:
        return Reject(article.locator, "not_arabic", "fewer than 30% of the letters are Arabic", excerpt(body))
    return article


def from_record(rec: Any, locator: str, limits: Limits) -> Article | Reject:
    """A JSON record {id, title, body|text, source?, published?, url?} to an Article."""
    if not isinstance(rec, dict):
        return Reject(locator, "not_an_object", f"expected a JSON object, got {type(rec).__name__}", excerpt(str(rec)))
    body = rec.get("body", rec.get("text"))
    if body is None:
        return Reject(locator, "missing_body", "record has neither 'body' nor 'text'", excerpt(str(rec)))
    if not isinstance(body, str):
        return Reject(locator, "missing_body", f"'body' is {type(body).__name__}, not text", excerpt(str(rec)))
    art = Article(
        title=_str(rec.get("title")) or "",
        body=body,
        source=_str(rec.get("source")),
        published=_str(rec.get("published")),
        url=_str(rec.get("url")),
        id=_str(rec.get("id")),
        locator=locator,
    )
    return validate(art, limits)


def from_txt(text: str, locator: str, limits: Limits) -> Article | Reject:
    """The sample layout: title line, lead (may end in ' |'), paragraphs, closing 'مصدر | X |'."""
    if looks_like_html(text):
        raw, text = text, html_to_text(text)
        if not text.strip():
            return Reject(locator, "html_no_text", "HTML without readable text", excerpt(raw))
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return Reject(locator, "empty_body", "the file holds no text")
    source = None
    m = _SOURCE_LINE.match(lines[-1])
    if m:
        source = m.group("src") or None
        lines.pop()
    title = lines[0].strip()
    body_lines = [re.sub(r"\s*\|\s*$", "", ln) for ln in lines[1:]]
    body = "\n".join(ln for ln in body_lines if ln.strip())
    if not body and title:
        # A one-line file: the line is the article.
        body, title = title, ""
    return validate(Article(title=title, body=body, source=source, locator=locator), limits)
