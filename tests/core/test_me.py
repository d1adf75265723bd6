"""Issue 4 — the resident's profile, `GET/PATCH/DELETE /v1/me` and `POST /v1/me/phone`.

CONTRACT "Identity and access" (ID numbers and phones validated, encrypted with a lookup hash, never
returned in full), REFERENCE "Resident ID numbers" (GB 11643-1999 checksum) and "Mini-program sign-in"
(phone-number flow), SPEC C1 (the home grid is a grid of the area tree), PIPL art. 47 (withdrawal).
"""
from __future__ import annotations

import json

import pytest

from chalicelib.domain.accounts import service as accounts, store
from chalicelib.platform import audit, auth, config, pii, storage
from chalicelib.domain.areas.models import Area
from chalicelib.platform.errors import Forbidden
from tests.core.test_signin import refresh, scan_table_text, signed_in, wechat  # noqa: F401 (fixture)
from tests.helpers import assert_problem, body, patch, post, seed_areas

GRID = "320402001001001"
ID_NUMBER = "11010519491231002X"  # GB 11643-1999's published example


def change(client, session: dict, payload: dict, version: int | None = None):
    headers = {**session["headers"]}
    if version is not None:
        headers["If-Match"] = str(version)
    return patch(client, "/v1/me", payload, headers)


@pytest.fixture
def alice(client, wechat, aws_backend):  # noqa: F811
    seed_areas()
    return signed_in(client, "ok:alice:1")


def test_a_new_resident_sees_an_empty_profile(client, alice):
    me = body(client.get("/v1/me", headers=alice["headers"]))
    assert me["sub"] == alice["account"]["sub"] and me["kind"] == "resident" and me["status"] == "active"
    assert me["name"] is None and me["phone_masked"] is None and me["home_grid"] is None
    assert me["real_name"] == {"status": "none", "id_number_masked": None, "declared_at": None}
    assert me["version"] == 1


def test_setting_the_home_grid_shows_my_grid_with_its_links(client, alice):
    response = change(client, alice, {"home_grid": GRID}, version=1)
    assert response.status_code == 200, response.body
    grid = body(response)["home_grid"]
    assert grid["code"] == GRID and grid["name"] == "第一网格" and grid["status"] == "active"
    assert body(client.get(grid["links"]["area"]))["name"] == "第一网格"
    assert grid["links"]["board"] == f"/v1/areas/{GRID}/board"  # "my grid" (C4), public
    assert client.get(grid["links"]["board"]).status_code == 200
    assert [a["name"] for a in body(client.get(grid["links"]["breadcrumb"]))["items"]][-2:] == ["演示社区", "第一网格"]
    cleared = body(change(client, alice, {"home_grid": None}, version=2))
    assert cleared["home_grid"] is None and cleared["version"] == 3


def test_the_home_grid_must_be_an_existing_active_grid(client, alice):
    problem = assert_problem(change(client, alice, {"home_grid": "320402001001"}, version=1), 422)
    assert problem["errors"][0]["loc"] == ["body", "home_grid"] and "15 位" in problem["errors"][0]["msg"]
    assert_problem(change(client, alice, {"home_grid": "320402001001099"}, version=1), 422, "home_grid_invalid")
    retired = storage.get_record(Area, pk="area#" + GRID, sk="record")
    storage.update(retired, {"status": "retired"}, expected_version=retired.version)
    problem = assert_problem(change(client, alice, {"home_grid": GRID}, version=1), 422, "home_grid_invalid")
    assert "撤销" in problem["detail"]


def test_changes_need_the_current_version(client, alice):
    assert_problem(change(client, alice, {"name": "张三"}), 400, "version_required")
    assert change(client, alice, {"name": "张三"}, version=1).status_code == 200
    assert_problem(change(client, alice, {"name": "李四"}, version=1), 409, "stale_version")
    assert_problem(change(client, alice, {}, version=2), 422, "nothing_to_change")
    assert_problem(change(client, alice, {"nickname": "x"}, version=2), 422)  # extra="forbid"


def test_real_name_checks_the_id_checksum_and_stores_the_number_encrypted_with_a_lookup_hash(client, alice):
    bad = assert_problem(change(client, alice, {"name": "张三", "id_number": "110105194912310021"}, version=1), 422)
    assert bad["errors"][0]["msg"] == "身份证号校验位不正确，请核对"
    assert "110105194912310021" not in json.dumps(bad, ensure_ascii=False)  # the input is not echoed
    me = body(change(client, alice, {"name": "张三", "id_number": ID_NUMBER.lower()}, version=1))
    assert me["real_name"]["status"] == "declared" and me["real_name"]["id_number_masked"] == "110***********002X"
    assert ID_NUMBER not in scan_table_text()
    item = storage.get(f"resident#{alice['account']['sub']}", "record")
    assert item["id_number_cipher"].startswith("v1:") and len(item["id_number_hash"]) == 64
    trail = json.dumps(audit.trail("resident", alice["account"]["sub"]).items, ensure_ascii=False)
    assert "实名登记" in trail and ID_NUMBER not in trail and "张三" not in trail  # fields named, not values


