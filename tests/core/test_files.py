"""SPEC C10 (leaflets uploaded by staff, downloadable by residents) and attachments: presigned uploads
limited by type and size (policy `files.max_upload_mb`), availability only after a verified upload,
short-lived downloads, plugins linking files to their records without touching S3."""
from __future__ import annotations

import base64
import hashlib
import json
import re
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from chalicelib import audit, aws, config, files, policy
from chalicelib.errors import NotFound
from chalicelib.timeutil import today_shanghai
from tests.helpers import assert_problem, body, header, post, seed_areas

PDF = b"%PDF-1.7\n" + "法律援助条件范围清单".encode() * 50
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
SYSTEM = audit.Actor(sub="loader", roles=("admin",))


@pytest.fixture
def areas(aws_backend):
    seed_areas()


@pytest.fixture
def test_cases():
    """A stand-in plugin entity: residents may attach files to their own cases only."""
    def may_link(caller, record_id):
        if record_id != f"case-of-{caller.sub}":
            raise NotFound()

    files.link_rule("test-case", may_link)
    yield
    files._link_rules.pop("test-case", None)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def declare(client, headers, data: bytes = PDF, **fields):
    payload = {"title": "法律援助条件范围清单", "kind": "attachment", "area": "320402",
               "content_type": "application/pdf", "size_bytes": len(data), "sha256": sha(data), **fields}
    return post(client, "/v1/files", payload, headers)


def upload(created: dict, data: bytes, content_type: str | None = None) -> None:
    """What the client does with the presigned POST (moto does not run POST policies; s3rver neither)."""
    fields = created["upload"]["fields"]
    bucket = urlparse(created["upload"]["url"]).path.strip("/").split("/")[0] or \
        urlparse(created["upload"]["url"]).netloc.split(".")[0]
    aws.s3().put_object(Bucket=bucket, Key=fields["key"], Body=data,
                        ContentType=content_type or fields["Content-Type"])


def confirm(client, headers, file_id):
    return post(client, f"/v1/files/{file_id}/confirm", {}, headers)


def available(client, headers, data: bytes = PDF, **fields) -> dict:
    created = body(declare(client, headers, data, **fields))
    upload(created, data)
    confirmed = confirm(client, headers, created["id"])
    assert confirmed.status_code == 200, confirmed.body
    return body(confirmed)


# --- registering an upload --------------------------------------------------------------------------------

def test_a_resident_gets_a_presigned_post_bound_to_key_type_and_exact_size(client, token, areas):
    response = declare(client, token("resident-1"))
    assert response.status_code == 201, response.body
    created = body(response)
    assert created["status"] == "pending" and created["owner"] == "resident-1"
    assert header(response, "location") == f"/v1/files/{created['id']}"
    fields = created["upload"]["fields"]
    year = today_shanghai().year
    assert fields["key"] == f"attachment/320402/{year}/{created['id']}-法律援助条件范围清单.pdf"
    assert fields["Content-Type"] == "application/pdf"
    conditions = json.loads(base64.b64decode(fields["policy"]))["conditions"]
    assert ["content-length-range", len(PDF), len(PDF)] in conditions
    assert {"Content-Type": "application/pdf"} in conditions and {"key": fields["key"]} in conditions
    assert config.ledger_bucket() in created["upload"]["url"]


def test_leaflets_go_to_the_leaflet_bucket(client, token, areas):
    created = body(declare(client, token("pub-1", "publicist", area="3204"), kind="leaflet"))
    assert config.leaflet_bucket() in created["upload"]["url"]
    assert created["upload"]["fields"]["key"].startswith("leaflet/320402/")


def test_the_key_slug_keeps_chinese_and_drops_punctuation():
    assert files.slug("《常见公证一本通》(2026 版)/第1册") == "常见公证一本通-2026-版-第1册"
    assert files.slug("!!!") == "file"
    assert files.object_key("report", "3204", 2026, "ab12", "月报", "xlsx") == "report/3204/2026/ab12-月报.xlsx"


def test_a_disallowed_type_is_a_422_naming_content_type(client, token, areas):
    problem = assert_problem(declare(client, token(), content_type="application/x-msdownload"), 422)
    assert problem["errors"][0]["loc"] == ["body", "content_type"]
    assert "PDF" in problem["errors"][0]["msg"]


def test_a_file_over_the_default_20_mb_is_a_422_naming_size_bytes(client, token, areas):
    problem = assert_problem(declare(client, token(), size_bytes=20 * 1024 * 1024 + 1), 422, "file_too_large")
    assert problem["errors"][0]["loc"] == ["body", "size_bytes"] and "20" in problem["detail"]
    assert declare(client, token(), size_bytes=20 * 1024 * 1024).status_code == 201


