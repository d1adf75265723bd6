"""SPEC C9 "一事一记" (issue 23, second pass): the disputes' register exported record by record
(`Plugin.ledger_rows`), from month entries written in each dispute's opening transaction; and what a
closing counts for the statistics: grid/village or escalated, and the problem once a year (count once)."""
from __future__ import annotations

import csv
import io

import pytest

from chalicelib.domain.ledgers import exports
from chalicelib.platform import aws, config
from tests.helpers import body, ok, post
from tests.plugins.mediation.conftest import dispute
from tests.plugins.mediation.test_rates import close

pytestmark = pytest.mark.usefixtures("areas")


def test_the_month_s_register_has_a_row_per_dispute_opened_with_names_masked_and_no_numbers(client, token, clock):
    staff = token("d-1", "mediator", area="320402")
    ok(close(client, staff, clock, "agreement"))
    ok(close(client, staff, clock, "no_agreement", tier="town"))
    opened = ok(post(client, "/v1/mediation/disputes", dispute(parties=[
        {"name": "王五", "role": "applicant"}, {"name": "常州某物业公司", "kind": "organisation", "role": "respondent"}]),
        staff), 201)
    out = body(post(client, "/v1/ledgers/exports", {"area": "320402", "period": clock.month(),
                                                    "kind": "mediation.register", "format": "csv"}, staff))
    assert out["status"] == "ready" and out["rows"] == 3
    key = exports.object_key("320402", clock.month(), "mediation.register", "csv")
    text = aws.s3().get_object(Bucket=config.ledger_bucket(), Key=key)["Body"].read().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ["登记编号", "登记日期", "网格代码", "纠纷类型", "当事人"]
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id[opened["id"]][4] == "王*、常州某物业公司" and by_id[opened["id"]][6] == "调解中"
    assert sorted(r[7] for r in rows[1:]) == ["", "调解不成", "达成调解协议"]
    assert "李*英" in text and "李秀英" not in text and "13912340001" not in text


def test_closings_count_grid_or_escalated_and_one_person_s_problem_once(client, token, clock):
    staff = token("d-1", "mediator", area="320402")
    ok(close(client, staff, clock, "agreement"))
    ok(close(client, staff, clock, "no_agreement", tier="town"))
    out = body(client.get(f"/v1/stats?area=320402&period={clock.month()}", headers=staff))
    mediation = next(s for s in out["grass_roots"]["sources"] if s["source"] == "mediation")
    assert (mediation["part"], mediation["counted"], mediation["share"]) == (1, 2, "50.0")
    assert out["count_once"]["total"] == 1 and out["count_once"]["by_service"] == {"mediation": 2}
