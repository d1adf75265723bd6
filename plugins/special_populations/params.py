"""The policy parameters special populations owns (SPEC S1, S3, P-rules), declared on its Plugin.

Window lengths and visit frequencies are data with effective dates (`chalicelib.domain.policy`): a person's
categories on a day are judged with the versions in force at their grid on that day.
"""
from __future__ import annotations

from chalicelib.plugin import Parameter

AFTER_PRISON_YEARS = "special_populations.resettlement_after_prison_years"
AFTER_CORRECTION_YEARS = "special_populations.resettlement_after_correction_years"
AFTERCARE_YEARS = "special_populations.aftercare_years"
ALMOST_DAYS = "special_populations.almost_days"
VISIT_DAYS_CORRECTION = "special_populations.visit_days_correction"
VISIT_DAYS_RESETTLEMENT = "special_populations.visit_days_resettlement"
VISIT_DAYS_AFTERCARE = "special_populations.visit_days_aftercare"
REPORT_IN_DAYS = "special_populations.report_in_days"
GRANT_MAX_DAYS = "special_populations.grant_max_days"

_SEED = "常州市司法局《公共法律服务进网格》第8条（seeds/000）"
_LOCAL = "种子文件未规定走访频次，默认值为演示用的本地做法，上线前须由区司法局确认。"

PARAMETERS = (
    Parameter(AFTER_PRISON_YEARS, title="安置帮教期（刑满释放后）", unit="年", minimum=1, maximum=10, default=5,
              description=f"{_SEED}：安置帮教对象为刑满释放 5 年内的人员。"),
    Parameter(AFTER_CORRECTION_YEARS, title="安置帮教期（解除社区矫正后）", unit="年", minimum=1, maximum=10, default=3,
              description=f"{_SEED}：安置帮教对象包括解除社区矫正 3 年内的人员。"),
    Parameter(AFTERCARE_YEARS, title="后续照管期（解除强制隔离戒毒后）", unit="年", minimum=1, maximum=10, default=1,
              description=f"{_SEED}：后续照管对象为解除强制隔离戒毒 1 年内的人员。"),
    Parameter(ALMOST_DAYS, title="即将进入或离开类别的提示天数", unit="日", minimum=1, maximum=90, default=30,
              description="名单和主动排摸中提示“即将进入/离开”某一类别的天数（SPEC S4）。"),
    Parameter(VISIT_DAYS_CORRECTION, title="社区矫正对象走访间隔", unit="日", minimum=1, maximum=365, default=30,
              description=_LOCAL),
    Parameter(VISIT_DAYS_RESETTLEMENT, title="安置帮教对象走访间隔", unit="日", minimum=1, maximum=365, default=90,
              description=_LOCAL),
    Parameter(VISIT_DAYS_AFTERCARE, title="后续照管对象走访间隔", unit="日", minimum=1, maximum=365, default=30,
              description=_LOCAL),
    Parameter(REPORT_IN_DAYS, title="社区矫正对象报到时限", unit="日", minimum=1, maximum=60, default=10,
              description="社区矫正法第二十一条：自判决、裁定生效之日起十日内到执行地社区矫正机构报到。"),
    Parameter(GRANT_MAX_DAYS, title="区向市局账号授权查阅的最长天数", unit="日", minimum=1, maximum=180, default=30,
              description="特殊人群档案只由本区社区矫正工作人员查阅；市局账号须经区授权、写明事由，且期限有限。"
                          "默认值为本地做法，上线前须由区司法局确认。"),
)

WINDOWS = [AFTER_PRISON_YEARS, AFTER_CORRECTION_YEARS, AFTERCARE_YEARS, ALMOST_DAYS]
VISIT_DAYS = {"community_correction": VISIT_DAYS_CORRECTION, "resettlement": VISIT_DAYS_RESETTLEMENT,
              "aftercare": VISIT_DAYS_AFTERCARE}
