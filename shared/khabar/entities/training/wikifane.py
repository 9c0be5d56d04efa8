"""WikiFANE Gold (team kit) in the tokenisation the tagger sees.

WikiFANE's tokeniser split some clitics off their words: the conjunction و ("و", "ملكال") and the
pronoun suffixes ("مدن", "ها"), and with them the ends of names (وهران as "و", "هران"; حماده as
"حماد", "ه"). Our text keeps them attached, so they are glued back before the tokens are used.
"""

from __future__ import annotations

import re

__all__ = ["join_clitics"]

CONJ = "و"
SUFFIXES = frozenset({"ها", "هما", "هم", "ه"})
_LETTER = re.compile(r"[^\W\d_]", re.U)


def _has_letter(token: str) -> bool:
    return _LETTER.search(token) is not None


def join_clitics(tokens: list[str], tags: list[str] | None = None) -> tuple[list[str], list[str] | None]:
    """Glue a lone "و" onto the word after it and a lone ها/هما/هم/ه onto the word before it.

    The glued token takes the content word's tag (O + B-LOC -> B-LOC). One exception: a "و" that
    itself opens a name (B-LOC "و" + I-LOC "هران") gives its B- tag, or the name would lose its start.
    "و" + "هم" is وهم 'and they', as our text writes it. A suffix turns a final ة to ت, as written
    (عاصمة + ها = عاصمتها). A clitic with no word to join (sentence edge, punctuation, a number)
    stays alone."""
    out: list[str] = []
    out_tags: list[str] = []
    conj_tag: str | None = None  # the tag of a "و" waiting for its word
    for i, tok in enumerate(tokens):
        tag = tags[i] if tags is not None else "O"
        if conj_tag is not None:
            if tok != CONJ and _has_letter(tok):
                out.append(CONJ + tok)
                out_tags.append(conj_tag if conj_tag.startswith("B-") else tag)
                conj_tag = None
                continue
            out.append(CONJ)
            out_tags.append(conj_tag)
            conj_tag = None
        if tok == CONJ and i + 1 < len(tokens):
            conj_tag = tag
        elif tok in SUFFIXES and out and out[-1] != CONJ and _has_letter(out[-1]):
            # the word keeps its own tag
            out[-1] = (out[-1][:-1] + "ت" if out[-1].endswith("ة") else out[-1]) + tok
        else:
            out.append(tok)
            out_tags.append(tag)
    return out, (out_tags if tags is not None else None)
