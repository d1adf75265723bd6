"""The policy parameters mediation reads: thresholds of the starting tier and the time limits per tier.
Data with effective dates per area (`/v1/policies`); the defaults below are used where no area set one."""
from __future__ import annotations

from chalicelib.plugin import Parameter

DISTRICT_PEOPLE = "mediation.district_people"
DISTRICT_WORKERS = "mediation.district_workers"
CONFIRMATION_DAYS = "mediation.judicial_confirmation_days"
CONFIRMATION_ALERT_DAYS = "mediation.confirmation_alert_days"
FOLLOW_UP_DAYS = "mediation.follow_up_days"
MEDIATOR_LOAD = "mediation.mediator_load"
GRASS_ROOTS_GOAL = "mediation.grass_roots_goal"
HOTSPOT_DISPUTES = "mediation.hotspot_disputes"
FULL_TIME_MINIMUM = {level: f"mediation.full_time_{level}" for level in ("town", "village", "industry", "stationed")}
_STAFFING = ("seeds/001 第12项：乡镇（街道）人民调解委员会2名以上，村（社区）人民调解委员会1名以上，"
             "行业性专业性调解组织3名以上，派驻调解室2名以上的专职人民调解员配备标准。")
TRAINING_HOURS = "mediation.yearly_training_hours"
TIER_DAYS = {tier: f"mediation.{tier}_days" for tier in ("grid", "village", "town", "district", "industry")}

_LIMIT_SOURCE = ("《人民调解工作若干规定》（司法部 2002）第三十七条：人民调解委员会调解纠纷，一般在一个月内调结；"
                 "基层层级的时限由各地按“简易纠纷不出网格”从严设定。")

PARAMETERS = (
    Parameter(DISTRICT_PEOPLE, title="涉及人数达到即由区矛盾纠纷调处中心调处", unit="人", minimum=2, maximum=1000,
              default=10, description="重大矛盾纠纷由辖市（区）矛盾纠纷调处中心协调调处（seeds/000 第5项）；"
                                      "群体性纠纷以涉及人数认定。"),
    Parameter(DISTRICT_WORKERS, title="劳动争议涉及劳动者人数达到即由区中心调处", unit="人", minimum=2, maximum=1000,
              default=10, description="多名劳动者的欠薪等劳动争议易引发群体性事件，按重大纠纷由区中心调处。"),
    Parameter(TIER_DAYS["grid"], title="网格调解时限", unit="日", minimum=1, maximum=60, default=7,
              description=_LIMIT_SOURCE),
    Parameter(TIER_DAYS["village"], title="村（社区）调委会调解时限", unit="日", minimum=1, maximum=60, default=15,
              description=_LIMIT_SOURCE),
    Parameter(TIER_DAYS["town"], title="镇（街道）调委会调解时限", unit="日", minimum=1, maximum=90, default=30,
              description=_LIMIT_SOURCE),
    Parameter(TIER_DAYS["district"], title="区矛盾纠纷调处中心调解时限", unit="日", minimum=1, maximum=90, default=30,
              description=_LIMIT_SOURCE),
    Parameter(TIER_DAYS["industry"], title="行业性专业性调委会调解时限", unit="日", minimum=1, maximum=90, default=30,
              description=_LIMIT_SOURCE),
    Parameter(CONFIRMATION_DAYS, title="申请司法确认期限", unit="日", minimum=1, maximum=90, default=30,
              description="《人民调解法》第三十三条：自调解协议生效之日起三十日内共同向人民法院申请司法确认。"),
    Parameter(CONFIRMATION_ALERT_DAYS, title="司法确认期限届满前提醒", unit="日", minimum=1, maximum=30, default=7,
              description="申请司法确认的期限届满前多少日提醒承办调解员。"),
    Parameter(FOLLOW_UP_DAYS, title="履行期限届满后继续提示回访的日数", unit="日", minimum=0, maximum=365, default=30,
              description="调解协议最后履行期限届满后，尚无全部履行回访记录的，在此期间内提示承办调解员回访；"
                          "期满或记录全部履行后不再列入关注名单。"),
    Parameter(MEDIATOR_LOAD, title="调解员同时承办纠纷上限", unit="件", minimum=1, maximum=100, default=5,
              description="推荐调解员时，承办中的纠纷达到此数即排在后面；各地按调解员配备情况设定。"),
    Parameter(HOTSPOT_DISPUTES, title="同一网格同类未化解纠纷热点提示线", unit="起", minimum=2, maximum=100,
              default=3, description="主动排摸（seeds/003）发现高发问题：同一网格同类纠纷未化解达到此数即列为热点。"),
    Parameter(GRASS_ROOTS_GOAL, title="矛盾纠纷基层化解率目标", unit="%", minimum=50, maximum=100, default=95,
              description="seeds/001 第12项：健全完善矛盾纠纷全周期管理，确保95%以上的矛盾纠纷在基层化解。"),
    Parameter(FULL_TIME_MINIMUM["town"], title="镇（街道）调委会专职调解员配备标准", unit="名", minimum=0,
              maximum=50, default=2, description=_STAFFING),
    Parameter(FULL_TIME_MINIMUM["village"], title="村（社区）调委会专职调解员配备标准", unit="名", minimum=0,
              maximum=50, default=1, description=_STAFFING),
    Parameter(FULL_TIME_MINIMUM["industry"], title="行业性专业性调解组织专职调解员配备标准", unit="名", minimum=0,
              maximum=50, default=3, description=_STAFFING),
    Parameter(FULL_TIME_MINIMUM["stationed"], title="派驻调解室专职调解员配备标准", unit="名", minimum=0,
              maximum=50, default=2, description=_STAFFING),
    Parameter(TRAINING_HOURS, title="专职调解员年度培训时长要求", unit="小时/年", minimum=0, maximum=200, default=24,
              description="SPEC M4：人民调解员名册载明等级和培训记录；专职调解员上年度或本年度参加培训达到此时长，"
                          "方计入配备标准（《关于加强人民调解员队伍建设的意见》要求分级分类开展培训；"
                          "种子文件未定时长，默认 24 小时即三天集中培训，各地按实际设定）。"),
)
