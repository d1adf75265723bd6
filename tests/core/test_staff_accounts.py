"""Issue 4 — staff accounts: admins create staff (role, area, institution) within their own jurisdiction
(SPEC C1), staff bind their WeChat once with an invitation code and then sign in through the same
mini-program flow; their tokens carry the roles and area of their record (CONTRACT "Identity and
access"), changes apply at the next refresh, and disabling revokes their refresh tokens at once."""
from __future__ import annotations

import jwt
import pytest

from chalicelib.domain.accounts import service as accounts
from chalicelib.platform import audit, storage
from tests.core.test_signin import refresh, sign_in, signed_in, wechat  # noqa: F401 (fixture)
from tests.helpers import assert_problem, body, header, patch, post, seed_areas

TIANNING, ZHONGLOU, TOWN = "320402", "320404", "320402001"


@pytest.fixture
def admin(token, aws_backend):
    seed_areas()
    return token("admin-tianning", "admin", area=TIANNING)


def create(client, admin_headers, **fields):
    payload = {"name": "王调解", "roles": ["mediator", "grid_worker"], "area": TOWN, "institution": "tjwyh-diaozhuang",
               **fields}
    return post(client, "/v1/staff-accounts", payload, admin_headers)


def invite(client, admin_headers, sub: str) -> str:
    response = post(client, f"/v1/staff-accounts/{sub}/invitation", {}, admin_headers)
    assert response.status_code == 200, response.body
    assert header(response, "cache-control") == "no-store"
    return body(response)["invite_code"]


def version_of(client, admin_headers, sub: str) -> str:
    return str(body(client.get(f"/v1/staff-accounts/{sub}", headers=admin_headers))["version"])


@pytest.fixture
def bound(client, admin, wechat):  # noqa: F811
    """A mediator of 雕庄街道 who has bound WeChat user `wang`: (staff sub, their first session)."""
    sub = body(create(client, admin))["sub"]
    session = signed_in(client, "ok:wang:1", mode="staff", invite_code=invite(client, admin, sub))
    return sub, session


def test_an_admin_creates_staff_in_their_area(client, admin):
    response = create(client, admin, phone="13812345678")
    assert response.status_code == 201, response.body
    staff = body(response)
    assert header(response, "location") == f"/v1/staff-accounts/{staff['sub']}"
    assert staff["sub"].startswith("s-") and staff["roles"] == ["grid_worker", "mediator"]
    assert staff["area"] == TOWN and staff["status"] == "active" and staff["wechat_bound"] is False
    assert staff["phone_masked"] == "138****5678"
    assert body(client.get(f"/v1/staff-accounts/{staff['sub']}", headers=admin)) == staff
    assert audit.trail("staff-account", staff["sub"]).items[0]["actor"] == "admin-tianning"


def test_only_admins_and_only_within_their_jurisdiction(client, admin, token):
    assert_problem(create(client, admin, area=ZHONGLOU), 403, "outside_jurisdiction")
    assert_problem(create(client, token("r1", "resident")), 403, "role_not_allowed")
    assert_problem(create(client, token("m1", "mediator", area=TIANNING)), 403, "role_not_allowed")
    assert_problem(create(client, admin, area="320402999"), 422, "area_not_found")
    problem = assert_problem(create(client, admin, roles=["resident"]), 422)
    assert problem["errors"][0]["loc"][:2] == ["body", "roles"]
    sub = body(create(client, admin))["sub"]
    zhonglou_admin = token("admin-zhonglou", "admin", area=ZHONGLOU)
    assert_problem(client.get(f"/v1/staff-accounts/{sub}", headers=zhonglou_admin), 403, "outside_jurisdiction")
    assert_problem(client.get("/v1/staff-accounts/s-nobody", headers=admin), 404, "staff_not_found")


