"""detect_language / choose_language: the text decides, and the region's scripts are told apart."""

from __future__ import annotations

import pytest

from monitor.extract import detect_language
from monitor.extract.language import choose_language, normalise_code

# The same news sentence in the languages that share the Perso-Arabic script, and English.
SAMPLES = {
    "ur": "پاکستان کی حکومت نے افغانستان سے مطالبہ کیا ہے کہ وہ اپنی سرزمین کو دہشت گردی کے لیے "
    "استعمال ہونے سے روکے۔ وزارت خارجہ کی ترجمان نے ہفتہ وار بریفنگ میں کہا کہ سرحد پار سے ہونے "
    "والے حملوں میں اضافہ تشویشناک ہے۔",
    "ps": "د پاکستان حکومت له افغانستانه غوښتنه کړې چې خپله خاوره د ترهګرۍ لپاره کارولو ته "
    "پرېنږدي. د بهرنیو چارو وزارت ویاندې په اونیز خبري غونډه کې وویل چې له پولې هاخوا بریدونو "
    "زیاتوالی د اندېښنې وړ دی.",
    # Dari as Afghan outlets write it (Tolo, Pajhwok): "fa" in ISO 639-1
    "fa": "حکومت پاکستان از افغانستان خواسته است که اجازه ندهد خاکش برای تروریسم استفاده شود. "
    "سخنگوی وزارت خارجه در نشست خبری هفتگی گفت که افزایش حملات از آن سوی مرز نگران کننده است.",
    "ar": "طالبت الحكومة الباكستانية أفغانستان بمنع استخدام أراضيها في الإرهاب. وقالت المتحدثة "
    "باسم وزارة الخارجية في مؤتمرها الصحفي الأسبوعي إن تزايد الهجمات عبر الحدود أمر مثير للقلق.",
    "en": "The government of Pakistan has asked Afghanistan to stop its soil from being used for "
    "terrorism. The foreign office spokeswoman said at her weekly briefing that the rise in "
    "cross-border attacks was worrying.",
}


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_same_script_languages_are_told_apart(code: str) -> None:
    assert detect_language(SAMPLES[code]) == code


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_one_sentence_is_enough(code: str) -> None:
    sentence = SAMPLES[code][:110]
    assert detect_language(sentence) == code


def test_dari_with_afghan_vocabulary() -> None:
    text = (
        "وزارت دفاع ملی افغانستان می‌گوید که نیروهای پاکستانی شب گذشته ولسوالی برمل ولایت "
        "پکتیکا را هدف قرار دادند. باشندگان محل می‌گویند که چندین خانه ویران شده است."
    )
    assert detect_language(text) == "fa"


@pytest.mark.parametrize(
    "text", ["", "   ", "TTP", "Bannu, 12 Oct.", "۱۲ ۱۳ ۱۴", "https://x.example/a/b"]
)
def test_too_short_to_tell(text: str) -> None:
    assert detect_language(text) is None


def test_dialect_labels_fold_into_iso_639_1() -> None:
    egyptian = "انا مش عارف ايه اللي حصل امبارح بس الناس كلها كانت بتتكلم عن الموضوع ده في الشارع"
    assert detect_language(egyptian) == "ar"  # the model says arz/ary; we say ar


def test_choose_language_the_text_decides() -> None:
    assert choose_language(SAMPLES["ps"], "ur") == "ps"
    assert choose_language(SAMPLES["en"], "ur-PK") == "en"


def test_choose_language_the_declaration_settles_an_unsure_model() -> None:
    short_dari = SAMPLES["fa"][:40]  # the model hesitates between ps and fa
    assert detect_language(short_dari) is None
    assert choose_language(short_dari, "fa-AF") == "fa"
    assert choose_language(short_dari, "prs") == "fa"
    assert choose_language(short_dari, "ps") == "ps"


def test_choose_language_a_contradicted_declaration_is_not_trusted() -> None:
    assert choose_language(SAMPLES["fa"][:40], "en") is None


def test_choose_language_without_text_keeps_the_declaration() -> None:
    assert choose_language("", "ur") == "ur"
    assert choose_language("", None) is None


@pytest.mark.parametrize(
    ("code", "normal"),
    [("ur-PK", "ur"), ("PS_af", "ps"), ("urd", "ur"), ("pus", "ps"), ("prs", "fa"), ("ara", "ar"),
     ("en", "en"), ("", None), (None, None), ("x-klingon", None), ("123", None), ("haw", None)],
)  # fmt: skip
def test_normalise_code(code: str | None, normal: str | None) -> None:
    assert normalise_code(code) == normal
