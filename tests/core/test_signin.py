"""Issue 4 — mini-program sign-in (REFERENCE "Mini-program sign-in", CONTRACT "Identity and access").

Against the fake code-to-session server (tools/fake_wechat.py) on 127.0.0.1: every answer of the
exchange maps to a clear problem+json, never a 500; our own access tokens pass the authorizer; refresh
tokens rotate, and reusing a rotated one revokes the whole family; sign-out; per-IP and per-openid
attempt limits; production signing with a KMS key (moto), two keys valid at once by kid.
"""
from __future__ import annotations

import json
import os
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.domain.accounts import service as accounts, wechat as code_to_session
from chalicelib.platform import audit, config, storage
from chalicelib.platform.auth import tokens
from chalicelib.platform.errors import Problem
from chalicelib.platform.timeutil import now_utc
from tests.helpers import assert_problem, body, header, post
from tools import fake_wechat


# --- fixtures shared with test_me, test_staff_accounts and the integration tier ------------------------

@pytest.fixture
def wechat(monkeypatch):
    """The fake code-to-session server, with the local stage's app id and secret; a 0.5 s client timeout
    against 1.5 s slow answers keeps the timeout test short."""
    with fake_wechat.running(appid=os.environ["WECHAT_APP_ID"], secret=os.environ["SECRET_WECHAT_APP_SECRET"],
                             slow_seconds=1.5) as (url, state):
        monkeypatch.setenv("WECHAT_API_BASE", url)
        monkeypatch.setenv("WECHAT_TIMEOUT_SECONDS", "0.5")
        yield state


def sign_in(client, code: str, **extra):
    return post(client, "/v1/auth/session", {"code": code, **extra})


def signed_in(client, code: str, **extra) -> dict:
    """Sign in; the body plus ready-made `headers` for the access token."""
    response = sign_in(client, code, **extra)
    assert response.status_code == 200, response.body
    tokens_ = body(response)
    return {**tokens_, "headers": {"Authorization": "Bearer " + tokens_["access_token"]}}


def refresh(client, refresh_token: str):
    return post(client, "/v1/auth/session/refresh", {"refresh_token": refresh_token})


def scan_table_text() -> str:
    """Every item of the table as text — a test-only Scan, to prove what is NOT stored."""
    items = storage.aws.dynamodb().scan(TableName=config.table_name())["Items"]
    return json.dumps(items, ensure_ascii=False)


# --- sign-in ------------------------------------------------------------------------------------------

