"""Small helpers shared by tests (no test doubles of project code)."""
from __future__ import annotations

import json

from chalicelib import storage
from chalicelib.areas import Area

JSON = {"Content-Type": "application/json"}


def body(response) -> dict:
    return json.loads(response.body)


def post(client, path: str, payload: dict, headers: dict | None = None):
    return client.post(path, headers={**JSON, **(headers or {})}, body=json.dumps(payload, ensure_ascii=False))


def patch(client, path: str, payload: dict, headers: dict | None = None):
    return client.request("PATCH", path, headers={**JSON, **(headers or {})},
                          body=json.dumps(payload, ensure_ascii=False))


def seed_areas() -> None:
    """A slice of the real Changzhou tree: 江苏 → 常州 → 天宁区 → 雕庄街道 → one community, and 钟楼区."""
    rows = [("32", "江苏省", "province", None), ("3204", "常州市", "city", "32"),
            ("320402", "天宁区", "district", "3204"), ("320404", "钟楼区", "district", "3204"),
            ("320402001", "雕庄街道", "town", "320402"), ("320402001001", "演示社区", "village", "320402001"),
            ("320402001001001", "第一网格", "grid", "320402001001")]
    for code, name, level, parent in rows:
        storage.put_new(Area(code=code, name=name, level=level, parent=parent))


def assert_problem(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.body
    assert header(response, "content-type").startswith("application/problem+json"), response.headers
    problem = body(response)
    assert set(problem) >= {"type", "title", "status", "detail", "code", "errors"}
    assert problem["status"] == status
    if code:
        assert problem["code"] == code, problem
    return problem


def header(response, name: str) -> str:
    return {k.lower(): v for k, v in response.headers.items()}.get(name.lower(), "")
