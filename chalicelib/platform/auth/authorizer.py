"""The one API Gateway authorizer, in an unprefixed core blueprint.

It lives here rather than in `app.py` so that plugin blueprints can name it (`authorizer=jwt_auth`) at
import time; it must never be registered with a `name_prefix`, which breaks the SAM template.
"""
from chalice import Blueprint

from chalicelib.platform import auth

bp = Blueprint(__name__)


# Cached by API Gateway per token for one minute: the policy allows every route (routes=["*"]) and the
# claims are in the token, so a cached answer is never wrong for another route. Kept short because a
# cached allow outlives the token's `exp` by up to the TTL.
@bp.authorizer(ttl_seconds=60)
def jwt_auth(auth_request):
    return auth.authorize(auth_request)
