"""The subject of a figure (khabar.subject): each rule on sentences written for these tests, the
readings that must give null (a person, a partner, a company metric with nothing named ...), and the
team kit's sample article. Inputs come from `khabar.extract.extract`: real entities and figures."""

from __future__ import annotations

import pytest

from khabar.entities._paths import MODEL_PATH
from khabar.extract import extract
from khabar.kit import kit_dir
from khabar.models import Entity
from khabar.subject import Subject, dominant_country, explain_subject, figure_subject
from khabar.text import normalize, sentence_spans

SAMPLE = kit_dir() / "samples" / "cis_summit_tasnim_ar.txt"
needs_model = pytest.mark.skipif(not MODEL_PATH.exists(), reason="needs the NER model")


def _subjects(body: str) -> dict[str, Subject]:
    """Each figure's subject, by figure text, as the orchestrator would ask for it."""
    x = extract(body)
    norm, spans, country = normalize(body), sentence_spans(body), dominant_country(x.entities)
    return {f.text: explain_subject(body, norm, f, spans[f.sentence_index], x.entities, country) for f in x.figures}


def _only(body: str) -> Subject:
    subjects = _subjects(body)
    assert len(subjects) == 1, subjects
    return next(iter(subjects.values()))


@needs_model
@pytest.mark.parametrize(
    ("body", "cid", "text", "rule"),
    [
        # 1. the metric noun's construct: a country, a nisba, a company, «البلاد», a group of members
        ("ارتفعت صادرات تونس بنسبة 5 بالمائة خلال سنة 2016.", "country:TN", "تونس", "construct"),
        ("تراجع عجز الميزانية التونسية إلى 3 بالمائة من الناتج.", "country:TN", "التونسية", "construct"),
        ("بلغت أرباح شركة غازبروم 20 مليار دولار في العام الماضي.", "org:gazprom", "شركة غازبروم", "construct"),
        ("ارتفعت صادرات المغرب نحو إسبانيا بنسبة 8 بالمائة.", "country:MA", "المغرب", "construct"),
        (
            "أعلنت تونس عن خطة جديدة للتصدير. وارتفعت صادرات البلاد بنسبة 4 بالمائة.",
            "country:TN",
            "البلاد",
            "construct",
        ),
        (
            "بلغ الناتج المحلي الإجمالي لدول الاتحاد الأوروبي 15 تريليون دولار.",
            "org:european_union",
            "دول الاتحاد الأوروبي",
            "construct",
        ),
        # 2. the clause's grammatical subject: verb + name, or «أن» + name + verb
        ("حققت شركة أرامكو أرباحا بقيمة 100 مليار دولار.", "org:saudi_aramco", "شركة أرامكو", "verb_subject"),
        ("سجلت تونس نموا بنسبة 2 بالمائة.", "country:TN", "تونس", "verb_subject"),
        ("وأكد الوزير أن المغرب سجل نموا بنسبة 4 بالمائة.", "country:MA", "المغرب", "verb_subject"),
        # 3. a country named in the clause
        ("بلغت نسبة التضخم في مصر 30 بالمائة.", "country:EG", "مصر", "clause"),
        # 4. a national statistic, nothing named: the article's country (its first mention's text)
        (
            "تعمل تونس على الحد من الأسعار. وبلغت نسبة التضخم 5 بالمائة خلال شهر مارس.",
            "country:TN",
            "تونس",
            "national",
        ),
        # ... a source organisation and a person do not stand in its way
        (
            "تعمل تونس على الحد من البطالة. وبلغت نسبة البطالة 15 بالمائة، حسب المعهد الوطني للإحصاء.",
            "country:TN",
            "تونس",
            "national",
        ),
        (
            "تعمل تونس على الحد من الأسعار. وقال وزير المالية فاضل عبد الكافي إن نسبة التضخم بلغت 4 بالمائة.",
            "country:TN",
            "تونس",
            "national",
        ),
    ],
)
def test_rule(body: str, cid: str, text: str, rule: str) -> None:
    assert _only(body) == Subject(cid, text, rule)


