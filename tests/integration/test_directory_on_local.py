"""C2, C3, C4, C8 on DynamoDB Local: the transaction- and condition-heavy tests re-run unchanged (so moto's
gaps cannot hide a bug), and the issue's "done when" walked through on the real demo data: browse the
Changzhou tree, see the coverage gaps of 天宁区, fill one, see it disappear, read a resident's grid card."""
from __future__ import annotations


from tests.core.test_board_rota import (  # noqa: F401  (fixtures and tests re-run here)
    clock, points, test_a_resident_s_grid_board_shows_the_right_people_with_staff_work_phones_in_full,
    test_one_person_on_duty_in_two_places_at_once_is_a_409,
)
from tests.core.test_coverage import (  # noqa: F401
    services, test_bad_assignments_are_clear_4xx_problems_naming_the_field,
    test_ending_an_assignment_reopens_the_gap_and_it_can_be_made_again,
    test_the_report_reads_one_partition_per_role_and_never_scans,
)
from tests.core.test_directory import (  # noqa: F401
    test_a_person_s_phone_is_validated_encrypted_and_only_ever_shown_masked,
    test_remapping_and_retiring_an_institution_move_it_in_the_public_lists,
)
from tests.helpers import body, post


def test_the_demo_city_from_tree_to_gap_to_grid_card(client, token, aws_backend):
    """C2/C3/C4 done-when, on the demo data `make dev` loads (areas, institutions, people, assignments)."""
    from chalicelib import demo
    from chalicelib.demo import directory as demo_directory
    from chalicelib.domain.directory import service as directory
    from chalicelib.platform import storage

    storage.batch_write([a.to_item() for a in demo.demo_areas() if a.code.startswith("32")])  # 江苏 → 常州
    loaded = demo_directory.load(demo.DEMO_ACTOR)
    assert loaded["status"] == "loaded" and loaded["institutions"] == 26 and loaded["people"] == 10
    assert demo_directory.load(demo.DEMO_ACTOR) == {"status": "already loaded"}

    districts = body(client.get("/v1/areas/3204/children"))["items"]
    assert [d["name"] for d in districts] == ["天宁区", "钟楼区", "新北区", "武进区", "金坛区", "溧阳市"]
    serving = [i["name"] for i in body(client.get("/v1/areas/320402001001001/institutions?limit=100"))["items"]]
    assert "天宁公证处" in serving and "常州市天宁区法律援助中心" in serving and "武进公证处" not in serving
    jingkai = [i["name"] for i in body(client.get("/v1/areas/320412001001001/institutions?limit=100"))["items"]]
    assert "常州经济开发区法律援助中心" in jingkai and "武进公证处" in jingkai
    assert "常州市武进区法律援助中心" not in jingkai

    admin = token("admin-1", "admin", area="3204")
    report = body(client.get("/v1/areas/320402/coverage?role=legal_literate", headers=admin))
    assert report["grids"] == 250 and report["totals"] == [{"role": "legal_literate", "covered": 5, "missing": 245}]
    first_gap = body(client.get("/v1/areas/320402/coverage/gaps?role=legal_literate&limit=1", headers=admin))["items"][0]
    created = post(client, "/v1/assignments", {"role": "legal_literate", "area": first_gap["code"],
                                               "assignee_id": "demo-p-hezhendong"}, admin)
    assert created.status_code == 201, created.body
    gaps = body(client.get("/v1/areas/320402/coverage/gaps?role=legal_literate&limit=100", headers=admin))["items"]
    assert first_gap["code"] not in [g["code"] for g in gaps]
    assert body(client.get("/v1/areas/320402/coverage?role=legal_literate", headers=admin))["totals"][0]["covered"] == 6

    card = client.get("/v1/areas/320402001001001/board")
    board = body(card)
    literate = [c for c in board["contacts"] if c["role"] == "legal_literate"][0]["people"]
    assert [(p["name"], p["phone"], p["demo"]) for p in literate] == [("孙晓燕", "138****1205", True)]
    assert [m["title"] for m in board["menu"] if m["kind"] == "x"] == ["物业纠纷调解", "涉老法律服务"]
    # C4: staff's published work phones are in full; a resident volunteer's (法律明白人) number stays masked
    assert "13800001205" not in card.body.decode()
    assert all("*" not in p["phone"] for c in board["contacts"] if c["role"] not in ("legal_literate", "volunteer")
               for p in c["people"] if p.get("phone"))
