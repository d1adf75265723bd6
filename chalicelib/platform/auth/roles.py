"""The one vocabulary of sign-in roles: what the `roles` claim of a token may hold (CONTRACT.md "Identity and
access"), with the Chinese title people see. Tokens are checked against it, staff accounts are created
with it, and the directory's vocabulary of people's duties starts from it (services add duties of their
own through `Plugin.roles`, which never become sign-in roles: a token's roles are fixed by the contract)."""
from __future__ import annotations

TITLES: dict[str, str] = {
    "resident": "居民",
    "grid_worker": "网格员",
    "mediator": "人民调解员",
    "lawyer": "律师",
    "notary": "公证员",
    "appraiser": "司法鉴定人",
    "publicist": "普法宣传员",
    "legal_aid_officer": "法律援助工作人员",
    "corrections_officer": "社区矫正工作人员",
    "admin": "管理员",
}
RESIDENT = "resident"
ADMIN = "admin"
ALL: frozenset[str] = frozenset(TITLES)
STAFF: frozenset[str] = ALL - {RESIDENT}


def title(role: str) -> str:
    return TITLES.get(role, role)
