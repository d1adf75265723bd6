"""CONTRACT "HTTP": the served OpenAPI document states what a generated client needs to call every route —
the `If-Match` header on every update and every status the route can really answer (issue 9: a generated
client could not call `DELETE /v1/me`, whose header was missing)."""
from __future__ import annotations

import pytest

from chalicelib.platform.web import PUBLIC, openapi


def operations(app):
    document = openapi.build(app)
    for path, method, entry, spec in openapi.routes_with_specs(app):
        if spec is not None:
            yield path, method, entry, spec, document["paths"][path][method.lower()]


def headers(operation) -> set[str]:
    return {p["name"] for p in operation["parameters"] if p["in"] == "header"}


def test_deleting_my_account_declares_if_match(app):
    operation = openapi.build(app)["paths"]["/v1/me"]["delete"]
    assert "If-Match" in headers(operation) and {"400", "409", "412"} <= set(operation["responses"])


def test_every_update_declares_if_match_and_every_read_does_not(app):
    for path, method, entry, spec, operation in operations(app):
        uses_version = "expected_version" in entry.view_function.__wrapped__.__code__.co_names
        if method in ("PATCH", "PUT", "DELETE") or uses_version:
            assert "If-Match" in headers(operation), f"{method} {path}"
        if method == "GET":
            assert "If-Match" not in headers(operation), f"{method} {path}"


def test_every_route_declares_the_statuses_the_platform_can_answer(app):
    for path, method, _, spec, operation in operations(app):
        declared = set(operation["responses"])
        assert {"400", "404", "422", "429", "500", "503"} <= declared, f"{method} {path}"
        if spec.who != PUBLIC:
            assert {"401", "403"} <= declared, f"{method} {path}"
        if spec.body is not None:
            assert "415" in declared, f"{method} {path}"


def test_sign_in_declares_the_upstream_statuses_of_wechat(app):
    assert {"502", "504"} <= set(openapi.build(app)["paths"]["/v1/auth/session"]["post"]["responses"])


def test_every_id_number_example_in_the_document_passes_its_own_check_digit(app):
    # Seen on the walk: the legal-aid application's example ID number was refused as 校验位不正确 when a
    # newcomer sent the documented body as it stood.
    from chalicelib.platform import pii

    schemas = openapi.build(app)["components"]["schemas"]
    examples = [example for schema in schemas.values() for name, field in schema.get("properties", {}).items()
                if name == "id_number" for example in field.get("examples", [])]
    if not examples:  # the core alone documents no example ID number; the services that take one do
        pytest.skip("no enabled service gives an example ID number")
    for example in examples:
        assert pii.normalize_id_number(example) == example


def test_every_intake_target_example_in_the_document_is_a_target_an_enabled_service_declares(app):
    # Seen on the walk: routing a ticket to the documented `legal_aid_consultation` was refused, as no
    # service declares it (SPEC C5/C6: targets come from the enabled services' intake targets).
    import pytest

    from chalicelib import plugin

    declared = {target.code for _, target in plugin.intake_targets()}
    if not declared:
        pytest.skip("no enabled service declares an intake target")
    schemas = openapi.build(app)["components"]["schemas"]
    examples = [example for schema in schemas.values() for name, field in schema.get("properties", {}).items()
                if name == "target" for example in field.get("examples", [])]
    assert examples
    assert set(examples) <= declared, f"examples {sorted(set(examples) - declared)} are not of {sorted(declared)}"


