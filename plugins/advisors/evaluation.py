"""The yearly evaluation and subsidy of the village legal advisors (SPEC V3), with no HTTP.

- The village cadre (a grid worker of the village) rates the advisor's year on the core feedback's five
  levels (`rate`); the residents' ratings are the core feedback's, counted per village and month in the
  feedback's own tallies (`FeedbackTally`), read here, never listed.
- The bureau (an administrator over the village) runs the evaluation (`evaluate`): the published scoring
  rule (criteria.yearly_grade, its weights, minimums and the report target policy parameters in force at
  the village on the year's last day, or today for the year under way) over the months the advisor served,
  read from the tallies the service keeps (the month's verified hours, the month's log and its
  verification, the reports counted in it) and the rule's timelines along the village's chain: one read
  (two BatchGetItems side by side: more than 100 keys), one transaction.
- Subsidy = base × the grade's percentage (parameters, 100/100/70/50 by default); a misconduct finding
  recorded with the evaluation withholds it. 不合格 bars the engagement's renewal (`renewal_barred`, set
  in the evaluation's transaction; running the evaluation again with another grade lifts it).
- The area's totals (per city and district: evaluations, per grade, withheld, the subsidy in fen) are
  counted in each evaluation's own transaction (`EvaluationTotals`), the difference when one is run again;
  the bureau's list shows them beside a page of evaluations, and the XLSX export writes every row through
  the ledgers' workbook (cells neutralised against formula injection).
"""
from __future__ import annotations

import hashlib
import uuid
from datetime import date, timedelta
from decimal import Decimal

from chalicelib.domain.feedback.models import FeedbackTally
from chalicelib.domain.files import service as files
from chalicelib.domain.ledgers import service as ledgers
from chalicelib.domain.policy import service as policy
from chalicelib.platform import audit, aws, storage
from chalicelib.platform.storage.batch import fan_out
from chalicelib.platform.auth import Caller, require_covers
from chalicelib.platform.errors import Conflict, Forbidden, NotFound, Unprocessable, field_error
from chalicelib.platform.timeutil import now_utc, to_shanghai, today_shanghai
from plugins.advisors import criteria, params
from plugins.advisors.models import (
    EVALUATION, CadreRatingIn, Engagement, Evaluation, EvaluationIn, EvaluationListOut, EvaluationOut,
    EvaluationTotals, EvaluationTotalsOut, Hours, LogMonth, ReasonOut, Slot, Village,
)
from plugins.advisors.service import _admin_over, _of_village

FIRST_YEAR = 2015


def _year(year: str | int) -> int:
    """The year of a path: a malformed one names nothing (404); a future one is refused naming `year`."""
    text = str(year)
    if not (len(text) == 4 and text.isdigit()) or int(text) < FIRST_YEAR:
        raise NotFound(Evaluation.missing[0], code=Evaluation.missing[1])
    if int(text) > today_shanghai().year:
        raise Unprocessable("考核年度不得晚于今年", code="year_in_future", errors=field_error(["year"], "不得晚于今年"))
    return int(text)


