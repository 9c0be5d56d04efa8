"""Per-word merged attributes: the same CRF, with fewer strings handed to crfsuite per token.

A word's own features (w=, s=, prefixes, shape, clusters, ...) depend on the word alone, and so do
the features its neighbours see of it (-1w=, 1s=, ...). A CRF scores a token by adding up the
weights of its attributes, so for a frequent word those sums can be stored once, under one merged
attribute: "@|word" for its own features (with the bias), "@-1|word" for what the next token sees
of it, and so on. Tagging then hands crfsuite one string where it handed up to 17, and crfsuite's
cost is nearly all in taking strings over: on the bench articles a token goes from 23.4 strings to
9.4 and the crfsuite call takes about 45 % less time (docs/performance.md).
The scores are the same sums in another order (tags identical on the dev tail, a test); words
outside the merged vocabulary keep their separate features.

`khabar train-ner` adds them after training (`merge_model`); `features.Kept` uses a word's merged
attribute when the model's kept attributes include it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from khabar.entities.crf_file import CRFModel

OWN = 0  # offset of a word's own features
OFFSETS = (-2, -1, 1, 2)


def merged_attr(word: str, offset: int = OWN) -> str:
    """The merged attribute of `word` seen from `offset` (its own features for OWN)."""
    return f"@|{word}" if offset == OWN else f"@{offset}|{word}"


def is_merged(attr: str) -> bool:
    return attr.startswith("@")


def views(
    info: Callable[[str], tuple], own_words: Sequence[str], view_words: Sequence[str]
) -> Iterator[tuple[str, Sequence[str]]]:
    """(merged attribute, the features it stands for) for the own features of `own_words` and the
    neighbour views of `view_words`; `info` is `features.Kept(attrs).info` of the unmerged model,
    so each sum covers exactly the features tagging would hand over."""
    own_of, views_of = set(own_words), set(view_words)
    for w in dict.fromkeys([*own_words, *view_words]):
        x = info(w)
        if w in own_of:
            yield merged_attr(w), x[2]
        if w in views_of:
            yield from ((merged_attr(w, off), v) for off, v in zip(OFFSETS, x[3:7], strict=True))


def merge_model(model: CRFModel, features: Iterable[tuple[str, Sequence[str]]]) -> CRFModel:
    """`model` plus one attribute per (name, features) pair, weighted per label with the sum of
    those features' weights (features the model lacks add nothing). Names already in the model
    are an error: a merged attribute must not shadow a trained one."""
    index = {a: i for i, a in enumerate(model.attrs)}
    attrs, state = list(model.attrs), list(model.state)
    for name, feats in features:
        if name in index:
            raise ValueError(f"merged attribute {name!r} is already in the model")
        sums: dict[int, float] = {}  # label -> summed weight, only labels some part has a weight for
        for f in feats:
            for label, w in state[index[f]] if f in index else ():
                sums[label] = sums.get(label, 0.0) + w
        index[name] = len(attrs)
        attrs.append(name)
        state.append(sorted(sums.items()))
    return CRFModel(model.labels, attrs, state, model.transitions, model.label_slots)
