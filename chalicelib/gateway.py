"""The one API Gateway authorizer, in an unprefixed core blueprint.

It lives here rather than in `app.py` so that plugin blueprints can name it (`authorizer=jwt_auth`) at
import time; it must never be registered with a `name_prefix`, which breaks the SAM template.
"""
from chalice import Blueprint

from chalicelib import auth

bp = Blueprint(__name__)


@bp.authorizer(ttl_seconds=0)
def jwt_auth(auth_request):
    return auth.authorize(auth_request)
