"""Demo records for `make dev`, told as the platform's stories (SPEC L1–L7), in 天宁区 雕庄街道:
- 赵大海, a labour contractor hurt in a traffic accident, means-tested eligible and already assigned to
  lawyer-1 — so lawyer-1 cannot take a wage claim against 赵大海 (conflict check);
- 李秀英, traffic accident, household of 3 earning 5,550 元: 1,850 元 per head ≤ 2,280 元, accepted;
- 张桂兰, 84, rural, claiming support from her children: exempt as a rural elderly person, home visit;
- 陈明, a contract dispute with a high income: not eligible, with both reasons;
- 孙志强, a migrant worker claiming his wages from a labour subcontractor: green channel, first in the
  officer's queue with its one-working-day deadline;
- ten vulnerable households of the first grid, two of them visited.
Loaded once (a marker record); the demo tokens: `--sub r-1 --role resident`, `--sub officer-1 --role
legal_aid_officer --area 320402`, `--sub lawyer-1 --role lawyer --area 320402`.
"""
from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from chalicelib.domain.accounts import service as accounts
from chalicelib.platform import audit, pii, storage
from chalicelib import plugin
from chalicelib.platform.audit import Actor
from chalicelib.platform.auth import Caller
from chalicelib.platform.timeutil import now_utc, today_shanghai
from plugins.legal_aid import households, loads, service, workflow
from plugins.legal_aid.bodies import LegalAidApplicationIn, LegalAidAssignIn

DISTRICT = "320402"
DEMO_LAWYERS = {"lawyer-1": "周律师", "lawyer-2": "吴律师"}  # the district's two legal-aid lawyers


def id_number(prefix6: str, born: str, sequence: str) -> str:
    body = prefix6 + born + sequence
    return body + pii.check_character(body)


def _application(name, born, matter, opposing, incomes, size, categories=(), rural=False, area=None, kind="person",
                 description="演示案件"):
    return LegalAidApplicationIn.model_validate({
        "applicant": {"name": name, "id_number": id_number(DISTRICT, born, "021"), "phone": "13912345678",
                      "area": area, "rural": rural, "address": "雕庄街道演示社区"},
        "household": {"size": size, "incomes": [{"source": "wage", "monthly_amount": str(v)} for v in incomes]},
        "matter_type": matter, "opposing_party": {"name": opposing, "kind": kind},
        "description": description, "categories": list(categories)})


def seed_lawyer(actor: Actor, sub: str, name: str, area: str = DISTRICT) -> accounts.StaffAccount:
    """An active staff account with the lawyer role (no WeChat link; idempotent)."""
    existing = accounts.staff_account(sub)
    if existing is not None:
        return existing
    staff = accounts.StaffAccount(sub=sub, name=name, roles=["lawyer"], area=area, created_by=actor.sub)
    return storage.put_new(staff, also=[audit.entry(actor, "create", accounts.StaffAccount.entity, sub,
                                                    f"建立律师账号（演示，辖区 {area}）")])


