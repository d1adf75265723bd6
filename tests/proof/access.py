"""The world and the callers of the access matrix (tests/proof/test_access_matrix.py)."""
from __future__ import annotations

import json
import string
from datetime import date, timedelta
from typing import Callable

from chalicelib.platform import audit, config, storage, timeutil
from chalicelib.domain.areas.models import Area
from tests.helpers import JSON, body, post, seed_areas

GRID = "320402001001001"

# Who calls: (sub, role, area); None = no token.
CALLERS = {
    "anon": None,
    "resA": ("r-1", "resident", None),                 # owns the records below
    "resB": ("r-2", "resident", None),                 # another resident of the same grid
    "grid": ("grid-1", "grid_worker", GRID),           # staff inside the records' area
    "off": ("officer-1", "legal_aid_officer", "320402"),
    "offX": ("officer-9", "legal_aid_officer", "320404"),   # the same role in the neighbouring district
    "adm": ("admin-1", "admin", "3204"),               # the city's administrator
    "admX": ("admin-9", "admin", "6401"),              # another city's (银川)
}
COLUMNS = tuple(CALLERS)


_signed: dict[str, dict[str, str]] = {}


def headers(token, who: str) -> dict[str, str]:
    """The caller's bearer header, signed once per run (signing costs ~40 ms)."""
    if CALLERS[who] is None:
        return {}
    if who not in _signed:
        sub, role, area = CALLERS[who]
        _signed[who] = token(sub, role, area=area)
    return _signed[who]


def build_world(client, token) -> dict[str, str]:
    """Records of resident A and of 天宁区, made as their owners make them; returns the path parameters."""
    seed_areas()
    storage.put_new(Area(code="64", name="宁夏回族自治区", level="province"))
    storage.put_new(Area(code="6401", name="银川市", level="city", parent="64"))
    from chalicelib.domain.policy import service as policy

    version = policy.set_version(audit.SYSTEM, None, "files.max_upload_mb", area_code="root", value=20,
                                 effective_from=date(2020, 1, 1), label="平台默认上传文件大小上限",
                                 retroactive_reason="访问矩阵用平台默认值")
    admin = headers(token, "adm")
    institution = body(post(client, "/v1/institutions",
                            {"kind": "notary_office", "name": "天宁公证处", "home_area": "320402"}, admin))
    person = body(post(client, "/v1/people", {"name": "周雅琴", "roles": ["mediator"], "home_area": "320402001",
                                              "duty": "网格调解员", "phone": "138 0000 1201"}, admin))
    staff = body(post(client, "/v1/staff-accounts", {"name": "吴海燕", "roles": ["grid_worker"], "area": GRID}, admin))
    params = {"code": GRID, "institution_id": institution["id"], "person_id": person["id"],
              "name": "files.max_upload_mb", "version_id": version.version_id, "month": timeutil.today_shanghai().strftime("%Y-%m"),
              "sub": staff["sub"], "file_id": "no-such-file", "assignment_id": "no-such-assignment",
              "activity_id": "no-such-activity", "slot_id": "no-such-slot", "greeting_id": "no-such-greeting",
              "app_id": "no-such-application", "household_id": "no-such-household", "import_id": "no-such-import",
              "office_id": institution["id"], "kind": "hotline", "city": "3204"}
    params["task_id"] = _task_of_the_grid()
    enabled = config.enabled_plugins()
    if "hello" in enabled:
        params["greeting_id"] = body(post(client, "/v1/hello/greetings", {"message": "你好"},
                                          headers(token, "resA")))["id"]
    if "legal_aid" in enabled:
        params["app_id"] = _application_of_resident_a(client, token)
        params["ticket_code"] = body(post(client, "/v1/tickets", {
            "channel": "mini_program", "grid": GRID, "category": "consultation",
            "text": "邻居装修占用楼道，协商无果，想咨询怎么处理"}, headers(token, "resA")))["code"]
    return params


def _task_of_the_grid() -> str:
    """A proactive service task of A's grid, as the month's screening leaves it."""
    from chalicelib.domain.screening import tasks

    task = tasks.Task(id=tasks.task_id("2026-11", GRID, "legal-aid.households-unvisited", "unvisited-grid"),
                      month="2026-11", area=GRID, check="legal-aid.households-unvisited", subject="unvisited-grid",
                      service="legal-aid", role="grid_worker", severity="info", title="3 户困难群体尚未入户走访")
    storage.put_new(task)
    return task.id


