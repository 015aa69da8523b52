"""The index computation, worked by hand (DOMAIN §2.3), plus properties checked by hypothesis.

Seeded weights used below (puja_indah/assessment/data/iid_2026.yaml; 2023 reuses them):
  SPD  1:1  2:1  3:1  4:2  5:2  6:2  7:2  8:1  9:1  10:2  11:2  12:1  13:1  14:1  15:1  (Σ 21)
  SID 16:3 17:2 18:2 19:2 20:1 21:2 22:1 23:1 24:1 25:1 26:1 27:1 28:2 29:1 30:2 31:3
      32:2 33:3 34:2 35:4                                                          (Σ 37)
  mandatory SID: 16, 17, 32, 33, 35.
"""

from __future__ import annotations

import ast
import copy
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from puja_indah.assessment.index import (
    BASIC_SERVICE_AFFAIRS,
    Catalogue,
    IndicatorSpec,
    Innovation,
    catalogue_from_export,
    compute,
    derived_maximum,
    predicate_for,
    what_if,
)

DATA = Path(__file__).resolve().parents[2] / "puja_indah" / "assessment" / "data"
D = Decimal


def load(year: int) -> Catalogue:
    return catalogue_from_export(yaml.safe_load((DATA / f"iid_{year}.yaml").read_text("utf-8")))


CAT_2026 = load(2026)
CAT_2023 = load(2023)

# Region claims: 1→3 (1×3=3), 4→2 (2×2=4), 8→3 (1×3=3), 11→1 (2×1=2)  ⇒ SPD = 12
REGION = {1: 3, 4: 2, 8: 3, 11: 1}
# A (pendidikan): 16→3 (9) 17→2 (4) 32→3 (6) 33→2 (6) 35→1 (4)          ⇒ 29
A = Innovation("A", "pendidikan", {16: 3, 17: 2, 32: 3, 33: 2, 35: 1})
# B (kesehatan): 16→1 (3) 17→1 (2) 31→3 (9) 35→3 (12); 32, 33 at 0       ⇒ 26
B = Innovation("B", "kesehatan", {16: 1, 17: 1, 31: 3, 35: 3})
# C (pertanian, not a basic service): 16→2 (6) 18→3 (6) 28→3 (6)          ⇒ 18
C = Innovation("C", "pertanian", {16: 2, 18: 3, 28: 3})
# D (PU & penataan ruang): 16→3 (9) 17→3 (6) 32→3 (6) 33→3 (9) 35→3 (12) ⇒ 42
D_ = Innovation("D", "pekerjaan_umum_penataan_ruang", {16: 3, 17: 3, 32: 3, 33: 3, 35: 3})
# E (sosial): 35→2 (8) 33→1 (3)                                           ⇒ 11
E = Innovation("E", "sosial", {35: 2, 33: 1})
# F (trantibumlinmas): no valid evidence at all                           ⇒ 0
F = Innovation("F", "trantibumlinmas", {})


def test_seeded_catalogues_have_the_documented_shape() -> None:
    for cat in (CAT_2023, CAT_2026):
        assert [s.number for s in cat.of_aspect("SPD")] == list(range(1, 16))
        assert [s.number for s in cat.of_aspect("SID")] == list(range(16, 36))
        assert sum(s.weight for s in cat.of_aspect("SPD")) == 21
        assert sum(s.weight for s in cat.of_aspect("SID")) == 37
    # 2026: 21×3 + 37×3 + 200×0.38 = 63 + 111 + 76 = 250, the stated maximum.
    assert derived_maximum(CAT_2026) == D(250) == CAT_2026.maximum_score
    # 2023: the count constants are unknown, so no maximum can be derived.
    assert derived_maximum(CAT_2023) is None


