"""法律援助 Legal aid (SPEC L1–L7), mounted at /v1/legal-aid and built only on the core.

- `models`     vocabularies, the records and what an application's readers see;  `bodies`  the request
  bodies;  `answers`  the form's vocabulary, the queue, the lawyers' list;  `household_models`
- `criteria`   eligibility as named criteria with reasons (means test, exemptions, scope, green channel)
- `params`     the policy parameters it reads, declared with the core's registry
- `deadlines`  the green channel's one working day and the statutory periods (State Council calendar)
- `service`, `workflow`, `conflicts`, `queue`  applying, the case's steps, the conflict check, the
  officers' queue;  `households`  the vulnerable-household list and visits (L7)
- `selfcheck`  the anonymous self-check before applying (the application's own criteria)
- `views`      what each reader sees;  `routes`  the HTTP surface (`blueprint`, declared by `routes_read`,
  `routes_apply`, `routes_workflow`, `routes_households`);  `hooks`  coverage, screening, ledger, demo
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.plugin import Plugin


def declare() -> Plugin:
    """The `plugin` object (`declared_on_first_use`): imports what it declares, the first time it is
    asked for."""
    from chalicelib.plugin import DemoIdentity, LinkRule, Plugin, TicketCategory
    from plugins.legal_aid import counts, hooks, intake, models, params, selfcheck, service
    from plugins.legal_aid.routes import bp

    return Plugin(
        name="legal-aid",
        title="法律援助",
        blueprint=bp,
        core_service=True,
        parameters=params.PARAMETERS,
        link_rules=(LinkRule(models.ENTITY, service.may_attach),),
        intake_targets=intake.TARGETS,
        coverage_roles=hooks.COVERAGE_ROLES,
        screening_checks=hooks.SCREENING_CHECKS,
        ledger_columns=hooks.LEDGER_COLUMNS,
        stat_counters=counts.STAT_COUNTERS,
        demo_data=hooks.demo_data,
        demo_identities=(
            DemoIdentity("officer-1", "legal_aid_officer", "320402", "天宁区法律援助审查员",
                         "GET /v1/legal-aid/queue（孙志强的绿色通道申请在前）"),
            DemoIdentity("lawyer-1", "lawyer", "320402", "法律援助律师周律师", "GET /v1/legal-aid/assignments"),
        ),
        ticket_categories=(TicketCategory("legal_aid", "法律援助", time_limit=params.REVIEW),),
        self_checks=(selfcheck.SELF_CHECK,),
    )


def __getattr__(name: str) -> Plugin:
    """`plugin`, declared on first use (`chalicelib.plugin.declared_on_first_use`). The contract is imported
    then too, not with the package: a route's first request imports the package and what the route needs,
    and an application's read never asks about plugins (its ~20 ms of CPU at a cold start)."""
    if name != "plugin":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from chalicelib.plugin import declared_on_first_use

    return declared_on_first_use(__name__, declare)(name)
