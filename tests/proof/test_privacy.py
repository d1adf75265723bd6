"""Issue 9 "Privacy" and CONTRACT "auth"/PII: ID numbers and phones are stored sealed — "nowhere in clear:
not in records, idempotency items, keys, files' names or logs" — and in full reach only their owner and the
staff holding the case.

One walkthrough over HTTP across the services, as their users do it: a resident applies for legal aid
with an ID number and a phone (with an Idempotency-Key, so a claim item is written too); the city's
administrator registers a mediator with a phone; a grid worker records a walk-in request with the
person's phone; a mediator opens a dispute with a party's ID number and phones; a corrections officer
registers a person under community supervision; a resident books a notary appointment with a phone; an
officer imports a 12345 hotline export with the callers' phones. Then everything written is read back:

- every item of the table, every attribute, recursively (records, audit entries, idempotency claims,
  tallies, work orders);
- every object of every bucket: its key and metadata always; its content unless it is a document a caller
  uploaded through /v1/files (the caller's own file, kept as sent — the contract covers files' names),
  with zipped formats (XLSX, DOCX) opened;
- everything the app logged during the walkthrough;

and none of the numbers sent in appears in clear: not as typed, not without separators, not with a lower-
or upper-case check character X. Then each record is asked for by callers not entitled to it in full:
they get it masked or not at all.
"""
from __future__ import annotations

import hashlib
import io
import logging
import re
import zipfile
from contextlib import contextmanager

import pytest

from chalicelib.platform import aws, config
from chalicelib.platform.config import APP_NAME
from tests.helpers import body, ok, post

GRID, TOWN = "320402001001001", "320402001"
# What is sent in, as typed (with separators where people type them). The check character of the
# applicant's ID number is an X, so its upper- and lower-case forms are both looked for.
APPLICANT_PHONE, MEDIATOR_PHONE, WALK_IN_PHONE = "13912345678", "138 0000 1201", "13900001111"
PARTY_PHONES, SUPERVISED_PHONE, BOOKING_PHONE, HOTLINE_PHONE = ("13912340001", "13912340002"), "13911112222", \
    "13800001234", "13955556666"


def _secrets() -> dict[str, str]:
    """Each secret's name → its digits (and X), the form every variant is derived from."""
    from tests.plugins.legal_aid.conftest import id_number
    from tests.plugins.mediation.conftest import id_number as party_id
    from plugins.special_populations.demo import fictional_id

    applicant = _with_x_check(id_number)
    return {
        "applicant id": applicant, "party id": party_id(), "supervised id": fictional_id("19820417", "035"),
        "applicant phone": APPLICANT_PHONE, "mediator phone": MEDIATOR_PHONE, "walk-in phone": WALK_IN_PHONE,
        "party phone 1": PARTY_PHONES[0], "party phone 2": PARTY_PHONES[1], "supervised phone": SUPERVISED_PHONE,
        "booking phone": BOOKING_PHONE, "hotline phone": HOTLINE_PHONE,
    }


def _with_x_check(id_number) -> str:
    """The first valid ID number (of the legal-aid fixture's shape) whose check character is X."""
    for sequence in range(1, 999):
        candidate = id_number(sequence=f"{sequence:03d}")
        if candidate.endswith("X"):
            return candidate
    raise AssertionError("no X check character found")


def _digits(text: str) -> str:
    return re.sub(r"[^0-9Xx]", "", text).upper()


def _leaks(text: str, secrets: dict[str, str]) -> list[str]:
    """The secrets found in `text`: as typed, or once separators between digits are removed, any case."""
    flat = re.sub(r"(?<=[0-9])[\s\-–—.·/]+(?=[0-9Xx])", "", text).upper()
    return [name for name, value in secrets.items() if _digits(value) in flat or value.upper() in text.upper()]


