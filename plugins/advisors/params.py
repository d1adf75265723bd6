"""The policy parameters of the village legal advisors (SPEC V1, V2): data with effective dates per area
(`/v1/policies`); the defaults below hold where no area set a version. The demo data enters the seeds' local
versions (溧阳市 and 金坛区: 3 villages per advisor; 常州 and 枣庄 8 hours a month, 银川 4)."""
from __future__ import annotations

from datetime import date

from chalicelib.domain.areas import service as areas
from chalicelib.domain.policy import service as policy
from chalicelib.plugin import Parameter

MAX_VILLAGES = "advisors.max_villages_per_advisor"
MONTHLY_HOURS = "advisors.monthly_onsite_hours"
CHECK_IN_RADIUS = "advisors.check_in_radius_m"
LOG_LOCK_DAY = "advisors.log_lock_day"

_RATIO = ("常司发〔2021〕89号（seeds/001 第6项）：按照城区1对1，溧阳、金坛每名法律顾问挂钩服务数量不超过3个村（社区）"
          "的标准配齐配强法律顾问。默认 1（城区 1 对 1），溧阳市、金坛区另设版本。")
_HOURS = ("法律顾问每月到每个村（社区）现场提供法律服务的最低时长：常州（seeds/001 第6项）、枣庄（seeds/004）不少于 8 小时，"
          "银川（seeds/002）不少于 4 小时。")

PARAMETERS = (
    Parameter(MAX_VILLAGES, title="每名法律顾问挂钩村（社区）上限", unit="个村（社区）", minimum=1, maximum=20, default=1,
              description=_RATIO),
    Parameter(MONTHLY_HOURS, title="法律顾问每月驻村（社区）现场服务时长", unit="小时/月", minimum=0, maximum=200,
              default=8, description=_HOURS),
    Parameter(CHECK_IN_RADIUS, title="驻点签到核验半径", unit="米", minimum=50, maximum=5000, default=500,
              description="签到、签退位置与村（社区）服务点的距离在此以内计为现场服务；超出的照常记录但不计入核验时长。"
                          "默认 500 米为本地做法，上线前须由区司法局确认。"),
    Parameter(LOG_LOCK_DAY, title="法律顾问工作日志锁定日", unit="次月第几日", minimum=1, maximum=28, default=5,
              description="每月工作日志在次月此日锁定（当日起不能再记、再改），由村（社区）干部核实；锁定后只能由司法局"
                          "填写理由更正。默认次月 5 日为本地做法。"),
)

# (name, area, value, effective from, label, note): the seeds' rules, entered by the demo loader.
AREA_VERSIONS = (
    (MAX_VILLAGES, "320481", 3, "2021-07-20", "溧阳市每名法律顾问挂钩村（社区）上限", "常司发〔2021〕89号"),
    (MAX_VILLAGES, "320413", 3, "2021-07-20", "金坛区每名法律顾问挂钩村（社区）上限", "常司发〔2021〕89号"),
    (MONTHLY_HOURS, "3204", 8, "2021-07-20", "常州市法律顾问每月驻村服务时长", "常司发〔2021〕89号"),
    (MONTHLY_HOURS, "3704", 8, "2017-12-09", "枣庄市法律顾问每月驻村服务时长", "枣庄市司法局 2017-12-09 工作动态"),
    (MONTHLY_HOURS, "6401", 4, "2018-03-13", "银川市法律顾问每月驻村服务时长", "银川市司法局 2018-03-13 实施方案"),
)


def load_demo(actor) -> dict[str, int]:
    """The seeds' versions for the areas the tree has (the demo tree has no 枣庄), skipping those already
    stored (safe to run again)."""
    known = areas.get_many({row[1] for row in AREA_VERSIONS})
    return policy.load_versions(actor, [
        policy.VersionRow(name=name, area=area, value=value, effective_from=date.fromisoformat(day), label=label,
                          note=note) for name, area, value, day, label, note in AREA_VERSIONS if area in known],
        reason="录入历史标准（演示数据）")