def test_every_list_answers_the_one_generic_page_named_after_its_items(app):
    """CONTRACT "HTTP" lists: `Page[TicketSummary]` is the schema `TicketSummaryPage` — a plain, unique name
    for a generated client — and no list declares a page class of its own."""
    from chalicelib.platform.model import Page

    schemas = openapi.build(app)["components"]["schemas"]
    pages = [spec.response for *_, spec in openapi.routes_with_specs(app)
             if spec and spec.response and set(spec.response.model_fields) == {"items", "next_cursor"}]
    assert pages
    for page in pages:
        assert issubclass(page, Page) and page.__pydantic_generic_metadata__["origin"] is Page, page.__name__
        (item,) = page.__pydantic_generic_metadata__["args"]
        assert page.__name__ == item.__name__ + "Page" and page.__name__ in schemas
        assert schemas[page.__name__]["properties"]["items"]["items"] == {"$ref": openapi.REF.format(model=item.__name__)}


# --- what a generated client needs (issue 20 §3) ------------------------------------------------------------

def test_every_operation_and_every_parameter_has_a_description(app):
    for path, method, _, _, operation in operations(app):
        assert operation.get("description"), f"{method} {path}"
        for parameter in operation["parameters"]:
            assert parameter.get("description"), f"{method} {path} {parameter['name']}"


def test_who_may_call_an_operation_is_always_a_list(app):
    for path, method, _, spec, operation in operations(app):
        assert isinstance(operation["x-who"], list) and operation["x-who"], f"{method} {path}"
    assert openapi.build(app)["paths"]["/v1/health"]["get"]["x-who"] == [PUBLIC]


def test_every_request_body_example_validates_against_its_own_model(app):
    """An example a newcomer copies must be accepted as it stands (a 422 on the documented body is a bug)."""
    examples = 0
    for path, method, _, spec, operation in operations(app):
        content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        if "example" in content:
            spec.body.model_validate(content["example"])
            examples += 1
    assert examples


def test_the_core_s_screening_and_intake_bodies_carry_an_example(app):
    paths = openapi.build(app)["paths"]
    for path, method in (("/v1/screenings/{month}/runs", "post"), ("/v1/screenings/{month}/reports", "post"),
                         ("/v1/tasks/{task_id}", "patch"), ("/v1/auth/session", "post")):
        assert "example" in paths[path][method]["requestBody"]["content"]["application/json"], f"{method} {path}"


def test_a_request_field_with_a_default_is_optional_and_every_response_field_is_present(app):
    """Request bodies in validation mode, responses in serialization mode: a generated client must not be
    made to send `limit`-like defaults, and may rely on every response field being there."""
    from chalicelib.domain.screening.tasks import TaskOut, TaskUpdate

    document = openapi.build(app)
    schemas = document["components"]["schemas"]

    def schema_of(ref: dict) -> dict:
        return schemas[ref["$ref"].rsplit("/", 1)[1]]

    answer = document["paths"]["/v1/tasks/{task_id}"]["patch"]
    request = schema_of(answer["requestBody"]["content"]["application/json"]["schema"])
    assert "version" not in request.get("required", []) and set(request["required"]) == {
        name for name, field in TaskUpdate.model_fields.items() if field.is_required()}
    response = schema_of(answer["responses"]["200"]["content"]["application/json"]["schema"])
    assert set(response["required"]) == set(TaskOut.model_fields)


def test_a_ticket_step_that_takes_a_version_in_its_body_declares_if_match_too(app):
    """Issue 20 §2: `If-Match` on `POST /v1/tickets/{code}/answer` was rejected by a typed client as undeclared."""
    for path, method, _, spec, operation in operations(app):
        if spec.body is not None and "version" in spec.body.model_fields:
            assert "If-Match" in headers(operation), f"{method} {path}"
    assert "If-Match" in headers(openapi.build(app)["paths"]["/v1/tickets/{code}/answer"]["post"])


def test_every_operation_declares_the_request_id_it_reads_and_every_answer_the_one_it_sends(app):
    """Issue 20 §3: every header a route reads is declared — the middleware reads `X-Request-Id` on every
    route and sends it back on every answer, errors included (what a resident quotes when reporting a fault)."""
    for path, method, _, _, operation in operations(app):
        assert "X-Request-Id" in headers(operation), f"{method} {path}"
        for status, answer in operation["responses"].items():
            assert "X-Request-Id" in answer.get("headers", {}), f"{method} {path} {status}"