def test_2026_three_innovations_count_rule_unmet() -> None:
    result = compute(CAT_2026, REGION, [A, B, C])
    assert result.spd_total == 12
    assert [(s.id, s.sid_sum) for s in result.innovations] == [("A", 29), ("B", 26), ("C", 18)]
    # Σ = 29 + 26 + 18 = 73; n = 3 < 12 ⇒ divisor MAX(12, 3) = 12; 73 / 12 = 6.0833…
    assert result.sid_sum_total == 73
    assert result.divisor == 12
    assert result.sid_average == D(73) / 12
    # Basic services covered: pendidikan, kesehatan = 2 of 6 < 5 ⇒ count score 0.
    assert result.basic_services_covered == ("pendidikan", "kesehatan")
    assert not result.count_rule_met
    assert result.count_score == 0
    # total = 12 + 73/12 = 18.0833…; IID = 18.0833… / 250 × 100 = 7.2333… ⇒ 7.23
    assert result.total == 12 + D(73) / 12
    assert result.maximum == 250
    assert result.iid == D("7.23")
    assert result.predicate == "Kurang Inovatif"
    codes = [(f.code, f.innovation, f.indicator) for f in result.holding_back]
    assert ("mandatory_at_zero", "B", 32) in codes
    assert ("mandatory_at_zero", "B", 33) in codes
    assert [f.indicator for f in result.holding_back if f.innovation == "C"] == [17, 32, 33, 35]
    assert not [f for f in result.holding_back if f.innovation == "A"]
    assert {f.code for f in result.holding_back} == {
        "mandatory_at_zero",
        "basic_services_short",
        "below_divisor",
    }
    assert result.missing_constants == ()


def test_2026_five_of_six_basic_services_earn_the_count_score() -> None:
    result = compute(CAT_2026, REGION, [A, B, C, D_, E, F])
    # Σ = 73 + 42 + 11 + 0 = 126; n = 6 ⇒ divisor 12; 126 / 12 = 10.5
    assert result.sid_sum_total == 126
    assert result.sid_average == D("10.5")
    # covered: pendidikan, kesehatan, PU, trantibumlinmas, sosial = 5 ≥ 5 (perumahan missing)
    assert result.basic_services_missing == ("perumahan_kawasan_permukiman",)
    assert result.count_rule_met
    # count = MIN(6, 200) × 0.38 = 2.28
    assert result.count_score == D("2.28")
    # total = 12 + 10.5 + 2.28 = 24.78; IID = 24.78 / 250 × 100 = 9.912 ⇒ 9.91
    assert result.total == D("24.78")
    assert result.iid == D("9.91")
    assert result.predicate == "Kurang Inovatif"


def test_2026_full_marks_and_the_count_cap() -> None:
    full_region = {n: 3 for n in range(1, 16)}
    full = {n: 3 for n in range(16, 36)}
    twelve = [Innovation(i, BASIC_SERVICE_AFFAIRS[i % 6], full) for i in range(12)]
    result = compute(CAT_2026, full_region, twelve)
    # SPD 63; Σ 12 × 111 = 1332 / 12 = 111; count 12 × 0.38 = 4.56; total 178.56
    # IID = 178.56 / 250 × 100 = 71.424 ⇒ 71.42 (Sangat Inovatif: 65.01–100)
    assert (result.spd_total, result.sid_average, result.count_score) == (63, 111, D("4.56"))
    assert result.iid == D("71.42")
    assert result.predicate == "Sangat Inovatif"
    # 250 innovations with no evidence, all six affairs: divisor 250, SID 0,
    # count = MIN(250, 200) × 0.38 = 76 (the cap); IID = 76 / 250 × 100 = 30.40
    many = [Innovation(i, BASIC_SERVICE_AFFAIRS[i % 6], {}) for i in range(250)]
    capped = compute(CAT_2026, {}, many)
    assert capped.divisor == 250
    assert capped.count_score == 76
    assert capped.iid == D("30.40")
    assert capped.predicate == "Kurang Inovatif"


def test_2023_divisor_10_and_missing_count_constants() -> None:
    result = compute(CAT_2023, REGION, [A, B, C])
    # SPD 12; Σ 73; divisor MAX(10, 3) = 10 ⇒ SID average 7.3
    assert result.spd_total == 12
    assert result.divisor == 10
    assert result.sid_average == D("7.3")
    # No basic-service rule in 2023 (NULL minimum) ⇒ the rule is met trivially.
    assert result.count_rule_met
    # The count constants and the maximum are not sourced: nothing is invented.
    assert result.missing_constants == ("count_weight", "count_cap", "maximum_score")
    assert result.count_score is None and result.total is None and result.iid is None
    assert result.predicate is None
    assert result.cannot_compute() == (
        "cannot compute: missing constant count_weight, count_cap, maximum_score"
    )
    assert result.holding_back[0].message == "cannot compute: missing constant count_weight"


