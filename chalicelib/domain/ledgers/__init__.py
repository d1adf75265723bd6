"""Ledgers 台账 (SPEC C9 "一村一卷"): a village's yearly ledger as an XLSX a clerk prints as it is — a cover
sheet, then one sheet per enabled service with the columns it declares (`Plugin.ledger_columns`), each
column's monthly figures read from the counts the service keeps (`LedgerColumn.values`), never typed twice.

- `models`    the request and response models
- `service`   the rules: who may ask, the figures, the workbook, its file and audit entry — no HTTP
- `counters`  the counts services keep for the statistics (`Plugin.stat_counters`): `count_op` and `once`
              (count once) in their transactions (written by `chalicelib.domain.counting`), `rollup` child →
              parent in one Query, the data version
- `stats`     `GET /v1/stats`: seed 004's counts and each service's volumes for any area, month or year,
              time-limit and grass-roots shares, 好差评 with the sub-areas ranked, count once
- `exports`   an area's ledger of one service (counters per sub-area, or a service's `LedgerRows`), XLSX or
              CSV, rebuilt only when its data version changed, large ones in the background
- `queue`     the ledger queue: sending exports and the handler running them
- `routes`    the HTTP surface: `POST /v1/ledgers`, `GET /v1/stats`, `POST /v1/ledgers/exports`,
              `GET /v1/ledgers/exports/{export_id}`
"""
