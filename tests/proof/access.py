"""The world and the callers of the access matrix (tests/proof/test_access_matrix.py)."""
from __future__ import annotations

import json
import string
from datetime import date

from chalicelib.platform import audit, config, storage
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
    params = {"code": GRID, "institution_id": institution["id"], "person_id": person["id"],
              "name": "files.max_upload_mb", "version_id": version.version_id, "month": date.today().strftime("%Y-%m"),
              "sub": "grid-1", "file_id": "no-such-file", "assignment_id": "no-such-assignment",
              "activity_id": "no-such-activity", "slot_id": "no-such-slot", "greeting_id": "no-such-greeting",
              "app_id": "no-such-application", "household_id": "no-such-household", "import_id": "no-such-import"}
    params["task_id"] = _task_of_the_grid()
    enabled = config.enabled_plugins()
    if "hello" in enabled:
        params["greeting_id"] = body(post(client, "/v1/hello/greetings", {"message": "你好"},
                                          headers(token, "resA")))["id"]
    if "legal_aid" in enabled:
        params["app_id"] = _application_of_resident_a(client, token)
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


def call(client, token, method: str, template: str, params: dict[str, str], who: str):
    """The route called as `who` with an empty JSON body and no If-Match: reads succeed or are refused;
    writes stop at the gate or at validation, so the world stays as built whatever the order."""
    names = [name for _, name, _, _ in string.Formatter().parse(template) if name]
    path = template.format(**{name: params.get(name, "x") for name in names})  # "x": a record nobody has
    extra = {**JSON} if method in ("POST", "PUT", "PATCH") else {}
    return client.request(method, path, headers={**headers(token, who), **extra},
                          body=json.dumps({}) if extra else b"")


def outcome(status: int) -> str:
    if 200 <= status < 300:
        return "ok"
    if status in (401, 403, 404):
        return str(status)
    if 400 <= status < 500:
        return "in"   # past the gate, stopped by validation, state or a missing record
    return str(status)
