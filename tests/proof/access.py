"""The world and the callers of the access matrix (tests/proof/test_access_matrix.py), and what every
enabled plugin brings to it from its own folder (`plugins/<module>/proof.py`, see `plugin_proofs`)."""
from __future__ import annotations

import importlib
import json
import string
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import ModuleType
from typing import Callable

from chalice import Blueprint

from chalicelib import plugin
from chalicelib.platform import audit, config, storage, timeutil
from chalicelib.domain.accounts.models import Resident
from chalicelib.domain.areas.models import Area
from tests.helpers import JSON, body, post, seed_areas

GRID = "320402001001001"

# Who calls: (sub, role, area); None = no token. Every sign-in role of the contract, at 天宁区 (320402) or
# A's grid, plus the same role in the neighbouring district and another city's administrator.
CALLERS = {
    "anon": None,
    "resA": ("r-1", "resident", None),                 # owns the records below
    "resB": ("r-2", "resident", None),                 # another resident of the same grid
    "grid": ("grid-1", "grid_worker", GRID),           # staff inside the records' area
    "off": ("officer-1", "legal_aid_officer", "320402"),
    "offX": ("officer-9", "legal_aid_officer", "320404"),   # the same role in the neighbouring district
    "adm": ("admin-1", "admin", "3204"),               # the city's administrator
    "admX": ("admin-9", "admin", "6401"),              # another city's (银川)
    "med": ("mediator-1", "mediator", "320402"),
    "law": ("lawyer-1", "lawyer", "320402"),
    "not": ("notary-1", "notary", "320402"),
    "apr": ("appraiser-1", "appraiser", "320402"),
    "pub": ("publicist-1", "publicist", "320402"),
    "cor": ("corrections-1", "corrections_officer", "320402"),
}
COLUMNS = tuple(CALLERS)
HEADER = "  ".join(f"{c:<4}" for c in COLUMNS)   # the column heads, as the tables write them


@dataclass
class PluginProof:
    """What a plugin brings to the proof suite, read from `plugins/<module>/proof.py`:
    - `ROWS`      {(method, route): outcomes in COLUMNS order} — one row per route of its blueprint;
    - `BODIES`    {(method, route): params → valid body} for its write routes (`EMPTY_BODY_WRITES` the
                  ones still sent an empty body, a list that only shrinks);
    - `STALE`     the routes that update: sent with `If-Match: 999` (a body carrying `version` says 999 too);
    - `world(scene)` the records its rows are asked about, made as their owners make them; returns path
                  parameters, which apply to its own routes (over the core's);
    - `PRIVACY`   its steps of the privacy walk (tests/proof/test_privacy.py), when it keeps personal data."""
    name: str                  # the plugin's name: its routes are under /v1/<name>
    module: ModuleType

    @property
    def prefix(self) -> str:
        return f"/v1/{self.name}"

    def owns(self, route: str) -> bool:
        return route == self.prefix or route.startswith(self.prefix + "/")

    def get(self, attribute: str, default):
        return getattr(self.module, attribute, default)


def plugin_proofs() -> list[PluginProof]:
    """The proof module of every enabled plugin; a plugin without one is named in the error."""
    proofs = []
    for module in config.enabled_plugins():
        try:
            proofs.append(PluginProof(plugin.load([module])[0].name, importlib.import_module(f"plugins.{module}.proof")))
        except ModuleNotFoundError as missing:
            if missing.name != f"plugins.{module}.proof":
                raise
            raise AssertionError(f"plugins/{module}/proof.py is missing: a service brings its own access rows, "
                                 "bodies and world (docs/plugins.md)") from None
    return proofs


@dataclass
class Scene:
    """What a plugin's `world` builds with: the client, the callers, and the core world's parameters."""
    client: object
    token: Callable
    params: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str) -> dict[str, str]:
        return headers(self.token, who)

    def create(self, path: str, payload: dict, who: str) -> dict:
        """POST `payload` as `who`; the created record (a refusal fails the world, not a row)."""
        response = post(self.client, path, payload, self.headers(who))
        assert response.status_code in (200, 201), (path, who, response.body)
        return body(response)

    @staticmethod
    def later(days: int) -> str:
        return _later(days)

    @staticmethod
    def working_day_ahead() -> str:
        return _working_day_ahead()


_signed: dict[str, dict[str, str]] = {}


def headers(token, who: str) -> dict[str, str]:
    """The caller's bearer header, signed once per run (signing costs ~40 ms)."""
    if CALLERS[who] is None:
        return {}
    if who not in _signed:
        sub, role, area = CALLERS[who]
        _signed[who] = token(sub, role, area=area)
    return _signed[who]


def _no_case(request: plugin.IntakeRequest) -> plugin.CaseRef:
    raise AssertionError("the matrix routes tickets at a stale version: no case is ever opened")


# The desk the matrix routes A's ticket to, so that the core's rows hold whichever services are enabled
# (the core's tests declare what they need the way a service would).
ROUTING_DESK = plugin.Plugin(name="access-matrix-desk", title="访问矩阵受理台", blueprint=Blueprint("access_matrix_desk"),
                             intake_targets=(plugin.IntakeTarget("access_matrix_desk", "访问矩阵受理台", ("consultation",),
                                                                 _no_case, lambda ref: plugin.CaseProgress("—")),),
                             stat_counters=(plugin.StatCounter("access_matrix_desk.routed", "转办（件）"),))


