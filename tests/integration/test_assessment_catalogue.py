"""The assessment catalogue: seed files, the closed-year freeze (services and the flush guard),
import validation (all or nothing, precise errors), export → import round trip, and the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa
import yaml
from flask import Flask

from puja_indah.assessment import queries, services
from puja_indah.assessment.cli import assessment_cli
from puja_indah.assessment.guard import FrozenYearViolation
from puja_indah.assessment.index import Innovation, compute, derived_maximum
from puja_indah.assessment.models import (
    AssessmentYear,
    Indicator,
    IndicatorLevel,
    Predicate,
    YearStatus,
)
from puja_indah.core.models import Role
from puja_indah.core.tenancy import Scope, TenancyViolation, scoped
from puja_indah.extensions import db

CATALOGUE_TABLES = (
    "assessment_years",
    "assessment_predicates",
    "assessment_aspects",
    "assessment_indicators",
    "assessment_indicator_levels",
)


@pytest.fixture
def system(app_ctx: Flask) -> Iterator[Flask]:
    with app_ctx.test_request_context(), scoped(Scope.system("tests: assessment"), db.session):
        yield app_ctx


def _seeded() -> None:
    services.seed()
    db.session.commit()


def _indicator(year: int, number: int) -> Indicator:
    found = db.session.scalar(
        sa.select(Indicator)
        .join(AssessmentYear)
        .where(AssessmentYear.year == year, Indicator.number == number)
    )
    assert found is not None
    return found


def _year(year: int) -> AssessmentYear:
    found = services.find_year(year)
    assert found is not None
    return found


def test_seed_loads_both_years_and_is_idempotent(system, table_counts) -> None:
    # The demo snapshot already holds both years (`flask seed demo` loads them): start empty.
    assert services.seed() == {2023: "present", 2026: "present"}
    for number in (2023, 2026):
        services.delete_year(_year(number))
    db.session.commit()
    assert services.seed() == {2023: "created", 2026: "created"}
    db.session.commit()
    counts = table_counts()
    assert [counts[t] for t in CATALOGUE_TABLES] == [2, 8, 4, 70, 210]
    for number in (2023, 2026):
        year = _year(number)
        by_aspect = {
            aspect.code.value: [i.number for i in aspect.indicators] for aspect in year.aspects
        }
        assert by_aspect == {"SPD": list(range(1, 16)), "SID": list(range(16, 36))}
        assert all([lv.level for lv in i.levels] == [1, 2, 3] for i in year.indicators)
    assert services.seed() == {2023: "present", 2026: "present"}
    db.session.commit()
    assert table_counts() == counts


def test_2026_weights_constants_and_predicates_as_in_domain(system) -> None:
    _seeded()
    year = queries.year_with_catalogue(2026)
    assert year is not None
    weights = {i.number: i.weight for i in year.indicators}
    assert weights[35] == 4 and weights[31] == 3 and weights[16] == 3 and weights[33] == 3
    assert weights[17] == 2 and weights[20] == 1 and weights[28] == 2
    assert sum(w for n, w in weights.items() if n >= 16) == 37
    assert sum(w for n, w in weights.items() if n <= 15) == 21
    assert {i.number for i in year.indicators if i.mandatory} == {16, 17, 32, 33, 35}
    assert _indicator(2026, 35).file_type_list == ["mp4"]
    assert [lv.wording for lv in _indicator(2026, 16).levels] == [
        "SK kepala daerah",
        "Peraturan kepala daerah (Perkada)",
        "Peraturan daerah (Perda)",
    ]
    assert "(verify)" in _indicator(2026, 1).notes
    assert (year.divisor_minimum, year.count_weight, year.count_cap) == (12, Decimal("0.38"), 200)
    assert (year.basic_service_minimum, year.maximum_score) == (5, 250)
    assert [(p.name, p.lower_bound, p.upper_bound) for p in year.predicates] == [
        ("Sangat Inovatif", Decimal("65.01"), Decimal("100")),
        ("Inovatif", Decimal("40.01"), Decimal("65")),
        ("Kurang Inovatif", Decimal("0.01"), Decimal("40")),
        ("Tidak Dapat Dinilai", Decimal("0"), Decimal("0")),
    ]
    catalogue = queries.catalogue_from_db(year)
    assert derived_maximum(catalogue) == 250
    # The snapshot computes without the database: SPD 1→3 = 3; one innovation 35→3 = 12
    # / 12 = 1; no count (1 affair); IID = 4 / 250 × 100 = 1.60.
    result = compute(catalogue, {1: 3}, [Innovation(1, "sosial", {35: 3})])
    assert result.iid == Decimal("1.60")

    old = _year(2023)
    assert old.divisor_minimum == 10
    assert (old.count_weight, old.count_cap, old.maximum_score) == (None, None, None)
    assert "(verify)" in old.notes
    missing = compute(queries.catalogue_from_db(old), {}, []).cannot_compute()
    assert missing == "cannot compute: missing constant count_weight, count_cap, maximum_score"


def _close_2026() -> AssessmentYear:
    _seeded()
    year = _year(2026)
    services.set_status(year, YearStatus.OPEN)
    services.set_status(year, YearStatus.CLOSED)
    db.session.commit()
    return year


def test_a_closed_year_refuses_changes_through_the_services(system, table_counts) -> None:
    year = _close_2026()
    before = table_counts()
    with pytest.raises(services.YearClosed, match="Tahun penilaian 2026 sudah ditutup"):
        services.update_indicator(_indicator(2026, 35), weight=5)
    with pytest.raises(services.YearClosed):
        services.set_status(year, YearStatus.OPEN)
    with pytest.raises(services.YearClosed):
        services.delete_year(year)
    data = services.export_year(year)
    with pytest.raises(services.YearClosed):
        services.import_year(data, replace=True)
    db.session.rollback()
    assert table_counts() == before
    assert _indicator(2026, 35).weight == 4
    assert _year(2026).status is YearStatus.CLOSED
    # An open year is still editable.
    services.update_indicator(_indicator(2023, 35), weight="4.5")
    db.session.commit()
    assert _indicator(2023, 35).weight == Decimal("4.5")


@pytest.mark.parametrize(
    "change",
    [
        "weight",
        "reopen",
        "delete_level",
        "add_level",
        "add_predicate",
        "delete_year",
        "move",
        "move_indicator",
    ],
)
def test_a_closed_year_refuses_direct_orm_writes(system, table_counts, change: str) -> None:
    _close_2026()
    before = table_counts()
    year = _year(2026)
    indicator = _indicator(2026, 35)
    if change == "weight":
        indicator.weight = Decimal(9)
    elif change == "reopen":
        year.status = YearStatus.OPEN
    elif change == "delete_level":
        db.session.delete(indicator.levels[0])
    elif change == "add_level":
        db.session.add(IndicatorLevel(indicator_id=indicator.id, level=1, wording="x"))
    elif change == "add_predicate":
        year.predicates.append(Predicate(name="Baru", lower_bound=0, upper_bound=0))
    elif change == "delete_year":
        db.session.delete(year)
    elif change == "move":
        # Moving a level out of the closed year into the open one changes the closed year too.
        indicator.levels[0].indicator = _indicator(2023, 16)
    elif change == "move_indicator":
        other = _year(2023)
        indicator.aspect = next(a for a in other.aspects if a.code.value == "SID")
        indicator.year = other
    with pytest.raises(FrozenYearViolation, match="2026 is closed"):
        db.session.flush()
    db.session.rollback()
    assert table_counts() == before
    assert _indicator(2026, 35).weight == 4
    assert _year(2026).status is YearStatus.CLOSED


def test_bulk_statements_and_foreign_scopes_are_refused(system, demo) -> None:
    _close_2026()
    with pytest.raises(TenancyViolation, match="bulk UPDATE"):
        db.session.execute(sa.update(Indicator).values(weight=0))
    with pytest.raises(TenancyViolation, match="bulk DELETE"):
        db.session.execute(sa.delete(IndicatorLevel))
    db.session.rollback()
    open_year = _year(2023)
    for scope in (
        Scope.for_membership(Role.AGENCY_LEAD, demo.agency("BKD"), None),
        Scope.for_membership(Role.REGION_MONITOR, None, demo.regions["74.06"]),
        Scope.for_membership(Role.NATIONAL_REVIEWER, None, None),
        Scope.anonymous(),
    ):
        with scoped(scope, db.session):
            open_year.title = "Diubah"
            with pytest.raises(TenancyViolation, match="not writable"):
                db.session.flush()
            db.session.rollback()
    with scoped(Scope.for_membership(Role.PLATFORM_ADMIN, None, None), db.session):
        services.update_indicator(_indicator(2023, 20), weight=2)
        db.session.commit()
    assert _indicator(2023, 20).weight == 2


def _sample() -> dict:
    data = yaml.safe_load(services.SEED_FILES[1].read_text("utf-8"))
    data["year"] = 2030
    return data


def test_import_lists_every_problem_precisely_and_saves_nothing(system, table_counts) -> None:
    before = table_counts()
    data = _sample()
    data["colour"] = "red"
    data["status"] = "archived"
    data["constants"]["count_weight"] = "abc"
    data["constants"]["divisor_minimum"] = 0
    data["predicates"][1]["upper"] = 70  # overlaps Sangat Inovatif (65.01–100)
    spd = data["aspects"][0]["indicators"]
    sid = data["aspects"][1]["indicators"]
    spd[1]["number"] = 1
    spd[2]["weight"] = -1
    spd[3]["weight"] = "banyak"
    spd[4]["mandatory"] = "ya"
    spd[5]["levels"] = spd[5]["levels"][:2]
    spd[6]["levels"][2]["level"] = 4
    sid[0]["bobot"] = 3
    sid[1]["name"] = ""
    sid[2]["file_types"] = "pdf; exe"
    del sid[3]["levels"]
    sid[4]["target"] = "kecamatan"
    sid[5]["levels"][0]["wording"] = 3
    with pytest.raises(services.ImportRejected) as rejected:
        services.import_year(data)
    assert rejected.value.errors == [
        "colour: unknown key",
        "status: must be one of draft, open, closed, not 'archived'",
        "constants.count_weight: must be a number, not 'abc'",
        "constants.divisor_minimum: must be within 1..…, not 0",
        "predicates[1]: overlaps predicate 'Sangat Inovatif' (65.01–100)",
        "aspects[0].indicators[1].number: duplicate indicator number 1"
        " (also aspects[0].indicators[0])",
        "aspects[0].indicators[2].weight: must be ≥ 0, not -1",
        "aspects[0].indicators[3].weight: must be a number, not 'banyak'",
        "aspects[0].indicators[4].mandatory: must be true or false, not 'ya'",
        "aspects[0].indicators[5].levels: must be exactly the levels 1, 2 and 3, not [1, 2]",
        "aspects[0].indicators[6].levels: must be exactly the levels 1, 2 and 3, not [1, 2, 4]",
        "aspects[1].indicators[0].bobot: unknown key",
        "aspects[1].indicators[1].name: must not be empty",
        "aspects[1].indicators[2].file_types: must be a comma list of extensions, not 'pdf; exe'",
        "aspects[1].indicators[3].levels: is required",
        "aspects[1].indicators[3].levels: must be a list of the levels 1, 2 and 3",
        "aspects[1].indicators[4].target: must be one of innovation, region, not 'kecamatan'",
        "aspects[1].indicators[5].levels[0].wording: must be text, not int",
    ]
    db.session.rollback()
    assert table_counts() == before


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ([], ": must be a mapping, not list"),
        ({"year": 2030}, "title: is required"),
        ({**_sample(), "year": "2030"}, "year: must be a whole number, not '2030'"),
        ({**_sample(), "aspects": [_sample()["aspects"][0]]}, "aspects: aspect SID is missing"),
        (
            {**_sample(), "aspects": [_sample()["aspects"][0]] * 2},
            "aspects[1].code: duplicate aspect SPD",
        ),
    ],
)
def test_import_refuses_malformed_structures(system, table_counts, data, error) -> None:
    before = table_counts()
    with pytest.raises(services.ImportRejected) as rejected:
        services.import_year(data)
    assert error in rejected.value.errors
    assert table_counts() == before


def test_importing_an_existing_year_needs_replace(system) -> None:
    _seeded()
    data = services.export_year(_year(2026))
    with pytest.raises(services.ImportRejected, match="problems"):
        services.import_year(data)
    data["aspects"][1]["indicators"][19]["weight"] = 5
    services.import_year(data, replace=True)
    db.session.commit()
    assert _indicator(2026, 35).weight == 5


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_export_then_import_into_a_fresh_year_is_equal(system, fmt: str) -> None:
    _seeded()
    for number in (2023, 2026):
        exported = services.export_year(_year(number))
        text = services.dump(exported, fmt)
        data = services.parse_text(text, fmt)
        data["year"] = number + 100
        services.import_year(data)
        db.session.commit()
        again = services.export_year(_year(number + 100))
        assert {**again, "year": number} == exported
    # The seed file itself survives the round trip (modulo comments and the status).
    seed_file = yaml.safe_load(services.SEED_FILES[1].read_text("utf-8"))
    assert services.export_year(_year(2026)) == seed_file


def test_cli_seed_export_and_import(app: Flask, system, tmp_path, table_counts) -> None:
    assert app.cli.commands["assessment"] is assessment_cli
    for number in (2023, 2026):  # the demo snapshot holds both: start empty
        services.delete_year(_year(number))
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["assessment", "seed"])
    assert result.exit_code == 0, result.output
    assert result.output == "2023: created\n2026: created\n"
    assert runner.invoke(args=["assessment", "seed"]).output == "2023: present\n2026: present\n"

    exported = runner.invoke(args=["assessment", "export", "2026", "--format", "json"])
    assert exported.exit_code == 0
    data = json.loads(exported.output)
    assert data["constants"]["count_weight"] == 0.38
    data["year"] = 2027
    good = tmp_path / "iid_2027.json"
    good.write_text(json.dumps(data), encoding="utf-8")
    imported = runner.invoke(args=["assessment", "import", str(good)])
    assert imported.exit_code == 0, imported.output
    assert "Imported assessment year 2027: 35 indicators." in imported.output

    before = table_counts()
    data["year"] = 2028
    data["aspects"][1]["indicators"][0]["weight"] = -3
    bad = tmp_path / "iid_2028.yaml"
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    refused = runner.invoke(args=["assessment", "import", str(bad)])
    assert refused.exit_code == 1
    assert "1 problems found. Nothing was changed." in refused.output
    assert "aspects[1].indicators[0].weight: must be ≥ 0, not -3" in refused.output
    assert table_counts() == before
    assert runner.invoke(args=["assessment", "export", "1999"]).exit_code == 2

    yaml_out = runner.invoke(args=["assessment", "export", "2027"])
    assert yaml.safe_load(yaml_out.output)["year"] == 2027
    db.session.remove()


def test_indicator_variables_are_imported_exported_and_bounded(system, table_counts) -> None:
    data = services.export_year(_year(2026))
    assert all("variable" not in ind for a in data["aspects"] for ind in a["indicators"])
    data["year"] = 2031
    sid = data["aspects"][1]["indicators"]
    sid[0]["variable"] = "Kematangan inovasi"
    sid[1]["variable"] = "Kematangan inovasi"
    services.import_year(data)
    db.session.commit()
    again = services.export_year(_year(2031))
    assert [ind.get("variable") for ind in again["aspects"][1]["indicators"][:3]] == [
        "Kematangan inovasi",
        "Kematangan inovasi",
        None,
    ]
    before = table_counts()
    data["year"] = 2032
    sid[0]["variable"] = 7
    sid[1]["variable"] = "x" * 201
    with pytest.raises(services.ImportRejected) as rejected:
        services.import_year(data)
    db.session.rollback()
    assert any("variable" in str(error) for error in rejected.value.errors)
    assert len(rejected.value.errors) == 2
    assert table_counts() == before
