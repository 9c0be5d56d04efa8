"""A generated several-day lake with known entities and figures, for the aggregation, report and
query tests (written straight with Lake/TableWriter, independent of the extractor)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from khabar.lake.store import Lake, upload_stem

DAYS = [(date(2026, 11, 20) + timedelta(days=i)).isoformat() for i in range(9)]  # 20 → 28 Nov
LAST = DAYS[-1]
# canonical_id → (type, surface forms, country_code, first day index it may appear)
ENTITIES: dict[str, tuple[str, list[str], str | None, int]] = {
    "country:SA": ("LOCATION", ["السعودية", "المملكة العربية السعودية"], "SA", 0),
    "country:EG": ("LOCATION", ["مصر"], "EG", 0),
    "country:AE": ("LOCATION", ["الإمارات"], "AE", 0),
    "country:RU": ("LOCATION", ["روسيا"], "RU", 0),
    "city:riyadh": ("LOCATION", ["الرياض"], "SA", 2),
    "org:opec": ("ORGANIZATION", ["أوبك", "منظمة أوبك"], None, 0),
    "org:imf": ("ORGANIZATION", ["صندوق النقد الدولي"], None, 1),
    "person:mbs": ("PERSON", ["محمد بن سلمان"], "SA", 0),
    "person:sisi": ("PERSON", ["عبد الفتاح السيسي"], "EG", 3),
    "org:newbank": ("ORGANIZATION", ["بنك التنمية الجديد"], None, 8),  # new on the last day
}
SOURCES = ["تسنيم", "الأهرام", "واس", None]
METRICS = [
    ("trade", "money", "USD"),
    ("exports", "money", "USD"),
    ("imports", "money", "EUR"),
    ("gdp", "percent", "%"),
    ("inflation", "percent", "%"),
    (None, "quantity", "barrel"),
]
DIRECTIONS = ["up", "down", None]


@dataclass
class GenLake:
    lake: Lake
    rows: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)  # dt → table → rows

    def day(self, dt: str, table: str) -> list[dict[str, Any]]:
        return self.rows.get(dt, {}).get(table, [])


def build(root: str, seed: int = 7, days: list[str] | None = None) -> GenLake:
    rnd = random.Random(seed)
    gen = GenLake(Lake.open(root))
    for di, dt in enumerate(days or DAYS):
        tables: dict[str, list[dict[str, Any]]] = {
            t: [] for t in ("articles", "entities", "figures", "rejects", "manifests")
        }
        gen.rows[dt] = tables
        for up in range(rnd.randint(2, 3)):
            key = f"incoming/{dt}/batch-{up}.jsonl"
            stem = upload_stem("raw", key)
            ts = datetime.fromisoformat(dt).replace(hour=6 + up, tzinfo=UTC)
            per_part: list[dict[str, list[dict[str, Any]]]] = []
            n_parts = 2 if up == 0 else 1  # the first upload of each day spans two part files
            for part in range(n_parts):
                rows: dict[str, list[dict[str, Any]]] = {
                    "articles": [],
                    "entities": [],
                    "figures": [],
                    "rejects": [],
                }
                per_part.append(rows)
                src = SOURCES[(di + up) % len(SOURCES)] if up else rnd.choice(SOURCES)
                for a in range(rnd.randint(3, 6)):
                    aid = f"{stem[:10]}{part}{a:02d}{di:02d}"
                    body = "نص خبر " * rnd.randint(5, 40)
                    rows["articles"].append(
                        {
                            "article_id": aid,
                            "source_bucket": "raw",
                            "source_key": key,
                            "source_etag": "e",
                            "record_locator": f"line {a + 1}",
                            "title": f"خبر {dt} رقم {up}-{part}-{a}",
                            "source": src,
                            "published": dt,
                            "url": f"https://news.example/{aid}" if a % 2 else None,
                            "body": body,
                            "language": "ar",
                            "n_chars": len(body),
                            "extractor_version": "test",
                            "ingested_at": ts,
                        }
                    )
                    pool = [c for c, v in ENTITIES.items() if v[3] <= di]
                    chosen = rnd.sample(pool, rnd.randint(1, min(4, len(pool))))
                    for s, cid in enumerate(chosen):
                        etype, forms, cc, _ = ENTITIES[cid]
                        for _rep in range(rnd.randint(1, 3)):
                            rows["entities"].append(
                                {
                                    "article_id": aid,
                                    "entity_text": rnd.choice(forms),
                                    "entity_type": etype,
                                    "canonical_id": cid,
                                    "country_code": cc,
                                    "start": 10 * s,
                                    "end": 10 * s + 5,
                                    "sentence_index": s,
                                }
                            )
                    for fi in range(rnd.randint(0, 3)):
                        metric, kind, unit = rnd.choice(METRICS)
                        value = round(rnd.uniform(1, 100), 1) * (1e9 if kind == "money" else 1)
                        related = rnd.sample(chosen, rnd.randint(0, len(chosen)))
                        # Whose and when, derived without drawing from `rnd` (the rest of the lake
                        # stays as it was): the first related country, the month before the day.
                        subject = next((c for c in related if ENTITIES[c][2]), None)
                        month = (date.fromisoformat(dt).replace(day=1) - timedelta(days=1)).replace(day=1)
                        rows["figures"].append(
                            {
                                "article_id": aid,
                                "figure_text": f"{value:g} {unit}",
                                "kind": kind,
                                "value": value,
                                "unit": unit,
                                "metric": metric,
                                "direction": rnd.choice(DIRECTIONS),
                                "start": 100 + 20 * fi,
                                "end": 110 + 20 * fi,
                                "sentence_index": fi,
                                "related_ids": related,
                                "range_role": None,
                                "subject_id": subject,
                                "subject_text": ENTITIES[subject][1][0] if subject else None,
                                "period": month.isoformat()[:7] if subject and fi == 0 else None,
                                "period_start": month if subject and fi == 0 else None,
                                "period_end": (
                                    (month + timedelta(days=31)).replace(day=1) - timedelta(days=1)
                                    if subject and fi == 0
                                    else None
                                ),
                                "period_text": "الشهر الماضي" if subject and fi == 0 else None,
                            }
                        )
                for r in range(rnd.randint(0, 2)):
                    rows["rejects"].append(
                        {
                            "source_bucket": "raw",
                            "source_key": key,
                            "source_etag": "e",
                            "record_locator": f"line {100 + r}",
                            "reason": rnd.choice(["malformed_json", "empty_body"]),
                            "detail": "x",
                            "raw_excerpt": "{",
                            "extractor_version": "test",
                            "ingested_at": ts,
                        }
                    )
            for part, rows in enumerate(per_part):
                for table, trs in rows.items():
                    if trs:
                        w = gen.lake.writer(table, dt, stem, part)
                        w.write_rows(trs)
                        w.close()
                    tables[table].extend(trs)
            n_art = sum(len(r["articles"]) for r in per_part)
            n_rej = sum(len(r["rejects"]) for r in per_part)
            manifest = {
                "source_bucket": "raw",
                "source_key": key,
                "source_etag": "e",
                "source_version": None,
                "bytes": 1000,
                "articles_in": n_art + n_rej,
                "articles_out": n_art,
                "rejects": n_rej,
                "entities": sum(len(r["entities"]) for r in per_part),
                "figures": sum(len(r["figures"]) for r in per_part),
                "parts": n_parts,
                "extractor_version": "test",
                "status": "ok",
                "duration_ms": 1,
                "processed_at": ts,
            }
            w = gen.lake.writer("manifests", dt, stem, 0)
            w.write_rows([manifest])
            w.close()
            tables["manifests"].append(manifest)
    return gen
