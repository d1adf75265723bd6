"""Demo data of the publicity service for `make dev`, entered through the service's own functions (validated,
counted in the tallies and audited like anything staff enter):

- in each district of the demo city with a public legal service centre in the demo directory, a 法治小品 the
  centre staged last month and a themed activity it announces for next week;
- in 雕庄街道 (the demo directory's town): a 三节四时普法行 tour by the town's workstation, a 普法惠民 service
  and a lecture in 朝阳花园社区 by the community's studio (held and still to come), a legal-culture activity
  by the town's publicist in 水岸社区;
- three 法律明白人 of 朝阳花园社区's first grid, with their training.
Nothing is a lecture by a village's legal advisor, so in a quarter's last month the advisors' villages show
"almost behind" (P2). Idempotent: fixed ids; records already there are left alone.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from chalicelib.domain.areas import service as areas
from chalicelib.domain.directory.models import Institution, Person
from chalicelib.plugin import DemoContext
from chalicelib.platform import pii, storage
from chalicelib.platform.auth import Caller
from chalicelib.platform.errors import Conflict
from chalicelib.platform.timeutil import SHANGHAI, today_shanghai
from plugins.publicity import registry, service
from plugins.publicity.models import Event, EventIn, OrganiserIn

CITY = "3204"
CENTRES = ("demo-plsc-tianning", "demo-plsc-zhonglou", "demo-plsc-xinbei", "demo-plsc-wujin", "demo-plsc-jintan",
           "demo-plsc-liyang")
TOWN, CHAOYANG, SHUIAN = "320402001", "320402001001", "320402001002"
# (id, kind, area, organiser kind, organiser id, days from today, hour, venue, theme, audience, attendance)
LOCAL = (
    ("demo-pub-tour", "festival_tour", TOWN, "institution", "demo-station-diaozhuang", 12, 9, "雕庄街道文化广场",
     "三节四时普法行·元旦普法集市", "辖区居民", None),
    ("demo-pub-service", "public_service", CHAOYANG, "institution", "demo-studio-chaoyang", -20, 14,
     "朝阳花园社区党群服务中心", "法律体检进家庭", "社区居民", 46),
    ("demo-pub-lecture", "lecture", CHAOYANG, "institution", "demo-studio-chaoyang", 5, 19,
     "朝阳花园社区新时代文明实践站", "民法典与婚姻家庭", "社区居民", None),
    ("demo-pub-culture", "cultural_activity", SHUIAN, "person", "demo-p-zhenghao", -35, 19, "水岸社区文化礼堂",
     "法治文艺晚会", "社区居民", 180),
)
LITERATES = (("孙晓燕", "320402198503120027"), ("钱国平", "320402197911030018"), ("周梅", "32040219900215002X"))


def _moment(days: int, hour: int) -> datetime:
    return datetime.combine(today_shanghai() + timedelta(days=days), time(hour), tzinfo=SHANGHAI)


def _publish(admin: Caller, event_id: str, **fields) -> None:
    if storage.read(Event, event_id) is not None:
        return
    try:
        service.publish(admin, EventIn(**fields), event_id=event_id)
    except Conflict as exc:
        if exc.code != "already_exists":
            raise


def load(context: DemoContext) -> None:
    admin = Caller(sub=context.actor.sub, roles=frozenset({"admin"}), area=CITY)
    centres = storage.find_many(Institution, CENTRES)
    known = areas.get_many({c.home_area for c in centres.values()} | {TOWN, CHAOYANG, SHUIAN})
    for centre in centres.values():
        if centre.home_area not in known:
            continue
        district = centre.home_area
        _publish(admin, f"demo-pub-work-{district}", kind="cultural_work", area=district, venue=f"{centre.name}多功能厅",
                 starts_at=_moment(-25, 19), ends_at=_moment(-25, 21), organiser=OrganiserIn(kind="institution",
                 id=centre.id), theme="法治小品《一纸欠条》", audience="辖区居民", capacity=300, attendance=260)
        _publish(admin, f"demo-pub-theme-{district}", kind="monthly_theme", area=district, venue=f"{centre.name}门前广场",
                 starts_at=_moment(7, 9), ends_at=_moment(7, 11), organiser=OrganiserIn(kind="institution",
                 id=centre.id), theme="宪法宣传周·宪法进万家", audience="辖区居民")
    organisers = {**storage.find_many(Institution, [r[4] for r in LOCAL if r[3] == "institution"]),
                  **storage.find_many(Person, [r[4] for r in LOCAL if r[3] == "person"])}
    for event_id, kind, area, okind, oid, days, hour, venue, theme, audience, attendance in LOCAL:
        if area in known and oid in organisers:
            _publish(admin, event_id, kind=kind, area=area, venue=venue, starts_at=_moment(days, hour),
                     ends_at=_moment(days, hour + 2), organiser=OrganiserIn(kind=okind, id=oid), theme=theme,
                     audience=audience, capacity=200, attendance=attendance)
    grids = sorted(c for c in context.areas(CHAOYANG) if len(c) == 15)
    if not grids:
        return
    for name, number in LITERATES:
        if storage.read(registry.Literate, registry.person_id(pii.normalize_id_number(number))) is not None:
            continue
        registry.register(admin, registry.LiterateIn(
            name=name, id_number=number, grid=grids[0],
            trainings=[registry.Training(course="法律明白人骨干示范培训", hours="6", on=today_shanghai() - timedelta(days=60))]))