def test_a_first_sign_in_creates_a_resident_and_returns_our_own_short_lived_tokens(client, wechat):
    response = sign_in(client, "ok:alice:1")
    assert response.status_code == 200, response.body
    assert header(response, "cache-control") == "no-store"
    session = body(response)
    account = session["account"]
    assert account["kind"] == "resident" and account["is_new"] is True and account["roles"] == ["resident"]
    assert account["sub"].startswith("r-") and "alice" not in account["sub"]  # our own opaque id, not the openid
    assert session["token_type"] == "Bearer" and 890 <= session["expires_in"] <= 900
    assert session["refresh_token"].startswith("rt2.") and session["refresh_expires_in"] > 29 * 86400

    claims = jwt.decode(session["access_token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == tokens.ACCESS_TOKEN_TTL_SECONDS == 900
    assert claims["sub"] == account["sub"] and claims["roles"] == ["resident"] and "area" not in claims
    whoami = client.get("/v1/whoami", headers={"Authorization": "Bearer " + session["access_token"]})
    assert body(whoami) == {"sub": account["sub"], "roles": ["resident"], "area": None}


def test_the_same_wechat_user_signing_in_again_is_the_same_resident(client, wechat):
    first = signed_in(client, "ok:alice:1")["account"]
    again = signed_in(client, "ok:alice:2")["account"]
    short_form = signed_in(client, "ok-alice")["account"]
    someone_else = signed_in(client, "ok:bob:1")["account"]
    assert again["sub"] == short_form["sub"] == first["sub"] and again["is_new"] is False
    assert someone_else["sub"] != first["sub"]


def test_openid_and_session_key_are_never_stored_in_clear_returned_or_logged(client, wechat, capsys):
    session = signed_in(client, "ok:alice:1")
    me = client.get("/v1/me", headers=session["headers"])
    stored, logged = scan_table_text(), capsys.readouterr()
    exposed = json.dumps(session) + me.body.decode() + stored + logged.out + logged.err
    assert wechat.session_keys, "the fake handed out a session_key"
    for secret in [*wechat.session_keys, "fake-openid-alice", "fake-unionid-alice", "session_key",
                   os.environ["SECRET_WECHAT_APP_SECRET"]]:
        assert secret not in exposed, secret
    assert '"openid_hash"' in stored and '"openid_cipher"' in stored  # kept as HMAC + ciphertext only


EXCHANGE_ANSWERS = [  # (login code, HTTP status, problem code, Retry-After)
    ("invalid-1", 401, "login_code_invalid", None),          # 40029
    ("whatever", 401, "login_code_invalid", None),           # 40029 for any unknown code
    ("busy-1", 429, "wechat_rate_limited", "60"),             # 45011
    ("risky-1", 403, "wechat_user_blocked", None),            # 40226
    ("down-1", 503, "wechat_busy", "5"),                      # -1 twice (retried once)
    ("slow-carol", 504, "wechat_timeout", "5"),               # no answer within the client timeout
    ("garbage-1", 502, "wechat_bad_response", "5"),           # HTML instead of JSON
    ("empty-1", 502, "wechat_bad_response", "5"),             # JSON without openid
]


def test_every_answer_of_the_exchange_maps_to_a_clear_problem_never_a_500(client, wechat):
    for code, status, problem_code, retry_after in EXCHANGE_ANSWERS:
        started = time.monotonic()
        response = sign_in(client, code)
        assert time.monotonic() - started < 1.4, f"{code}: the client timeout bounds the wait"
        problem = assert_problem(response, status, problem_code)
        assert problem["detail"] and not problem["detail"].isascii(), code  # a Chinese explanation
        assert header(response, "retry-after") == (retry_after or ""), code
    assert "r-" not in scan_table_text(), "no account was created"


def test_a_login_code_works_once(client, wechat):
    assert sign_in(client, "ok:dave:1").status_code == 200
    assert_problem(sign_in(client, "ok:dave:1"), 401, "login_code_invalid")  # 40163 code been used


def test_system_busy_is_retried_exactly_once(client, wechat):
    assert signed_in(client, "flaky-erin")["account"]["is_new"] is True  # -1, then success
    assert wechat.calls.count("/sns/jscode2session") == 2
    assert_problem(sign_in(client, "down-1"), 503, "wechat_busy")  # -1, -1: gives up after one retry
    assert wechat.calls.count("/sns/jscode2session") == 4


def exchange_problem(code: str = "ok:alice:1") -> Problem:
    with pytest.raises(Problem) as raised:
        code_to_session.exchange(code)
    return raised.value


def test_a_wrong_app_secret_is_reported_as_misconfiguration_not_as_the_users_fault(monkeypatch):
    with fake_wechat.running(appid=os.environ["WECHAT_APP_ID"], secret="another-secret") as (url, _):
        monkeypatch.setenv("WECHAT_API_BASE", url)
        problem = exchange_problem()  # 40125 invalid appsecret
        assert (problem.status, problem.code) == (503, "signin_misconfigured")


def test_an_unreachable_platform_is_503(monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    monkeypatch.setenv("WECHAT_API_BASE", f"http://127.0.0.1:{closed_port}")
    problem = exchange_problem()
    assert (problem.status, problem.code) == (503, "wechat_unavailable")


def test_a_local_stage_without_the_fake_server_says_how_to_start_it(monkeypatch):
    monkeypatch.delenv("WECHAT_API_BASE", raising=False)
    problem = exchange_problem()
    assert (problem.status, problem.code) == (503, "signin_not_configured") and "make dev" in problem.detail


def test_bad_sign_in_bodies_are_422(client, wechat):
    problem = assert_problem(post(client, "/v1/auth/session", {"code": "", "mode": "boss"}), 422)
    assert {tuple(e["loc"]) for e in problem["errors"]} == {("body", "code"), ("body", "mode")}
    assert_problem(sign_in(client, "ok:alice:1", invite_code="ABCDE-FGHJK"), 422, "invite_needs_staff_mode")


# --- refresh, rotation, reuse, sign-out ----------------------------------------------------------------

def test_refresh_rotates_and_the_old_refresh_token_is_refused(client, wechat):
    first = signed_in(client, "ok:alice:1")
    second = body(refresh(client, first["refresh_token"]))
    assert second["refresh_token"] != first["refresh_token"]
    assert second["account"]["sub"] == first["account"]["sub"]
    old, new = (jwt.decode(t, options={"verify_signature": False})
                for t in (first["access_token"], second["access_token"]))
    assert new["sid"] == old["sid"], "the same sign-in"
    assert client.get("/v1/me", headers={"Authorization": "Bearer " + second["access_token"]}).status_code == 200
    assert_problem(refresh(client, first["refresh_token"]), 401, "refresh_token_reused")


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(client, wechat, aws_backend):
    """RFC 9700 §4.14.2: a rotated token used again means one of two holders is a thief; end both."""
    stolen = signed_in(client, "ok:alice:1")
    victims = body(refresh(client, stolen["refresh_token"]))        # the victim refreshes first
    assert_problem(refresh(client, stolen["refresh_token"]), 401, "refresh_token_reused")  # the thief
    assert_problem(refresh(client, victims["refresh_token"]), 401, "session_ended")  # the family is gone
    other_device = signed_in(client, "ok:alice:2")                   # other sign-ins are untouched
    assert refresh(client, other_device["refresh_token"]).status_code == 200
    trail = audit.trail("resident", stolen["account"]["sub"], limit=20).items
    reuse = [e for e in trail if e["action"] == "revoke-session" and "再次使用" in e["summary"]]
    assert len(reuse) == 1 and reuse[0]["actor"] == "system" and reuse[0]["source_ip"] == "127.0.0.1"


def test_an_unknown_refresh_token_is_401(client, wechat):
    for token in ["nope", "rt1.", "rt2.", "rt2.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "rt2.r-a.b.c", "rt2.a#b.c.d"]:
        assert_problem(refresh(client, token), 401, "refresh_token_invalid")
    assert_problem(post(client, "/v1/auth/session/refresh", {}), 422)


def test_an_expired_refresh_token_is_refused(client, wechat, aws_backend):
    session = signed_in(client, "ok:alice:1")
    sid = jwt.decode(session["access_token"], options={"verify_signature": False})["sid"]
    family = storage.read(accounts.Session, sid)
    storage.update(family, {"refresh_expires_at": now_utc() - timedelta(seconds=1)}, expected_version=family.version)
    assert_problem(refresh(client, session["refresh_token"]), 401, "refresh_token_expired")


def test_sign_out_revokes_this_devices_family_and_unknown_tokens_are_accepted_quietly(client, wechat):
    phone, tablet = signed_in(client, "ok:alice:1"), signed_in(client, "ok:alice:2")
    response = post(client, "/v1/auth/session/revoke", {"refresh_token": phone["refresh_token"]})
    assert response.status_code == 204
    assert_problem(refresh(client, phone["refresh_token"]), 401, "session_ended")
    assert refresh(client, tablet["refresh_token"]).status_code == 200
    assert post(client, "/v1/auth/session/revoke", {"refresh_token": "rt2.unknown"}).status_code == 204  # RFC 7009


def test_sign_out_everywhere_ends_every_session_of_the_caller(client, wechat):
    phone, tablet = signed_in(client, "ok:alice:1"), signed_in(client, "ok:alice:2")
    bob = signed_in(client, "ok:bob:1")
    response = client.delete("/v1/me/sessions", headers=phone["headers"])
    assert body(response) == {"sessions_ended": 2}
    for session in (phone, tablet):
        assert_problem(refresh(client, session["refresh_token"]), 401, "session_ended")
    assert refresh(client, bob["refresh_token"]).status_code == 200
    assert signed_in(client, "ok:alice:3")["account"]["sub"] == phone["account"]["sub"]  # signing in again works


# --- abuse limits ---------------------------------------------------------------------------------------

def test_a_refresh_reads_its_token_session_and_account_at_once_and_writes_once(client, wechat):
    """Issue 19 §3: an update at its floor — one BatchGetItem (the token names its account and session), one
    transaction rotating the token."""
    from tests.core.test_write_floor import dynamodb_calls

    session = signed_in(client, "ok:alice:1")
    with dynamodb_calls() as made:
        assert refresh(client, session["refresh_token"]).status_code == 200
    assert made == ["BatchGetItem", "TransactWriteItems"]


def test_a_returning_residents_sign_in_reads_its_link_only_and_writes_once(client, wechat):
    """Issue 19 §3: the per-IP counter, the link, then the session written with the per-openid counter and a
    condition that the linked account is still active — the account itself is not read."""
    from tests.core.test_write_floor import dynamodb_calls

    first = signed_in(client, "ok:alice:1")
    with dynamodb_calls() as made:
        again = signed_in(client, "ok:alice:2")
    assert made == ["UpdateItem", "GetItem", "TransactWriteItems"]
    assert again["account"]["sub"] == first["account"]["sub"] and again["account"]["is_new"] is False


def test_a_link_whose_account_is_gone_signs_in_to_a_new_account(client, wechat):
    """The account's condition in the sign-in's transaction fails: the dangling link is replaced."""
    from chalicelib.domain.accounts.models import Resident

    first = signed_in(client, "ok:alice:1")
    storage.transact([storage.delete(Resident, first["account"]["sub"])])
    again = signed_in(client, "ok:alice:2")
    assert again["account"]["is_new"] is True and again["account"]["sub"] != first["account"]["sub"]
    assert signed_in(client, "ok:alice:3")["account"]["sub"] == again["account"]["sub"]


def test_a_token_whose_names_were_changed_is_invalid_even_with_its_own_secret(client, wechat):
    """The hash covers the whole token: naming another session or account with a real secret fails."""
    alice, bob = signed_in(client, "ok:alice:1"), signed_in(client, "ok:bob:1")
    _, sub, session_id, secret = alice["refresh_token"].split(".")
    _, bob_sub, bob_session, _ = bob["refresh_token"].split(".")
    for forged in (f"rt2.{bob_sub}.{session_id}.{secret}", f"rt2.{sub}.{bob_session}.{secret}"):
        assert_problem(refresh(client, forged), 401, "refresh_token_invalid")
    assert refresh(client, alice["refresh_token"]).status_code == 200


def test_sign_out_everywhere_is_one_query_and_one_transaction_with_one_audit_entry(client, wechat):
    """Issue 19 §3: the sessions are read once and marked revoked in the account's own transaction."""
    from tests.core.test_write_floor import dynamodb_calls

    phone, _ = signed_in(client, "ok:alice:1"), signed_in(client, "ok:alice:2")
    with dynamodb_calls() as made:
        assert body(client.delete("/v1/me/sessions", headers=phone["headers"])) == {"sessions_ended": 2}
    assert made == ["Query", "TransactWriteItems"]
    trail = audit.trail("resident", phone["account"]["sub"], limit=20).items
    assert [e["summary"] for e in trail if e["action"] == "sign-out-everywhere"] == ["退出全部登录（结束 2 个会话）"]


def test_too_many_sign_ins_from_one_ip_is_429_with_retry_after_before_asking_the_platform(client, wechat, monkeypatch):
    # a day's window: four sign-ins on a loaded machine must not straddle the end of a fixed window
    monkeypatch.setenv("SIGNIN_LIMIT_PER_IP", "3/86400")
    for n in range(3):
        assert sign_in(client, f"ok:user{n}:1").status_code == 200
    limited = sign_in(client, "ok:user9:1")
    assert_problem(limited, 429, "too_many_attempts")
    assert 1 <= int(header(limited, "retry-after")) <= 86400
    assert wechat.calls.count("/sns/jscode2session") == 3, "the limited attempt spent none of our quota"


def test_too_many_sign_ins_by_one_wechat_user_is_429_while_others_go_on(client, wechat, monkeypatch):
    monkeypatch.setenv("SIGNIN_LIMIT_PER_OPENID", "2/600")
    assert sign_in(client, "ok:frank:1").status_code == 200
    assert sign_in(client, "ok:frank:2").status_code == 200
    limited = assert_problem(sign_in(client, "ok:frank:3"), 429, "too_many_attempts")
    assert "秒后再试" in limited["detail"]
    assert sign_in(client, "ok:grace:1").status_code == 200


def test_counters_expire_through_the_table_ttl_and_hold_no_ip_or_openid_in_clear(client, wechat):
    sign_in(client, "ok:alice:1")
    items = storage.aws.dynamodb().scan(TableName=config.table_name())["Items"]
    counters = [i for i in items if i["entity"]["S"] == "rate-counter"]
    assert {c["pk"]["S"].split("#")[1] for c in counters} == {"signin-ip", "signin-openid"}
    assert all(int(c["ttl"]["N"]) > time.time() for c in counters)
    assert "127.0.0.1" not in json.dumps(counters) and "alice" not in json.dumps(counters)


# --- signing keys: our own tokens in production (KMS, moto), rotation by kid, the IdP beside them ----

@pytest.fixture
def kms_only():
    """moto's KMS alone (no tables): enough for the signing tests that need no API."""
    from moto import mock_aws

    from chalicelib.platform import aws

    with mock_aws():
        aws.reset()
        yield aws
    aws.reset()


def _kms_keys(aws_module, names: str = "a") -> list[str]:
    """Asymmetric KMS keys behind the production alias names; cached public keys forgotten."""
    kms = aws_module.client("kms")
    tokens.forget_kms_keys()
    aliases = []
    for name in names:
        key = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=f"alias/fawangge-prod-token-signing-{name}", TargetKeyId=key)
        aliases.append(f"alias/fawangge-prod-token-signing-{name}")
    return aliases


@pytest.fixture(autouse=True)
def _forget_kms_keys():
    yield
    tokens.forget_kms_keys()


def _production(monkeypatch, signing_keys: list[str]) -> None:
    monkeypatch.setenv("AUTH_MODE", "jwks")
    monkeypatch.setenv("STAGE", "prod")
    monkeypatch.setenv("TOKEN_SIGNING_KEYS", ",".join(signing_keys))
    monkeypatch.delenv("JWKS_URL", raising=False)


def test_production_signs_with_kms_and_the_authorizer_verifies_with_the_public_key(kms_only, monkeypatch):
    _production(monkeypatch, _kms_keys(kms_only))
    token, exp = tokens.issue_access_token("r-1", ["resident"], None, session_id="s1")
    header_ = jwt.get_unverified_header(token)
    assert header_["alg"] == "RS256" and header_["kid"].startswith("kms-")
    claims = tokens.verify(token)
    assert claims.sub == "r-1" and claims.roles == {"resident"} and claims.exp == exp
    assert jwt.decode(token, options={"verify_signature": False})["iss"] == "fawangge-prod"


def test_two_kms_keys_are_valid_at_once_during_rotation_and_a_dropped_key_is_refused(kms_only, monkeypatch):
    old_key, new_key = _kms_keys(kms_only, "ab")
    _production(monkeypatch, [old_key])
    by_old, _ = tokens.issue_access_token("r-1", ["resident"], None)
    _production(monkeypatch, [new_key, old_key])          # step 1: the new key signs, the old one still verifies
    by_new, _ = tokens.issue_access_token("r-2", ["resident"], None)
    assert jwt.get_unverified_header(by_new)["kid"] != jwt.get_unverified_header(by_old)["kid"]
    assert tokens.verify(by_old).sub == "r-1" and tokens.verify(by_new).sub == "r-2"
    _production(monkeypatch, [new_key])                   # step 2: the old key is gone
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(by_old)
    assert tokens.verify(by_new).sub == "r-2"


def test_production_refuses_dev_tokens_and_tokens_of_another_issuer(kms_only, monkeypatch):
    dev_token = tokens.issue_dev_token("r-1", ["admin"], "32")  # minted where AUTH_MODE=local
    _production(monkeypatch, _kms_keys(kms_only))
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(dev_token)
    monkeypatch.setenv("TOKEN_ISSUER", "someone-else")
    foreign, _ = tokens.issue_access_token("r-1", ["resident"], None)
    monkeypatch.delenv("TOKEN_ISSUER")
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(foreign)


def test_production_without_a_signing_key_cannot_issue_tokens(monkeypatch):
    _production(monkeypatch, [])
    with pytest.raises(tokens.SigningUnavailable):
        tokens.issue_access_token("r-1", ["resident"], None)


def test_the_identity_providers_staff_tokens_are_accepted_beside_our_own(kms_only, monkeypatch):
    idp_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks = {"keys": [{**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(idp_key.public_key())), "kid": "idp-1",
                      "use": "sig", "alg": "RS256"}]}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            payload = json.dumps(jwks).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _production(monkeypatch, _kms_keys(kms_only))
        monkeypatch.setenv("JWKS_URL", f"http://127.0.0.1:{server.server_port}/jwks.json")
        staff = jwt.encode({"sub": "idp-staff-1", "roles": ["notary"], "area": "3204", "exp": int(time.time()) + 60},
                           idp_key, algorithm="RS256", headers={"kid": "idp-1"})
        ours, _ = tokens.issue_access_token("r-1", ["resident"], None)
        assert tokens.verify(staff).area == "3204" and tokens.verify(ours).sub == "r-1"
    finally:
        server.shutdown()


def test_sign_in_end_to_end_with_a_kms_key_passes_the_authorizer(client, wechat, aws_backend, monkeypatch):
    monkeypatch.setenv("TOKEN_SIGNING_KEYS", _kms_keys(aws_backend)[0])  # the local stage, but signing as production does
    session = signed_in(client, "ok:alice:1")
    assert jwt.get_unverified_header(session["access_token"])["kid"].startswith("kms-")
    assert body(client.get("/v1/whoami", headers=session["headers"]))["sub"] == session["account"]["sub"]
    assert refresh(client, session["refresh_token"]).status_code == 200
