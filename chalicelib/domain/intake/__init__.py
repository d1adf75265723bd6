"""Intake 受理 (SPEC C5): one ticket per request, owned by its first receiver (首问负责制) until the resident has
the result, routed to the services the enabled plugins declare (`Plugin.intake_targets`), with a time limit
(限时办结) in working days and a full history.

- `models`   the ticket record, the lists it appears in, request and response models
- `access`   who may read a ticket (also the files' link rule for attachments: `chalicelib.domain.files`)
- `service`  the rules: create, accept, answer on the spot, route, transfer, close, lists, the daily sweep
- `routes`   the HTTP surface at `/v1/tickets`

This file imports nothing, so that `chalicelib.domain.files` can import `access` without pulling in the rest.
"""