def test_a_staff_account_is_created_in_one_call_with_or_without_a_key(client, admin):
    """Reliability §3: the area's existence is a condition of the creating transaction; an unknown area is
    still the 422 naming `area`."""
    from tests.core.test_write_floor import dynamodb_calls

    create(client, admin)  # the first request of a process reads the signing keys
    with dynamodb_calls() as plain:
        assert create(client, admin).status_code == 201
    with dynamodb_calls() as keyed:
        assert create(client, {**admin, "Idempotency-Key": "staff-floor"}).status_code == 201
    assert plain == keyed == ["TransactWriteItems"]
    problem = assert_problem(create(client, admin, area="320402999"), 422, "area_not_found")
    assert problem["errors"][0]["loc"] == ["body", "area"]
@pytest.mark.parametrize("sub", ["s-#x", "s-a#b", "s-" + "x" * 3000, "s-\U0001f600", "s-", "", "#"])
def test_a_staff_sub_that_cannot_be_an_account_id_is_404_not_500(client, admin, sub):
    """API Gateway URL-decodes path parameters (`s-%23x` arrives as `s-#x`); such a sub is no account."""
    from urllib.parse import quote

    from chalicelib.platform.auth import Caller
    from chalicelib.platform.errors import NotFound

    caller = Caller(sub="admin-tianning", roles=frozenset({"admin"}), area=TIANNING)
    actor = audit.Actor(sub="admin-tianning", roles=("admin",))
    for call in (lambda: accounts.get_staff(caller, sub), lambda: accounts.invite_staff(caller, sub),
                 lambda: accounts.change_staff(caller, sub, accounts.StaffPatch(name="x"), 1)):
        with pytest.raises(NotFound) as caught:
            call()
        assert caught.value.code == "staff_not_found"
    if sub:
        assert_problem(client.get(f"/v1/staff-accounts/{quote(sub, safe='')}", headers=admin), 404, "staff_not_found")


def test_staff_bind_their_wechat_once_and_get_tokens_with_their_roles_and_area(client, bound, admin):
    sub, first = bound
    assert first["account"] == {"sub": sub, "kind": "staff", "roles": ["grid_worker", "mediator"], "area": TOWN,
                                "is_new": False}
    assert body(client.get("/v1/whoami", headers=first["headers"])) == {
        "sub": sub, "roles": ["grid_worker", "mediator"], "area": TOWN}
    assert body(client.get(f"/v1/staff-accounts/{sub}", headers=admin))["wechat_bound"] is True
    later = signed_in(client, "ok:wang:2", mode="staff")  # no code needed any more
    assert later["account"]["sub"] == sub
    me = body(client.get("/v1/me", headers=later["headers"]))
    assert me["kind"] == "staff" and me["area"] == TOWN and me["institution"] == "tjwyh-diaozhuang"


def test_an_invitation_works_once_and_a_new_one_voids_the_old(client, admin, wechat):  # noqa: F811
    sub = body(create(client, admin))["sub"]
    old, new = invite(client, admin, sub), invite(client, admin, sub)
    assert_problem(sign_in(client, "ok:wang:1", mode="staff", invite_code=old), 403, "invite_invalid")
    assert signed_in(client, "ok:wang:2", mode="staff", invite_code=new.lower())["account"]["sub"] == sub
    assert_problem(sign_in(client, "ok:li:1", mode="staff", invite_code=new), 403, "invite_invalid")
    assert_problem(sign_in(client, "ok:li:2", mode="staff", invite_code="ZZZZZ-ZZZZZ"), 403, "invite_invalid")


def test_a_wechat_user_without_a_staff_binding_cannot_sign_in_as_staff(client, admin, wechat):  # noqa: F811
    assert_problem(sign_in(client, "ok:stranger:1", mode="staff"), 403, "staff_not_bound")


def test_one_person_may_be_resident_and_staff_with_separate_accounts(client, bound):
    sub, _ = bound
    as_resident = signed_in(client, "ok:wang:2")
    assert as_resident["account"]["kind"] == "resident" and as_resident["account"]["sub"] != sub
    assert body(client.get("/v1/whoami", headers=as_resident["headers"]))["roles"] == ["resident"]


