"""Who may have a notary come to them: the green channel 绿色通道 for home visits (SPEC N3; seed 001 item 10:
"为农村老年人、残疾人、重症病人及其他行动不便不能到窗口办理公证业务的当事人提供上门服务").

Three named criteria on the core rules engine, any one of which is enough; each gives a reason the resident
reads. The age is a policy parameter (`notary.home_visit_age`, default 60: 老年人权益保障法 第二条), passed in
with the facts so the criteria stay pure and every boundary is tested without storage.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.platform import rules
from chalicelib.platform.rules import Result


@dataclass(frozen=True)
class HomeVisitFacts:
    birth_date: date | None
    disability_certificate: bool
    seriously_ill: bool
    elderly_age: int


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _birthday(birth: date, age: int) -> date:
    try:
        return birth.replace(year=birth.year + age)
    except ValueError:  # born on 29 February: the birthday is 1 March in a common year
        return date(birth.year + age, 3, 1)


@rules.criterion("notary.elderly", "老年人")
def elderly(facts: HomeVisitFacts, on: date) -> Result:
    if facts.birth_date is None:
        return Result(False, "未提供出生日期", changes_on=rules.NEVER)
    age = age_on(facts.birth_date, on)
    if age >= facts.elderly_age:
        return Result(True, f"年满 {facts.elderly_age} 周岁（{age} 周岁）", {"age": age}, changes_on=rules.NEVER)
    return Result(False, f"{age} 周岁，未满 {facts.elderly_age} 周岁", {"age": age},
                  changes_on=_birthday(facts.birth_date, facts.elderly_age))


@rules.criterion("notary.disabled", "残疾人")
def disabled(facts: HomeVisitFacts, on: date) -> Result:
    if facts.disability_certificate:
        return Result(True, "持有残疾人证", changes_on=rules.NEVER)
    return Result(False, "未申报残疾人证", changes_on=rules.NEVER)


@rules.criterion("notary.seriously_ill", "重症病人")
def seriously_ill(facts: HomeVisitFacts, on: date) -> Result:
    if facts.seriously_ill:
        return Result(True, "申报为重症病人，行动不便", changes_on=rules.NEVER)
    return Result(False, "未申报重症", changes_on=rules.NEVER)


GREEN_CHANNEL = rules.any_of("notary.green_channel", "上门办证绿色通道", elderly, disabled, seriously_ill)
# The Chinese title of each basis, by criterion name ("notary.elderly" → "老年人"): shown next to the stored code.
BASIS_TITLES: dict[str, str] = {part.name: part.title for part in GREEN_CHANNEL.parts}