def _application_of_resident_a(client, token) -> str:
    from tests.plugins.legal_aid.conftest import THRESHOLDS, application, declare_real_name
    from chalicelib.domain.policy import service as policy
    from plugins.legal_aid import params

    for effective_from, value, label in THRESHOLDS:
        policy.set_version(audit.SYSTEM, None, params.INCOME_THRESHOLD, area_code="3204", value=value,
                           effective_from=date.fromisoformat(effective_from), label=label, retroactive_reason="录入历史标准")
    params.load_demo(audit.SYSTEM)
    payload = application()
    declare_real_name("r-1", payload["applicant"]["id_number"])
    response = post(client, "/v1/legal-aid/applications", payload, headers(token, "resA"))
    assert response.status_code == 201, response.body
    return body(response)["id"]


def _later(days: int) -> str:
    """A day `days` after the suite's today (the pinned clock's, so `TEST_NOW` runs agree)."""
    return (timeutil.today_shanghai() + timedelta(days=days)).isoformat()


def _working_day_ahead() -> str:
    from chalicelib.platform import workdays

    return workdays.add_working_days(timeutil.today_shanghai(), 2).end.isoformat()


# Valid bodies for write routes (issue 9): sent with one, a write that is refused is refused by the access
# check — not stopped by validation first, which an empty body would be — and the matrix row names the exact
# status each caller gets. Creates aim at 天宁区 / 常州, so the city's administrator (or the district's
# officer) creates for real and every other caller must be refused; updates are sent with a stale version
# (`If-Match: 999`), so the entitled get 409/412 having changed nothing and the others a refusal.
STALE = {"If-Match": "999"}
BODIES: dict[tuple[str, str], Callable[[dict[str, str]], dict]] = {
    ("POST", "/v1/areas"): lambda p: {"code": "320402001001009", "name": "第九网格"},
    ("PATCH", "/v1/areas/{code}"): lambda p: {"name": "第一网格（更名）"},
    ("POST", "/v1/assignments"): lambda p: {"role": "legal_literate", "area": GRID, "assignee_kind": "person",
                                            "assignee_id": p["person_id"]},
    ("POST", "/v1/institutions"): lambda p: {"kind": "notary_office", "name": "矩阵公证处", "home_area": "320402"},
    ("PATCH", "/v1/institutions/{institution_id}"): lambda p: {"name": "天宁公证处（更名）"},
    ("POST", "/v1/institutions/{institution_id}/activities"): lambda p: {
        "date": _later(20), "start": "09:00", "end": "11:00", "theme": "民法典进社区：婚姻家庭编"},
    ("POST", "/v1/people"): lambda p: {"name": "钱文华", "roles": ["mediator"], "home_area": "320402001",
                                       "duty": "网格调解员", "phone": "13800001299"},
    ("PATCH", "/v1/people/{person_id}"): lambda p: {"duty": "网格调解员，负责邻里纠纷"},
    ("POST", "/v1/policies/{name}/versions"): lambda p: {"area": "3204", "value": 25, "effective_from": _later(30),
                                                         "label": "常州市上传文件大小上限"},
    ("POST", "/v1/policies/{name}/versions/{version_id}/withdraw"): lambda p: {"reason": "访问矩阵：过期版本"},
    ("POST", "/v1/staff-accounts"): lambda p: {"name": "孙立新", "roles": ["grid_worker"], "area": "320402001"},
    ("PATCH", "/v1/staff-accounts/{sub}"): lambda p: {"name": "吴海燕（更名）"},
    ("POST", "/v1/staff-accounts/{sub}/invitation"): lambda p: {},
    ("POST", "/v1/screenings/{month}/runs"): lambda p: {"area": "3204"},
    ("POST", "/v1/tickets/{code}/accept"): lambda p: {},
    ("POST", "/v1/tickets/{code}/answer"): lambda p: {"answer": "您好，楼道属于公共部分，可先请物业协调"},
    ("POST", "/v1/tickets/{code}/close"): lambda p: {"result": "已电话答复，群众表示满意"},
    ("POST", "/v1/tickets/{code}/reopen"): lambda p: {"reason": "群众对答复有新的疑问"},
    ("POST", "/v1/tickets/{code}/route"): lambda p: {"target": "legal_aid_referral"},
    ("POST", "/v1/tickets/{code}/transfer"): lambda p: {"target": "legal_aid_referral", "reason": "更适合法律援助"},
    ("POST", "/v1/legal-aid/applications/{app_id}/accept"): lambda p: {},
    ("POST", "/v1/legal-aid/applications/{app_id}/approve"): lambda p: {},
    ("POST", "/v1/legal-aid/applications/{app_id}/reject"): lambda p: {"reason": "对方已按时足额支付工资"},
    ("POST", "/v1/legal-aid/applications/{app_id}/assign"): lambda p: {"lawyer": "lawyer-1"},
    ("POST", "/v1/legal-aid/applications/{app_id}/close"): lambda p: {
        "kind": "mediated", "amount_recovered": "32000", "summary": "调解结案，老板当场支付工资"},
    ("POST", "/v1/legal-aid/applications/{app_id}/follow-up"): lambda p: {
        "visited_on": _later(0), "method": "phone", "satisfaction": "satisfied"},
    ("POST", "/v1/legal-aid/applications/{app_id}/eligibility-override"): lambda p: {
        "verdict": "eligible", "reason": "申请人提交了最新收入证明"},
    ("POST", "/v1/legal-aid/applications/{app_id}/major"): lambda p: {"reason": "涉及人数众多的群体性欠薪"},
    ("POST", "/v1/legal-aid/applications/{app_id}/home-visit"): lambda p: {
        "scheduled_at": f"{_later(3)}T09:30:00+08:00", "note": "老人行动不便，上门受理"},
    ("PUT", "/v1/areas/{code}/menu"): lambda p: {"items": []},
    ("POST", "/v1/notary/offices/{office_id}/slots"): lambda p: {"day": _working_day_ahead(), "start": "10:00"},
    ("PUT", "/v1/screenings/sources/{kind}/mappings/{city}"): lambda p: {"columns": {"order_no": ["热线工单号"]}},
    ("PATCH", "/v1/tasks/{task_id}"): lambda p: {"status": "closed", "note": "已电话联系当事人，问题已解决"},
    ("POST", "/v1/notify/subscriptions"): lambda p: {"results": {"local-tmpl-intake-received": "accept"}},
    ("POST", "/v1/special-populations/grants"): lambda p: {"grantee": p["sub"], "reason": "市局执法检查",
                                                          "valid_until": _later(7), "district": "320402"},
    ("POST", "/v1/special-populations/grants/{grant_id}/revoke"): lambda p: {"reason": "检查结束"},
    ("PUT", "/v1/mediation/disputes/{dispute_id}/confirmation"): lambda p: {
        "applied_on": _later(0), "court": "常州市天宁区人民法院"},
}
UPDATES = {key for key in BODIES if key[0] != "POST" or "/withdraw" in key[1] or "/legal-aid/applications/{" in key[1]
           or key[1].startswith("/v1/tickets/{") or key[1].startswith("/v1/staff-accounts/{")
           or key[1].endswith("/revoke")}


