"""The plugins a stage enables, held without importing the plugin contract: app.py defers them here at
import, and `chalicelib.plugin` loads them the first time the core asks about plugins (`plugin.defer`).
Apart from plugin.py because importing that — its declaration dataclasses — costs a cold start ~18 ms of
CPU, which a core route that never asks about plugins (an area's breadcrumb) need not pay."""
from __future__ import annotations

from typing import Iterable

deferred: list[str] | None = None  # plugin modules enabled but not yet imported


def defer(modules: Iterable[str]) -> None:
    """Enable the plugins of `modules` without importing them yet: the first question the core asks about
    plugins (any function of `chalicelib.plugin`) loads and activates them. A Lambda cold start serving a
    core route that never asks does not pay for importing every service (web.lazy); a declaration error
    shows then."""
    global deferred
    deferred = list(modules)


def name_of(module_name: str) -> str:
    """A plugin's name is its folder's, `-` for `_` (`special_populations` → `special-populations`): known
    without importing it (`plugin.names`), and checked when it is loaded."""
    return module_name.replace("_", "-")
