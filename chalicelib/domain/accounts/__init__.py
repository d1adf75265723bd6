"""Accounts (docs/data-model.md "Accounts, sign-in and sessions"; REFERENCE "Mini-program sign-in"):
residents and staff, how they sign in from the mini-program, their sessions, their own profile, and the
staff accounts admins manage.

    models    records, vocabularies, inputs and outputs
    service   the public surface other packages and the routes use (re-exports the modules below)
    signin    sign in with the mini-program login code; staff binding with an invitation code
    sessions  refresh-token families: start, rotate, detect reuse, revoke
    profile   `/v1/me`: profile, verified phone, real-name declaration, withdrawal
    staff     staff accounts and their invitation codes (admins)
    limits    abuse limits on sign-in (fixed-window counters)
    store     loading accounts by sub; the write helpers the modules share
    wechat    the mini-program platform's server API (code-to-session, phone number)
    routes    `/v1/auth/session…`, `/v1/me…`, `/v1/staff-accounts…`
"""