def test_the_size_limit_is_the_policy_parameter_in_force_for_the_area(client, token, areas):
    """C10 size limit is a P-rule: a district's own limit applies to it, not to its sibling."""
    policy.set_version(SYSTEM, None, "files.max_upload_mb", area_code="320402", value=5,
                       effective_from=today_shanghai())
    six_mb = 6 * 1024 * 1024
    assert_problem(declare(client, token(), size_bytes=six_mb), 422, "file_too_large")
    assert declare(client, token(), size_bytes=six_mb, area="320404").status_code == 201


def test_bad_fields_are_each_named(client, token, areas):
    problem = assert_problem(declare(client, token(), size_bytes=0, sha256="xyz", kind="poster", area="32x"), 422)
    assert {tuple(e["loc"]) for e in problem["errors"]} == {
        ("body", "size_bytes"), ("body", "sha256"), ("body", "kind"), ("body", "area")}


def test_an_unknown_area_is_a_422_naming_area(client, token, areas):
    problem = assert_problem(declare(client, token(), area="320499"), 422, "area_not_found")
    assert problem["errors"][0]["loc"] == ["body", "area"]


def test_residents_may_not_upload_leaflets_and_staff_not_outside_their_area(client, token, areas):
    assert_problem(declare(client, token(), kind="leaflet"), 403, "kind_not_allowed")
    assert_problem(declare(client, token("gw-yc", "grid_worker", area="6401")), 403, "outside_jurisdiction")


def test_registering_is_idempotent_under_an_idempotency_key(client, token, areas):
    headers = {**token(), "Idempotency-Key": "upload-0001"}
    first, again = declare(client, headers), declare(client, headers)
    assert body(first)["id"] == body(again)["id"] and header(again, "idempotent-replayed") == "true"


# --- confirming -------------------------------------------------------------------------------------------

def test_confirming_before_uploading_is_a_409_upload_missing(client, token, areas):
    created = body(declare(client, token()))
    problem = assert_problem(confirm(client, token(), created["id"]), 409, "upload_missing")
    assert problem["errors"][0]["loc"] == ["path", "id"]


@pytest.mark.parametrize("uploaded, content_type, code, field", [
    (PDF + b"more", None, "size_mismatch", "size_bytes"),
    (PDF, "image/png", "type_mismatch", "content_type"),
    (PNG[: len(PDF)] + b"\x00" * (len(PDF) - len(PNG)), None, "type_mismatch", "content_type"),  # not a PDF inside
    (PDF[:-1] + b"!", None, "checksum_mismatch", "sha256"),
])
def test_an_upload_that_differs_from_the_declaration_stays_pending(client, token, areas, uploaded, content_type,
                                                                    code, field):
    created = body(declare(client, token()))
    upload(created, uploaded, content_type)
    problem = assert_problem(confirm(client, token(), created["id"]), 422, code)
    assert problem["errors"][0]["loc"] == ["file", field]
    assert body(client.get(f"/v1/files/{created['id']}", headers=token()))["status"] == "pending"


def test_a_verified_upload_becomes_available_once_and_is_audited(client, token, areas):
    confirmed = available(client, token())
    assert confirmed["status"] == "available" and confirmed["confirmed_at"] and confirmed["version"] == 2
    again = confirm(client, token(), confirmed["id"])
    assert body(again)["version"] == 2
    actions = [e["action"] for e in audit.trail("file", confirmed["id"]).items]
    assert actions == ["confirm", "create"]


def test_only_the_uploader_or_staff_of_the_area_may_confirm(client, token, areas):
    created = body(declare(client, token()))
    upload(created, PDF)
    assert_problem(confirm(client, token("resident-2"), created["id"]), 404, "file_not_found")
    assert confirm(client, token("gw-1", "grid_worker", area="320402"), created["id"]).status_code == 200


# --- reading and downloading ------------------------------------------------------------------------------

def test_a_download_needs_an_available_file(client, token, areas):
    created = body(declare(client, token()))
    assert_problem(client.get(f"/v1/files/{created['id']}/download", headers=token()), 409, "file_not_available")


def test_a_download_link_is_short_lived_and_names_the_file_by_its_chinese_title(client, token, areas):
    confirmed = available(client, token())
    link = body(client.get(f"/v1/files/{confirmed['id']}/download", headers=token()))
    query = parse_qs(urlparse(link["url"]).query)
    assert query["X-Amz-Expires"] == ["300"]
    disposition = query["response-content-disposition"][0]
    assert disposition.startswith('attachment; filename="file.pdf"; filename*=UTF-8\'\'')
    assert unquote(disposition.split("''", 1)[1]) == "法律援助条件范围清单.pdf"
    assert link["expires_at"] > confirmed["confirmed_at"]


def test_attachment_downloads_are_audited_as_reads(client, token, areas):
    confirmed = available(client, token())
    client.get(f"/v1/files/{confirmed['id']}/download", headers=token("gw-1", "grid_worker", area="3204"))
    latest = audit.trail("file", confirmed["id"]).items[0]
    assert (latest["action"], latest["actor"]) == ("read", "gw-1")


