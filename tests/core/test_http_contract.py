"""CONTRACT "HTTP": problem+json errors, request ids, OpenAPI of every route, who may call each route."""
from __future__ import annotations

import json

from chalicelib import plugin
from chalicelib.platform import config
from chalicelib.platform.web import openapi
from tests.helpers import JSON, assert_problem, body, header, post, seed_areas, undeclared_routes


def test_health_is_public_and_carries_a_request_id(client):
    response = client.get("/v1/health")
    assert response.status_code == 200
    expected = [p.name for p in plugin.load(config.enabled_plugins())]
    assert body(response)["status"] == "ok" and body(response)["plugins"] == expected
    assert len(header(response, "x-request-id")) >= 8


def test_a_sane_client_request_id_is_echoed(client):
    response = client.get("/v1/health", headers={"x-request-id": "mini-program-0001"})
    assert header(response, "x-request-id") == "mini-program-0001"


def test_every_route_declares_who_may_call_it_and_only_public_ones_skip_the_authorizer(app):
    assert undeclared_routes(app) == []


def test_openapi_documents_every_registered_route_with_its_models(client, app):
    document = body(client.get("/v1/openapi.json"))
    assert document["openapi"].startswith("3.1")
    for path, method, _entry, spec in openapi.routes_with_specs(app):
        operation = document["paths"][path][method.lower()]
        if spec.body:
            ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/" + spec.body.__name__)
        if spec.response:
            success = operation["responses"][str(spec.status)]
            assert success["content"]["application/json"]["schema"]["$ref"].endswith("/" + spec.response.__name__)
    assert "AreaIn" in document["components"]["schemas"]
    create = document["paths"]["/v1/areas"]["post"]
    [key] = [p for p in create["parameters"] if p["name"] == "Idempotency-Key"]
    assert (key["in"], key["required"], key["schema"]) == ("header", False, {"type": "string", "maxLength": 128})
    assert key["description"]


def test_an_unsupported_method_is_a_405_problem(client):
    response = client.request("DELETE", "/v1/health")
    problem = assert_problem(response, 405, "method_not_allowed")
    assert problem["title"] == "不支持的请求方法"


def test_malformed_json_is_a_400_problem(client, token):
    response = client.post("/v1/areas", headers={**JSON, **token("admin-1", "admin", area="32")}, body=b"{not json")
    assert_problem(response, 400, "malformed_json")


def test_a_non_json_body_is_a_415_problem(client, token):
    response = client.post("/v1/areas", headers={"Content-Type": "text/plain", **token("admin-1", "admin", area="32")},
                           body=b"hi")
    problem = assert_problem(response, 415, "unsupported_media_type")
    assert problem["detail"] == "请以 JSON（application/json）提交"


def test_bad_input_is_a_422_naming_every_offending_field_in_chinese(client, token, aws_backend):
    seed_areas()
    response = post(client, "/v1/areas", {"code": "12345", "name": "", "colour": "red"},
                    token("admin-1", "admin", area="3204"))
    problem = assert_problem(response, 422, "validation_failed")
    by_field = {tuple(e["loc"]): e["msg"] for e in problem["errors"]}
    assert by_field[("body", "code")].startswith("区划代码应为")
    assert by_field[("body", "name")] == "长度不能少于 1 个字符"
    assert by_field[("body", "colour")] == "不允许的字段"


def test_bad_query_parameters_are_a_422(client):
    response = client.get("/v1/areas?limit=1000")
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["loc"] == ["query", "limit"]


def test_an_unexpected_failure_is_a_500_problem_that_hides_internals(client, aws_backend):
    from chalicelib.platform import config

    aws_backend.dynamodb().delete_table(TableName=config.table_name())
    response = client.get("/v1/areas/320402")
    problem = assert_problem(response, 500, "internal_error")
    assert "ResourceNotFound" not in response.body.decode() and "Traceback" not in response.body.decode()
    assert header(response, "x-request-id") in problem["detail"]


def test_responses_are_utf8_json_with_chinese_kept_readable(client, aws_backend):
    seed_areas()
    response = client.get("/v1/areas/320402")
    assert header(response, "content-type") == "application/json; charset=utf-8"
    assert "天宁区" in response.body.decode("utf-8")
    assert json.loads(response.body)["name"] == "天宁区"


def test_the_openapi_document_is_valid_openapi_3_1(app):
    """CONTRACT: an OpenAPI 3.1 document of every route — checked by the reference validator."""
    from openapi_spec_validator import validate

    validate(openapi.build(app))


def test_the_local_stage_may_pin_the_clock_and_a_deployed_stage_refuses_to(client, clock):
    """Issue 8 §0: FIXED_NOW lets a tester walk a weekend through the API; anywhere but `local` it is an error."""
    import pytest

    from chalicelib.platform import timeutil

    assert body(client.get("/v1/health"))["now"].startswith(clock.day() + "T")
    try:
        timeutil.apply_fixed_now("local", "2027-01-02")
        assert body(client.get("/v1/health"))["now"].startswith("2027-01-02T09:00")
    finally:
        timeutil.pin(clock.now)
    with pytest.raises(RuntimeError, match="FIXED_NOW"):
        timeutil.apply_fixed_now("prod", "2027-01-02")


