"""Mediation's self-check (issue 25, SPEC M1/M2): people's mediation is free by law (人民调解法第四条), and a
resident is told whether their problem is a civil dispute a committee takes up, who usually starts it, what
to bring and where to file it — or, for a matter another authority decides, where to go."""
from __future__ import annotations

import pytest

from plugins.mediation.models import KINDS
from plugins.mediation.selfcheck import ELSEWHERE, KIND_OF, MATTERS
from tests.helpers import body, post

GRID = "320402001001001"


def self_check(client, **answers) -> dict:
    response = post(client, "/v1/self-check", {"area": GRID, "answers": answers})
    assert response.status_code == 200, response.body
    return body(response)


def mediation(client, **answers) -> dict:
    return next(r for r in self_check(client, **answers)["results"] if r["code"] == "mediation.free-mediation")


def test_a_neighbour_dispute_is_likely_free_citing_the_law_with_the_papers_and_the_route(client, areas):
    found = mediation(client, matter="neighbour")
    assert found["verdict"] == "likely"
    assert "人民调解法》第四条" in found["summary"] and "不收取任何费用" in found["summary"]
    assert "网格调解员" in found["summary"]
    assert next(c for c in found["criteria"] if c["code"] == "mediation.free")["met"] is True
    assert any("身份证" in d for d in found["documents"])
    assert found["next_step"]["route"] == "POST /v1/tickets" and "矛盾纠纷" in found["next_step"]["text"]


def test_a_debt_between_residents_is_likely_and_starts_at_the_village_committee(client, areas):
    found = mediation(client, matter="debt")
    assert found["verdict"] == "likely" and "村（社区）人民调解委员会" in found["summary"]


def test_a_medical_accident_goes_to_the_industry_committee(client, areas):
    assert "行业性专业性人民调解委员会" in mediation(client, matter="medical_accident")["summary"]


@pytest.mark.parametrize("matter", ["state_compensation", "social_insurance", "capacity_determination"])
def test_a_matter_another_authority_decides_depends_and_says_where_to_go(client, areas, matter):
    found = mediation(client, matter=matter)
    assert found["verdict"] == "depends" and ELSEWHERE[matter] in found["summary"]
    assert next(c for c in found["criteria"] if c["code"] == "mediation.civil_dispute")["met"] is None


def test_without_the_matter_mediation_depends_and_asks_for_it(client, areas):
    found = mediation(client, age=40)
    assert found["verdict"] == "depends" and "您遇到的是哪类问题" in found["summary"]


def test_every_matter_offered_is_either_a_dispute_kind_or_pointed_elsewhere():
    for code, _ in MATTERS:
        assert (code in KIND_OF) != (code in ELSEWHERE), code
    assert set(KIND_OF.values()) <= set(KINDS)


def test_a_neighbour_dispute_is_offered_once_in_the_questionnaire_and_legal_aid_reads_it_as_outside_its_scope(
        client, areas):
    """The shared `matter` question joins the services' choices; legal aid judges a code of another service
    as 其他事项 (L4), which is what an application for it would say."""
    matter = next(q for q in body(client.get("/v1/self-check/questions"))["questions"] if q["id"] == "matter")
    assert [c["code"] for c in matter["choices"]].count("neighbour") == 1
    legal_aid = next(r for r in self_check(client, matter="neighbour", household_size=3, monthly_incomes=["1000"],
                                           age=40)["results"] if r["code"] == "legal-aid.eligibility")
    assert legal_aid["verdict"] == "not_likely" and "不在法律援助事项范围内" in legal_aid["summary"]
