"""The 法律明白人 registry (SPEC P3): people with sealed numbers, their grid, training and activities, paged;
filled by the core's tabular import with a report per row; each grid's first person fills the core's
coverage role `legal_literate`; the target per households is a policy parameter."""
from __future__ import annotations

import hashlib
import io

from chalicelib.platform import aws, config, pii
from tests.helpers import assert_problem, body, calls_during, ok, post
from tests.plugins.publicity.conftest import DISTRICT, GRID

LITERATES = "/v1/publicity/literates"


def id_number(sequence: int) -> str:
    first17 = f"32040219800101{sequence:03d}"
    return first17 + pii.check_character(first17)


def person(sequence: int = 1, **fields) -> dict:
    return {"name": "王秀兰", "id_number": id_number(sequence), "phone": "13800001302", "grid": GRID,
            "trainings": [{"course": "民法典专题培训", "hours": "4", "on": "2024-05-10"}], **fields}


def upload(client, headers, data: bytes, content_type: str) -> str:
    created = body(post(client, "/v1/files", {
        "title": "法律明白人名册", "kind": "attachment", "area": DISTRICT, "content_type": content_type,
        "size_bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}, headers))
    aws.s3().put_object(Bucket=config.ledger_bucket(), Key=created["upload"]["fields"]["key"], Body=data,
                        ContentType=content_type)
    ok(post(client, f"/v1/files/{created['id']}/confirm", {}, headers))
    return created["id"]


def test_a_person_is_registered_with_numbers_sealed_and_shown_masked(client, staff, areas):
    """CONTRACT "Identity and access": the ID number and phone are stored encrypted and shown masked."""
    created = ok(post(client, LITERATES, person(), staff["publicist"]), 201)
    assert created["id_number"] != id_number(1) and "*" in created["id_number"] and "*" in created["phone"]
    assert created["training_hours"] == "4"
    assert ok(client.get(f"{LITERATES}/{created['id']}", headers=staff["grid_worker"]))["phone"] == created["phone"]
    item = aws.dynamodb().get_item(TableName=config.table_name(),
                                   Key={"pk": {"S": f"publicity-literate#{created['id']}"}, "sk": {"S": "record"}})
    assert id_number(1) not in str(item) and "13800001302" not in str(item)
    again = assert_problem(post(client, LITERATES, person(name="王秀英"), staff["publicist"]), 409, "literate_exists")
    assert again["errors"][0]["loc"] == ["body", "id_number"]


def test_the_grids_first_person_fills_the_core_coverage_role(client, staff, areas):
    """P3 / C3: at least one 法律明白人 per grid is the core's coverage role."""
    created = ok(post(client, LITERATES, person(), staff["publicist"]), 201)
    ok(post(client, LITERATES, person(2), staff["publicist"]), 201)
    assigned = ok(client.get(f"/v1/areas/{GRID}/assignments?role=legal_literate", headers=staff["admin"]))["items"]
    assert [a["assignee_id"] for a in assigned] == [created["id"]]


def test_trainings_and_activities_are_added_at_the_version_seen(client, staff, areas, event_body):
    created = ok(post(client, LITERATES, person(), staff["publicist"]), 201)
    trained = ok(post(client, f"{LITERATES}/{created['id']}/trainings",
                      {"course": "人民调解实务", "hours": "2.5", "on": "2025-03-01", "version": 1}, staff["publicist"]))
    assert trained["training_hours"] == "6.5" and trained["version"] == 2
    assert_problem(post(client, f"{LITERATES}/{created['id']}/trainings",
                        {"course": "人民调解实务", "hours": "2", "on": "2025-03-02", "version": 1}, staff["publicist"]),
                   409)
    event = ok(post(client, "/v1/publicity/events", event_body(days=-1), staff["publicist"]), 201)
    joined = ok(post(client, f"{LITERATES}/{created['id']}/activities", {"event_id": event["id"], "version": 2},
                     staff["publicist"]))
    assert [a["event_id"] for a in joined["activities"]] == [event["id"]]
    missing = assert_problem(post(client, f"{LITERATES}/{created['id']}/activities", {"event_id": "nope", "version": 3},
                                  staff["publicist"]), 422, "publicity_event_not_found")
    assert missing["errors"][0]["loc"] == ["body", "event_id"]


def test_staff_elsewhere_do_not_see_a_person(client, staff, areas):
    created = ok(post(client, LITERATES, person(), staff["publicist"]), 201)
    assert_problem(client.get(f"{LITERATES}/{created['id']}", headers=staff["other_grid"]), 404, "literate_not_found")
    assert_problem(post(client, LITERATES, person(2), staff["other_admin"]), 403, "outside_jurisdiction")


def test_five_hundred_people_are_imported_from_a_gbk_csv_with_two_bad_rows_reported(client, staff, areas):
    """P3: filled by the core's tabular import (GBK CSV here), a report per row naming row and column."""
    lines = ["姓名,身份证号,联系电话,网格代码,培训课程,学时,培训日期"]
    for n in range(1, 501):
        number = id_number(n)
        if n == 17:
            number = number[:-1] + ("0" if number[-1] != "0" else "1")     # a wrong check character
        grid = "320402001001999" if n == 300 else GRID                         # no such grid
        lines.append(f"村民{n:03d},{number},138{n:08d},{grid},民法典专题培训,4,2024-05-10")
    file_id = upload(client, staff["publicist"], "\r\n".join(lines).encode("gbk"), "text/csv")
    report = ok(post(client, f"{LITERATES}/imports", {"file_id": file_id}, staff["publicist"]), 201)
    assert (report["rows"], report["created"], report["failed"], report["covered_grids"]) == (500, 498, 2, 1)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(18, "身份证号"), (301, "网格代码")]
    first = ok(client.get(f"{LITERATES}?area={GRID}&limit=100", headers=staff["publicist"]))
    assert len(first["items"]) == 100 and first["next_cursor"]
    answers = []
    assert calls_during(lambda: answers.append(client.get(f"{LITERATES}/target?grid={GRID}&households=60000",
                                                          headers=staff["publicist"]))) == ["BatchGetItem"]
    target = ok(answers[0])
    assert (target["registered"], target["target"], target["met"]) == (498, 600, False)
    assert "尚缺 102 名" in target["reason"]


def test_an_xlsx_list_imports_again_without_duplicating_and_a_keyed_retry_shows_its_first_report(client, staff, areas):
    """CONTRACT "HTTP": a retry with the same Idempotency-Key returns the first result and writes nothing."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "网格代码"])
    sheet.append(["王秀兰", id_number(1), GRID])
    data = io.BytesIO()
    book.save(data)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    first = ok(post(client, f"{LITERATES}/imports", {"file_id": upload(client, staff["publicist"], data.getvalue(), xlsx)},
                    staff["publicist"]), 201)
    file_id, answers = upload(client, staff["publicist"], data.getvalue(), xlsx), []
    keyed = {**staff["publicist"], "Idempotency-Key": "literates-2026-01"}
    # The file's record with the key's claim, then the grid, its links and the person in one read; the batch
    # written in the report's transaction.
    assert calls_during(lambda: answers.append(post(client, f"{LITERATES}/imports", {"file_id": file_id}, keyed))) \
        == ["BatchGetItem", "BatchGetItem", "TransactWriteItems"]
    again = ok(answers[0], 201)
    assert (first["created"], again["created"], again["updated"]) == (1, 0, 1)
    retried = []  # the claim read with the file's record, then the report it names: the file is not read again
    assert calls_during(lambda: retried.append(post(client, f"{LITERATES}/imports", {"file_id": file_id}, keyed))) \
        == ["BatchGetItem", "GetItem"]
    assert ok(retried[0], 201)["id"] == again["id"]


def test_a_person_registered_while_the_last_batch_is_written_is_a_row_reported_and_the_report_still_kept(
        client, staff, areas):
    """P3: the last batch rides in the report's transaction; when someone registers one of its people at the
    same moment, that batch's rows are reported (nothing half-written) and the report is stored on its own."""
    from types import SimpleNamespace

    from chalicelib.platform import storage
    from plugins.publicity import registry

    file_id = upload(client, staff["publicist"], f"姓名,身份证号,网格代码\r\n王秀兰,{id_number(7)},{GRID}".encode(),
                     "text/csv")
    dynamodb = aws.dynamodb()

    def meanwhile(**_):  # the same person registered between the import's read and its write
        dynamodb.meta.events.unregister("before-call.dynamodb.TransactWriteItems", meanwhile)
        storage.put_new(registry._new(SimpleNamespace(sub="grid-1"), name="王秀兰", id_number=id_number(7),
                                      phone=None, grid=GRID, trainings=[]))

    dynamodb.meta.events.register("before-call.dynamodb.TransactWriteItems", meanwhile)
    try:
        report = ok(post(client, f"{LITERATES}/imports", {"file_id": file_id}, staff["publicist"]), 201)
    finally:
        dynamodb.meta.events.unregister("before-call.dynamodb.TransactWriteItems", meanwhile)
    assert (report["created"], report["failed"], [e["row"] for e in report["errors"]]) == (0, 1, [2])
    assert storage.read(registry.ImportRecord, report["id"]).report.failed == 1
