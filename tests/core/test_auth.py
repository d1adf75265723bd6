"""CONTRACT "Identity and access": 401 without or with a bad token, 403 when the role or area does not
allow, the caller's claims reach the route."""
from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.platform.auth import tokens
from tests.helpers import assert_problem, body, patch, post, seed_areas


def test_a_route_behind_the_authorizer_without_a_token_is_401(client):
    response = client.get("/v1/whoami")
    assert response.status_code == 401


@pytest.mark.parametrize("header", ["Bearer", "Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "bearer a.b.c"])
def test_a_malformed_token_is_a_401_problem(client, header):
    assert_problem(client.get("/v1/whoami", headers={"Authorization": header}), 401, "unauthorized")


def test_an_expired_token_is_401(client):
    key = tokens.local_key()
    expired = jwt.encode({"sub": "r1", "roles": ["resident"], "exp": int(time.time()) - 3600},
                         key.private_pem, algorithm="RS256", headers={"kid": key.kid})
    assert_problem(client.get("/v1/whoami", headers={"Authorization": f"Bearer {expired}"}), 401)


def test_a_token_signed_by_another_key_is_401(client):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    forged = jwt.encode({"sub": "r1", "roles": ["admin"], "area": "32", "exp": int(time.time()) + 60},
                        other, algorithm="RS256", headers={"kid": tokens.local_key().kid})
    assert_problem(client.get("/v1/whoami", headers={"Authorization": f"Bearer {forged}"}), 401)


def test_an_unsigned_token_is_401(client):
    unsigned = jwt.encode({"sub": "r1", "roles": ["admin"], "area": "32", "exp": int(time.time()) + 60},
                          key=None, algorithm="none")
    assert_problem(client.get("/v1/whoami", headers={"Authorization": f"Bearer {unsigned}"}), 401)


def test_a_token_with_an_unknown_role_is_401(client):
    key = tokens.local_key()
    odd = jwt.encode({"sub": "r1", "roles": ["superuser"], "exp": int(time.time()) + 60},
                     key.private_pem, algorithm="RS256", headers={"kid": key.kid})
    assert_problem(client.get("/v1/whoami", headers={"Authorization": f"Bearer {odd}"}), 401)


def test_staff_tokens_must_carry_an_area():
    with pytest.raises(tokens.InvalidToken):
        tokens.issue_dev_token("m1", ["mediator"], None)


def test_the_caller_sees_their_own_claims(client, token):
    response = client.get("/v1/whoami", headers=token("m1", "mediator", "grid_worker", area="320402"))
    assert body(response) == {"sub": "m1", "roles": ["grid_worker", "mediator"], "area": "320402"}


def test_a_resident_calling_an_admin_route_is_403(client, token, aws_backend):
    seed_areas()
    response = post(client, "/v1/areas", {"code": "320402001001002", "name": "第二网格"}, token("r1", "resident"))
    assert_problem(response, 403, "role_not_allowed")


def test_an_admin_outside_the_area_is_403(client, token, aws_backend):
    seed_areas()
    zhonglou_admin = token("a2", "admin", area="320404")
    response = post(client, "/v1/areas", {"code": "320402001001002", "name": "第二网格"}, zhonglou_admin)
    assert_problem(response, 403, "outside_jurisdiction")
    response = patch(client, "/v1/areas/320402", {"name": "改名"}, {**zhonglou_admin, "If-Match": "1"})
    assert_problem(response, 403, "outside_jurisdiction")


def test_dev_tokens_are_refused_to_be_minted_outside_local_auth(monkeypatch):
    monkeypatch.setenv("AUTH_MODE", "jwks")
    with pytest.raises(RuntimeError):
        tokens.issue_dev_token("r1", ["resident"], None)


def test_jwks_mode_accepts_a_token_from_the_identity_providers_current_key(monkeypatch):
    """Production verifies against a JWKS; we serve one on loopback with two keys (rotation by kid)."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    keys_by_kid = {kid: rsa.generate_private_key(public_exponent=65537, key_size=2048) for kid in ("k-old", "k-new")}
    jwks = {"keys": [{**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(k.public_key())), "kid": kid, "use": "sig",
                      "alg": "RS256"} for kid, k in keys_by_kid.items()]}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            payload = json.dumps(jwks).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("AUTH_MODE", "jwks")
        monkeypatch.setenv("JWKS_URL", f"http://127.0.0.1:{server.server_port}/jwks.json")
        for kid, key in keys_by_kid.items():
            token = jwt.encode({"sub": f"staff-{kid}", "roles": ["notary"], "area": "3204",
                                "exp": int(time.time()) + 60}, key, algorithm="RS256", headers={"kid": kid})
            assert tokens.verify(token).sub == f"staff-{kid}"
        stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        bad = jwt.encode({"sub": "x", "roles": ["admin"], "area": "32", "exp": int(time.time()) + 60},
                         stranger, algorithm="RS256", headers={"kid": "k-unknown"})
        with pytest.raises(tokens.InvalidToken):
            tokens.verify(bad)
    finally:
        server.shutdown()


@pytest.mark.parametrize("sub", ["a#b", "with space", "中文", "x" * 129])
def test_a_sub_that_cannot_be_a_key_part_is_401_not_500(client, sub):
    key = tokens.local_key()
    odd = jwt.encode({"sub": sub, "roles": ["resident"], "exp": int(time.time()) + 60},
                     key.private_pem, algorithm="RS256", headers={"kid": key.kid})
    assert_problem(client.get("/v1/whoami", headers={"Authorization": f"Bearer {odd}"}), 401)
