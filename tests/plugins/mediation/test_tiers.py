"""SPEC M2: the starting tier decided by named criteria, with reasons, at the boundaries of the thresholds."""
from __future__ import annotations

from datetime import date

import pytest

from plugins.mediation import tiers
from plugins.mediation.roster import nearness

ON = date(2026, 11, 30)


def facts(kind="neighbour", parties=2, people=0, workers=0, petition=False, threat=False, limit=10, workers_limit=10):
    return tiers.Facts(kind=kind, parties=parties, people_involved=people, workers=workers, petition_history=petition,
                       threat_of_escalation=threat,
                       district_people=tiers.Threshold(limit, "全平台默认"),
                       district_workers=tiers.Threshold(workers_limit, "全平台默认"))


def test_a_simple_neighbour_dispute_stays_in_the_grid_and_says_why():
    decision = tiers.starting_tier(facts(), ON)
    assert decision.tier == "grid"
    assert decision.reasons == ["邻里纠纷，无重大、复杂情形，简易纠纷不出网格"]


@pytest.mark.parametrize("people, tier", [(9, "grid"), (10, "district"), (11, "district")])
def test_ten_people_involved_send_a_dispute_to_the_district_centre_and_nine_do_not(people, tier):
    assert tiers.starting_tier(facts(people=people), ON).tier == tier


def test_the_people_threshold_is_the_one_in_force_and_cited_in_the_reason():
    decision = tiers.starting_tier(facts(people=6, limit=6), ON)
    assert decision.tier == "district" and decision.reasons == ["涉及 6 人，达到 6 人（全平台默认）"]


def test_parties_listed_count_as_people_involved():
    assert tiers.starting_tier(facts(parties=10), ON).tier == "district"


def test_a_petition_history_sends_any_dispute_to_the_district_centre():
    decision = tiers.starting_tier(facts(petition=True), ON)
    assert decision.tier == "district" and decision.reasons == ["此前已有信访"]


@pytest.mark.parametrize("workers, tier", [(9, "village"), (10, "district"), (30, "district")])
def test_a_labour_dispute_with_many_workers_starts_at_the_district_centre(workers, tier):
    assert tiers.starting_tier(facts(kind="labour", workers=workers), ON).tier == tier


def test_workers_count_only_in_a_labour_dispute():
    assert tiers.starting_tier(facts(kind="debt", workers=30), ON).tier == "village"


def test_a_thirty_worker_wage_dispute_gives_every_reason_that_decided_it():
    decision = tiers.starting_tier(facts(kind="labour", workers=30, people=30), ON)
    assert decision.reasons == ["涉及 30 人，达到 10 人（全平台默认）", "劳动争议涉及劳动者 30 人，达到 10 人（全平台默认）"]


def test_a_doctor_patient_dispute_goes_to_its_industry_committee():
    assert tiers.starting_tier(facts(kind="doctor_patient"), ON).tier == "industry"


@pytest.mark.parametrize("kind", ["urban_renewal", "enterprise", "petition"])
def test_complex_kinds_start_at_the_town_committee(kind):
    assert tiers.starting_tier(facts(kind=kind), ON).tier == "town"


def test_a_threat_of_escalation_makes_a_simple_dispute_complex():
    decision = tiers.starting_tier(facts(threat=True), ON)
    assert decision.tier == "town" and decision.reasons == ["当事人扬言上访、聚集或有过激行为风险"]


@pytest.mark.parametrize("kind, tier", [("contract", "village"), ("debt", "village"), ("tort", "village"),
                                        ("marriage_family", "grid"), ("property_management", "grid"),
                                        ("adjacent_property", "grid")])
def test_general_disputes_stay_in_the_village_and_simple_kinds_in_the_grid(kind, tier):
    assert tiers.starting_tier(facts(kind=kind), ON).tier == tier


def test_the_district_rules_outrank_the_industry_rule():
    assert tiers.starting_tier(facts(kind="doctor_patient", people=12), ON).tier == "district"


@pytest.mark.parametrize("area, rank", [("320402001001001", 0), ("320402001001002", 1), ("320402001001", 1),
                                        ("320402001", 2), ("320402001002", 2), ("320402", 3), ("320402002", 3)])
def test_a_mediator_s_nearness_is_the_deepest_level_their_area_shares_with_the_grid(area, rank):
    """SPEC M3: recommendations put the nearest first (the same grid, village, town)."""
    assert nearness(area, "320402001001001") == rank