def test_every_request_body_in_the_served_document_has_an_example_that_its_schema_accepts(client):
    """Issue 20 §3 (CONTRACT "HTTP"): a client generated from `GET /v1/openapi.json` shows each body's example;
    it must validate against the schema the document gives for it, formats (dates) included."""
    import jsonschema

    from tests.conftest import body

    document = body(client.get("/v1/openapi.json"))
    missing, checked = [], 0
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if content is None:
                continue
            if not content.get("example"):  # `{}` shows a client nothing: an all-optional body shows a field or two
                if not _admits_a_body(document, content["schema"]):
                    continue  # e.g. routing a ticket with no service enabled: no target exists to send
                missing.append(f"{method.upper()} {path}")
                continue
            schema = {**content["schema"], "components": document["components"]}
            jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
                content["example"])
            checked += 1
    assert not missing, f"request bodies without an example: {missing}"
    assert checked


def _admits_a_body(document, ref) -> bool:
    """False when a required field's vocabulary is empty (`enum: []`): no body could be valid, so none is shown."""
    schema = document["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]
    return all(schema["properties"][name].get("enum", [None]) for name in schema.get("required", []))


SUCCESS = ("200", "201", "202")


def test_every_json_answer_in_the_served_document_has_an_example_that_its_schema_accepts(client):
    """Issue 20 §3 (CONTRACT "HTTP"): every 200/201/202 JSON answer shows an example, valid against the schema
    the document gives for it (formats included), with personal numbers only as the answers show them: masked
    (CONTRACT "Identity and access"), never an ID number or a mobile number in clear."""
    import json
    import re

    import jsonschema

    from tests.conftest import body

    document = body(client.get("/v1/openapi.json"))
    missing, checked = [], 0
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            for status in SUCCESS:
                content = operation["responses"].get(status, {}).get("content", {}).get("application/json")
                if content is None:
                    continue
                if "example" not in content:
                    missing.append(f"{method.upper()} {path} {status}")
                    continue
                schema = {**content["schema"], "components": document["components"]}
                jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
                    content["example"])
                in_clear = re.findall(r"(?<!\d)(\d{17}[\dXx]|1[3-9]\d{9})(?!\d)", json.dumps(content["example"]))
                assert not in_clear, f"{method.upper()} {path} {status}: {in_clear}"
                checked += 1
    assert not missing, f"answers without an example: {missing}"
    assert checked


def test_an_answer_shows_its_model_s_own_example_else_one_assembled_from_its_fields():
    """A model's own example (`json_schema_extra`) as it stands; otherwise each field's own example, a nested
    model's example, and for a field with none a sample of its kind by its name and type (a masked phone)."""
    schemas = {
        "Own": {"type": "object", "properties": {"x": {"type": "string"}}, "required": ["x"],
                "examples": [{"x": "自带的示例"}]},
        "Assembled": {"type": "object", "required": ["title", "phone", "on", "own", "kind", "next_cursor"],
                      "properties": {
                          "title": {"type": "string", "examples": ["民法典进社区"]},
                          "phone": {"type": "string"}, "on": {"type": "string", "format": "date"},
                          "own": {"$ref": "#/components/schemas/Own"},
                          "kind": {"enum": ["lecture", "festival_tour"], "type": "string"},
                          "next_cursor": {"anyOf": [{"type": "string"}, {"type": "null"}]}}},
    }
    answers = openapi.Examples(schemas)
    assert answers.of({"$ref": "#/components/schemas/Own"}) == {"x": "自带的示例"}
    assert answers.of({"$ref": "#/components/schemas/Assembled"}) == {
        "title": "民法典进社区", "phone": "138****0000", "on": openapi.SAMPLE_DAY, "own": {"x": "自带的示例"},
        "kind": "lecture", "next_cursor": None}
