"""Progress pushed to residents: the mini-program's subscribe messages (订阅消息), through an outbox.

Any domain or plugin adds a message for a resident account with `service.message_op(...)`: a Put written
in the SAME transaction as the change it reports, so a message exists exactly when the change does, and
sending can never block or fail the request. The relay (`relay`, scheduled every minute; in-process in
`make dev` and the tests) reads the due messages — one Query of the `notify-pending` list — and hands
them to the queue function (`handle_queue_event`, SQS `NotifyQueue`), which sends each through the
platform's subscribe-message API with retries and backoff. A message may be due later (`due=`: a
reminder) and taken back while it waits (`service.withdraw_op`, in the transaction of the change that undoes
what it announced). Stages are named by the domain or plugin that writes them (`<feature>.<event>`); each
gets its template id from configuration.

- `models`   the outbox message, the resident's grants (one accepted template = one message), the routes' models
- `service`  message_op, withdraw_op, the field rules, subscribing, the relay and the queue handler
- `routes`   `/v1/notify/subscriptions`: the mini-program reports the templates the resident accepted
"""
