"""CONTRACT "Plugins", over every package under plugins/ (found in the folder — and in any `plugins/` folder
on the path — so a new service is checked the day it is added): it loads as a `Plugin`, declares what it adds in the declared shapes, every route says who
may call it, files attach to its records only through a rule that refuses strangers, its demo data loads twice
without change, and the core and the other plugins keep working when it is disabled."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from chalicelib import plugin
from chalicelib.platform import storage
from chalicelib.platform.auth import Caller
from chalicelib.platform.errors import Problem
from tests.helpers import (blueprint_app, body, only_enabled, records_table, seed_areas, stored_once,
                           undeclared_routes)

import plugins as plugins_package

MODULES = sorted({p.name for folder in plugins_package.__path__ for p in Path(folder).iterdir()
                  if (p / "__init__.py").is_file()})
ENTITY_SHAPE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")
CITY = "3204"  # 常州市 in tests/helpers.seed_areas and in the demo tree

each_plugin = pytest.mark.parametrize("module", MODULES)


def loaded(module: str) -> plugin.Plugin:
    return plugin.load([module])[0]


def strangers() -> list[Caller]:
    """People with no business with any record: a resident, and staff of another district."""
    return [Caller(sub="stranger-resident", roles=frozenset({"resident"}), area=None),
            Caller(sub="stranger-staff", roles=frozenset({"grid_worker", "legal_aid_officer", "mediator"}),
                   area="320404")]


def table_items() -> tuple[int, list[dict]]:
    """The records table as (how many area items, every other item, as a Scan returns it): a Scan through the
    API deep-copies every one of the thousands of demo areas on each page, and the test looks at the whole
    table four times."""
    areas, others = 0, []
    for item in records_table().all_items():
        entity = item.attrs.get("entity")
        if entity is not None and entity.value == "area":
            areas += 1
        else:
            others.append(item.to_json()["Attributes"])
    return areas, sorted(others, key=lambda item: (item["pk"]["S"], item["sk"]["S"]))


def test_the_plugins_folder_holds_plugins_to_check():
    assert MODULES, "no package found under plugins/"


@each_plugin
def test_it_loads_and_its_plugin_object_is_a_plugin(module):
    import importlib

    found = loaded(module)
    assert isinstance(found, plugin.Plugin)
    assert importlib.import_module(f"plugins.{module}").plugin is found
    assert found.title and found.blueprint is not None


@each_plugin
def test_what_it_declares_has_the_declared_shapes(module):
    found = loaded(module)
    for parameter in found.parameters:
        assert isinstance(parameter, plugin.Parameter), parameter
        assert parameter.name.startswith(found.parameter_prefix), parameter.name
    shapes = {"link_rules": plugin.LinkRule, "intake_targets": plugin.IntakeTarget,
              "coverage_roles": plugin.CoverageRole, "screening_checks": plugin.ScreeningCheck,
              "ledger_columns": plugin.LedgerColumn, "stat_counters": plugin.StatCounter, "roles": plugin.Term, "institution_kinds": plugin.Term}
    for field, shape in shapes.items():
        declared = getattr(found, field)
        assert isinstance(declared, tuple), f"{field} must be a tuple"
        for item in declared:
            assert type(item) is shape, f"{field}: {item!r} is not a {shape.__name__}"
    for check in found.screening_checks:
        assert check.code.startswith(found.name + ".") and check.title and callable(check.run), check
    for role in found.coverage_roles:
        assert role.minimum >= 1, role
    assert found.demo_data is None or callable(found.demo_data)


@each_plugin
def test_its_screening_checks_return_findings_under_their_own_code(module, aws_backend, clock):
    found = loaded(module)
    seed_areas()
    context = plugin.ScreeningContext(month=clock.month(), area=CITY, as_of=clock.today)
    with only_enabled(found):
        for check in found.screening_checks:
            findings = check.run(context)
            assert not isinstance(findings, (str, bytes)), check.code
            for finding in list(findings):
                assert isinstance(finding, plugin.Finding), f"{check.code}: {finding!r}"
                assert finding.check == check.code, f"{check.code} returned a finding of {finding.check}"


@each_plugin
def test_every_route_of_its_blueprint_declares_who_may_call_it(module, app):
    found = loaded(module)
    routes = blueprint_app(app, found.blueprint, f"/v1/{found.name}")
    assert undeclared_routes(routes) == []


@each_plugin
def test_its_link_rules_name_an_entity_and_refuse_a_stranger_an_unknown_record(module, aws_backend):
    found = loaded(module)
    seed_areas()
    with only_enabled(found):
        for rule in found.link_rules:
            assert ENTITY_SHAPE.match(rule.entity), f"{rule.entity!r} is not a lowercase-hyphen entity name"
            assert plugin.link_rule(rule.entity) is rule
            for stranger in strangers():
                with pytest.raises(Problem) as refused:
                    rule.may_link(stranger, "no-such-record-0001")
                assert refused.value.status in (403, 404), (rule.entity, stranger.sub, refused.value.status)


@each_plugin
def test_its_demo_data_loads_twice_without_changing_anything(module, aws_backend):
    """As `make dev` (chalicelib/demo.load) runs it: the demo area tree stored, the core's demo policies,
    then the plugin's loader — and a second run (every restart) leaves the table exactly as the first did."""
    from chalicelib.demo import DEMO_ACTOR, write_areas
    from chalicelib.demo import policies as demo_policies

    found = loaded(module)
    if found.demo_data is None:
        pytest.skip(f"{found.name} declares no demo data")
    areas, context = stored_once("demo area tree", write_areas)
    with only_enabled(found):
        demo_policies.load(DEMO_ACTOR)
        found.demo_data(context)
        first = table_items()
        found.demo_data(context)
        second = table_items()
    assert first[0] == len(areas) and first[1], f"{found.name}'s demo data stored nothing"
    added = [i for i in second[1] if i not in first[1]]
    removed = [i for i in first[1] if i not in second[1]]
    assert (second[0], added, removed) == (first[0], [], []), "the second run changed the table"


@each_plugin
def test_disabling_it_leaves_the_core_and_the_other_plugins_working(module, client, clock):
    from chalicelib.domain.coverage import service as coverage
    from chalicelib.domain.policy import service as policy
    from chalicelib.domain.screening import service as screening

    found = loaded(module)
    others = [p for p in plugin.load(MODULES) if p.name != found.name]
    seed_areas()
    with only_enabled(*others):
        health = client.get("/v1/health")
        assert health.status_code == 200, health.body
        assert found.name not in body(health)["plugins"]
        document = client.get("/v1/openapi.json")
        assert document.status_code == 200, document.body
        run = screening.run_city(CITY, clock.month(), clock.today)
        assert run is not None and run.status == "done", run
        assert run.failed_checks == {}, run.failed_checks
        assert not [check for check in run.by_check if check.startswith(found.name + ".")]
        assert not [d.name for d in policy.declarations() if d.name.startswith(found.parameter_prefix)]
        assert not [r.code for r in coverage.roles() if r.source == found.name]
        assert not [p for p, _ in plugin.ledger_columns() + plugin.roles() + plugin.institution_kinds()
                    if p.name == found.name]
        assert not [p for p, _ in plugin.intake_targets() if p.name == found.name]
        assert all(plugin.link_rule(rule.entity) is None for rule in found.link_rules)
