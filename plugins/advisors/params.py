"""The policy parameters of the village legal advisors (SPEC V1, V2): data with effective dates per area
(`/v1/policies`); the defaults below hold where no area set a version. The demo data enters the seeds' local
versions (溧阳市 and 金坛区: 3 villages per advisor; 常州 and 枣庄 8 hours a month, 银川 4)."""
from __future__ import annotations

from datetime import date

from chalicelib.domain.areas import service as areas
from chalicelib.domain.policy import service as policy
from chalicelib.platform import storage
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


# --- parameters read with a request's own records ---------------------------------------------------------

def along(names: list[str] | tuple[str, ...], village: str) -> dict[type[storage.Record], list[storage.Place]]:
    """The stored timelines of `names` along the village's chain (the village, its ancestors, the root), as
    `storage.find_each` takes them: a request reads its parameters in the same BatchGetItem as its records."""
    codes = policy.chain(village)
    return {policy.Timeline: [policy.Timeline.at(name, code) for name in names for code in codes]}


def along_many(names: list[str] | tuple[str, ...], villages: list[str]) -> dict[type[storage.Record], list[storage.Place]]:
    """`along` for several villages (their shared ancestors' timelines asked once)."""
    return {policy.Timeline: list(dict.fromkeys(p for v in villages for p in along(names, v)[policy.Timeline]))}


def in_force(found: dict[type[storage.Record], dict], name: str, village: str, on: date) -> policy.InForce:
    """The version of `name` in force at `village` on `on`, from the timelines `along` had read (the policy's
    own rule: the nearest area's version in force, else the declared default)."""
    return policy.in_force_among(name, village, on, found.get(policy.Timeline, {}))


# --- V3: the yearly evaluation's published scoring rule and the subsidy ---------------------------------
SUBSIDY_BASE = "advisors.subsidy_base"
GRADE_PERCENT = {"excellent": "advisors.subsidy_percent_excellent", "good": "advisors.subsidy_percent_good",
                 "pass": "advisors.subsidy_percent_pass", "fail": "advisors.subsidy_percent_fail"}
GRADE_MINIMUM = {"excellent": "advisors.grade_excellent_min", "good": "advisors.grade_good_min",
                 "pass": "advisors.grade_pass_min"}
WEIGHTS = {"residents": "advisors.weight_residents", "cadres": "advisors.weight_cadres",
           "log": "advisors.weight_log", "hours": "advisors.weight_hours", "reports": "advisors.weight_reports"}
REPORTS_PER_YEAR = "advisors.reports_per_year"
CADRE_PERCENT = {level: f"advisors.cadre_percent_{level}" for level in
                 ("very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "very_dissatisfied")}

_V3 = "SPEC V3：年度考核分为优秀、良好、合格、不合格，补贴按等次发放（默认 100%、100%、70%、50%），不合格不再续聘。"
_WEIGHT_TITLES = {"residents": ("居民评价", 20), "cadres": ("村（社区）干部评价", 20), "log": ("工作日志完整（按月已核实）", 20),
                  "hours": ("驻点时长达标（按月）", 25), "reports": ("上报信息", 15)}
_CADRE_TITLES = {"very_satisfied": ("非常满意", 100), "satisfied": ("满意", 90), "basically_satisfied": ("基本满意", 70),
                 "dissatisfied": ("不满意", 30), "very_dissatisfied": ("非常不满意", 0)}
_GRADE_TITLES = {"excellent": ("优秀", 100, 90), "good": ("良好", 100, 80), "pass": ("合格", 70, 60), "fail": ("不合格", 50, None)}

EVALUATION_PARAMETERS = (
    Parameter(SUBSIDY_BASE, title="法律顾问年度补贴基数（每村（社区））", unit="元/年", minimum=0, maximum=1_000_000, default=10_000,
              description=_V3 + "补贴 = 基数 × 考核等次的比例。默认 10000 元为本地做法，上线前须由区司法局按财政预算确认。"),
    *(Parameter(GRADE_PERCENT[code], title=f"考核{title}的补贴比例", unit="%", minimum=0, maximum=100, default=percent,
                description=_V3) for code, (title, percent, _) in _GRADE_TITLES.items()),
    *(Parameter(GRADE_MINIMUM[code], title=f"年度考核{title}的最低得分", unit="分", minimum=0, maximum=100, default=least,
                description="年度考核得分（百分制）达到此分为该等次；低于合格分为不合格。默认 90、80、60 为本地做法。")
      for code, (title, _, least) in _GRADE_TITLES.items() if least is not None),
    *(Parameter(WEIGHTS[code], title=f"年度考核权重：{title}", unit="分", minimum=0, maximum=100, default=weight,
                description="年度考核评分规则（公开）：各项按完成比例得分，满分为其权重；无数据的项不计入，"
                            "得分按计入各项的权重折算为百分制。默认居民评价 20、村干部评价 20、日志 20、驻点 25、上报 15。")
      for code, (title, weight) in _WEIGHT_TITLES.items()),
    *(Parameter(CADRE_PERCENT[level], title=f"年度考核村（社区）干部评价「{title}」的得分比例", unit="%", minimum=0,
                maximum=100, default=percent,
                description="年度考核“村（社区）干部评价”项按干部所选等级得其权重的此比例。默认非常满意 100%、满意 90%、"
                            "基本满意 70%、不满意 30%、非常不满意 0% 为本地做法。")
      for level, (title, percent) in _CADRE_TITLES.items()),
    Parameter(REPORTS_PER_YEAR, title="法律顾问每年上报信息条数", unit="条/年", minimum=1, maximum=500, default=12,
              description="年度考核“上报信息”项满分所需条数（工作日志中 report 类合计）。默认每月 1 条为本地做法。"),
)
EVALUATION_NAMES = [SUBSIDY_BASE, *GRADE_PERCENT.values(), *GRADE_MINIMUM.values(), *WEIGHTS.values(),
                    REPORTS_PER_YEAR, MONTHLY_HOURS, *CADRE_PERCENT.values()]
PARAMETERS = (*PARAMETERS, *EVALUATION_PARAMETERS)
