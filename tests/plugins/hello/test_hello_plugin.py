"""The plugin mechanism end to end through the example plugin: mounted at /v1/hello, records owned by
their creator, hooks called by the core."""
from __future__ import annotations

import pytest

from chalice import Blueprint

from chalicelib import plugin
from tests.helpers import assert_problem, body, post


def test_the_plugin_is_mounted_under_v1_and_its_name(client):
    assert body(client.get("/v1/hello"))["message"] == "你好，法网格"


def test_a_resident_reads_their_own_greeting_and_a_stranger_gets_404(client, token):
    created = body(post(client, "/v1/hello/greetings", {"message": "你好"}, token("r1")))
    assert body(client.get(f"/v1/hello/greetings/{created['id']}", headers=token("r1")))["message"] == "你好"
    assert_problem(client.get(f"/v1/hello/greetings/{created['id']}", headers=token("r2")), 404)
    assert_problem(client.get("/v1/hello/greetings/no-such", headers=token("r1")), 404)


def test_a_plugin_without_a_plugin_object_is_refused(tmp_path, monkeypatch):
    package = tmp_path / "plugins_extra"
    monkeypatch.syspath_prepend(str(tmp_path))
    import plugins

    (tmp_path / "broken.py").write_text("x = 1\n")
    monkeypatch.setattr(plugins, "__path__", [*plugins.__path__, str(tmp_path)])
    try:
        plugin.load(["broken"])
    except TypeError as exc:
        assert "no `plugin` object" in str(exc)
    else:
        raise AssertionError("loading a module without `plugin` must fail")
    assert not package.exists()


def test_what_enabled_plugins_declare_is_visible_and_disabling_one_removes_it():
    before = plugin.enabled()
    roles = plugin.Plugin(name="x-service", title="X", blueprint=Blueprint("x"),
                          coverage_roles=(plugin.CoverageRole("x_contact", "X 联络员"),),
                          parameters=(plugin.Parameter("x_service.days", "天数", "日", 1, 9, default=3),))
    silent = plugin.Plugin(name="y-service", title="Y", blueprint=Blueprint("y"))
    try:
        plugin.activate([roles, silent])
        [(owner, role)] = plugin.coverage_roles()
        assert owner.name == "x-service" and role == plugin.CoverageRole("x_contact", "X 联络员")
        assert plugin.parameter("x_service.days").default == 3
        plugin.activate([silent])
        assert plugin.coverage_roles() == [] and plugin.parameter("x_service.days") is None
    finally:
        plugin.activate(before)


def test_two_plugins_declaring_the_same_thing_is_refused_when_enabled():
    one = plugin.Plugin(name="x-service", title="X", blueprint=Blueprint("x"),
                        coverage_roles=(plugin.CoverageRole("contact", "联络员"),))
    two = plugin.Plugin(name="y-service", title="Y", blueprint=Blueprint("y"),
                        coverage_roles=(plugin.CoverageRole("contact", "联络员"),))
    with pytest.raises(ValueError, match="declared by both x-service and y-service"):
        plugin.activate([one, two])


def test_a_plugin_may_only_declare_parameters_and_checks_under_its_own_name():
    with pytest.raises(ValueError, match="must start with 'x_service.'"):
        plugin.Plugin(name="x-service", title="X", blueprint=Blueprint("x"),
                      parameters=(plugin.Parameter("legal_aid.days", "天数", "日", 1, 9),))
    with pytest.raises(ValueError, match="must start with 'x-service.'"):
        plugin.Plugin(name="x-service", title="X", blueprint=Blueprint("x"),
                      screening_checks=(plugin.ScreeningCheck("other.check", "检查", lambda ctx: []),))


def test_plugin_names_must_be_url_segments():
    try:
        plugin.Plugin(name="Legal Aid", title="法律援助", blueprint=Blueprint("z"))
    except ValueError:
        return
    raise AssertionError("a name with spaces and capitals must be refused")
