"""法网格 API: builds the Chalice app, registers the core routes and the enabled plugins. Nothing else."""
from chalice import Chalice, Cron, Rate

from chalicelib import enabled
from chalicelib.platform import config, timeutil, web
from chalicelib.platform.schedule import by_hand
from chalicelib.platform.auth import authorizer as gateway
from chalicelib.platform.web import lazy

# The core's route modules (each with its blueprint `bp`), mounted at /v1 in this order.
CORE_ROUTES = tuple(f"chalicelib.domain.{name}.routes" for name in (
    "meta", "areas", "directory", "coverage", "board", "rota", "policy", "files", "screening", "accounts",
    "intake", "feedback", "notify", "selfcheck", "ledgers", "trail"))


def route_modules(plugins: list[str]) -> dict[str, str]:
    """Route module → its URL prefix: the core's, then each of `plugins` at /v1/<its name>."""
    return {**{module: "/v1" for module in CORE_ROUTES},
            **{f"plugins.{name}.routes": f"/v1/{enabled.name_of(name)}" for name in plugins}}


timeutil.apply_fixed_now(config.stage(), config.fixed_now())  # local stage only; a deployed stage refuses it
app = Chalice(app_name=config.APP_NAME, configure_logs=False)  # chalicelib.platform.logs owns the logs
web.bind(app)
app.register_middleware(web.middleware, "http")
app.register_blueprint(gateway.bp)
# Each route module imported by the first call to one of its routes, the plugins by the first question the
# core asks about them (chalicelib.plugin, not imported here): a cold start pays for what its request needs.
lazy.mount(app, lazy.manifest(route_modules(config.enabled_plugins())), {"jwt_auth": gateway.jwt_auth})
enabled.defer(config.enabled_plugins())


# Scheduled and queue functions live here, not in blueprints: a blueprint's handler runs with its own module
# as the Lambda entry point, without this file's setup (plugins, middleware). Each scheduled one also runs from
# the Lambda console with a test event (`by_hand`; the screenings take {"month": "2026-12", "area": "320402"}).
@by_hand
@app.schedule(Cron(0, 1, 18, "*", "?", "*"), name="monthly_screening")
def monthly_screening(event):
    """主动排摸 on the 18th at 09:00 Asia/Shanghai (01:00 UTC): records the month's run and enqueues its shards."""
    from chalicelib.domain.screening import service as screening

    run = screening.rerun("month", event.detail) if event.detail else screening.run_month()
    return {"month": run.month, "generation": run.generation, "shards": len(run.shards), "status": run.status}


# M5 (seeds/001 item 12: 乡镇(街道)一周一排查，辖市、区半月一排查) and the daily deadline sweep: the same shard
# messages, carrying their cadence, so only the checks declaring it run.
@by_hand
@app.schedule(Cron(0, 1, "?", "*", "MON", "*"), name="weekly_screening")
def weekly_screening(event):
    """Towns' weekly screening, Mondays 09:00 Asia/Shanghai: one shard per town."""
    return _cadence_result("weekly", event)


@by_hand
@app.schedule(Cron(0, 1, "1,16", "*", "?", "*"), name="half_monthly_screening")
def half_monthly_screening(event):
    """Districts' half-monthly screening, the 1st and 16th at 09:00 Asia/Shanghai: one shard per district."""
    return _cadence_result("half_monthly", event)


@by_hand
@app.schedule(Cron(0, 17, "*", "*", "?", "*"), name="daily_sweep")
def daily_sweep(event):
    """01:00 Asia/Shanghai: tickets past their limit are marked overdue, then the services' due-date checks
    (cadence "daily") are fanned out like the month's; from the 19th, a month's run not finished is counted."""
    from chalicelib.domain.intake import service as intake
    from chalicelib.domain.screening import service as screening

    overdue = intake.sweep_overdue()
    return {**_cadence_result("daily", event), "tickets_overdue": overdue,
            "month_run_missing": screening.month_run_missing()}


def _cadence_result(cadence, event):
    from chalicelib.domain.screening import service as screening

    run = screening.rerun(cadence, event.detail) if event.detail else screening.run_cadence(cadence)
    return {"period": run.period, "generation": run.generation, "shards": len(run.shards), "status": run.status}


@app.on_sqs_message(queue=config.ledger_queue_name(), batch_size=1, name="export_ledgers")
def export_ledgers(event):
    """One large ledger export (a district's year), written in the background; a failed one goes back to the queue."""
    from chalicelib.domain.ledgers import queue

    return queue.handle_queue_event(event.to_dict(), event.context)


@app.on_sqs_message(queue=config.screening_queue_name(), batch_size=5, name="screen_shard")
def screen_shard(event):
    """One batch of screening shards; only the failed ones go back to the queue (ReportBatchItemFailures)."""
    from chalicelib.domain.screening import service as screening

    return screening.handle_queue_event(event.to_dict(), event.context)


@by_hand
@app.schedule(Rate(1, unit=Rate.MINUTES), name="relay_notifications")
def relay_notifications(event):
    """The outbox relay: hands the subscribe messages now due to the notify queue."""
    from chalicelib.domain.notify import service as notify

    return {"relayed": notify.relay()}


@app.on_sqs_message(queue=config.notify_queue_name(), batch_size=10, name="send_notifications")
def send_notifications(event):
    """Subscribe messages to residents; a message's own backoff handles sending troubles."""
    from chalicelib.domain.notify import service as notify

    return notify.handle_queue_event(event.to_dict(), event.context)


@by_hand
@app.schedule(Rate(1, unit=Rate.MINUTES), name="drain_board_changes")
def drain_board_changes(event):
    """The grid boards' outbox: the grids under the areas changed since the last run, to the board queue."""
    from chalicelib.domain.board import upkeep

    return upkeep.drain()


@by_hand
@app.schedule(Cron(30, 16, "*", "*", "?", "*"), name="refresh_boards")
def refresh_boards(event):
    """00:30 Asia/Shanghai: a seventh of the grid boards rebuilt, so each is rebuilt weekly (their dated content)."""
    from chalicelib.domain.board import upkeep

    return upkeep.rotate()


@app.on_sqs_message(queue=config.board_queue_name(), batch_size=5, name="rebuild_boards")
def rebuild_boards(event):
    """Grid boards built and stored, never over a board built against a newer change."""
    from chalicelib.domain.board import upkeep

    return upkeep.handle_queue_event(event.to_dict(), event.context)
