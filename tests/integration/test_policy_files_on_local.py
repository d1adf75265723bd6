"""P-rules and C10 files on DynamoDB Local and the local S3 (s3rver): the policy tests re-run unchanged
(transactions and conditions as AWS's own emulator does them), and a file really goes up through the
presigned POST form, is confirmed and comes back down through the presigned GET."""
from __future__ import annotations

import hashlib
import urllib.request
from urllib.parse import quote

from tests.core.test_policy import *  # noqa: F401,F403
from tests.helpers import assert_problem, body, post, seed_areas
from tools.devstack import post_presigned_form

XLSX = b"PK\x03\x04" + "台账 2026 年 11 月".encode() * 64


def register(client, headers, data: bytes, **fields) -> dict:
    payload = {"title": "2026年11月 村法律顾问台账", "kind": "ledger", "area": "320402001001",
               "content_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "size_bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(), **fields}
    response = post(client, "/v1/files", payload, headers)
    assert response.status_code == 201, response.body
    return body(response)


def test_a_file_goes_up_by_presigned_post_is_confirmed_and_comes_down_by_presigned_get(client, token, aws_backend):
    """C10 end to end on s3rver, with a Chinese object key and a Chinese download name."""
    seed_areas()
    staff = token("gw-1", "grid_worker", area="320402")
    created = register(client, staff, XLSX)
    assert "村法律顾问台账" in created["upload"]["fields"]["key"]
    assert_problem(post(client, f"/v1/files/{created['id']}/confirm", {}, staff), 409, "upload_missing")

    status, answer = post_presigned_form(created["upload"], XLSX, "taizhang.xlsx",
                                         created["upload"]["fields"]["Content-Type"])
    assert status in (200, 201, 204), answer
    confirmed = post(client, f"/v1/files/{created['id']}/confirm", {}, staff)
    assert body(confirmed)["status"] == "available", confirmed.body

    link = body(client.get(f"/v1/files/{created['id']}/download", headers=staff))
    with urllib.request.urlopen(link["url"], timeout=10) as response:
        assert (response.status, response.read()) == (200, XLSX)
        disposition = response.headers["Content-Disposition"]
    assert disposition.endswith("filename*=UTF-8''" + quote("2026年11月 村法律顾问台账.xlsx", safe=""))


def test_the_local_s3_accepts_a_wrong_size_so_confirm_is_what_refuses_it(client, token, aws_backend):
    """s3rver does not enforce the POST policy's content-length-range (S3_LOCAL_NOT_ENFORCED): confirm does."""
    seed_areas()
    staff = token("gw-1", "grid_worker", area="320402")
    created = register(client, staff, XLSX)
    status, _ = post_presigned_form(created["upload"], XLSX + b"extra", "taizhang.xlsx",
                                    created["upload"]["fields"]["Content-Type"])
    assert status in (200, 201, 204)
    assert_problem(post(client, f"/v1/files/{created['id']}/confirm", {}, staff), 422, "size_mismatch")
