"""Another house style is not another fact; another event still is.

Each class of the issue (British/American spelling, acronym and expansion, amount
formats, a one-letter typo in a long name) is checked both ways: the restyled copy
has no conflict, and a real substitution of the same kind still has one.
"""

from __future__ import annotations

import pytest

from monitor.dedup.compare import fact_conflicts
from monitor.dedup.equivalence import canonical, fold_spelling, same_fact
from monitor.dedup.tokens import tokenise

BASE = (
    "The provincial government said on Tuesday that the World Health Organisation had "
    "approved Rs382m for the polio campaign in Bannu, and that the EU would send a team "
    "led by Muhammad Rizwanullah to the district centre next week, officials said."
)


def conflicts(a: str, b: str) -> list[tuple[str, str]]:
    return [(c.a, c.b) for c in fact_conflicts(tokenise(a), tokenise(b))]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Organisation", "Organization"),
        ("centre", "center"),
        ("the EU would", "the European Union would"),
        ("Rs382m", "Rs382 million"),
        ("Rs382m", "382 million rupees"),
        ("Rs382m", "PKR382mn"),
        ("Rizwanullah", "Rizwanulah"),
        ("Rizwanullah", "Rizwanulleh"),
    ],
)
def test_a_restyled_fact_is_no_conflict(old: str, new: str) -> None:
    assert old in BASE
    assert conflicts(BASE, BASE.replace(old, new)) == []
    assert conflicts(BASE.replace(old, new), BASE) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Rs382m", "Rs328m"),  # another amount
        ("Rs382m", "Rs382bn"),  # another order of magnitude
        ("Tuesday", "Wednesday"),  # another day
        ("Bannu", "Karak"),  # another place
        ("the EU would", "the UN would"),  # another organisation
        ("Rizwanullah", "Rahmatullah"),  # another long name
    ],
)
def test_a_different_fact_of_the_same_kind_is_still_a_conflict(old: str, new: str) -> None:
    assert conflicts(BASE, BASE.replace(old, new))


def test_short_names_get_no_typo_allowance() -> None:
    a = "Police said on Monday that Khalid and two others were arrested near the bus stand."
    assert conflicts(a, a.replace("Khalid", "Khalil"))


def test_spelling_fold_equates_british_and_american_forms() -> None:
    pairs = [
        ("organisation", "organization"),
        ("labour", "labor"),
        ("defence", "defense"),
        ("centre", "center"),
        ("travelled", "traveled"),
        ("analysed", "analyzed"),
        ("programme", "program"),
        ("catalogue", "catalog"),
    ]
    for british, american in pairs:
        assert fold_spelling(british) == fold_spelling(american), british


def test_amounts_become_one_value_whatever_the_format() -> None:
    assert canonical(["rs382m"]) == canonical(["rs382", "million"]) == ("#382000000",)
    assert canonical(["382", "million", "rupees"]) == ("#382000000",)
    assert canonical(["6", "soldiers"]) == ("6", "soldiers")  # a count is not an amount
    assert same_fact(("eu",), ("european", "union"))
    assert not same_fact(("un",), ("european", "union"))


def test_two_operations_on_different_days_still_conflict() -> None:
    a = (
        "Security forces conducted an intelligence-based operation in North Waziristan "
        "on Monday and killed six terrorists, the military's media wing said."
    )
    b = a.replace("Monday", "Thursday").replace("six", "four")
    assert conflicts(a, b)


def test_urdu_weekdays_and_months_are_dates() -> None:
    a = "پشاور میں منگل کو پولیس کی گاڑی پر حملہ ہوا جس میں دو اہلکار زخمی ہوئے"
    assert conflicts(a, a.replace("منگل", "جمعرات"))
    assert conflicts(a, a) == []