def load(ctx: plugin.DemoContext) -> None:
    markers = storage.find_many(_Marker, [MARKER_ID, LOADS_MARKER_ID, GREEN_MARKER_ID])
    if MARKER_ID in markers:
        if LOADS_MARKER_ID not in markers:  # loaded before the lawyers' open-case tallies and parties were kept
            loads.recount(DEMO_LAWYERS)
            storage.put_new(_Marker(id=LOADS_MARKER_ID, loaded_at=now_utc().isoformat()))
        if GREEN_MARKER_ID not in markers:  # loaded before the demo had a green-channel application
            _green_channel_application(ctx)
        return
    grids = sorted(c for c in ctx.areas(DISTRICT) if len(c) == 15)
    if not grids:
        return
    grid = grids[0]
    officer = Caller(sub="officer-1", roles=frozenset({"legal_aid_officer"}), area=DISTRICT)

    def resident(sub: str, name: str, born: str) -> Caller:
        """A real-name registered resident (SPEC issue 4: legal aid needs 实名)."""
        accounts.seed_resident(ctx.actor, sub, name=name, id_number=id_number(DISTRICT, born, "021"), home_grid=grid)
        return Caller(sub=sub, roles=frozenset({"resident"}), area=None)

    # the district's two legal-aid lawyers (staff accounts: assignment checks the account, its role and area)
    for sub, name in DEMO_LAWYERS.items():
        seed_lawyer(ctx.actor, sub, name)

    # r-1 is the migrant worker of the curl story (README of this plugin's report): registered, not yet applied
    accounts.seed_resident(ctx.actor, "r-1", name="王建国", id_number=id_number(DISTRICT, "19850715", "001"),
                           home_grid=grid)

    zhao, _ = service.submit(resident("r-demo-zhao", "赵大海", "19700304"), _application(
        "赵大海", "19700304", "traffic_accident", "常州某运输有限公司", [1500], 2, area=grid, kind="organisation",
        description="驾驶电动车被货车撞伤，要求赔偿医疗费、误工费"))
    zhao = workflow.accept(officer, zhao.id, zhao.version)
    zhao = workflow.approve(officer, zhao.id, zhao.version)
    workflow.assign(officer, zhao.id, LegalAidAssignIn(lawyer="lawyer-1"), zhao.version)

    li, _ = service.submit(resident("r-demo-li", "李秀英", "19780512"), _application(
        "李秀英", "19780512", "traffic_accident", "钱某", [4200, 1350], 3, area=grid,
        description="丈夫遭遇交通事故受伤，肇事方拒绝赔偿"))
    workflow.accept(officer, li.id, li.version)

    service.submit(resident("r-demo-zhang", "张桂兰", "19420218"), _application(
        "张桂兰", "19420218", "elder_support", "张某某", [300], 1, rural=True, area=grid,
        description="子女不支付赡养费"))

    service.submit(resident("r-demo-chen", "陈明", "19880808"), _application(
        "陈明", "19880808", "contract", "某装修公司", [9000], 2, area=grid, kind="organisation",
        description="装修合同纠纷"))

    _green_channel_application(ctx, grid)

    rows = ["类别,姓名,身份证号,网格代码,有效期至"]
    kinds = ["低保户", "特困人员", "重度残疾人", "农村五保", "困难职工", "农民工", "低保户", "低保户", "重度残疾人", "困难职工"]
    soon = today_shanghai() + timedelta(days=20)
    for n, kind in enumerate(kinds):
        number = id_number(DISTRICT, f"19{50 + n}0101", f"{n + 31:03d}")
        until = soon.isoformat() if n < 2 else ""
        rows.append(f"{kind},演示户{n + 1},{number},{grid},{until}")
    admin = Caller(sub="officer-1", roles=frozenset({"legal_aid_officer"}), area=DISTRICT)
    households.import_text(admin, "\n".join(rows), "demo")
    listed = households.listing(admin, households.VulnerableHouseholdQuery(area=grid, limit=2))
    for item in listed.items:
        visit = households.HouseholdVisitIn(visited_on=today_shanghai())
        households.visit(admin, item.id, visit, item.version)
    storage.put_new(_Marker(id=MARKER_ID, loaded_at=now_utc().isoformat()))
    storage.put_new(_Marker(id=LOADS_MARKER_ID, loaded_at=now_utc().isoformat()))


def _green_channel_application(ctx: plugin.DemoContext, grid: str | None = None) -> None:
    """A migrant worker's wage claim (SPEC L5): the green channel, so "green channel first" shows in the
    officer's queue (`GET /v1/legal-aid/applications?area=320402`)."""
    grid = grid or min(c for c in ctx.areas(DISTRICT) if len(c) == 15)
    accounts.seed_resident(ctx.actor, "r-demo-sun", name="孙志强", id_number=id_number(DISTRICT, "19900214", "021"),
                           home_grid=grid)
    sun = Caller(sub="r-demo-sun", roles=frozenset({"resident"}), area=None)
    service.submit(sun, _application(
        "孙志强", "19900214", "labour_pay", "常州某建筑劳务有限公司", [2600], 1, categories=["migrant_worker"],
        area=grid, kind="organisation", description="在工地干了八个月，包工头拖欠工资三万二千元"))
    storage.put_new(_Marker(id=GREEN_MARKER_ID, loaded_at=now_utc().isoformat()))


class _Marker(storage.Record):
    """Set once the demo is loaded (`legal-aid-demo#v1`): loading again changes nothing; and once the demo
    lawyers' open-case tallies are right (`legal-aid-demo#loads`: at the load, or counted once for a demo
    loaded before the tallies were kept)."""
    entity: ClassVar[str] = "legal-aid-demo"
    id: str
    loaded_at: str


MARKER_ID = "v1"
LOADS_MARKER_ID = "loads-parties"
GREEN_MARKER_ID = "green"