def serving(village: Village | None, year: int) -> tuple[str, Slot] | None:
    """The engagement evaluated for the village's year: of those overlapping the year, the latest begun."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    slots = [(i, s) for i, s in (village.engagements.items() if village else []) if s.start <= last and first <= s.end]
    return max(slots, key=lambda pair: (pair[1].start, pair[0]), default=None)


def months_served(slot: Slot, year: int) -> list[str]:
    """The months of `year` the engagement served that are over (this year: up to last month)."""
    start = max(date(year, 1, 1), slot.start)
    end = min(date(year, 12, 31), slot.end, today_shanghai().replace(day=1) - timedelta(days=1))
    return [f"{year}-{m:02d}" for m in range(start.month, end.month + 1)] if start <= end else []


def _unserved(loc: list[str]) -> Unprocessable:
    return Unprocessable("该村（社区）该年度没有法律顾问聘用", code="outside_contract",
                         errors=field_error(loc, "该年度没有法律顾问聘用"))


def _need_version(record: Evaluation, expected_version: int | None) -> None:
    if expected_version is None:
        raise Unprocessable("修改已有的考核记录需提供版本（If-Match 或 version）", code="version_required",
                            errors=field_error(["version"], "必填项"))


def rate(caller: Caller, code: str, year: str, data: CadreRatingIn, expected_version: int | None) -> Evaluation:
    """The village cadre's rating of the advisor's year (a feedback level and a comment), before the bureau
    grades it. Refused: anyone but a grid worker of the village (404 to strangers of the village), a year
    without an engagement (422 naming `year`), a year already graded (409). One BatchGetItem, one write."""
    number = _year(year)
    if not (len(code) == 12 and code.isdigit()) or not _of_village(caller, code):
        raise NotFound(Village.missing[0], code=Village.missing[1])
    found = storage.find_each({Village: [code], Evaluation: [f"{code}.{number}"]})
    served = serving(found[Village].get(code), number)
    if served is None:
        raise _unserved(["year"])
    engagement_id, slot = served
    stored: Evaluation | None = found[Evaluation].get(f"{code}.{number}")
    fields = {"cadre_rating": data.rating, "cadre_comment": data.comment, "cadre_by": caller.sub}
    note = audit.entry(caller.actor, "update" if stored else "create", EVALUATION, f"{code}.{number}",
                       f"村（社区）干部评价 {number} 年度法律顾问工作：{criteria.CADRE_LEVELS[data.rating]}")
    if stored is None:
        return storage.put_new(Evaluation(id=f"{code}.{number}", village=code, year=number, engagement=engagement_id,
                                          person_id=slot.person_id, person_name=slot.person_name or slot.person_id,
                                          account=slot.account, **fields), also=[note])
    if stored.grade is not None:
        raise Conflict("该年度已考核，评价不能再修改", code="evaluation_graded")
    _need_version(stored, expected_version)
    return storage.update(stored, fields, expected_version=expected_version, also=[note])


def _decisive_day(year: int) -> date:
    return min(date(year, 12, 31), today_shanghai())


def _facts(code: str, year: int, months: list[str], found, rules: dict[str, policy.InForce],
           cadre: str | None) -> criteria.YearFacts:
    hours: dict[str, Hours] = found[Hours]
    logs: dict[storage.Place, LogMonth] = found[LogMonth]
    feedback: dict[str, FeedbackTally] = found[FeedbackTally]
    minimum = rules[params.MONTHLY_HOURS]
    least = Decimal(str(minimum.value)) * 60
    met = sum(1 for m in months if (hours.get(f"{code}.{m}") or Hours(id="")).count("verified") >= least)
    verified = sum(1 for m in months if (log := logs.get(LogMonth.at(code, m))) and log.entries and log.verified_by)
    reports = sum(log.totals.get("reports", 0) for m in months if (log := logs.get(LogMonth.at(code, m))))
    tallies = [feedback[f"{code}-{m}"] for m in months if f"{code}-{m}" in feedback]
    return criteria.YearFacts(
        year=year, months=len(months), hours_met=met, minimum_text=minimum.describe(), logs_verified=verified,
        reports=reports, reports_target=int(rules[params.REPORTS_PER_YEAR].value),
        residents_ratings=sum(t.count("ratings") for t in tallies),
        residents_satisfied=sum(t.count("satisfied") for t in tallies), cadre_rating=cadre,
        weights={k: Decimal(str(rules[name].value)) for k, name in params.WEIGHTS.items()},
        minimums={k: Decimal(str(rules[name].value)) for k, name in params.GRADE_MINIMUM.items()},
        cadre_percent={k: Decimal(str(rules[name].value)) for k, name in params.CADRE_PERCENT.items()})


def _reasons(result) -> list[ReasonOut]:
    return [*(ReasonOut(criterion=name, met=part.met, reason=part.reason) for name, part in result.parts.items()),
            ReasonOut(criterion=criteria.yearly_grade.name, met=result.met, reason=result.reason)]


def _totals_ops(code: str, year: int, before: dict[str, int], after: dict[str, int]) -> list[dict]:
    change = {k: after.get(k, 0) - before.get(k, 0) for k in {*before, *after}}
    change = {k: v for k, v in change.items() if v}
    return [storage.add_to(EvaluationTotals, f"{area}.{year}", change) for area in (code[:4], code[:6])] if change else []


def evaluate(caller: Caller, code: str, year: str, data: EvaluationIn, expected_version: int | None) -> Evaluation:
    """SPEC V3: the bureau grades the village's advisor for the year by the published rule, with its reasons,
    and fixes the subsidy (nothing on a misconduct finding); 不合格 bars the renewal. Run again (by version)
    after a correction or the cadre's rating, it replaces the result and the area's totals follow.
    Refused: a village outside the caller's area (404), a year without an engagement or without a month
    over yet (422 naming `year`), a stale version (409)."""
    number = _year(year)
    if not (len(code) == 12 and code.isdigit()) or not _admin_over(caller, code):
        raise NotFound(Village.missing[0], code=Village.missing[1])
    months = [f"{number}-{m:02d}" for m in range(1, 13)]
    found = storage.find_each({Village: [code], Evaluation: [f"{code}.{number}"],
                               Hours: [f"{code}.{m}" for m in months], LogMonth: [LogMonth.at(code, m) for m in months],
                               FeedbackTally: [f"{code}-{m}" for m in months],
                               **params.along(params.EVALUATION_NAMES, code)})
    served = serving(found[Village].get(code), number)
    if served is None:
        raise _unserved(["year"])
    engagement_id, slot = served
    stored: Evaluation | None = found[Evaluation].get(f"{code}.{number}")
    if stored is not None:
        _need_version(stored, expected_version)
        if stored.version != expected_version:
            raise Conflict("数据已被他人修改，请刷新后重试", code="stale_version")
    counted = months_served(slot, number)
    if not counted:
        raise Unprocessable(f"{number} 年该村（社区）法律顾问尚无已结束的服务月份", code="nothing_to_evaluate",
                            errors=field_error(["year"], "尚无已结束的服务月份"))
    on = _decisive_day(number)
    rules = {name: params.in_force(found, name, code, on) for name in params.EVALUATION_NAMES}
    facts = _facts(code, number, counted, found, rules, stored.cadre_rating if stored else None)
    graded = criteria.yearly_grade.evaluate(facts, on)
    grade = graded.data["grade"]
    paid = criteria.subsidy.evaluate(criteria.SubsidyFacts(
        grade=grade, base=Decimal(str(rules[params.SUBSIDY_BASE].value)),
        percent=Decimal(str(rules[params.GRADE_PERCENT[grade]].value)), misconduct=data.misconduct), on)
    fields = {"engagement": engagement_id, "person_id": slot.person_id,
              "person_name": slot.person_name or slot.person_id, "account": slot.account, "graded_at": now_utc(),
              "score": Decimal(graded.data["score"]), "grade": grade, "reasons": _reasons(graded),
              "misconduct": data.misconduct, "subsidy": Decimal(paid.data["amount"]), "subsidy_reason": paid.reason}
    if stored is None:
        record = storage.stamp_new(Evaluation(id=f"{code}.{number}", village=code, year=number, **fields))
        op = storage.put_op(record.to_item())
    else:
        record, op = storage.prepare_update(stored, fields, expected_version=stored.version)
    barred = (storage.amend(Engagement, engagement_id, set_={"renewal_barred": f"{number} 年度考核不合格"},
                            add={"version": 1}) if grade == "fail" else
              storage.amend(Engagement, engagement_id, remove=["renewal_barred"], add={"version": 1}))
    storage.transact([op, barred, *_totals_ops(code, number, stored.counts() if stored else {}, record.counts()),
                      audit.entry(caller.actor, "update" if stored else "create", EVALUATION, record.id,
                                  f"{graded.reason}；{paid.reason}")])
    return record


def read(caller: Caller, code: str, year: str) -> Evaluation:
    """One village's evaluation of a year: for the area's administrators, the village's grid workers and
    the advisor evaluated; to anyone else it does not exist (404)."""
    number = _year(year)
    record = storage.read(Evaluation, f"{code}.{number}") if len(code) == 12 and code.isdigit() else None
    if record is None or not (_admin_over(caller, code) or _of_village(caller, code) or caller.sub == record.account):
        raise NotFound(Evaluation.missing[0], code=Evaluation.missing[1])
    return record


def _area(caller: Caller, area: str | None) -> str:
    if not caller.is_admin:
        raise Forbidden("只有司法局可以查看考核结果汇总", code="admin_only")
    scope = area or (caller.area or "")[:6]
    require_covers(caller, scope, ["area"])
    if len(scope) not in (4, 6):
        raise Unprocessable("请选择市或区（县）", code="area_level", errors=field_error(["area"], "请选择市或区（县）"))
    return scope


def totals(area: str, year: int) -> EvaluationTotalsOut:
    return _totals_out(storage.read(EvaluationTotals, f"{area}.{year}") or EvaluationTotals(id=f"{area}.{year}"))


def _totals_out(t: EvaluationTotals) -> EvaluationTotalsOut:
    return EvaluationTotalsOut(evaluated=t.count("evaluated"), excellent=t.count("excellent"), good=t.count("good"),
                               passed=t.count("pass"), failed=t.count("fail"), withheld=t.count("withheld"),
                               subsidy=(Decimal(t.count("subsidy_fen")) / 100).quantize(Decimal("0.01")))


def in_area(caller: Caller, area: str | None, year: int | None, *, limit: int, cursor: str | None) -> EvaluationListOut:
    """The bureau's list of an area's (district's, city's) evaluations of a year, by village, with the area's
    totals from `EvaluationTotals` (one GetItem), never by counting the list (one Query): the two side by
    side, one round trip."""
    scope = _area(caller, area)
    year = year or today_shanghai().year - 1
    page, counted = fan_out(lambda read: read(), [
        lambda: storage.page(Evaluation, EVALUATION, (scope, year), limit=limit, cursor=cursor),
        lambda: totals(scope, year)])
    return EvaluationListOut(area=scope, year=year, totals=counted,
                             items=[EvaluationOut.of(Evaluation.from_item(i)) for i in page.items],
                             next_cursor=page.next_cursor)


HEADERS = ["村（社区）代码", "法律顾问", "村干部评价", "得分", "等次", "补贴（元）", "违规情形", "考核理由", "补贴说明"]


def graded_in(scope: str, year: int) -> list[Evaluation]:
    """Every graded evaluation of the area's year (the list read page by page: an export)."""
    return [e for e in (Evaluation.from_item(i) for i in storage.every(Evaluation, EVALUATION, (scope, year)))
            if e.grade is not None]


