"""Ledgers 台账 (SPEC C9 "一村一卷"): a village's yearly ledger as an XLSX a clerk prints as it is — a cover
sheet, then one sheet per enabled service with the columns it declares (`Plugin.ledger_columns`), each
column's monthly figures read from the counts the service keeps (`LedgerColumn.values`), never typed twice.

- `models`    the request and response models
- `service`   the rules: who may ask, the figures, the workbook, its file and audit entry — no HTTP
- `routes`    the HTTP surface: `POST /v1/ledgers`
"""
