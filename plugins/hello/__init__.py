"""`hello` — the template a new service copies (docs/plugins.md walks through it).

The smallest real service: residents leave greetings (optionally naming their grid), read their own, and
attach a file to one; the monthly screening lists grids with more greetings that day than a policy
parameter says is busy; `make dev` loads one greeting.
Enabled in the local and dev stages only.

The same four files in every service:
- `models.py`   stored records (with the lists they appear in) and the request/response models;
- `service.py`  the rules: storage, audit, access checks — no HTTP;
- `routes.py`   the HTTP surface: parse, call the service, respond;
- `__init__.py` this file: the `Plugin` object, declaring everything the service adds to the core.
plus `DATA_MODEL.md` (its keys and access patterns) and a test folder `tests/plugins/<name>/`.
"""
from __future__ import annotations

from chalicelib.plugin import LedgerColumn, LinkRule, Parameter, Plugin, ScreeningCheck
from plugins.hello import service
from plugins.hello.models import BUSY_GRID, ENTITY
from plugins.hello.routes import bp

plugin = Plugin(
    name="hello",
    title="示例",
    blueprint=bp,
    parameters=(
        Parameter(BUSY_GRID, title="网格单日问候数提示线", unit="条/日", minimum=1, maximum=1000, default=20,
                  description="示例参数：政策参数按区域、生效日期设置，服务按当日生效的版本判断。"),
    ),
    link_rules=(LinkRule(ENTITY, service.may_attach),),
    screening_checks=(ScreeningCheck("hello.busy-grids", "问候较多的网格", service.busy_grids),),
    ledger_columns=(LedgerColumn(key="hello.greetings", title="问候（条）"),),
    demo_data=service.load_demo,
)