def row(e: Evaluation) -> list:
    return [e.village, e.person_name, criteria.CADRE_LEVELS.get(e.cadre_rating or "", "未评价"), e.score,
            criteria.GRADES[e.grade], e.subsidy, e.misconduct or "", "；".join(r.reason for r in e.reasons),
            e.subsidy_reason or ""]


def _counted(graded: list[Evaluation]) -> EvaluationTotalsOut:
    """The totals of the evaluations an export read (the same counts `EvaluationTotals` keeps)."""
    counts: dict[str, int] = {}
    for e in graded:
        for k, v in e.counts().items():
            counts[k] = counts.get(k, 0) + v
    return _totals_out(EvaluationTotals.model_validate({"id": "", **counts}))


def export(caller: Caller, area: str | None, year: int) -> tuple[files.StoredFile, files.Download, int]:
    """The area's evaluations of the year as an XLSX (the ledgers' workbook: every cell neutralised), stored
    as a report file of the area; the file record, the audit entry of its making and of its download in one
    transaction; the caller gets a presigned link."""
    scope = _area(caller, area)
    graded = graded_in(scope, year)
    table = [row(e) for e in graded]
    t = _counted(graded)
    moment = now_utc()
    cover = [("区域", scope), ("年度", str(year)), ("生成时间", to_shanghai(moment).strftime("%Y-%m-%d %H:%M")),
             ("生成人", caller.sub), ("考核村（社区）数", str(t.evaluated)),
             ("优秀／良好／合格／不合格", f"{t.excellent}／{t.good}／{t.passed}／{t.failed}"),
             ("因违规不发放补贴", str(t.withheld)), ("补贴合计（元）", str(t.subsidy))]
    content = ledgers.workbook(cover, [ledgers.Sheet("advisors", "法律顾问年度考核", HEADERS, table)])
    file_id = uuid.uuid4().hex
    title = f"{scope} {year} 年度村（社区）法律顾问考核及补贴"
    record = files.StoredFile(
        id=file_id, title=title, kind="report", area=scope, owner=caller.sub, content_type=ledgers.XLSX,
        size_bytes=len(content), sha256=hashlib.sha256(content).hexdigest(), bucket=files.bucket_for("report"),
        key=files.object_key("report", scope, year, file_id, title, "xlsx"), status="available",
        confirmed_at=moment, created_at=moment, updated_at=moment, version=1)
    aws.s3().put_object(Bucket=record.bucket, Key=record.key, Body=content, ContentType=ledgers.XLSX)
    storage.transact([storage.put_op(record.to_item()),
                      audit.entry(caller.actor, "create", EVALUATION, f"{scope}.{year}",
                                  f"导出 {year} 年度法律顾问考核结果（{len(table)} 个村（社区））"),
                      *files.download_entries(caller.actor, record)])
    return record, files.signed_link(record), len(table)
