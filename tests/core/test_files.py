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

from chalicelib.platform import audit, aws, config
from chalicelib.domain.files import service as files
from chalicelib.domain.policy import service as policy
from chalicelib.platform.errors import NotFound
from chalicelib.platform.timeutil import today_shanghai
from tests.helpers import assert_problem, body, header, post, seed_areas, also_enabled, only_enabled, stand_in_plugin

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

    from chalicelib.plugin import LinkRule

    with also_enabled(stand_in_plugin(link_rules=(LinkRule("test-case", may_link),))):
        yield


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
    assert fields["key"] == f"attachment/320402/{year}/{created['id']}.pdf"  # no title in an attachment's key
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
    assert problem["errors"][0]["loc"] == ["path", "file_id"]  # the route's own parameter name


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


def test_only_the_uploader_may_confirm_a_residents_attachment(client, token, areas):
    created = body(declare(client, token()))
    upload(created, PDF)
    assert_problem(confirm(client, token("resident-2"), created["id"]), 404, "file_not_found")
    assert_problem(confirm(client, token("gw-1", "grid_worker", area="320402"), created["id"]), 404, "file_not_found")
    assert confirm(client, token(), created["id"]).status_code == 200


def test_staff_of_the_area_may_confirm_a_ledger_a_colleague_registered(client, token, areas):
    created = body(declare(client, token("gw-1", "grid_worker", area="320402"), kind="ledger"))
    upload(created, PDF)
    assert confirm(client, token("gw-2", "grid_worker", area="3204"), created["id"]).status_code == 200


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


def test_attachment_and_ledger_downloads_are_audited_as_reads(client, token, areas):
    confirmed = available(client, token())
    assert client.get(f"/v1/files/{confirmed['id']}/download", headers=token()).status_code == 200
    latest = audit.trail("file", confirmed["id"]).items[0]
    assert (latest["action"], latest["actor"]) == ("read", "resident-1")
    ledger = available(client, token("gw-2", "grid_worker", area="320402"), kind="ledger")
    assert client.get(f"/v1/files/{ledger['id']}/download",
                      headers=token("gw-1", "grid_worker", area="3204")).status_code == 200
    latest = audit.trail("file", ledger["id"]).items[0]
    assert (latest["action"], latest["actor"]) == ("read", "gw-1")


def test_an_unlinked_attachment_is_seen_by_its_owner_only(client, token, areas):
    created = body(declare(client, token()))
    path = f"/v1/files/{created['id']}"
    assert client.get(path, headers=token()).status_code == 200
    assert_problem(client.get(path, headers=token("gw-1", "grid_worker", area="320402")), 404, "file_not_found")
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


def test_an_area_s_leaflets_are_one_query_and_only_an_empty_list_reads_the_area(client, token, areas):
    """Reliability §3, C10: the area is read only to tell an unknown area (404) from one without leaflets."""
    from tests.core.test_write_floor import dynamodb_calls

    available(client, token("pub-1", "publicist", area="3204"), kind="leaflet", title="常见公证一本通")
    with dynamodb_calls() as listed:
        assert len(body(client.get("/v1/areas/320402/leaflets"))["items"]) == 1
    with dynamodb_calls() as empty:
        assert body(client.get("/v1/areas/320404/leaflets"))["items"] == []
    assert listed == ["Query"] and empty == ["Query", "GetItem"]
    for code in ("320499", "abc", "12345"):
        assert_problem(client.get(f"/v1/areas/{code}/leaflets"), 404, "area_not_found")
def test_a_publicist_or_notary_of_the_same_area_gets_404_on_a_residents_attachment(client, token, areas):
    """Covering the area is not enough: a resident's attachment is theirs (and its record's readers')."""
    confirmed = available(client, token())
    for staff in (token("pub-1", "publicist", area="320402"), token("no-1", "notary", area="320402"),
                  token("admin-1", "admin", area="3204")):
        for path in (f"/v1/files/{confirmed['id']}", f"/v1/files/{confirmed['id']}/download"):
            assert_problem(client.get(path, headers=staff), 404, "file_not_found")
    assert [e["actor"] for e in audit.trail("file", confirmed["id"]).items if e["action"] == "read"] == []