def test_real_name_needs_a_name_and_a_declared_name_changes_only_with_the_id_number(client, alice):
    assert_problem(change(client, alice, {"id_number": ID_NUMBER}, version=1), 422, "real_name_needs_name")
    assert change(client, alice, {"name": "张三", "id_number": ID_NUMBER}, version=1).status_code == 200
    assert_problem(change(client, alice, {"name": "张四"}, version=2), 422, "real_name_name_locked")
    renamed = body(change(client, alice, {"name": "张四", "id_number": ID_NUMBER}, version=2))
    assert renamed["name"] == "张四" and renamed["real_name"]["status"] == "declared"


def test_one_id_number_belongs_to_one_account(client, alice):
    assert change(client, alice, {"name": "张三", "id_number": ID_NUMBER}, version=1).status_code == 200
    bob = signed_in(client, "ok:bob:1")
    problem = assert_problem(change(client, bob, {"name": "张三", "id_number": ID_NUMBER}, version=1), 409,
                             "id_number_in_use")
    assert problem["errors"][0]["loc"] == ["body", "id_number"]
    withdrawn = body(change(client, alice, {"id_number": None}, version=2))  # alice withdraws her declaration
    assert withdrawn["real_name"]["status"] == "none"
    assert change(client, bob, {"name": "张三", "id_number": ID_NUMBER}, version=1).status_code == 200


def test_the_full_width_form_of_an_id_number_in_use_is_409_and_is_stored_in_ascii(client, alice):
    """An IME's full-width digits are the same number: NFKC first, so one number has one hash and one mask."""
    full_width = ID_NUMBER.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert change(client, alice, {"name": "张三", "id_number": ID_NUMBER}, version=1).status_code == 200
    bob = signed_in(client, "ok:bob:1")
    problem = assert_problem(change(client, bob, {"name": "张三", "id_number": full_width}, version=1), 409,
                             "id_number_in_use")
    assert problem["errors"][0]["loc"] == ["body", "id_number"]
    withdrawn = body(change(client, alice, {"id_number": None}, version=2))
    assert withdrawn["real_name"]["status"] == "none"
    me = body(change(client, bob, {"name": "张三", "id_number": full_width, "phone": "１３８ ００１３ ８０００"},
                     version=1))
    assert me["real_name"]["id_number_masked"] == "110***********002X"
    item = storage.get(f"resident#{bob['account']['sub']}", "record")
    assert pii.decrypt("id_number", item["id_number_cipher"]) == ID_NUMBER
    assert item["id_number_hash"] == pii.lookup_hash("id_number", ID_NUMBER)
    assert item["phone_masked"] == "138****8000"
    assert pii.decrypt("phone", item["phone_cipher"]) == "13800138000"


@pytest.mark.parametrize("sub", ["a#b", "", "x" * 3000, "r-\u00e9"])
def test_a_token_sub_that_cannot_be_a_key_is_an_account_not_found_not_a_500(aws_backend, sub):
    """Subs are checked by tokens.verify; the lookups check again, since an identity provider or a future
    caller may hand them any text."""
    from chalicelib.platform.errors import NotFound

    for roles in ({"resident"}, {"mediator"}):
        caller = auth.Caller(sub=sub, roles=frozenset(roles), area=None if "resident" in roles else "3204")
        with pytest.raises(NotFound):
            accounts.me(caller)
        with pytest.raises(NotFound):
            accounts.sign_out_everywhere(caller)
    assert store.find_resident(sub) is None and store.find_staff(sub) is None


def test_services_that_need_real_name_refuse_until_it_is_declared(client, alice):
    """SPEC L1/N3 via issue 4: legal aid and notary call `accounts.require_real_name` before submitting."""
    caller = auth.Caller(sub=alice["account"]["sub"], roles=frozenset({"resident"}), area=None)
    with pytest.raises(Forbidden) as refused:
        accounts.require_real_name(caller)
    assert refused.value.code == "real_name_required"
    change(client, alice, {"name": "张三", "id_number": ID_NUMBER}, version=1)
    assert accounts.require_real_name(caller).real_name_status == "declared"


def test_an_entered_phone_is_unverified_encrypted_and_shown_masked(client, alice):
    me = body(change(client, alice, {"phone": "138 1234 5678"}, version=1))
    assert me["phone_masked"] == "138****5678" and me["phone_verified"] is False
    assert "13812345678" not in scan_table_text()
    assert_problem(change(client, alice, {"phone": "12345"}, version=2), 422)


def test_binding_the_phone_verified_by_the_mini_program(client, alice):
    me = body(post(client, "/v1/me/phone", {"code": "phone:13912345678:1"}, {**alice["headers"], "If-Match": "1"}))
    assert me["phone_masked"] == "139****5678" and me["phone_verified"] is True
    assert "13912345678" not in scan_table_text()
    again = post(client, "/v1/me/phone", {"code": "phone:13912345678:1", "version": 2}, alice["headers"])
    assert_problem(again, 422, "phone_code_invalid")  # each code once
    abroad = post(client, "/v1/me/phone", {"code": "phone-abroad:2025550123", "version": 2}, alice["headers"])
    assert_problem(abroad, 422, "phone_not_mainland")