def test_an_attachment_is_seen_by_its_owner_and_area_staff_only(client, token, areas):
    created = body(declare(client, token()))
    path = f"/v1/files/{created['id']}"
    assert client.get(path, headers=token()).status_code == 200
    assert client.get(path, headers=token("gw-1", "grid_worker", area="320402")).status_code == 200
    assert_problem(client.get(path, headers=token("resident-2")), 404, "file_not_found")
    assert_problem(client.get(path, headers=token("gw-2", "grid_worker", area="320404")), 404, "file_not_found")
    assert_problem(client.get(f"{path}/download", headers=token("resident-2")), 404, "file_not_found")
    assert_problem(client.get("/v1/files/not-an-id", headers=token()), 404, "file_not_found")


def test_published_leaflets_are_listed_publicly_and_downloadable_by_any_resident(client, token, areas):
    """C10: uploaded by staff, downloadable by residents."""
    publicist = token("pub-1", "publicist", area="3204")
    leaflet = available(client, publicist, kind="leaflet", title="常见公证一本通")
    pending = body(declare(client, publicist, kind="leaflet", title="未上传"))
    available(client, publicist, kind="leaflet", title="钟楼区服务清单", area="320404")
    available(client, publicist, title="内部附件")  # an attachment is never listed
    listed = body(client.get("/v1/areas/320402/leaflets"))
    assert [i["title"] for i in listed["items"]] == ["常见公证一本通"] and "owner" not in listed["items"][0]
    city = body(client.get("/v1/areas/3204/leaflets?limit=1"))
    rest = body(client.get(f"/v1/areas/3204/leaflets?limit=1&cursor={city['next_cursor']}"))
    assert len(city["items"] + rest["items"]) == 2 and rest["next_cursor"] is None
    assert client.get(f"/v1/files/{leaflet['id']}/download", headers=token("resident-7")).status_code == 200
    assert_problem(client.get(f"/v1/files/{pending['id']}", headers=token("resident-7")), 404)
    assert_problem(client.get("/v1/areas/320499/leaflets"), 404, "area_not_found")


# --- plugins: linking files to records --------------------------------------------------------------------

def test_linking_to_an_entity_no_plugin_registered_is_a_422(client, token, areas):
    problem = assert_problem(declare(client, token(), linked_record="no-such-entity:abc"), 422,
                             "unknown_linked_entity")
    assert problem["errors"][0]["loc"] == ["body", "linked_record"]


def test_a_plugin_rule_decides_who_may_link_and_for_record_lists_available_files(client, token, areas, test_cases):
    assert_problem(declare(client, token(), linked_record="test-case:case-of-someone-else"), 404)
    linked = available(client, token(), linked_record="test-case:case-of-resident-1")
    body(declare(client, token(), linked_record="test-case:case-of-resident-1"))  # pending: not listed
    page = files.for_record("test-case", "case-of-resident-1")
    assert [f.id for f in page.items] == [linked["id"]]


def test_attach_links_an_existing_file_once(client, token, areas):
    from chalicelib.auth import Caller

    confirmed = available(client, token())
    owner = Caller(sub="resident-1", roles=frozenset({"resident"}), area=None)
    actor = audit.Actor(sub="resident-1", roles=("resident",))
    files.attach(actor, owner, confirmed["id"], "test-case", "c1")
    files.attach(actor, owner, confirmed["id"], "test-case", "c1")  # again: no-op
    assert [f.id for f in files.for_record("test-case", "c1").items] == [confirmed["id"]]
    with pytest.raises(Exception) as caught:
        files.attach(actor, owner, confirmed["id"], "test-case", "c2")
    assert getattr(caught.value, "code", "") == "file_already_linked"
    stranger = Caller(sub="resident-2", roles=frozenset({"resident"}), area=None)
    with pytest.raises(NotFound):
        files.attach(actor, stranger, confirmed["id"], "test-case", "c1")


def test_content_disposition_has_an_ascii_fallback_and_the_utf8_name():
    assert files.content_disposition("Annual report", "xlsx") == \
        "attachment; filename=\"Annual_report.xlsx\"; filename*=UTF-8''Annual%20report.xlsx"
    assert files.content_disposition("清单.pdf", "pdf").endswith("''%E6%B8%85%E5%8D%95.pdf")
    assert re.match(r'attachment; filename="file.pdf"', files.content_disposition("清单", "pdf"))


def test_plugins_read_a_confirmed_files_bytes_without_touching_s3(client, token, areas):
    confirmed = available(client, token())
    assert files.read_bytes(files.get(confirmed["id"])) == PDF
    pending = body(declare(client, token()))
    with pytest.raises(Exception) as caught:
        files.read_bytes(files.get(pending["id"]))
    assert getattr(caught.value, "code", "") == "file_not_available"