@needs_model
@pytest.mark.parametrize(
    ("body", "rule"),
    [
        # a person is never a subject (and a profit is no national statistic)
        ("حقق رجل الأعمال نجيب ساويرس أرباحا بقيمة 5 ملايين دولار.", None),
        # a company metric with no company named
        ("تعمل تونس على دعم الشركات. وارتفعت أرباح الشركة بنسبة 12 بالمائة.", None),
        # a currency's nisba inside the figure is not a subject
        ("بلغت إيرادات الشركة 78 مليار ريال سعودي.", None),
        # a partner country is not the subject, and a sentence naming it is no plain national statistic
        ("تعمل تونس على دعم التصدير. وارتفعت الصادرات نحو فرنسا بنسبة 7 بالمائة.", None),
        # another country named in the sentence: not the article's country by default
        ("تعمل تونس على الحد من الأسعار. وبلغت نسبة التضخم 5 بالمائة، وفق بيانات نشرت في الجزائر.", None),
        # growth of something, not of the economy
        ("تعمل تونس على دعم السياحة. وسجل عدد الزوار نموا بنسبة 10 بالمائة.", None),
        # a national statistic in an article that names no country
        ("وبلغت نسبة التضخم 5 بالمائة خلال شهر مارس.", None),
        # two countries joined by و: no single subject
        ("وأشار التقرير إلى أن تونس والمغرب استقطبا 40 بالمائة من السياح.", None),
        # a country inside an unnamed bank's name
        ("تعمل تونس على تطوير الصناعة. وارتفعت أسهم بنك تونس العربي الدولي بنسبة 3 بالمائة.", None),
        # rules that say null and end the search: bilateral trade, a regional figure
        ("بلغ حجم التبادل التجاري بين تونس والجزائر 1.5 مليار دولار.", "blocked"),
        ("تعمل تونس على دعم الاقتصاد. وتراجعت الصادرات الجهوية بنسبة 9 بالمائة.", "blocked"),
    ],
)
def test_null_over_a_guess(body: str, rule: str | None) -> None:
    assert _only(body) == Subject(None, None, rule)


@needs_model
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # the comparison clause's country is not taken for the figure whose own clause names one
        (
            "ارتفع التضخم في تونس إلى 6 بالمائة مقابل 4 بالمائة في المغرب.",
            {"6 بالمائة": "country:TN", "4 بالمائة": "country:MA"},
        ),
        ("ارتفع التضخم في تونس إلى 6 بالمائة مقارنة بالمغرب.", {"6 بالمائة": "country:TN"}),
        ("سجلت تونس نموا بنسبة 2 بالمائة مقارنة بالجزائر.", {"2 بالمائة": "country:TN"}),
        # a comparison or a conjoined verb with nothing of its own shares the clause before it
        (
            "بلغت نسبة التضخم في مصر 30 بالمائة مقابل 25 بالمائة في العام الماضي.",
            {"30 بالمائة": "country:EG", "25 بالمائة": "country:EG"},
        ),
        (
            "ارتفعت صادرات الجزائر بنسبة 6 بالمائة وبلغت 35 مليار دولار.",
            {"6 بالمائة": "country:DZ", "35 مليار دولار": "country:DZ"},
        ),
        # the most mentioned country of the article is not taken when the sentence names its own
        (
            "زار الرئيس المصري عبد الفتاح السيسي المغرب وتونس. وارتفع احتياطي النقد الأجنبي في مصر إلى 40 مليار دولار.",
            {"40 مليار دولار": "country:EG"},
        ),
    ],
)
def test_each_figure_its_own_clause(body: str, expected: dict[str, str]) -> None:
    assert {text: s.id for text, s in _subjects(body).items()} == expected


