"""Targeted 普法 (issue: beyond the seeds): next month's topics and places from what people brought to the
12345 hotline and to the petition office this month, with the evidence behind each suggestion
("雕庄街道：劳动报酬 14 件，较上月 +9"), so the plan follows the disputes people actually have.

Read from the category tallies the screening's import keeps per month, area and category (the counts its
hotspot check reads: `screening.sources.category_tally`), never from the orders: one Query per kind and
month (this month and the one before), side by side, then the towns' names in one BatchGetItem. Counts are summed per town;
the towns and categories with the most cases this month come first (ties: the larger rise). The topic is
the law that answers the category, from a small table of keywords (else the category's own law).
"""
from __future__ import annotations

from collections import defaultdict

from pydantic import ConfigDict, Field

from chalicelib.domain.areas import service as areas
from chalicelib.domain.screening import sources, tallies
from chalicelib.platform.auth import Caller, require_covers
from chalicelib.platform.errors import Unprocessable, field_error
from chalicelib.platform.model import Model
from chalicelib.platform.storage.batch import fan_out
from chalicelib.platform.timeutil import today_shanghai

MAX_SUGGESTIONS = 10
# (keywords in a hotline or petition category, the topic to teach, the kind of activity that suits it)
TOPICS = (
    (("劳动", "工资", "欠薪", "讨薪", "社保"), "《保障农民工工资支付条例》与劳动合同法", "lecture"),
    (("婚姻", "家庭", "赡养", "抚养", "继承"), "民法典婚姻家庭编、继承编", "lecture"),
    (("物业", "小区", "停车"), "民法典物权编：业主权利与物业服务", "public_service"),
    (("邻里", "相邻", "宅基地"), "民法典相邻关系与宅基地管理", "cultural_work"),
    (("土地", "拆迁", "征收"), "土地管理法与国有土地上房屋征收补偿条例", "lecture"),
    (("消费", "退款", "预付"), "消费者权益保护法与单用途预付卡", "public_service"),
    (("诈骗", "电诈", "网络"), "反电信网络诈骗法", "cultural_activity"),
    (("交通", "事故"), "道路交通安全法与交通事故赔偿", "public_service"),
    (("租赁", "房租", "押金"), "民法典合同编：租赁合同", "public_service"),
)


class SuggestionQuery(Model):
    model_config = ConfigDict(extra="forbid")
    area: str | None = Field(None, pattern=r"^(\d{4}|\d{6}|\d{9})$", description="市、区县或镇街代码（默认本人辖区）")
    month: str | None = Field(None, pattern=r"^20\d{2}-(0[1-9]|1[0-2])$", description="依据月份 YYYY-MM（默认本月）")


class Suggestion(Model):
    town: str
    town_name: str
    category: str = Field(description="热线、信访的类别")
    count: int = Field(description="本月件数")
    previous: int = Field(description="上月件数")
    topic: str
    kind: str = Field(description="建议的活动类别")
    evidence: str = Field(examples=["雕庄街道：劳动报酬 14 件，较上月 +9"])


class SuggestionsOut(Model):
    area: str
    month: str = Field(description="依据的月份")
    plan_for: str = Field(description="建议用于的月份")
    items: list[Suggestion]


def _month_before(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:])
    return f"{year - 1:04d}-12" if mon == 1 else f"{year:04d}-{mon - 1:02d}"


def _month_after(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:])
    return f"{year + 1:04d}-01" if mon == 12 else f"{year:04d}-{mon + 1:02d}"


def topic_for(category: str) -> tuple[str, str]:
    for words, topic, kind in TOPICS:
        if any(w in category for w in words):
            return topic, kind
    return f"{category}相关法律法规", "lecture"


def _by_town(area: str, months: list[str]) -> list[dict[tuple[str, str], int]]:
    """Each month's counts per (town, category), summed over the source kinds: the tallies of every kind and
    month are separate partitions, so their Queries go side by side (one round trip)."""
    wanted = [(kind, month) for month in months for kind in sources.KIND_TITLES]
    read = fan_out(lambda pair: list(tallies.counts_by_subject(sources.category_tally(pair[0]), area,
                                                               month=pair[1])), wanted)
    found: dict[str, dict[tuple[str, str], int]] = {month: defaultdict(int) for month in months}
    for (_, month), rows in zip(wanted, read):
        for code, category, count in rows:
            if len(code) >= 9 and category:
                found[month][(code[:9], category)] += count
    return [found[month] for month in months]


def suggest(caller: Caller, q: SuggestionQuery) -> SuggestionsOut:
    area = q.area or caller.area or ""
    require_covers(caller, area, ["area"])
    if len(area) not in (4, 6, 9):
        raise Unprocessable("请选择市、区县或镇街", code="area_level", errors=field_error(["area"], "市、区县或镇街"))
    month = q.month or today_shanghai().strftime("%Y-%m")
    now, before = _by_town(area, [month, _month_before(month)])
    ranked = sorted(now.items(), key=lambda kv: (-kv[1], -(kv[1] - before.get(kv[0], 0)), kv[0]))[:MAX_SUGGESTIONS]
    names = areas.get_many({town for (town, _), _ in ranked})
    items = []
    for (town, category), count in ranked:
        previous = before.get((town, category), 0)
        topic, kind = topic_for(category)
        name = names[town].name if town in names else town
        items.append(Suggestion(town=town, town_name=name, category=category, count=count, previous=previous,
                                topic=topic, kind=kind,
                                evidence=f"{name}：{category} {count} 件，较上月 {count - previous:+d}"))
    return SuggestionsOut(area=area, month=month, plan_for=_month_after(month), items=items)
