"""Upload formats: every record ends as one Article or one Reject with a reason."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest

from khabar.config import Limits
from khabar.formats import REJECT_REASONS, format_of, read_upload
from khabar.models import Article, Reject

AR = "ارتفعت صادرات المغرب بنسبة 5 بالمائة لتبلغ 3 مليارات دولار خلال العام الماضي."


def rec(i: int, body: str = AR, **extra: object) -> dict:
    return {"id": f"r{i}", "title": f"عنوان {i}", "body": body, **extra}


def jsonl(*records: object) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records)


def read(name: str, data: bytes, limits: Limits | None = None) -> list[Article | Reject]:
    return list(read_upload(name, io.BytesIO(data), limits))


def split(items: list[Article | Reject]) -> tuple[list[Article], list[Reject]]:
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, Reject)]


def test_sample_article_txt_layout(sample_article: Path) -> None:
    # GIVEN the team's sample article WHEN read as a .txt upload
    [art] = read("cis.txt", sample_article.read_bytes())
    # THEN title, source and body follow the layout, and the source line is not body text
    assert isinstance(art, Article)
    assert art.title == "اجتماع غير رسمي لزعماء رابطة الدول المستقلة"
    assert art.source == "وكالة للأنباء تسنيم"
    assert "مصدر" not in art.body.splitlines()[-1]
    assert not art.body.splitlines()[0].endswith("|")
    assert art.body.startswith("وفي الاجتماع المعتاد")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1256"])
def test_txt_encodings_are_detected(encoding: str) -> None:
    text = f"عنوان الخبر\n{AR}\nمصدر | وكالة الأنباء |\n"
    [art] = read("a.txt", text.encode(encoding))
    assert isinstance(art, Article), art
    assert art.title == "عنوان الخبر" and art.body == AR and art.source == "وكالة الأنباء"


def test_jsonl_json_array_and_text_alias() -> None:
    arts, rejects = split(read("b.jsonl", jsonl(rec(1), {"id": "r2", "title": "t", "text": AR, "url": "u"})))
    assert [a.id for a in arts] == ["r1", "r2"] and not rejects
    assert arts[1].body == AR and arts[1].url == "u"
    arts, _ = split(read("b.json", json.dumps([rec(1), rec(2), rec(3)], ensure_ascii=False).encode()))
    assert [a.locator for a in arts] == ["b.json:item 0", "b.json:item 1", "b.json:item 2"]


def test_gzip_zip_and_tar_hold_any_format(sample_article: Path) -> None:
    inner = jsonl(rec(1), rec(2))
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        z.writestr("a/batch.jsonl", inner)
        z.writestr("cis.txt", sample_article.read_bytes())
        z.writestr("c.jsonl.gz", gzip.compress(inner))
    arts, rejects = split(read("u.zip", zbuf.getvalue()))
    assert len(arts) == 5 and not rejects
    assert arts[0].locator == "u.zip!batch.jsonl:line 1"
    tbuf = io.BytesIO()
    with tarfile.open(fileobj=tbuf, mode="w:gz") as t:
        for name, data in (("x.jsonl", inner), ("y.json", json.dumps([rec(9)]).encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    arts, rejects = split(read("u.tar.gz", tbuf.getvalue()))
    assert [a.id for a in arts] == ["r1", "r2", "r9"] and not rejects


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.jsonl.gz", ".jsonl.gz"),
        ("A.TXT", ".txt"),
        ("x.tgz", ".tgz"),
        ("x.tar.gz", ".tar.gz"),
        ("x.csv", None),
        ("x.gz", None),
        ("noext", None),
    ],
)
def test_format_of(name: str, expected: str | None) -> None:
    assert format_of(name) == expected


# ---- bad input: a clear reason, and nothing else lost -------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.jsonl", b"", "empty_upload"),
        ("empty.txt", b"", "empty_upload"),
        ("garbage.txt", bytes(range(256)) * 40, "binary"),
        ("a.csv", b"id,body\n1,x\n", "unsupported_format"),
        ("broken.json", b'[{"id": 1, "body": "', "malformed_json"),
        ("latin.txt", b"Title\nThis article is written only in English words.\n", "not_arabic"),
        ("blank.txt", b"   \n\n  \t\n", "empty_body"),
        (
            "page.html",
            b"<html><head><script>var x=1;</script></head><body><nav>menu</nav></body></html>",
            "html_no_text",
        ),
        ("bad.zip", b"PK\x03\x04 not really a zip", "corrupt_archive"),
    ],
)
def test_whole_upload_rejects(name: str, data: bytes, reason: str) -> None:
    [item] = read(name, data)
    assert isinstance(item, Reject) and item.reason == reason, item
    assert item.reason in REJECT_REASONS and item.detail


def test_jsonl_bad_lines_are_rejected_one_by_one() -> None:
    # GIVEN a JSONL upload with good records around every kind of bad line
    data = b"".join(
        [
            jsonl(rec(1)),
            b'{"id": "x", "body": "\xd9\x85\xff\xfe"}\n',  # invalid UTF-8 inside an otherwise valid file
            b'{"id": "y", "body": \n',  # malformed JSON
            jsonl({"id": "z", "title": "no body"}),
            jsonl(rec(4, body="   \n\t ")),
            jsonl(rec(5, body="Only Latin text in this body, nothing Arabic at all.")),
            jsonl([1, 2, 3]),
            jsonl(rec(6, body=7)),
            b"\n",
            jsonl(rec(7)),
        ]
    )
    arts, rejects = split(read("mixed.jsonl", data))
    # THEN the good records survive and each bad line has its own reason and locator
    assert [a.id for a in arts] == ["r1", "r7"]
    assert [(r.locator, r.reason) for r in rejects] == [
        ("mixed.jsonl:line 2", "undecodable"),
        ("mixed.jsonl:line 3", "malformed_json"),
        ("mixed.jsonl:line 4", "missing_body"),
        ("mixed.jsonl:line 5", "empty_body"),
        ("mixed.jsonl:line 6", "not_arabic"),
        ("mixed.jsonl:line 7", "not_an_object"),
        ("mixed.jsonl:line 8", "missing_body"),
    ]


def test_cp1256_jsonl_file_is_decoded_whole() -> None:
    data = jsonl(rec(1), rec(2)).decode().encode("cp1256")
    arts, rejects = split(read("legacy.jsonl", data))
    assert [a.body for a in arts] == [AR, AR] and not rejects


def test_utf16_and_bom_jsonl() -> None:
    text = jsonl(rec(1), rec(2)).decode()
    for data in (text.encode("utf-16"), b"\xef\xbb\xbf" + text.encode()):
        arts, rejects = split(read("u.jsonl", data))
        assert [a.id for a in arts] == ["r1", "r2"] and not rejects


def test_truncated_gzip_keeps_records_before_the_cut() -> None:
    records = [rec(i, body=AR + f" رقم {i}") for i in range(300)]
    blob = gzip.compress(jsonl(*records))
    arts, rejects = split(read("cut.jsonl.gz", blob[: len(blob) // 2]))
    assert 0 < len(arts) < 300
    assert rejects[-1].reason == "truncated_gzip"
    assert [a.id for a in arts] == [f"r{i}" for i in range(len(arts))]  # in order, no gaps


def test_long_line_and_article_size_limits() -> None:
    limits = Limits(max_line_bytes=50_000, max_article_bytes=2_000)
    data = jsonl(rec(1), rec(2, body=AR * 30), rec(3, body="و" * 30_000), rec(4))
    arts, rejects = split(read("big.jsonl", data, limits))
    assert [a.id for a in arts] == ["r1", "r4"]
    assert [r.reason for r in rejects] == ["too_large", "line_too_long"]


def test_html_page_is_reduced_to_its_text() -> None:
    html = (
        f"<!doctype html><html><head><title>عنوان الصفحة</title><style>p{{}}</style></head>"
        f"<body><nav>القائمة</nav><article><h1>عنوان الخبر</h1><p>{AR}</p></article></body></html>"
    )
    [art] = read("page.html", html.encode())
    assert isinstance(art, Article)
    assert AR in art.body and "القائمة" not in art.body and "<" not in art.body


def _zip(members: dict[str, bytes], symlink: str | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = 0o120777 << 16
            z.writestr(info, "/etc/passwd")
    return buf.getvalue()


def test_zip_unsafe_members_and_bomb_are_rejected_rest_processed() -> None:
    good = jsonl(rec(1))
    data = _zip(
        {
            "../../evil.jsonl": good,
            "/abs.jsonl": good,
            "ok.jsonl": good,
            "bomb.jsonl": b"\n" * 50_000_000,
            "notes.csv": b"a,b",
        },
        symlink="link.jsonl",
    )
    arts, rejects = split(read("strange.zip", data))
    assert [a.locator for a in arts] == ["strange.zip!ok.jsonl:line 1"]
    reasons = {r.locator.split("!", 1)[1]: r.reason for r in rejects}
    assert reasons == {
        "../../evil.jsonl": "unsafe_member",
        "/abs.jsonl": "unsafe_member",
        "bomb.jsonl": "archive_limit",
        "notes.csv": "unsupported_format",
        "link.jsonl": "unsafe_member",
    }


def test_nested_archives_up_to_the_depth_limit() -> None:
    level2 = _zip({"deep.jsonl": jsonl(rec(3))})
    level1 = _zip({"inner.zip": level2, "a.jsonl": jsonl(rec(1))})
    arts, rejects = split(read("outer.zip", _zip({"mid.zip": level1})))
    assert [a.id for a in arts] == ["r1"]
    assert [r.reason for r in rejects] == ["nesting_too_deep"]
    arts, rejects = split(read("outer.zip", _zip({"mid.zip": level1}), Limits(max_archive_depth=3)))
    assert sorted(a.id for a in arts) == ["r1", "r3"] and not rejects


def test_tar_links_and_traversal_are_rejected() -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        data = jsonl(rec(1))
        for name in ("ok.jsonl", "../up.jsonl"):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("ln.jsonl")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        t.addfile(link)
    arts, rejects = split(read("t.tgz", buf.getvalue()))
    assert [a.id for a in arts] == ["r1"]
    assert sorted(r.reason for r in rejects) == ["unsafe_member", "unsafe_member"]


def test_truncated_tar_gz_keeps_earlier_members() -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        for i in range(3):
            data = jsonl(rec(i, body=AR + " " + "ب" * 50_000 + str(i)))
            info = tarfile.TarInfo(f"m{i}.jsonl")
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    blob = buf.getvalue()
    arts, rejects = split(read("t.tar.gz", blob[: int(len(blob) * 0.8)]))
    assert len(arts) >= 1 and rejects and rejects[-1].reason in ("corrupt_archive", "truncated_gzip")