def test_2023_rules_with_hypothetical_count_constants() -> None:
    # Test-only constants (NOT sourced): count_weight 0.5, cap 100. Derived maximum =
    # (21 + 37) × 3 + 100 × 0.5 = 174 + 50 = 224.
    cat = replace(CAT_2023, count_weight=D("0.5"), count_cap=100)
    result = compute(cat, REGION, [A, B, C])
    # count = MIN(3, 100) × 0.5 = 1.5; total = 12 + 7.3 + 1.5 = 20.8
    # IID = 20.8 / 224 × 100 = 9.2857… ⇒ 9.29
    assert result.maximum == 224
    assert result.total == D("20.8")
    assert result.iid == D("9.29")
    assert result.predicate == "Kurang Inovatif"
    # 11 innovations ⇒ divisor MAX(10, 11) = 11: Σ 73 + 8 × 0 = 73 / 11
    eleven = [A, B, C, *(Innovation(f"x{i}", None, {}) for i in range(8))]
    assert compute(cat, REGION, eleven).divisor == 11
    assert not [f for f in compute(cat, REGION, eleven).holding_back if f.code == "below_divisor"]


@pytest.mark.parametrize(
    ("iid", "expected_2026", "expected_2023"),
    [
        ("0", "Tidak Dapat Dinilai", "Tidak Dapat Dinilai"),
        ("0.01", "Kurang Inovatif", "Kurang Inovatif"),
        ("34.99", "Kurang Inovatif", "Kurang Inovatif"),
        ("35.00", "Kurang Inovatif", "Inovatif"),
        ("40.00", "Kurang Inovatif", "Inovatif"),
        ("40.01", "Inovatif", "Inovatif"),
        ("60.00", "Inovatif", "Inovatif"),
        ("60.01", "Inovatif", "Sangat Inovatif"),
        ("65.00", "Inovatif", "Sangat Inovatif"),
        ("65.01", "Sangat Inovatif", "Sangat Inovatif"),
        ("100", "Sangat Inovatif", "Sangat Inovatif"),
    ],
)
def test_predicate_boundaries(iid: str, expected_2026: str, expected_2023: str) -> None:
    assert predicate_for(CAT_2026, D(iid)) == expected_2026
    assert predicate_for(CAT_2023, D(iid)) == expected_2023


# A tiny 2026-rule catalogue whose maximum is 100, so the IID equals the SPD score.
BOUNDARY = replace(
    CAT_2026,
    indicators=(
        IndicatorSpec(1, "SPD", D(20)),
        IndicatorSpec(2, "SPD", D("0.01")),
        IndicatorSpec(3, "SPD", D(5)),
        IndicatorSpec(16, "SID", D(1), mandatory=True),
    ),
    maximum_score=D(100),
)


@pytest.mark.parametrize(
    ("levels", "iid", "predicate"),
    [
        ({}, "0.00", "Tidak Dapat Dinilai"),  # nothing claimed
        ({1: 2}, "40.00", "Kurang Inovatif"),  # 20 × 2 = 40
        ({1: 2, 2: 1}, "40.01", "Inovatif"),  # 40 + 0.01
        ({1: 3, 3: 1}, "65.00", "Inovatif"),  # 60 + 5
        ({1: 3, 2: 1, 3: 1}, "65.01", "Sangat Inovatif"),  # 60 + 0.01 + 5
    ],
)
def test_predicate_boundaries_through_compute(
    levels: dict[int, int], iid: str, predicate: str
) -> None:
    result = compute(BOUNDARY, levels, [])
    assert result.iid == D(iid)
    assert result.predicate == predicate


def test_level_zero_means_no_evidence() -> None:
    claimed_zero = Innovation("z", "sosial", {16: 0, 17: 0, 35: 0, 31: 3})
    absent = Innovation("z", "sosial", {31: 3})
    with_zero = compute(CAT_2026, {}, [claimed_zero])
    assert with_zero.innovations[0].sid_sum == 9  # only 31: 3 × 3
    assert with_zero == compute(CAT_2026, {}, [absent])
    assert with_zero.innovations[0].mandatory_at_zero == (16, 17, 32, 33, 35)


