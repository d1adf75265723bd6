"""Reliability defect 1 on DynamoDB Local, with real threads sending real requests through the app: 30
ticket creates at once in one district once gave 16 × 409 `busy`, because each transaction moved the
district's counter from the number its instance knew. The number now comes from one atomic UpdateItem
(`storage.next_number`), which concurrent creates cannot refuse each other (SPEC C5: a resident is never
turned away because a neighbour asked at the same moment)."""
from __future__ import annotations

from chalicelib.domain.intake.models import TICKET_NUMBERS
from chalicelib.platform import aws, config, storage
from tests.core.test_intake import GRID, ask, desk, staff_ticket  # noqa: F401  (the fixture)
from tests.helpers import body, header
from tests.integration.test_concurrency_on_local import at_once  # noqa: F401  (the fixture)

RESIDENTS, BY_THE_WORKER = 70, 30


def _tickets() -> list[dict]:
    """Every ticket record, read back by a Scan (a test's look at the whole table)."""
    found, request = [], {"TableName": config.table_name()}
    while True:
        page = aws.dynamodb().scan(**request)
        found += [i for i in page["Items"] if i["pk"]["S"].startswith("intake-ticket#") and i["sk"]["S"] == "record"]
        if "LastEvaluatedKey" not in page:
            return found
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_a_hundred_creates_at_once_in_one_grid_each_get_a_ticket_and_codes_are_unique(client, desk, token, at_once,
                                                                                      clock):
    residents = [token(f"resident-{n}") for n in range(RESIDENTS)]
    calls = [lambda h=h: ask(client, h) for h in residents]
    calls += [lambda: staff_ticket(client, desk["worker"])] * BY_THE_WORKER
    answers = at_once(calls)
    refused = [(a.status_code, a.body, header(a, "Retry-After")) for a in answers if a.status_code != 201]
    assert not refused, refused
    codes = [body(a)["code"] for a in answers]
    assert len(set(codes)) == len(codes) == RESIDENTS + BY_THE_WORKER
    prefix = f"FW-{GRID[:6]}-{clock.today.strftime('%y%m')}-"
    assert sorted(codes) == [f"{prefix}{n:04d}" for n in range(1, len(codes) + 1)]  # no create failed: no gap
    assert len(_tickets()) == len(codes)
    assert storage.next_number(TICKET_NUMBERS, (GRID[:6], clock.today.strftime("%y%m"))) == len(codes) + 1


def test_a_hundred_keyed_retries_of_one_create_at_once_make_one_ticket(client, desk, at_once):
    """CONTRACT Idempotency-Key under load: the first attempt landed; its retries all replay it."""
    headers = {**desk["resident"], "Idempotency-Key": "pressed-again"}
    first = body(ask(client, headers))["code"]
    answers = at_once([lambda: ask(client, headers)] * 100)
    assert {(a.status_code, body(a)["code"], header(a, "Idempotent-Replayed")) for a in answers} == {
        (201, first, "true")}
    assert body(ask(client, desk["neighbour"]))["code"] == first[:-4] + "0002"  # the retries burnt no number
