"""Issue 9 "Privacy" and CONTRACT "auth"/PII: ID numbers and phones are stored sealed — "nowhere in clear:
not in records, idempotency items, keys, files' names or logs" — and in full reach only their owner and the
staff holding the case.

One walkthrough over HTTP across the core and every enabled service, as their users do it: the city's
administrator registers a mediator with a phone; a grid worker records a walk-in request with the
person's phone; each service takes its steps (`privacy_walk` in `plugins/<module>/proof.py`: a resident applies
for legal aid with an ID number and a phone, with an Idempotency-Key so a claim item is written too; a
mediator opens a dispute with a party's ID number and phones; a corrections officer registers a person
under community supervision; a resident books a notary appointment with a phone …); an officer imports a
12345 hotline export with the callers' phones. Then everything written is read back:

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

from chalicelib.platform import aws, config, pii
from chalicelib.platform.config import APP_NAME
from tests.helpers import ok, post
from tests.proof.access import plugin_proofs

GRID, TOWN = "320402001001001", "320402001"
# What is sent in, as typed (with separators where people type them). A service's own secrets come with
# its steps; an ID number whose check character is an X is looked for in upper and lower case.
MEDIATOR_PHONE, WALK_IN_PHONE, HOTLINE_PHONE = "138 0000 1201", "13900001111", "13955556666"


class Walk:
    """What a service's steps of the walk (`privacy_walk(walk)` in its proof.py) use: the client, the callers
    of the `callers` fixture by name, the test clock and every secret by name (its own from
    `privacy_secrets()`); the records it names for `PRIVACY_NOT_ENTITLED` it returns by name."""

    def __init__(self, client, callers, clock, secrets):
        self.client, self.callers, self.clock, self.secrets = client, callers, clock, secrets


def _privacy_steps() -> list:
    """The proof modules of the enabled services that keep personal data (they declare `privacy_walk`)."""
    return [proof.module for proof in plugin_proofs() if proof.get("privacy_walk", None)]


def _secrets() -> dict[str, str]:
    """Each secret's name → its digits (and X), the form every variant is derived from."""
    secrets = {"mediator phone": MEDIATOR_PHONE, "walk-in phone": WALK_IN_PHONE, "hotline phone": HOTLINE_PHONE}
    for steps in _privacy_steps():
        secrets.update(steps.privacy_secrets())
    return secrets


def id_number_with_x(first14: str) -> str:
    """The first valid ID number beginning with `first14` (area and birth date) whose check character is X."""
    for sequence in range(1, 999):
        first17 = f"{first14}{sequence:03d}"
        if pii.check_character(first17) == "X":
            return first17 + "X"
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
    """Personal data sent in over HTTP to the core and every enabled service; the ids of what was created."""
    from datetime import date

    from chalicelib.domain.policy import service as policy
    from chalicelib.platform import audit
    from tests.helpers import seed_areas

    seed_areas()
    policy.set_version(audit.SYSTEM, None, "files.max_upload_mb", area_code="root", value=20,
                       effective_from=date(2020, 1, 1), label="平台默认上传文件大小上限", retroactive_reason="隐私走查用平台默认值")
    made = {}
    made["person"] = ok(post(client, "/v1/people", {
        "name": "周雅琴", "roles": ["mediator"], "home_area": TOWN, "duty": "网格调解员", "phone": MEDIATOR_PHONE},
        callers["admin"]), 201)["id"]
    made["ticket"] = ok(post(client, "/v1/tickets", {
        "channel": "counter", "grid": GRID, "category": "consultation", "text": "邻居装修占用楼道，协商无果，想咨询怎么处理",
        "person": {"name": "王秀英", "phone": WALK_IN_PHONE}}, callers["grid worker"]), 201)["code"]
    walk = Walk(client, callers, clock, secrets)
    for steps in _privacy_steps():
        made.update(steps.privacy_walk(walk))
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
    """The detector itself: the grid worker holding the walk-in request reads its contact in full (they are
    entitled), and the sweep finds the phone in that answer; an ID number is found whichever case its X is
    written in, and a phone with separators."""
    secrets, made, _ = walked
    own = client.get(f"/v1/tickets/{made['ticket']}/contact", headers=callers["grid worker"])
    assert "walk-in phone" in _leaks(own.body.decode(), secrets)
    with_x = id_number_with_x("32040219700312")
    assert _leaks(with_x.lower(), {"an id": with_x}) == ["an id"]
    assert _leaks("tel 139 5555 6666", secrets) == ["hotline phone"]


# Who may not see each record's numbers in full, and where they would look.
NOT_ENTITLED = [
    ("/v1/people/{person}", ("grid worker", "other city admin", "resident")),
    ("/v1/people?area=320402", ("grid worker", "other city admin")),
    ("/v1/tickets/{ticket}", ("resident", "other grid worker")),
    ("/v1/tickets/{ticket}/contact", ("resident", "other grid worker", "admin")),
    ("/v1/tickets/area", ("other grid worker", "officer")),
]


def test_a_caller_not_entitled_gets_each_number_masked_or_not_at_all(walked, client, callers):
    secrets, made, _ = walked
    shown = []
    for template, who in NOT_ENTITLED + [row for steps in _privacy_steps() for row in steps.PRIVACY_NOT_ENTITLED]:
        path = template.format(**made)
        for caller in who:
            answer = client.get(path, headers=callers[caller])
            assert answer.status_code < 500, (path, caller, answer.body)
            shown += [f"{name} to {caller} at {path} ({answer.status_code})"
                      for name in _leaks(answer.body.decode(), secrets)]
    assert not shown, "\n".join(shown)