def test_a_caller_without_an_account_gets_404_and_staff_cannot_edit_resident_fields(client, token, aws_backend):
    assert_problem(client.get("/v1/me", headers=token("someone-from-the-cli", "resident")), 404, "account_not_found")
    assert_problem(patch(client, "/v1/me", {"name": "x"}, {**token("m1", "mediator", area="3204"), "If-Match": "1"}),
                   403, "role_not_allowed")


def test_withdrawal_erases_personal_data_keeps_records_and_explains_why(client, alice, wechat):  # noqa: F811
    sub = alice["account"]["sub"]
    change(client, alice, {"name": "张三", "id_number": ID_NUMBER, "phone": "13812345678", "home_grid": GRID},
           version=1)
    other_device = signed_in(client, "ok:alice:2")
    response = client.delete("/v1/me", headers={**alice["headers"], "If-Match": "2"})
    assert response.status_code == 200, response.body
    result = body(response)
    assert result["status"] == "withdrawn"
    assert {"姓名", "电话", "所在网格", "身份证号及实名登记"} <= set(result["erased"])
    assert any("法律援助" in k["what"] for k in result["kept"]) and all(k["why"] for k in result["kept"])

    item = storage.get(f"resident#{sub}", "record")
    assert item["status"] == "withdrawn" and "withdrawn_at" in item
    for erased in accounts.PERSONAL_FIELDS:
        assert erased not in item, erased
    stored = scan_table_text()
    assert "张三" not in stored and "13812345678" not in stored
    for session in (alice, other_device):
        assert_problem(refresh(client, session["refresh_token"]), 401, "session_ended")
    assert any(e["action"] == "withdraw" for e in audit.trail("resident", sub, limit=50).items), "the trail is kept"

    fresh = signed_in(client, "ok:alice:3")  # the same WeChat user later: a brand-new account
    assert fresh["account"]["is_new"] is True and fresh["account"]["sub"] != sub
    assert change(client, fresh, {"name": "张三", "id_number": ID_NUMBER}, version=1).status_code == 200
    assert_problem(client.get("/v1/me", headers=alice["headers"]), 404, "account_not_found")


def test_withdrawal_needs_the_current_version_like_every_other_change(client, alice):
    assert_problem(client.delete("/v1/me", headers=alice["headers"]), 400, "version_required")
    assert change(client, alice, {"name": "张三"}, version=1).status_code == 200  # on another device
    assert_problem(client.delete("/v1/me", headers={**alice["headers"], "If-Match": "1"}), 409, "stale_version")
    assert_problem(client.delete("/v1/me", headers={**alice["headers"], "If-Match": "abc"}), 400, "bad_if_match")
    assert body(client.get("/v1/me", headers=alice["headers"]))["status"] == "active"  # nothing was erased
    response = client.delete("/v1/me", headers={**alice["headers"], "If-Match": '"2"'})
    assert response.status_code == 200 and body(response)["status"] == "withdrawn"


def test_a_withdrawal_reads_the_account_with_its_sessions_in_one_query_and_writes_once(client, alice):
    """Issue 19 §3: the account heads its own sessions' list, so one Query finds both."""
    from tests.core.test_write_floor import dynamodb_calls

    with dynamodb_calls() as made:
        response = client.delete("/v1/me", headers={**alice["headers"], "If-Match": "1"})
    assert response.status_code == 200 and body(response)["status"] == "withdrawn"
    assert made == ["Query", "TransactWriteItems"]


def test_the_table_never_holds_a_key_made_of_an_openid(client, alice):
    keys_ = [i["pk"]["S"] for i in storage.aws.dynamodb().scan(TableName=config.table_name())["Items"]]
    assert any(k.startswith("openid-resident#") for k in keys_)
    assert not any("alice" in k for k in keys_)


def test_demo_and_back_office_residents_are_seeded_with_the_same_validation(client, alice):
    """`accounts.seed_resident`: for demo data and other services' tests (no WeChat link, not over HTTP)."""
    seeded = accounts.seed_resident(audit.SYSTEM, "r-demo-1", name="赵大海", id_number=ID_NUMBER, home_grid=GRID)
    assert seeded.real_name_status == "declared" and seeded.id_number_masked == "110***********002X"
    assert accounts.seed_resident(audit.SYSTEM, "r-demo-1").version == 1  # idempotent
    caller = auth.Caller(sub="r-demo-1", roles=frozenset({"resident"}), area=None)
    assert accounts.require_real_name(caller).sub == "r-demo-1"
    problem = assert_problem(change(client, alice, {"name": "赵大海", "id_number": ID_NUMBER}, version=1), 409)
    assert problem["code"] == "id_number_in_use"
    with pytest.raises(ValueError):
        accounts.seed_resident(audit.SYSTEM, "r-demo-2", name="钱", id_number="110105194912310021")
