"""The self-check (issue 25): the questionnaire the enabled services declare, the answers checked against it,
and each service's verdict by its own criteria. No HTTP here, and nothing the resident typed is kept:

- no record, no audit entry, no idempotency item (the route creates nothing); the one write is the rate
  counter of the client address (`accounts.limits`: a keyed hash of the address, expiring by TTL);
- no log line carries an answer: a service whose judge fails is logged by its code and the exception's type
  only (an exception's message may quote what was typed);
- the same answers at the same area on the same day give the same result: the judges read the answers, the
  day and the policy versions in force, nothing else.

A question several services ask is asked once (`plugin.Question`: the same type, their choices joined); a
service one of whose `needed` questions is unanswered says "depends" without being asked.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from chalicelib import plugin
from chalicelib.domain.directory import service as directory
from chalicelib.domain.areas.models import ancestors
from chalicelib.domain.directory.models import AreaLinks, InstitutionCard
from chalicelib.domain.policy import service as policy
from chalicelib.domain.selfcheck.models import (
    ChoiceOut, SelfCheckCriterionOut, NextStepOut, QuestionnaireOut, QuestionOut, RuleOut, SelfCheckIn, SelfCheckOut,
    ServiceOut, VerdictOut,
)
from chalicelib.platform.errors import NotFound, TooManyRequests, Unprocessable
from chalicelib.platform.logs import logger
from chalicelib.platform.timeutil import today_shanghai

RATE_SCOPE = "self-check"
RATE_LIMIT = (30, 600)  # per client address: answers, window seconds (generous: carriers share addresses)
GRID_DIGITS = 15  # at a grid, the next step names the nearest institution (the area chain's links, read with the rules)
MAX_AMOUNTS = 20
MAX_AMOUNT = Decimal("100000000")
NOTICE = ("测评结果仅供参考，不是正式决定：是否给予服务以受理机构审查为准。测评不需要登录，您填写的情况不会被保存；"
          "登录后申请时可带入这些回答，由您确认后提交，受理机构将重新审查。")


# --- the questionnaire -------------------------------------------------------------------------------

def questions() -> dict[str, tuple[plugin.Question, list[str], list[str], list[tuple[str, str]]]]:
    """Question id → (its first declaration, the self-checks asking it, those needing it, the joined choices)."""
    merged: dict[str, tuple[plugin.Question, list[str], list[str], list[tuple[str, str]]]] = {}
    for _, check in plugin.self_checks():
        for question in check.questions:
            first, asked, needed, choices = merged.setdefault(question.id, (question, [], [], []))
            asked.append(check.code)
            if question.needed:
                needed.append(check.code)
            known = {code for code, _ in choices}
            choices.extend(choice for choice in question.choices if choice[0] not in known)
    return merged


def questionnaire(area: str | None, on: date | None = None) -> QuestionnaireOut:
    """The questions of every enabled service's self-check; with `area`, each service's rules there today."""
    on = on or today_shanghai()
    ahead = _rules_at(area, on)[0] if area else {}
    services = [ServiceOut(code=check.code, service=owner.name, title=check.title,
                           rules=[_rule(name, ahead) for name in check.rules if name in ahead])
                for owner, check in plugin.self_checks()]
    return QuestionnaireOut(services=services, questions=[
        QuestionOut(id=q.id, label=q.label, type=q.type, choices=[ChoiceOut(code=c, label=t) for c, t in choices],
                    minimum=q.minimum, maximum=q.maximum, help=q.help, asked_by=asked, needed_by=needed)
        for q, asked, needed, choices in questions().values()])


# --- the answers -------------------------------------------------------------------------------------

def answers(given: Mapping[str, Any]) -> dict[str, Any]:
    """The answers as the judges read them (int, tuple of Decimal, bool, str, frozenset), or a 422 naming
    every bad one (`["answers", id]`): an id no enabled service asks, a wrong type, a value out of bounds."""
    known = questions()
    out: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for key, value in given.items():
        if key not in known:
            errors.append({"loc": ["answers", key], "msg": "没有这个问题"})
            continue
        question, _, _, choices = known[key]
        try:
            out[key] = _value(question, [code for code, _ in choices], value)
        except ValueError as exc:
            errors.append({"loc": ["answers", key], "msg": str(exc)})
    if errors:
        raise Unprocessable("测评回答有误", code="validation_failed", errors=errors)
    return out


def _value(question: plugin.Question, choices: list[str], value: Any) -> Any:
    kind = question.type
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("应为整数")
        if question.minimum is not None and value < question.minimum:
            raise ValueError(f"不能小于 {question.minimum}")
        if question.maximum is not None and value > question.maximum:
            raise ValueError(f"不能大于 {question.maximum}")
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ValueError("应为是或否（true / false）")
        return value
    if kind == "money_list":
        if not isinstance(value, list) or len(value) > MAX_AMOUNTS:
            raise ValueError(f"应为金额的列表（至多 {MAX_AMOUNTS} 项）")
        return tuple(_amount(item) for item in value)
    if kind == "choice":
        if not isinstance(value, str) or value not in choices:
            raise ValueError("不是可选的答案")
        return value
    if not isinstance(value, list) or any(not isinstance(v, str) or v not in choices for v in value):
        raise ValueError("含有不可选的答案")
    return frozenset(value)


def _amount(item: Any) -> Decimal:
    if isinstance(item, bool) or not isinstance(item, (int, float, str)):
        raise ValueError("金额应为数字")
    try:
        amount = Decimal(str(item))
    except InvalidOperation:
        raise ValueError("金额应为数字") from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise ValueError("金额应为不小于 0 的元数，至多两位小数")
    return amount


# --- the verdicts ------------------------------------------------------------------------------------

def check(data: SelfCheckIn, client: str | None, on: date | None = None) -> SelfCheckOut:
    """Every enabled service's verdict on the answers, at the resident's area on the day (Asia/Shanghai).
    Rate-limited per client address first (429); then the answers (422), then the area (422: unknown or
    retired), read once with the rules every service shows."""
    _limit(client)
    on = on or today_shanghai()
    given = answers(data.answers)
    ahead, links = _rules_at(data.area, on, with_links=len(data.area) == GRID_DIGITS)
    known = questions()
    return SelfCheckOut(area=data.area, on=on, notice=NOTICE, results=[
        _verdict(owner, check_, given, data.area, on, ahead, known, _nearest(links, check_.institution_kind))
        for owner, check_ in plugin.self_checks()])


def _nearest(links: dict, kind: str | None) -> InstitutionCard | None:
    """The institution of `kind` mapped nearest to the grid (the grid itself, then its village, town …)."""
    found = directory.served(links, kind) if kind else []
    return InstitutionCard.of(found[0][1]) if found else None


def _limit(client: str | None) -> None:
    from chalicelib.domain.accounts.limits import limit_attempts

    try:
        limit_attempts(RATE_SCOPE, client or "unknown", *RATE_LIMIT)
    except TooManyRequests as exc:
        raise TooManyRequests("测评过于频繁，请稍后再试", code="too_many_self_checks", headers=exc.headers) from None


def _rules_at(area: str, on: date, *, with_links: bool = False,
              ) -> tuple[dict[str, tuple[policy.InForce | None, policy.InForce | None]], dict[str, AreaLinks]]:
    """The rules every service shows at `area` (in force on `on`, and the next set), with — `with_links`, at a
    grid — what is linked to each area of its chain (for the nearest institution): one BatchGetItem."""
    names = list(dict.fromkeys(name for _, c in plugin.self_checks() for name in c.rules))
    codes = ancestors(area) if with_links else []
    try:
        along = policy.read_along(names, area, also={AreaLinks: codes}, active_area=True)
    except NotFound as exc:
        if exc.code in ("area_not_found", "area_retired"):
            raise Unprocessable(f"区域 {area} 不存在或已撤销", code=exc.code,
                                errors=[{"loc": ["area"], "msg": "区域不存在或已撤销"}]) from None
        raise
    return along.resolve_ahead(names, on), along.records[AreaLinks]


def _rule(name: str, ahead: dict[str, tuple[policy.InForce | None, policy.InForce | None]]) -> RuleOut:
    now, later = ahead.get(name, (None, None))
    if later is None:
        return RuleOut(name=name, in_force=now.describe() if now else None)
    value = f"{format(Decimal(str(later.value)).normalize(), 'f')} {later.unit}"
    return RuleOut(name=name, in_force=now.describe() if now else None, upcoming_from=later.effective_from,
                   upcoming=f"自 {later.effective_from.isoformat()} 起标准调整为 {value}（{later.label}）")


def _verdict(owner: plugin.Plugin, check_: plugin.SelfCheck, given: dict[str, Any], area: str, on: date,
             ahead: dict, known: dict, institution: InstitutionCard | None = None) -> VerdictOut:
    missing = [q for q in check_.questions if q.needed and q.id not in given]
    if missing:
        assessment = plugin.Assessment("depends", "请回答：" + "、".join(known[q.id][0].label for q in missing), tuple(
            plugin.Reasoned(f"answers.{q.id}", known[q.id][0].label, None, "未回答") for q in missing))
    else:
        assessment = _judge(owner, check_, {q.id: given[q.id] for q in check_.questions if q.id in given}, area, on)
    return VerdictOut(
        code=check_.code, service=owner.name, title=check_.title, verdict=assessment.verdict,
        verdict_label=plugin.VERDICTS[assessment.verdict], summary=assessment.summary,
        criteria=[SelfCheckCriterionOut(code=c.code, title=c.title, met=c.met, reason=c.reason) for c in assessment.criteria],
        rules=[_rule(name, ahead) for name in check_.rules],
        documents=list(dict.fromkeys([*check_.documents, *assessment.documents])),
        next_step=NextStepOut(route=check_.apply, text=check_.next_step, institution=institution))


def _judge(owner: plugin.Plugin, check_: plugin.SelfCheck, given: dict[str, Any], area: str,
           on: date) -> plugin.Assessment:
    """One service's judge, failing alone: logged by its code and the exception's type, never its message or
    traceback (which may quote the answers)."""
    try:
        return check_.judge(given, area, on)
    except Exception as exc:  # noqa: BLE001 — isolation is the point
        logger().warning("self-check failed", extra={"plugin": owner.name, "hook": check_.code,
                                                     "error": plugin.failure(exc)})
        return plugin.Assessment("depends", "暂时无法测评该服务，请直接咨询受理机构")