@pytest.mark.parametrize(
    ("region", "innovation"),
    [
        ({1: 4}, {}),
        ({1: -1}, {}),
        ({16: 1}, {}),  # a SID indicator claimed by the region
        ({}, {1: 1}),  # an SPD indicator claimed by an innovation
        ({}, {99: 1}),
        ({}, {16: True}),
    ],
)
def test_bad_claims_are_refused(region: dict[int, int], innovation: dict[int, int]) -> None:
    with pytest.raises(ValueError):
        compute(CAT_2026, region, [Innovation("x", None, innovation)])


def test_what_if_changes_nothing_it_is_given() -> None:
    region = dict(REGION)
    levels = {16: 1, 17: 1, 31: 3, 35: 3}
    b = Innovation("B", "kesehatan", levels)
    innovations = [A, b, C]
    before = (copy.deepcopy(region), [copy.deepcopy(dict(i.levels)) for i in innovations])
    baseline = compute(CAT_2026, region, innovations)

    # Remove C (18), raise B's 32 and 33 to 3 (+6 +9 ⇒ B = 41), add D (42) and region 2→3 (+3).
    result = what_if(
        CAT_2026,
        region,
        innovations,
        add=[D_],
        remove=["C"],
        relevel={"B": {32: 3, 33: 3}},
        region_relevel={2: 3},
    )
    # SPD 12 + 3 = 15; Σ 29 + 41 + 42 = 112 / 12; covered 3 ⇒ count 0
    # total = 15 + 9.3333… = 24.3333…; IID = 9.7333… ⇒ 9.73
    assert result.spd_total == 15
    assert result.sid_sum_total == 112
    assert result.iid == D("9.73")
    assert (region, [dict(i.levels) for i in innovations]) == before
    assert compute(CAT_2026, region, innovations) == baseline
    # The caller's dict is copied: changing it later does not reach the innovation.
    levels[16] = 3
    assert b.levels[16] == 1
    with pytest.raises(TypeError):
        b.levels[16] = 3  # type: ignore[index]
    with pytest.raises(ValueError):
        what_if(CAT_2026, region, innovations, remove=["nope"])


def test_the_computation_module_is_pure() -> None:
    """index.py imports only the standard library: no database, no Flask."""
    import puja_indah.assessment.index as module

    tree = ast.parse(Path(module.__file__).read_text("utf-8"))
    imported = {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    } | {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}


# --- properties ----------------------------------------------------------------------------------

level = st.integers(min_value=0, max_value=3)
region_claims = st.dictionaries(st.integers(min_value=1, max_value=15), level, max_size=15)
affairs = st.sampled_from([*BASIC_SERVICE_AFFAIRS, None, "pertanian"])
innovation_levels = st.dictionaries(st.integers(min_value=16, max_value=35), level, max_size=20)
innovation_lists = st.lists(st.tuples(affairs, innovation_levels), max_size=40).map(
    lambda rows: [Innovation(i, affair, lv) for i, (affair, lv) in enumerate(rows)]
)


@settings(max_examples=150, deadline=None)
@given(region=region_claims, innovations=innovation_lists)
def test_iid_stays_within_0_and_100(region: dict[int, int], innovations: list[Innovation]) -> None:
    result = compute(CAT_2026, region, innovations)
    assert result.iid is not None
    assert D(0) <= result.iid <= D(100)
    assert result.predicate is not None


@settings(max_examples=150, deadline=None)
@given(
    region=region_claims,
    innovations=innovation_lists,
    which=st.integers(min_value=0),
    number=st.integers(min_value=1, max_value=35),
)
def test_raising_one_level_never_lowers_the_index(
    region: dict[int, int], innovations: list[Innovation], which: int, number: int
) -> None:
    before = compute(CAT_2026, region, innovations)
    if number <= 15:
        current = region.get(number, 0)
        if current == 3:
            return
        after = what_if(CAT_2026, region, innovations, region_relevel={number: current + 1})
    else:
        if not innovations:
            return
        target = innovations[which % len(innovations)]
        current = target.levels.get(number, 0)
        if current == 3:
            return
        after = what_if(CAT_2026, region, innovations, relevel={target.id: {number: current + 1}})
    assert before.total is not None and after.total is not None
    assert after.total >= before.total
    assert after.iid is not None and before.iid is not None and after.iid >= before.iid
