"""Rota and notices 告知机制 (SPEC C8): the weekly duty rota 轮值表 and the monthly themed activity of each
service point, at a fixed day and time ("双固定"), published in advance and readable by anyone; nobody is
booked in two places at once.

models: the `DutySlot` and `Activity` records, a person's `Commitment`, inputs and outputs; service:
booking, withdrawing, the clash rule and the public reads; routes: `/v1/institutions/{id}/duty-slots`,
`/v1/institutions/{id}/rota`, `/v1/institutions/{id}/activities`, `/v1/duty-slots/…`, `/v1/activities/…`.
"""
