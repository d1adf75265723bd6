"""Storage, idempotency, areas and the HTTP contract, re-run unchanged on DynamoDB Local."""
from tests.core.test_areas import *  # noqa: F401,F403
from tests.core.test_http_contract import *  # noqa: F401,F403
from tests.core.test_idempotency import *  # noqa: F401,F403
from tests.core.test_storage import *  # noqa: F401,F403