def _every_item() -> list[dict]:
    items, request = [], {"TableName": config.table_name()}
    while True:  # a Scan: the test's look at the whole table, never a request path's
        page = aws.dynamodb().scan(**request)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _wire_text(value) -> str:
    """Every string, number and binary of a DynamoDB wire value, recursively (binary decoded leniently)."""
    if isinstance(value, dict):
        return " ".join(f"{k} {_wire_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return " ".join(_wire_text(v) for v in value)
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    return str(value)


def _uploaded_keys() -> set[str]:
    """Object keys of documents callers uploaded through /v1/files (their files, kept as sent)."""
    keys = set()
    for item in _every_item():
        if item.get("entity", {}).get("S") == "file" and "key" in item:
            keys.add(item["key"]["S"])
    return keys


def _object_text(data: bytes) -> str:
    if data[:2] == b"PK":  # XLSX / DOCX: the text is inside the zip
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return " ".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return data.decode("utf-8", "replace")


def _every_object() -> list[tuple[str, str]]:
    """(where, text) of every object: key and metadata always, content unless a caller's own upload."""
    s3, uploaded, found = aws.s3(), _uploaded_keys(), []
    for bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for entry in page.get("Contents", []):
                key = entry["Key"]
                got = s3.get_object(Bucket=bucket, Key=key)
                text = f"{key} {got.get('Metadata', {})} {got.get('ContentDisposition', '')}"
                if key not in uploaded:
                    text += " " + _object_text(got["Body"].read())
                found.append((f"s3://{bucket}/{key}", text))
    return found


# --- the walkthrough --------------------------------------------------------------------------------------

@pytest.fixture
def callers(token):
    return {
        "resident": token("r-1"), "neighbour": token("r-2"),
        "admin": token("admin-1", "admin", area="3204"), "other city admin": token("admin-9", "admin", area="6401"),
        "grid worker": token("gw-1", "grid_worker", area=GRID),
        "other grid worker": token("gw-9", "grid_worker", area="320404"),
        "officer": token("officer-1", "legal_aid_officer", area="320402"),
        "other officer": token("officer-2", "legal_aid_officer", area="320404"),
        "city officer": token("o-city", "legal_aid_officer", area="3204"),
        "mediator": token("m-zhou", "mediator", area=TOWN),
        "other mediator": token("m-9", "mediator", area="320404"),
        "corrections": token("co-tn", "corrections_officer", area="320402"),
        "other corrections": token("co-zl", "corrections_officer", area="320404"),
        "notary": token("notary-1", "notary", area="320402"),
        "other notary": token("notary-9", "notary", area="320404"),
    }


def _walkthrough(client, callers, clock, secrets) -> dict[str, str]:
    """Every service's personal data sent in over HTTP; the ids of what was created."""
    from chalicelib.domain.directory import service as directory
    from chalicelib.domain.directory.models import InstitutionIn
    from chalicelib.platform.auth import Caller
    from chalicelib.platform import workdays
    from tests.plugins.legal_aid.conftest import _build_world, application, declare_real_name
    from tests.plugins.mediation.conftest import dispute
    from tests.plugins.special_populations.test_records import person_in

    _build_world()
    made = {}
    payload = application(applicant={"id_number": secrets["applicant id"].lower(), "phone": APPLICANT_PHONE})
    declare_real_name("r-1", secrets["applicant id"])
    made["application"] = ok(post(client, "/v1/legal-aid/applications", payload,
                                  {**callers["resident"], "Idempotency-Key": "privacy-walk-1"}), 201)["id"]
    made["person"] = ok(post(client, "/v1/people", {
        "name": "周雅琴", "roles": ["mediator"], "home_area": TOWN, "duty": "网格调解员", "phone": MEDIATOR_PHONE},
        callers["admin"]), 201)["id"]
    made["ticket"] = ok(post(client, "/v1/tickets", {
        "channel": "counter", "grid": GRID, "category": "consultation", "text": "邻居装修占用楼道，协商无果，想咨询怎么处理",
        "person": {"name": "王秀英", "phone": WALK_IN_PHONE}}, callers["grid worker"]), 201)["code"]
    made["dispute"] = ok(post(client, "/v1/mediation/disputes", dispute(parties=[
        {"name": "李秀英", "role": "applicant", "phone": PARTY_PHONES[0], "id_number": secrets["party id"]},
        {"name": "张国强", "role": "respondent", "phone": PARTY_PHONES[1]}]), callers["mediator"]), 201)["id"]
    made["supervised"] = ok(post(client, "/v1/special-populations/people", person_in(
        clock, phone=SUPERVISED_PHONE), callers["corrections"]), 201)["id"]
    admin = Caller(sub="admin-1", roles=frozenset({"admin"}), area="3204")
    office = directory.create_institution(admin, InstitutionIn(
        kind="notary_office", name="天宁公证处", home_area="320402", address="天宁区北直街 8 号",
        phone="0519-88001234", hours="工作日 9:00–17:00"), institution_id="office-tianning").id
    day = workdays.add_working_days(clock.today, 2).end
    slot = ok(post(client, f"/v1/notary/offices/{office}/slots", {"day": day.isoformat(), "start": "09:30"},
                   callers["notary"]), 201)["id"]
    made["appointment"] = ok(post(client, "/v1/notary/appointments", {
        "slot_id": slot, "matter": "power_of_attorney", "mode": "office", "phone": BOOKING_PHONE},
        callers["resident"]), 201)["id"]
    _import_hotline(client, callers["city officer"], clock)
    return made


def _import_hotline(client, officer, clock) -> None:
    header = "工单编号,来电时间,诉求类型,诉求内容,所属区,所属街镇,承办单位,来电号码"
    row = f"CZ{clock.today:%Y%m%d}001,{clock.day(-1)} 09:15,劳动保障,讨薪：工地拖欠三个月工资,天宁区,雕庄街道,区人社局,{HOTLINE_PHONE}"
    data = f"{header}\n{row}\n".encode("utf-8")
    created = ok(post(client, "/v1/files", {
        "title": "12345工单导出", "kind": "attachment", "area": "3204", "content_type": "text/csv",
        "size_bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}, officer), 201)
    aws.s3().put_object(Bucket=config.ledger_bucket(), Key=created["upload"]["fields"]["key"], Body=data,
                        ContentType="text/csv")
    ok(post(client, f"/v1/files/{created['id']}/confirm", {}, officer))
    report = ok(post(client, "/v1/screenings/sources/hotline/imports", {"file_id": created["id"], "city": "3204"},
                     officer), 201)
    assert report["imported"] == 1, report


# --- the proofs -------------------------------------------------------------------------------------------

class _Everything(logging.Handler):
    """Every log record in full: the formatted line, and every attribute (message, arguments, extras)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(f"{logging.Formatter().format(record)} {record.__dict__}")


@contextmanager
def _all_logs():
    """What the app logs during the block, at every level (the app's logger and any other)."""
    from chalicelib.platform.logs import logger

    logger()  # created first, so its own handler and level exist to be widened
    handler, root, app_logger = _Everything(), logging.getLogger(), logging.getLogger(APP_NAME)
    levels = (root.level, app_logger.level)
    for each in (root, app_logger):
        each.addHandler(handler)
        each.setLevel(logging.DEBUG)
    try:
        yield handler.texts
    finally:
        root.setLevel(levels[0])
        app_logger.setLevel(levels[1])
        for each in (root, app_logger):
            each.removeHandler(handler)


@pytest.fixture
def walked(client, callers, clock, aws_backend):
    secrets = _secrets()
    with _all_logs() as logged:
        made = _walkthrough(client, callers, clock, secrets)
    assert logged, "the walkthrough logged nothing: the sweep of the logs would prove nothing"
    return secrets, made, "\n".join(logged)


def test_after_a_walkthrough_no_id_number_or_phone_is_in_clear_in_the_table_the_buckets_or_the_logs(walked):
    secrets, _, logs = walked
    places = [(f"item {_wire_text(item.get('pk'))} / {_wire_text(item.get('sk'))}", _wire_text(item))
              for item in _every_item()]
    places += _every_object()
    places.append(("the logs", logs))
    found = [f"{name} in {where}" for where, text in places for name in _leaks(text, secrets)]
    assert not found, "\n".join(found)
    assert any(item.get("pk", {}).get("S", "").startswith("idempotency#") for item in _every_item())


def test_the_sweep_would_see_a_number_in_clear(walked, client, callers):
    """The detector itself: the applicant reads her own application in full (she is entitled), and the
    sweep finds her ID number in that answer whichever case its X is written in."""
    secrets, made, _ = walked
    own = client.get(f"/v1/legal-aid/applications/{made['application']}", headers=callers["resident"])
    assert "applicant id" in _leaks(own.body.decode(), secrets)
    assert _leaks(secrets["applicant id"].lower(), secrets) == ["applicant id"]
    assert _leaks("tel 139 1234 5678", secrets) == ["applicant phone"]


# Who may not see each record's numbers in full, and where they would look.
NOT_ENTITLED = [
    ("/v1/legal-aid/applications/{application}", ("neighbour", "other officer", "grid worker", "admin")),
    ("/v1/legal-aid/applications", ("neighbour",)),
    ("/v1/legal-aid/queue", ("other officer",)),
    ("/v1/people/{person}", ("grid worker", "other city admin", "resident")),
    ("/v1/people?area=320402", ("grid worker", "other city admin")),
    ("/v1/tickets/{ticket}", ("resident", "other grid worker")),
    ("/v1/tickets/{ticket}/contact", ("resident", "other grid worker", "admin")),
    ("/v1/tickets/area", ("other grid worker", "officer")),
    ("/v1/mediation/disputes/{dispute}", ("other mediator", "resident", "officer", "admin")),
    ("/v1/mediation/disputes/{dispute}/contacts", ("other mediator", "resident", "admin")),
    ("/v1/mediation/disputes", ("other mediator",)),
    ("/v1/special-populations/people/{supervised}", ("other corrections", "resident", "grid worker", "admin")),
    ("/v1/special-populations/people", ("other corrections", "officer")),
    ("/v1/notary/appointments/{appointment}", ("neighbour", "other notary", "grid worker")),
    ("/v1/notary/appointments/{appointment}/contact", ("neighbour", "other notary", "grid worker")),
    ("/v1/notary/appointments", ("neighbour",)),
]


def test_a_caller_not_entitled_gets_each_number_masked_or_not_at_all(walked, client, callers):
    secrets, made, _ = walked
    shown = []
    for template, who in NOT_ENTITLED:
        path = template.format(**made)
        for caller in who:
            answer = client.get(path, headers=callers[caller])
            assert answer.status_code < 500, (path, caller, answer.body)
            shown += [f"{name} to {caller} at {path} ({answer.status_code})"
                      for name in _leaks(answer.body.decode(), secrets)]
    assert not shown, "\n".join(shown)
