"""The policy parameters legal aid owns (SPEC P-rules), declared on its Plugin.

Every figure the rules use is data with an effective date (`chalicelib.policy`): an application is judged
by the versions in force on its application date (the submission date in Asia/Shanghai, SPEC L2), at the
nearest area up the tree, or the declaration's default (the national rule) where no area set one.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.domain import means
from chalicelib.domain.policy import service as policy

from chalicelib.plugin import Parameter

# The hardship standard and the groups exempt from it are the core's (shared with appraisal fee relief).
INCOME_THRESHOLD = means.INCOME_THRESHOLD
SPECIAL_GROUPS_EXEMPT = means.SPECIAL_GROUPS
ADVANCED_AGE = means.ADVANCED_AGE
GREEN_CHANNEL_HOURS = "legal_aid.green_channel_hours"
REVIEW_DAYS = "legal_aid.review_days"
ASSIGN_DAYS = "legal_aid.assign_days"
UNASSIGNED_ALERT_DAYS = "legal_aid.unassigned_alert_days"
UNASSIGNED_ALERT_SHORTEST = 1  # its smallest allowed value: the screening reads cases approved longer ago
FOLLOW_UP_DAYS = "legal_aid.follow_up_days"

# The review period (法律援助法 art. 43) is also the time limit of the intake desk's legal-aid tickets: the
# plugin's `TicketCategory("legal_aid", …, time_limit=REVIEW)` states it once, in calendar days.
REVIEW = Parameter(REVIEW_DAYS, title="法律援助申请审查时限", unit="日", minimum=1, maximum=60, default=7,
                   description="法律援助法第四十三条：自收到申请之日起七日内审查并作出决定。")

# Declared on the Plugin (`parameters=`): known to the core exactly while legal aid is enabled.
PARAMETERS = (
    Parameter(GREEN_CHANNEL_HOURS, title="绿色通道受理、审查、指派时限", unit="工作小时", minimum=1, maximum=240,
              default=24,
              description="SPEC L5 “一日受理、审查、指派”：自提交起，只计工作日（国务院节假日安排，含调休上班日）的小时数。"),
    REVIEW,
    Parameter(ASSIGN_DAYS, title="批准后指派时限", unit="日", minimum=1, maximum=60, default=3,
              description="法律援助法第四十三条：自作出给予法律援助决定之日起三日内指派。"),
    Parameter(UNASSIGNED_ALERT_DAYS, title="批准后未指派预警天数", unit="日", minimum=UNASSIGNED_ALERT_SHORTEST,
              maximum=60, default=3,
              description="主动排摸：批准后超过此天数仍未指派律师的案件。"),
    Parameter(FOLLOW_UP_DAYS, title="结案后回访时限", unit="日", minimum=1, maximum=365, default=30,
              description="SPEC L6 案后回访：结案后此天数内完成回访。"),
)

TIMING = [GREEN_CHANNEL_HOURS, REVIEW_DAYS, ASSIGN_DAYS, FOLLOW_UP_DAYS]

# Every parameter but the income threshold has a declared default (the national rules: 法律援助法 art. 43's
# 7 and 3 days, the seeds' one day), so a fresh deployment works; an area's stored version always wins.
# The demo enters Changzhou's 2021 exemption policy (SPEC L3), which starts on the day the hardship standard
# changed (the standard's history is the core's demo data now: chalicelib/demo/data/policies_demo.json).
# Where each figure comes from: chalicelib/demo/data/README.md.
AREA_VERSIONS = [
    (SPECIAL_GROUPS_EXEMPT, "3204", 1, "2021-07-20", "常州市特殊困难群体免审政策",
     "常司发〔2021〕89号：对农村高龄、孤寡、失能、失独老人、困境儿童、重度残疾人、重病患者等免于经济状况审查，取消事项范围限制"),
]


@dataclass(frozen=True)
class Rules:
    """The versions in force for one application: what criteria and deadlines read."""
    on: date
    area: str
    threshold: policy.InForce | None          # None: not configured there on that date (a clerk decides)
    special_groups: policy.InForce | None     # None: treated as 0 (national exemptions only)
    advanced_age: policy.InForce | None
    timing: dict[str, policy.InForce]

    @property
    def special_groups_in_force(self) -> bool:
        return bool(self.special_groups and self.special_groups.value >= 1)

    @property
    def advanced_age_years(self) -> int:
        return int(self.advanced_age.value) if self.advanced_age else 80

    def require(self, name: str) -> policy.InForce:
        """A timing parameter the step needs; `policy.NotConfigured` (a 404 problem naming it) if unset."""
        if name not in self.timing:
            raise policy.NotConfigured(name, self.area, self.on)
        return self.timing[name]

    def hours(self, name: str) -> int:
        return int(self.require(name).value)

    def days(self, name: str) -> int:
        return int(self.require(name).value)


def rules(area_code: str, on: date) -> Rules:
    """Every legal-aid parameter for `area_code` on `on`, in one round trip, which also reads the area
    record: 404 `area_not_found` / `area_retired` for an area no application can start in. A missing income
    threshold leaves eligibility to a clerk (undetermined) instead of refusing the application."""
    names = [INCOME_THRESHOLD, SPECIAL_GROUPS_EXEMPT, ADVANCED_AGE, UNASSIGNED_ALERT_DAYS, *TIMING]
    found = policy.resolve_present(names, area_code, on, active_area=True)
    return Rules(on=on, area=area_code, threshold=found.get(INCOME_THRESHOLD),
                 special_groups=found.get(SPECIAL_GROUPS_EXEMPT), advanced_age=found.get(ADVANCED_AGE),
                 timing={n: found[n] for n in [*TIMING, UNASSIGNED_ALERT_DAYS] if n in found})


def load_demo(actor) -> dict[str, int]:
    """Changzhou's versions, skipping those already stored (safe to run again)."""
    return policy.load_versions(actor, [
        policy.VersionRow(name=name, area=area, value=value, effective_from=date.fromisoformat(day), label=label,
                          note=note) for name, area, value, day, label, note in AREA_VERSIONS], reason="录入历史标准（演示数据）")