# `{code}` names an area almost everywhere; under these prefixes it is another record's code.
CODE_OF = {"/v1/tickets/{code}": "ticket_code"}


def call(client, token, method: str, template: str, params: dict[str, str], who: str):
    """The route called as `who`. With a valid body (BODIES; updates with a stale version) a refusal is the
    access check's; otherwise with an empty JSON body and no If-Match: reads succeed or are refused, writes
    stop at the gate or at validation. Either way the world stays as the rows expect whatever the order."""
    names = [name for _, name, _, _ in string.Formatter().parse(template) if name]
    own = next((params.get(name) for prefix, name in CODE_OF.items() if template.startswith(prefix)), None)
    values = {name: params.get(name, "x") for name in names}  # "x": a record nobody has
    path = template.format(**{**values, **({"code": own} if own else {})})
    extra = {**JSON} if method in ("POST", "PUT", "PATCH") else {}
    payload = BODIES[(method, template)](params) if (method, template) in BODIES else {}
    if (method, template) in UPDATES:
        extra.update(STALE)
        if "/legal-aid/applications/{" in template:
            payload = {**payload, "version": 999}  # legal aid reads the version from the body
    return client.request(method, path, headers={**headers(token, who), **extra},
                          body=json.dumps(payload, ensure_ascii=False) if method in ("POST", "PUT", "PATCH") else b"")


def outcome(status: int, exact: bool = False) -> str:
    """`ok`, a refusal's status, or — for a route called with an empty body — `in` for any other 4xx; a
    route called with a valid body (`exact`) is held to the very status."""
    if 200 <= status < 300:
        return "ok"
    if status in (401, 403, 404) or exact:
        return str(status)
    if 400 <= status < 500:
        return "in"   # past the gate, stopped by validation, state or a missing record
    return str(status)
