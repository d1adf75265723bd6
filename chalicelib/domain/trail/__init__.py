"""A record's audit trail, read by route (issue 24 §3): `GET /v1/audit/{entity}/{record_id}`, for the
administrators of the record's area.

The trail is the platform's (`chalicelib.platform.audit`: entries written in the transaction of each change
and each sensitive read); this feature only reads it. The record is named by its `entity` (the name its
trail is kept under, as the DynamoDB console shows it) and its id. Its type is found among the record types
of the core and the enabled services (`storage.record_types`), its area by one read of the record
(`Record.jurisdiction`): no service is named and none declares anything.

- `models`   the entry as an administrator reads it (no IP address, nothing the stored item holds besides)
- `service`  who may read which trail, the read itself recorded in that trail
- `routes`   `/v1/audit/{entity}/{record_id}`
"""
