"""Issue 14 §4: 12345 hotline work orders and petitions imported from each city's export — columns mapped by
name with a saved mapping per city, bad rows reported with line and reason, re-imports idempotent per
work-order number, caller phones sealed; the screening reads them by month and area."""
from __future__ import annotations

import hashlib

import pytest

from chalicelib.domain.screening import sources
from chalicelib.platform import aws, config, storage, timeutil
from tests.helpers import Clock, assert_problem, body, post, seed_areas

HEADER = "工单编号,来电时间,诉求类型,诉求内容,所属区,所属街镇,承办单位,来电号码"


@pytest.fixture
def officer(aws_backend, token):
    seed_areas()
    return token("o1", "legal_aid_officer", area="3204")


@pytest.fixture
def upload(client, officer):
    def make(text: str, headers=None) -> str:
        data = text.encode("utf-8")
        created = body(post(client, "/v1/files", {
            "title": "12345工单导出", "kind": "attachment", "area": "3204", "content_type": "text/csv",
            "size_bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}, headers or officer))
        aws.s3().put_object(Bucket=config.ledger_bucket(), Key=created["upload"]["fields"]["key"], Body=data,
                            ContentType="text/csv")
        assert post(client, f"/v1/files/{created['id']}/confirm", {}, headers or officer).status_code == 200
        return created["id"]
    return make


def export(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


# The export is last month's, by the suite's clock (tests/conftest.py pins it before modules are collected);
# a work-order number carries its day, as the city's numbers do.
MONTH, EARLIER = Clock(timeutil.now_utc()).month(-1), Clock(timeutil.now_utc()).month(-2)


def number(month: str, day: int, serial: int) -> str:
    return f"CZ{month.replace('-', '')}{day:02d}{serial:03d}"


FIRST, SECOND = number(MONTH, 3, 1), number(MONTH, 5, 2)
GOOD = [f"{FIRST},{MONTH}-03 09:15,劳动保障,讨薪：工地拖欠三个月工资,天宁区,雕庄街道,区人社局,13912345678",
        f"{SECOND},{MONTH.replace('-', '/')}/05 14:20,婚姻家庭,离婚后探视纠纷,钟楼区,,区妇联,0519-86681234"]


def orders() -> list[dict]:
    return storage.every(sources.WorkOrder, sources.ORDERS, ("hotline", "3204"))


def test_good_rows_go_in_and_each_bad_row_is_reported_with_its_line_and_reason(client, officer, upload):
    file_id = upload(export(*GOOD, f"{number(MONTH, 6, 3)},昨天,劳动保障,欠薪,天宁区,雕庄街道,,",
                            f"{number(MONTH, 7, 4)},{MONTH}-07,劳动保障,欠薪,新北区,,,"))
    report = body(post(client, "/v1/screenings/sources/hotline/imports", {"file_id": file_id, "city": "3204"}, officer))
    assert (report["rows"], report["imported"], report["failed"]) == (4, 2, 2)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(4, "来电时间"), (5, "所属区")]
    assert "新北区" in report["errors"][1]["msg"]
    assert {o["area"] for o in orders()} == {"320402001", "320404"}


def test_importing_the_same_export_again_overwrites_and_never_duplicates(client, officer, upload):
    file_id = upload(export(*GOOD))
    for _ in range(2):
        post(client, "/v1/screenings/sources/hotline/imports", {"file_id": file_id, "city": "3204"}, officer)
    assert sorted(o["order_no"] for o in orders()) == [FIRST, SECOND]


def test_the_caller_s_phone_is_sealed(client, officer, upload):
    file_id = upload(export(GOOD[0]))
    post(client, "/v1/screenings/sources/hotline/imports", {"file_id": file_id, "city": "3204"}, officer)
    [order] = orders()
    assert "phone" not in order and order["phone_masked"] == "139****5678"
    assert "13912345678" not in str(order) and order["phone_hash"]  # the hash finds repeat callers


def test_a_city_s_own_column_names_are_saved_and_used(client, token, officer, upload):
    header = HEADER.replace("工单编号", "热线工单号")
    file_id = upload(export(GOOD[0], header=header))
    refused = post(client, "/v1/screenings/sources/hotline/imports", {"file_id": file_id, "city": "3204"}, officer)
    assert_problem(refused, 422, "table_header")
    admin = token("a1", "admin", area="3204")
    saved = client.put("/v1/screenings/sources/hotline/mappings/3204", body='{"columns": {"order_no": ["热线工单号"]}}',
                       headers={**admin, "Content-Type": "application/json"})
    assert saved.status_code == 200, saved.body
    assert body(saved)["version"] == 1
    assert "热线工单号" in body(client.get("/v1/screenings/sources/hotline/mappings/3204", headers=officer))["columns"]["order_no"]
    report = body(post(client, "/v1/screenings/sources/hotline/imports", {"file_id": file_id, "city": "3204"}, officer))
    assert report["imported"] == 1


def test_saving_a_mapping_reads_it_once_and_a_change_without_the_version_is_refused(client, token, officer):
    """Reliability §3: the saved mapping is read once, by the service (the route no longer reads it to know
    whether a version is needed): 2 calls, first save or change; a change still needs the version."""
    from tests.core.test_write_floor import dynamodb_calls

    admin = {**token("a1", "admin", area="3204"), "Content-Type": "application/json"}
    path = "/v1/screenings/sources/hotline/mappings/3204"
    with dynamodb_calls() as first:
        assert client.put(path, body='{"columns": {"order_no": ["热线工单号"]}}', headers=admin).status_code == 200
    assert_problem(client.put(path, body='{"columns": {"order_no": ["工单号"]}}', headers=admin), 400, "version_required")
    with dynamodb_calls() as change:
        changed = client.put(path, body='{"columns": {"order_no": ["工单号"]}, "version": 1}', headers=admin)
    assert body(changed)["version"] == 2 and body(changed)["saved"] == {"order_no": ["工单号"]}
    assert first == change == ["GetItem", "TransactWriteItems"]


def test_staff_of_another_city_cannot_import_into_it_or_see_its_mapping(client, token, officer):
    stranger = token("o9", "legal_aid_officer", area="6401")
    refused = post(client, "/v1/screenings/sources/hotline/imports", {"file_id": "f" * 32, "city": "3204"}, stranger)
    assert_problem(refused, 403, "outside_jurisdiction")
    assert_problem(client.get("/v1/screenings/sources/hotline/mappings/3204", headers=stranger), 403)
    assert_problem(client.get("/v1/screenings/sources/tweets/mappings/3204", headers=stranger), 422, "bad_source")


def test_a_shard_reads_only_its_month_and_area(client, officer, upload):
    earlier = number(EARLIER, 20, 9)
    file_id = upload(export(*GOOD, f"{earlier},{EARLIER}-20 10:00,劳动保障,欠薪,天宁区,雕庄街道,,"))
    post(client, "/v1/screenings/sources/hotline/imports", {"file_id": file_id, "city": "3204"}, officer)
    assert [o["order_no"] for o in sources.month_orders("hotline", MONTH, "320402")] == [FIRST]
    assert [o["order_no"] for o in sources.month_orders("hotline", EARLIER, "320402")] == [earlier]


def test_each_category_is_tallied_per_month_and_area_and_a_reimport_counts_nothing_twice(client, officer, upload):
    from chalicelib.domain.screening import tallies

    first = upload(export(*GOOD, GOOD[0].replace(FIRST, number(MONTH, 3, 2))))
    post(client, "/v1/screenings/sources/hotline/imports", {"file_id": first, "city": "3204"}, officer)
    moved = upload(export(GOOD[0].replace("劳动保障", "婚姻家庭")))  # the platform re-classified one order
    for file_id in (first, moved):
        post(client, "/v1/screenings/sources/hotline/imports", {"file_id": file_id, "city": "3204"}, officer)
    counted = sorted(tallies.counts_by_subject("hotline.category", "3204", month=MONTH))
    assert counted == [("320402001", "劳动保障", 1), ("320402001", "婚姻家庭", 1), ("320404", "婚姻家庭", 1)]


def test_a_retried_import_shows_its_first_report_again(client, officer, upload):
    """CONTRACT idempotency: the import keeps its report, which a retry with the same key renders again."""
    file_id = upload(export(*GOOD))
    keyed = {**officer, "Idempotency-Key": "hotline-import-1"}
    first = post(client, "/v1/screenings/sources/hotline/imports", {"file_id": file_id, "city": "3204"}, keyed)
    again = post(client, "/v1/screenings/sources/hotline/imports", {"file_id": file_id, "city": "3204"}, keyed)
    assert first.status_code == again.status_code == 201 and body(again) == body(first)
    assert again.headers["Idempotent-Replayed"] == "true" and body(first)["imported"] == 2