def build_world(client, token, proofs: list[PluginProof] = ()) -> dict[str, dict[str, str]]:
    """Records of resident A and of 天宁区, made as their owners make them, then each plugin's; returns the
    path parameters of the core's routes ("") and of each plugin's routes (its prefix)."""
    seed_areas()
    storage.put_new(storage.stamp_new(Resident(sub="r-1", name="王建国")))  # A has an account (GET /v1/me)
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
    params["ticket_code"] = body(post(client, "/v1/tickets", {
        "channel": "mini_program", "grid": GRID, "category": "consultation",
        "text": "邻居装修占用楼道，协商无果，想咨询怎么处理"}, headers(token, "resA")))["code"]
    params["entity"], params["record_id"] = "intake-ticket", params["ticket_code"]  # A's ticket's audit trail
    params["intake_target"] = "access_matrix_desk"   # enabled by the matrix test beside the services
    worlds = {"": params}
    for proof in proofs:
        world = proof.get("world", None)
        worlds[proof.prefix] = {**params, **(world(Scene(client, token, dict(params))) if world else {})}
    return worlds


def params_for(worlds: dict[str, dict[str, str]], route: str) -> dict[str, str]:
    """The path parameters a route is called with: its plugin's world's, or the core's."""
    return next((p for prefix, p in worlds.items() if prefix and (route == prefix or route.startswith(prefix + "/"))),
                worlds[""])


def _task_of_the_grid() -> str:
    """A proactive service task of A's grid, as the month's screening leaves it."""
    from chalicelib.domain.screening import tasks

    task = tasks.Task(id=tasks.task_id("2026-11", GRID, "screening.repeat-contacts", "repeat-grid"),
                      month="2026-11", area=GRID, check="screening.repeat-contacts", subject="repeat-grid",
                      service="screening", role="grid_worker", severity="info", title="同一来电人本月反复来电 3 次")
    storage.put_new(task)
    return task.id


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
    ("POST", "/v1/ledgers"): lambda p: {"area": GRID[:12], "year": timeutil.today_shanghai().year},
    ("POST", "/v1/ledgers/exports"): lambda p: {"area": GRID[:6], "period": timeutil.today_shanghai().strftime("%Y-%m"),
                                                "kind": "access-matrix-desk"},
    ("POST", "/v1/tickets/{code}/accept"): lambda p: {},
    ("POST", "/v1/tickets/{code}/answer"): lambda p: {"answer": "您好，楼道属于公共部分，可先请物业协调"},
    ("POST", "/v1/tickets/{code}/close"): lambda p: {"result": "已电话答复，群众表示满意"},
    ("POST", "/v1/tickets/{code}/reopen"): lambda p: {"reason": "群众对答复有新的疑问"},
    ("POST", "/v1/tickets/{code}/route"): lambda p: {"target": p["intake_target"]},
    ("POST", "/v1/tickets/{code}/transfer"): lambda p: {"target": p["intake_target"], "reason": "更适合该服务办理"},
                    ("PUT", "/v1/areas/{code}/menu"): lambda p: {"items": []},
    ("PUT", "/v1/screenings/sources/{kind}/mappings/{city}"): lambda p: {"columns": {"order_no": ["热线工单号"]}},
    ("PATCH", "/v1/tasks/{task_id}"): lambda p: {"status": "closed", "note": "已电话联系当事人，问题已解决"},
    ("POST", "/v1/notify/subscriptions"): lambda p: {"results": {"local-tmpl-intake-received": "accept"}},
    ("POST", "/v1/self-check"): lambda p: {"area": GRID, "answers": {}},  # no question of any one service: the core alone
}
UPDATES = {key for key in BODIES if key[0] != "POST" or "/withdraw" in key[1]
           or key[1].startswith("/v1/tickets/{") or key[1].startswith("/v1/staff-accounts/{")}


# `{code}` names an area almost everywhere; under these prefixes it is another record's code.
CODE_OF = {"/v1/tickets/{code}": "ticket_code"}


def call(client, token, method: str, template: str, params: dict[str, str], who: str,
         bodies: dict = BODIES, updates: set = UPDATES):
    """The route called as `who`. With a valid body (`bodies`; `updates` with a stale version) a refusal is
    the access check's; otherwise with an empty JSON body and no If-Match: reads succeed or are refused,
    writes stop at the gate or at validation. Either way the world stays as the rows expect whatever the
    order."""
    names = [name for _, name, _, _ in string.Formatter().parse(template) if name]
    own = next((params.get(name) for prefix, name in CODE_OF.items() if template.startswith(prefix)), None)
    values = {name: params.get(name, "x") for name in names}  # "x": a record nobody has
    path = template.format(**{**values, **({"code": own} if own else {})})
    extra = {**JSON} if method in ("POST", "PUT", "PATCH") else {}
    payload = bodies[(method, template)](params) if (method, template) in bodies else {}
    if (method, template) in updates:
        extra.update(STALE)
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
