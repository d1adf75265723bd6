"""法律援助 Legal aid (SPEC L1–L7), mounted at /v1/legal-aid and built only on the core.

- `models`     vocabularies, the application record, request bodies
- `criteria`   eligibility as named criteria with reasons (means test, exemptions, scope, green channel)
- `params`     the policy parameters it reads, declared with the core's registry
- `deadlines`  the green channel's one working day and the statutory periods (State Council calendar)
- `applications`, `workflow`, `conflicts`, `queue`  applying, the case's steps, the conflict check, the
  officers' queue;  `households`  the vulnerable-household list and visits (L7)
- `views`      what each reader sees;  `routes`  the HTTP surface;  `hooks`  coverage, screening, ledger, demo
"""
from __future__ import annotations

from chalicelib.domain.files import service as files
from chalicelib.plugin import Plugin
from plugins.legal_aid import hooks, households, models, params, queue, views  # noqa: F401  (params declares)
from plugins.legal_aid.routes import bp


def _may_attach(caller, record_id: str) -> None:
    """Files may be linked to an application by its applicant, its officers, or the grid worker who filed it."""
    from plugins.legal_aid.applications import load

    views.reader_of(caller, load(record_id))


files.link_rule(models.ENTITY, _may_attach)

plugin = Plugin(
    name="legal-aid",
    title="法律援助",
    blueprint=bp,
    core_service=True,
    models=(models.LegalAidApplicationIn, views.LegalAidApplicationOut, queue.LegalAidQueuePage,
            households.HouseholdImportReport, households.VulnerableHouseholdOut),
    coverage_roles=hooks.coverage_roles,
    screening_checks=hooks.screening_checks,
    ledger_columns=hooks.ledger_columns,
    demo_data=hooks.demo_data,
)
