"""Routes of legal aid, mounted at /v1/legal-aid: its blueprint (`blueprint.py`) with every route, declared in
the modules imported here by what they serve — reading applications, applying and claiming, the case's steps,
the vulnerable households. Routes parse, check who may call, and shape the answer; the services (service,
workflow, households, queue) know nothing of HTTP. On a deployed stage a route's first request imports only
the module its view is declared in (the route manifest names it; chalicelib/platform/web/lazy.py)."""
from __future__ import annotations

from plugins.legal_aid import routes_apply, routes_households, routes_read, routes_workflow  # noqa: F401 — they declare the routes
from plugins.legal_aid.blueprint import bp

__all__ = ["bp"]
