"""Accounts: residents and staff, how they sign in from the mini-program, their sessions, their profile.

Identity. A resident's `sub` is our own opaque id (`r-<uuid>`), a staff member's `s-<uuid>`; never the
openid. The openid → account link is an item keyed by an HMAC of `<app id>:<openid>`
(`pii.lookup_hash`), not by the openid: an openid is a persistent per-app identifier of a person (personal
information under PIPL), the table's keys show up in consoles, exports, backups and CloudWatch
contributor insights, and nothing ever needs to go from a key back to the openid. The account keeps the
openid encrypted (AES-GCM, like ID numbers) for the one future use that needs it in the clear (sending
subscription messages), and erases it on withdrawal.

A WeChat user may be both a resident and a staff member (a grid worker lives somewhere too): there are
two links, `openid-resident#…` and `openid-staff#…`, and the mini-program says which one it signs in as
(`mode`). Staff accounts are created by an admin; the person binds their WeChat once with a one-time
invitation code the admin hands them (72 h, keyed by HMAC, a new one voids the old).

Sessions. Sign-in returns our own access token (RS256 JWT, 15 minutes, `tokens.issue_access_token`) and
a refresh token: 256 random bits, stored only as its SHA-256. Each sign-in is a *family* (`session#<id>`)
with a generation counter; every refresh rotates the token (generation + 1, one conditional
transaction). Presenting a token of an older generation — a rotated token used again — is the signature
of a stolen token: the whole family is revoked (RFC 9700 §4.14.2, OAuth 2.0 Security BCP "refresh token
rotation"), so neither the thief nor the victim can go on, and the victim signs in again. Refresh
re-reads the account: a staff member's roles and area come from their record at every refresh, and a
disabled or withdrawn account, or a session older than the account's `sessions_valid_after`, gets no new
tokens — that check is what makes "disable revokes at once" atomic; the families are also marked revoked
for the console. Access tokens are not checked against the store (the authorizer stays stateless), so
they live out their 15 minutes.

Lifetimes: residents 30 days since the last refresh, at most 90 days per sign-in (the mini-program signs in
silently again with wx.login()); staff 7 and 30 days.

Abuse limits. Sign-in attempts are counted per source IP (before the exchange, to protect our
code-to-session quota) and per openid (after it) in fixed windows, DynamoDB counters that expire through
the table's TTL; over the limit is 429 with Retry-After. The limits are generous per IP because mobile
carriers put many users behind one address (CGNAT); volumetric attacks belong to WAF rate rules.

Audit. Account creation, sign-in, sign-out, revocation, reuse detection, profile changes, real-name
declaration, phone binding, withdrawal and every staff-account change are audited in the transaction
that makes them. Routine rotations are not (one every 15 minutes per active user): the session record
shows its generation and last refresh.
"""
from __future__ import annotations

from chalicelib.domain.accounts.limits import limit_attempts
from chalicelib.domain.accounts.models import (
    PERSONAL_FIELDS, AccountBrief, HomeGridOut, IdNumberClaim, InvitationOut, KeptRecord, Kind, MeOut, MePatch,
    Origin, PhoneIn, RealNameOut, RefreshIn, RefreshToken, Resident, ResidentLink, Session, SessionOut,
    SignedOut, SignInIn, StaffAccount, StaffIn, StaffInvite, StaffLink, StaffOut, StaffPatch,
    StaffQuery, StaffRole, WithdrawalOut,
)
from chalicelib.domain.accounts.profile import (
    bind_phone, change_profile, grid_links, me, require_real_name, seed_resident, withdraw,
)
from chalicelib.domain.accounts.sessions import Issued, refresh, revoke, sign_out_everywhere
from chalicelib.domain.accounts.signin import sign_in
from chalicelib.domain.accounts.staff import (
    active_staff_with_role, change_staff, staff_account, create_staff, get_staff, invite_staff, list_staff,
)
from chalicelib.domain.accounts.store import resident_check

__all__ = [
    "active_staff_with_role", "staff_account",
    # models
    "PERSONAL_FIELDS", "AccountBrief", "HomeGridOut", "IdNumberClaim", "InvitationOut", "KeptRecord", "Kind",
    "MeOut", "MePatch", "Origin", "PhoneIn", "RealNameOut", "RefreshIn", "RefreshToken", "Resident",
    "ResidentLink", "Session", "SessionOut", "SignedOut", "SignInIn", "StaffAccount", "StaffIn", "StaffInvite",
    "StaffLink", "StaffOut", "StaffPatch", "StaffQuery", "StaffRole", "WithdrawalOut",
    # sign-in and sessions
    "Issued", "sign_in", "refresh", "revoke", "sign_out_everywhere", "limit_attempts",
    # the caller's own account
    "me", "grid_links", "change_profile", "bind_phone", "withdraw", "require_real_name", "seed_resident",
    # what other services check of a resident account inside their own transactions
    "resident_check",
    # staff accounts
    "create_staff", "get_staff", "list_staff", "change_staff", "invite_staff",
]