def test_every_schema_in_the_openapi_document_has_one_plain_name(client):
    """Model class names name the schemas a generated client uses: two services each defining `ContactOut`
    would get qualified names (`plugins__x__models__ContactOut`). Name models after their records."""
    schemas = body(client.get("/v1/openapi.json"))["components"]["schemas"]
    assert not [name for name in schemas if "__" in name]


def test_a_services_field_error_is_located_by_the_route_in_its_body_query_or_path():
    """STYLE: services name fields relative to their input and know no HTTP; the route adds the location —
    a field of its body model is in the body, a path parameter in the path, a location already given stays."""
    from chalicelib.platform.errors import Unprocessable
    from chalicelib.platform.model import Model
    from chalicelib.platform.web import Spec, _located

    class MenuBody(Model):
        items: list[str]

    errors = [{"loc": ["items", 0], "msg": "重复"}, {"loc": ["code"], "msg": "不是网格代码"},
              {"loc": ["version"], "msg": "必填项"}, {"loc": ["header", "If-Match"], "msg": "必填项"}]
    problem = _located(Unprocessable("x", errors=errors), Spec(summary="x", who="admin", body=MenuBody),
                       {"code": "320402"})
    assert [e["loc"] for e in problem.errors] == [
        ["body", "items", 0], ["path", "code"], ["body", "version"], ["header", "If-Match"]]
    in_query = _located(Unprocessable("x", errors=[{"loc": ["area"], "msg": "省级范围过大"}]),
                        Spec(summary="x", who="admin"), {"month": "2026-12"})
    assert in_query.errors[0]["loc"] == ["query", "area"]


def test_a_weak_etag_never_matches_and_is_answered_like_a_stale_version(client, token, aws_backend):
    """CONTRACT "HTTP": If-Match compares strongly (RFC 9110 §13.1.1), so `W/"1"` is not version 1: the update
    is refused as a version that does not match (409 stale_version) and changes nothing; `"1"` and `1` match."""
    from tests.helpers import patch

    seed_areas()
    admin = token("a1", "admin", area="3204")
    grid = "/v1/areas/320402001001001"
    for weak in ('W/"1"', "W/1", ' W/"1" '):
        assert_problem(patch(client, grid, {"name": "一网格", "version": 1}, {**admin, "If-Match": weak}), 409,
                       "stale_version")
    assert body(client.get(grid, headers=admin))["name"] == "第一网格"
    assert_problem(patch(client, grid, {"name": "一网格"}, {**admin, "If-Match": "W/"}), 400, "bad_if_match")
    renamed = patch(client, grid, {"name": "一网格"}, {**admin, "If-Match": '"1"'})
    assert (body(renamed)["name"], body(renamed)["version"]) == ("一网格", 2)
    assert body(patch(client, grid, {"name": "二网格"}, {**admin, "If-Match": "2"}))["version"] == 3


# --- the local stage answers the gateway's errors as the deployed gateway does (issue 20 §6) ----------------

def _local_gateway(app, method: str, path: str, headers: dict[str, str] | None = None):
    """What `make dev`'s server sends (tools/local_api) for a request `chalice local`'s gateway refuses."""
    from chalice.config import Config
    from chalice.local import LocalGateway, LocalGatewayException

    from tools import local_api

    try:
        LocalGateway(app, Config.create(chalice_app=app, chalice_stage="local")).handle_request(
            method=method, path=path, headers=headers or {}, body=None)
    except LocalGatewayException as error:
        status, sent_headers, sent = local_api.as_gateway_response(error)
        return status, sent_headers, json.loads(sent)
    raise AssertionError("the local gateway let the request through")


def _deployed(kind: str) -> tuple[int, dict]:
    from tools import local_api

    status, template = local_api.gateway_responses()[kind]
    return status, json.loads(template)


def test_an_unknown_route_on_the_local_stage_is_the_deployed_gateways_404_problem(app, token):
    for headers in ({}, token("resident-1")):
        status, sent_headers, problem = _local_gateway(app, "GET", "/v1/no-such-thing", headers)
        assert (status, problem) == _deployed("MISSING_AUTHENTICATION_TOKEN")
        assert problem["code"] == "not_found" and sent_headers["Content-Type"] == "application/problem+json"


def test_a_route_without_a_token_on_the_local_stage_is_the_deployed_gateways_401_problem(app):
    status, sent_headers, problem = _local_gateway(app, "GET", "/v1/me")
    assert (status, problem) == _deployed("UNAUTHORIZED") and problem["code"] == "unauthorized"
    assert sent_headers["Content-Type"] == "application/problem+json"


def test_a_dev_token_signed_with_another_data_dirs_key_is_told_so_on_the_local_stage(app, token, tmp_path,
                                                                                      monkeypatch):
    from chalicelib.platform.auth import tokens

    monkeypatch.setenv("DEV_KEY_DIR", str(tmp_path))  # another DATA_DIR's key signs it
    foreign = {"Authorization": "Bearer " + tokens.issue_dev_token("resident-1", ["resident"], None)}
    monkeypatch.undo()
    status, _, problem = _local_gateway(app, "GET", "/v1/me", foreign)
    assert status == 401 and problem["code"] == "unauthorized" and "另一个本地签名密钥" in problem["detail"]
    status, _, expired = _local_gateway(app, "GET", "/v1/me", {"Authorization": "Bearer not-a-jwt"})
    assert status == 401 and "另一个本地签名密钥" not in expired["detail"]