@needs_model
def test_a_group_of_member_states_is_the_most_mentioned_member_organisation() -> None:
    # GIVEN an article about OPEC; WHEN a later sentence speaks of the trade «بين دول المنظمة», then
    # of «هذه المبادلات» (a demonstrative: its antecedent is that trade), then a conjoined «ووصلت»
    body = (
        "عقدت منظمة الدول المصدرة للنفط اجتماعها في فيينا. وناقش الوزراء سياسة أوبك. "
        "وسجلت المبادلات التجارية بين دول المنظمة تحسنا، إذ ارتفعت هذه المبادلات بنسبة 3 بالمائة "
        "ووصلت إلى 40 مليار دولار."
    )
    # THEN both figures belong to the organisation, named by the group reference
    opec = Subject("org:opec", "دول المنظمة", "construct")
    assert _subjects(body) == {"3 بالمائة": opec, "40 مليار دولار": opec}


@needs_model
def test_a_group_with_no_member_organisation_is_no_subject() -> None:
    body = "تعمل تونس على دعم التجارة. وارتفعت المبادلات بين دول المجموعة بنسبة 5 بالمائة."
    assert _only(body).id is None


@needs_model
def test_figure_subject_is_the_id_and_text_of_the_explanation() -> None:
    body = "ارتفعت صادرات تونس بنسبة 5 بالمائة خلال سنة 2016."
    x = extract(body)
    (f,) = x.figures
    args = (body, normalize(body), f, sentence_spans(body)[0], x.entities, dominant_country(x.entities))
    assert figure_subject(*args) == ("country:TN", "تونس")
    not_its_sentence = (0, 5)
    assert figure_subject(body, normalize(body), f, not_its_sentence, x.entities, "country:TN") == (None, None)


@needs_model
@pytest.mark.skipif(not SAMPLE.exists(), reason="needs the team kit")
def test_sample_article_trade_figures_belong_to_the_cis() -> None:
    """The issue's "done when": the sample's two figures (the 2 % rise and the 83.7 billion dollar
    trade) are said of the CIS. The reading: the 2 % clause names its metric with a demonstrative
    («هذه» + the trade noun), whose antecedent earlier in the sentence is the trade volume between
    "the countries of this community", a demonstrative group reference resolved to the article's most
    mentioned organisation with members; the 83.7 billion clause is a conjoined «و» + verb with no
    metric noun or name of its own, so it shares the clause before it. No entity is named in that
    sentence, and the article's most mentioned country (a tie between two of the nine guests) is not
    what the text says, so rule 4 must not be reached."""
    body = SAMPLE.read_text(encoding="utf-8")
    x = extract(body)
    norm, spans, country = normalize(body), sentence_spans(body), dominant_country(x.entities)
    by_value = {f.value: f for f in x.figures}
    assert set(by_value) == {2.0, 83.7e9}
    for f in by_value.values():
        s = explain_subject(body, norm, f, spans[f.sentence_index], x.entities, country)
        assert (s.id, s.rule) == ("org:commonwealth_of_independent_states", "construct")
        assert s.text is not None and s.text in body[slice(*spans[f.sentence_index])]
        assert s.text.split()[0] == "دول"  # the group reference, not a name of the CIS


def _country(code: str, start: int) -> Entity:
    return Entity(code, "LOCATION", f"country:{code}", start, start + 2, code)


@pytest.mark.parametrize(
    ("entities", "expected"),
    [
        ([], None),
        ([Entity("X", "ORGANIZATION", "org:x", 0, 1)], None),
        ([_country("MA", 0), _country("TN", 5), _country("TN", 9)], "country:TN"),
        ([_country("TN", 9), _country("MA", 0), _country("TN", 20), _country("MA", 30)], "country:MA"),  # tie
    ],
)
def test_dominant_country(entities: list[Entity], expected: str | None) -> None:
    assert dominant_country(entities) == expected