def test_a_published_leaflet_does_not_show_its_uploader_to_residents(client, token, areas):
    publicist = token("pub-1", "publicist", area="3204")
    leaflet = available(client, publicist, kind="leaflet", title="常见公证一本通")
    seen = body(client.get(f"/v1/files/{leaflet['id']}", headers=token("resident-7")))
    assert seen["owner"] is None and seen["title"] == "常见公证一本通"
    assert body(client.get(f"/v1/files/{leaflet['id']}", headers=publicist))["owner"] == "pub-1"
    assert body(client.get(f"/v1/files/{leaflet['id']}", headers=token("pub-2", "publicist", area="320402")))[
        "owner"] == "pub-1"
    assert body(client.get(f"/v1/files/{leaflet['id']}", headers=token("pub-3", "publicist", area="320404")))[
        "owner"] is None


def test_attachment_keys_and_audit_summaries_carry_no_title(client, token, areas):
    """A title such as 「王五身份证320402199001011234」 is personal data: not in the S3 key, not in the audit."""
    title = "王五身份证320402199001011234 手机13800138000"
    confirmed = available(client, token(), title=title)
    record = files.get(confirmed["id"])
    assert record.key == f"attachment/320402/{today_shanghai().year}/{record.id}.pdf"
    link = body(client.get(f"/v1/files/{confirmed['id']}/download", headers=token()))
    summaries = [e["summary"] for e in audit.trail("file", confirmed["id"]).items]
    assert len(summaries) == 3 and all(record.id in s and "王五" not in s and "3204021990" not in s
                                       for s in summaries)
    disposition = parse_qs(urlparse(link["url"]).query)["response-content-disposition"][0]
    assert unquote(disposition.split("''", 1)[1]) == f"{title}.pdf"  # the download keeps the title


def test_staff_file_keys_keep_a_slug_without_long_digit_runs(client, token, areas):
    created = body(declare(client, token("pub-1", "publicist", area="3204"), kind="leaflet",
                           title="2026年 张三 320402199001011234 联系13800138000 宣传册"))
    assert created["upload"]["fields"]["key"].endswith(f"{created['id']}-2026年-张三-联系-宣传册.pdf")
    assert files.slug("身份证32040219900101123X复印件") == "身份证-复印件"


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


def test_a_rule_registered_for_an_entity_decides_who_reads_its_linked_files(client, token, areas, test_cases):
    linked = available(client, token(), linked_record="test-case:case-of-resident-1")
    path = f"/v1/files/{linked['id']}"
    assert_problem(client.get(path, headers=token("gw-1", "grid_worker", area="320402")), 404, "file_not_found")
    with only_enabled():  # the plugin disabled: only its uploader
        assert client.get(path, headers=token()).status_code == 200
        assert_problem(client.get(path, headers=token("resident-2")), 404, "file_not_found")


def test_attach_links_an_existing_file_once(client, token, areas):
    from chalicelib.platform.auth import Caller

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


def test_a_new_records_attachments_are_answered_in_one_read_and_the_first_unusable_one_is_named(client, token, areas):
    """CONTRACT "Data" (one transaction): a record being created gets its attachments' links as operations of
    its own write, all files read in one BatchGetItem; the first file that cannot be used is a 422 at its
    index — missing or someone else's (`attachment_not_found`, the same answer), pending
    (`attachment_not_available`), linked to another record (`attachment_already_linked`); a published
    leaflet everyone sees is still not a resident's to attach."""
    from chalicelib.platform.auth import Caller
    from chalicelib.platform.errors import Unprocessable
    from tests.helpers import calls_during

    owner = Caller(sub="resident-1", roles=frozenset({"resident"}), area=None)
    mine, other = available(client, token())["id"], available(client, token())["id"]
    pending = body(declare(client, token()))["id"]
    theirs = available(client, token("resident-2"))["id"]
    linked = available(client, token())["id"]
    files.attach(owner.actor, owner, linked, "test-case", "c0")
    leaflet = available(client, token("pub-1", "publicist", area="320402"), kind="leaflet")["id"]
    ops: list = []
    assert calls_during(lambda: ops.extend(files.attachments_ops(owner.actor, owner, [mine, other], "test-case",
                                                                 "c1"))) == ["BatchGetItem"]
    assert len(ops) == 4  # each file: its conditional link and the link's audit entry
    for bad, code in ((theirs, "attachment_not_found"), ("f" * 32, "attachment_not_found"),
                      ("not-a-file-id", "attachment_not_found"), (pending, "attachment_not_available"),
                      (linked, "attachment_already_linked"), (leaflet, "attachment_not_found")):
        with pytest.raises(Unprocessable) as refused:
            files.attachments_ops(owner.actor, owner, [mine, bad], "test-case", "c1")
        assert (refused.value.code, refused.value.errors[0]["loc"]) == (code, ["attachment_ids", "1"]), bad
