"""`hello` — the template a new service copies (docs/plugins.md walks through it).

The smallest real service: residents leave greetings (optionally naming their grid), read their own, and
attach a file to one; the monthly screening lists grids with more greetings that month than a policy
parameter says is busy, from a tally the greeting's own transaction keeps; `make dev` loads one greeting.
Enabled in the local and dev stages only.

The same four files in every service:
- `models.py`   stored records (with the lists they appear in) and the request/response models;
- `service.py`  the rules: storage, audit, access checks — no HTTP;
- `routes.py`   the HTTP surface: parse, call the service, respond;
- `__init__.py` this file: the `Plugin` object, declaring everything the service adds to the core (on first
  use, so a route's first request imports only what the route needs).
plus `DATA_MODEL.md` (its keys and access patterns), `proof.py` (what the proof suite needs of it: its access
rows, request bodies and the records its rows are asked about; tests only) and a test folder
`tests/plugins/<name>/`.
"""
from __future__ import annotations

from chalicelib.plugin import LedgerColumn, LinkRule, Parameter, Plugin, ScreeningCheck, declared_on_first_use


def declare() -> Plugin:
    """The `plugin` object (`declared_on_first_use`): imports what it declares, the first time it is
    asked for."""
    from plugins.hello import service
    from plugins.hello.models import BUSY_GRID_PARAMETER, BUSY_GRIDS_CHECK, ENTITY, GREETINGS_PER_GRID
    from plugins.hello.routes import bp

    return Plugin(
        name="hello",
        title="示例",
        blueprint=bp,
        parameters=(
            Parameter(BUSY_GRID_PARAMETER, title="网格每月问候数提示线", unit="条/月", minimum=1, maximum=100_000,
                      default=200, description="示例参数：政策参数按区域、生效日期设置，服务按排查当日生效的版本判断。"),
        ),
        link_rules=(LinkRule(ENTITY, service.get),),
        screening_checks=(ScreeningCheck(BUSY_GRIDS_CHECK, "问候较多的网格", service.busy_grids),),
        ledger_columns=(LedgerColumn(key=GREETINGS_PER_GRID, title="问候（条）", values=service.greetings_per_month),),
        demo_data=service.load_demo,
    )


__getattr__ = declared_on_first_use(__name__, declare)
