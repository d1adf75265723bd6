"""The blueprint legal aid's routes are declared on (mounted at /v1/legal-aid) and what they share. The routes
are declared in modules of their own — reading applications (`routes_read`), applying and claiming
(`routes_apply`), the case's steps and the officers' lists (`routes_workflow`), the vulnerable households
(`routes_households`) — and `routes` holds them all: a route's first request imports only the module its
view is declared in (web.lazy), so an application's read imports the models it answers, not the request
bodies, the form's vocabulary or the households'."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.platform import web
from plugins.legal_aid import service

bp = Blueprint("plugins.legal_aid.routes")
TAGS = ("legal-aid",)
OFFICER = {"legal_aid_officer"}
APPLICANTS = {"resident", "grid_worker", "legal_aid_officer"}
READERS = {"resident", "grid_worker", "legal_aid_officer", "lawyer"}


def seen(app):
    return service.seen(web.caller(), app)
