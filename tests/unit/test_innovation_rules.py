"""The completeness rules of an innovation profile and the name folding (pure functions)."""

from __future__ import annotations

from datetime import date

from puja_indah.innovations import rules, search
from puja_indah.innovations.models import DESIGN_SECTIONS, Origin, Stage

WORDS_PER_SECTION = 50  # 6 × 50 = 300, exactly the minimum


def _complete(stage: Stage = Stage.INITIATIVE, **changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "name": "E-tracking pencairan anggaran",
        "origin": Origin.OWN,
        "stage": stage,
        "summary": "Berkas SPM dilacak dengan kode QR.",
        "initiator_kind_id": 1,
        "initiator_name": "Kepala BKD",
        "kind": "digital",
        "form": "pelayanan_publik",
        "theme_id": 2,
        "affair_id": 3,
        "developed_further": False,
        "goals": "Mempercepat pencairan.",
        "benefits": "OPD tidak perlu datang.",
        **{name: " ".join(["kata"] * WORDS_PER_SECTION) for name in DESIGN_SECTIONS},
    }
    values.update(changes)
    return values


def test_fold_name_casefolds_and_collapses_whitespace() -> None:
    assert rules.fold_name("  E-Tracking \t PERIZINAN\n") == "e-tracking perizinan"
    assert rules.fold_name("Straße") == rules.fold_name("STRASSE")
    assert rules.fold_name("a  b") == rules.fold_name("A B")


def test_a_complete_initiative_has_no_problems() -> None:
    assert rules.problems(_complete()) == {}


def test_every_missing_core_field_is_named() -> None:
    found = rules.problems({"name": "x", "stage": Stage.INITIATIVE})
    assert set(found) == {*rules.CORE_FIELDS, rules.DESIGN}
    # False ("no, not developed further") is an answer, not an empty field.
    assert "developed_further" not in rules.problems(_complete(developed_further=False))
    assert "developed_further" in rules.problems(_complete(developed_further=None))
    assert "summary" in rules.problems(_complete(summary="   "))


def test_design_needs_300_words_over_its_sections() -> None:
    short = _complete(design_how_it_works=" ".join(["kata"] * (WORDS_PER_SECTION - 1)))
    found = rules.problems(short)
    assert list(found) == [rules.DESIGN]
    assert "it has 299" in str(found[rules.DESIGN][0])
    # The total counts, not each section: one long section is enough.
    one = _complete(**{name: "" for name in DESIGN_SECTIONS})
    one["design_problem"] = " ".join(["kata"] * 300)
    assert rules.problems(one) == {}


def test_stage_requirements_grow() -> None:
    assert set(rules.problems(_complete(Stage.TRIAL))) == {"trial_date"}
    assert set(rules.problems(_complete(Stage.IMPLEMENTATION))) == {
        "trial_date",
        "implementation_date",
        "results_before",
        "results_after",
    }
    done = _complete(
        Stage.IMPLEMENTATION,
        trial_date=date(2018, 8, 1),
        implementation_date=date(2018, 9, 20),
        results_before="Manual.",
        results_after="Daring.",
    )
    assert rules.problems(done) == {}


def test_trial_after_implementation_is_refused_even_in_a_draft() -> None:
    values = {"name": "x", "trial_date": date(2019, 1, 2), "implementation_date": date(2019, 1, 1)}
    assert list(rules.draft_problems(values)) == ["implementation_date"]
    same_day = {**values, "trial_date": date(2019, 1, 1)}
    assert rules.draft_problems(same_day) == {}
    assert list(rules.draft_problems({"name": " "})) == ["name"]


def test_an_assigned_innovation_names_its_appointment() -> None:
    assert list(rules.problems(_complete(origin=Origin.ASSIGNED))) == ["appointment_id"]
    assert rules.problems(_complete(origin=Origin.ASSIGNED, appointment_id=7)) == {}


def test_fts5_query_quotes_every_word() -> None:
    assert search.fts5_query('pencairan "anggaran') == '"pencairan"* "anggaran"*'
    assert search.fts5_query("* OR NEAR( -") == '"or"* "near"*'
    assert search.fts5_query("  ") == ""
    assert len(search.words("kata " * 100)) == search.MAX_TERMS