def test_role_and_area_changes_take_effect_at_the_next_refresh(client, bound, admin):
    sub, session = bound
    response = patch(client, f"/v1/staff-accounts/{sub}", {"roles": ["notary"], "area": TIANNING},
                     {**admin, "If-Match": version_of(client, admin, sub)})
    assert response.status_code == 200, response.body
    renewed = body(refresh(client, session["refresh_token"]))
    claims = jwt.decode(renewed["access_token"], options={"verify_signature": False})
    assert claims["roles"] == ["notary"] and claims["area"] == TIANNING
    entry = audit.trail("staff-account", sub).items[0]
    assert entry["changes"]["roles"] == {"from": ["grid_worker", "mediator"], "to": ["notary"]}


def test_disabling_a_staff_member_revokes_their_refresh_tokens_at_once(client, bound, admin):
    sub, first = bound
    second = signed_in(client, "ok:wang:2", mode="staff")
    response = patch(client, f"/v1/staff-accounts/{sub}", {"status": "disabled"},
                     {**admin, "If-Match": version_of(client, admin, sub)})
    assert body(response)["status"] == "disabled"
    for session in (first, second):
        assert_problem(refresh(client, session["refresh_token"]), 401, "session_ended")
    assert_problem(sign_in(client, "ok:wang:3", mode="staff"), 403, "staff_disabled")
    families = storage.every(accounts.Session, "session", sub)
    assert len(families) == 2 and {f["status"] for f in families} == {"revoked"}
    assert {f["revoked_reason"] for f in families} == {"disabled"}
    assert any(e["action"] == "disable" for e in audit.trail("staff-account", sub, limit=50).items)
    enabled = patch(client, f"/v1/staff-accounts/{sub}", {"status": "active"},
                    {**admin, "If-Match": version_of(client, admin, sub)})
    assert enabled.status_code == 200
    assert_problem(refresh(client, second["refresh_token"]), 401, "session_ended")  # old sessions stay dead
    assert signed_in(client, "ok:wang:4", mode="staff")["account"]["sub"] == sub


def test_admins_list_the_staff_of_an_area_and_below(client, admin, token):
    for name, area in (("甲", TOWN), ("乙", TIANNING), ("丙", ZHONGLOU)):
        owner = admin if area != ZHONGLOU else token("admin-zhonglou", "admin", area=ZHONGLOU)
        assert create(client, owner, name=name, area=area).status_code == 201
    listed = body(client.get("/v1/staff-accounts", headers=admin))
    assert sorted(s["name"] for s in listed["items"]) == ["乙", "甲"]
    town_only = body(client.get(f"/v1/staff-accounts?area={TOWN}", headers=admin))
    assert [s["name"] for s in town_only["items"]] == ["甲"]
    first_page = body(client.get("/v1/staff-accounts?limit=1", headers=admin))
    assert len(first_page["items"]) == 1 and first_page["next_cursor"]
    assert_problem(client.get(f"/v1/staff-accounts?area={ZHONGLOU}", headers=admin), 403, "outside_jurisdiction")
    province_admin = token("admin-js", "admin", area="32")
    assert_problem(client.get("/v1/staff-accounts", headers=province_admin), 422, "area_too_broad")
    assert len(body(client.get("/v1/staff-accounts?area=3204", headers=province_admin))["items"]) == 3


def test_staff_changes_need_the_current_version(client, admin):
    sub = body(create(client, admin))["sub"]
    assert_problem(patch(client, f"/v1/staff-accounts/{sub}", {"name": "新名"}, admin), 400, "version_required")
    assert_problem(patch(client, f"/v1/staff-accounts/{sub}", {"name": "新名", "version": 7}, admin), 409,
                   "stale_version")
    cleared = body(patch(client, f"/v1/staff-accounts/{sub}", {"institution": None, "version": 1}, admin))
    assert cleared["institution"] is None and cleared["version"] == 2
    assert "institution" not in storage.get(f"staff-account#{sub}", "record")


def test_a_disabled_account_gets_no_invitation(client, admin):
    sub = body(create(client, admin))["sub"]
    patch(client, f"/v1/staff-accounts/{sub}", {"status": "disabled", "version": 1}, admin)
    assert_problem(post(client, f"/v1/staff-accounts/{sub}/invitation", {}, admin), 409, "staff_disabled")
    assert accounts.StaffAccount.from_item(storage.get(f"staff-account#{sub}", "record")).status == "disabled"
