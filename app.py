"""法网格 API: builds the Chalice app, registers the core routes and the enabled plugins. Nothing else."""
from chalice import Chalice, Cron, Rate

from chalicelib.domain.accounts import routes as api_accounts
from chalicelib.domain.areas import routes as api_areas
from chalicelib.domain.board import routes as api_board
from chalicelib.domain.coverage import routes as api_coverage
from chalicelib.domain.directory import routes as api_directory
from chalicelib.domain.meta import routes as api_meta
from chalicelib.domain.rota import routes as api_rota
from chalicelib.platform import config, web
from chalicelib.platform.auth import authorizer as gateway
from chalicelib import plugin
from chalicelib.domain.files import routes as api_files
from chalicelib.domain.intake import routes as api_intake, service as intake
from chalicelib.domain.feedback import routes as api_feedback
from chalicelib.domain.notify import routes as api_notify, service as notify
from chalicelib.domain.policy import routes as api_policy
from chalicelib.domain.screening import routes as api_screenings, service as screening
from chalicelib.platform import timeutil

timeutil.apply_fixed_now(config.stage(), config.fixed_now())  # local stage only; a deployed stage refuses it
app = Chalice(app_name=config.APP_NAME, configure_logs=False)  # Powertools Logger owns the logs
web.bind(app)
app.register_middleware(web.middleware, "http")
app.register_blueprint(gateway.bp)
app.register_blueprint(api_meta.bp, url_prefix="/v1")
app.register_blueprint(api_areas.bp, url_prefix="/v1")
app.register_blueprint(api_directory.bp, url_prefix="/v1")
app.register_blueprint(api_coverage.bp, url_prefix="/v1")
app.register_blueprint(api_board.bp, url_prefix="/v1")
app.register_blueprint(api_rota.bp, url_prefix="/v1")
app.register_blueprint(api_policy.bp, url_prefix="/v1")
app.register_blueprint(api_files.bp, url_prefix="/v1")
app.register_blueprint(api_screenings.bp, url_prefix="/v1")
app.register_blueprint(api_accounts.bp, url_prefix="/v1")
app.register_blueprint(api_intake.bp, url_prefix="/v1")
app.register_blueprint(api_feedback.bp, url_prefix="/v1")
app.register_blueprint(api_notify.bp, url_prefix="/v1")
plugin.mount(app, plugin.load(config.enabled_plugins()))


# Scheduled and queue functions live here, not in blueprints: a blueprint's handler runs with its own module
# as the Lambda entry point, without this file's setup (plugins, middleware).
@app.schedule(Cron(0, 1, 18, "*", "?", "*"), name="monthly_screening")
def monthly_screening(event):
    """主动排摸 on the 18th at 09:00 Asia/Shanghai (01:00 UTC): records the month's run and enqueues its shards."""
    run = screening.run_month()
    return {"month": run.month, "generation": run.generation, "shards": len(run.shards), "status": run.status}


# M5 (seeds/001 item 12: 乡镇(街道)一周一排查，辖市、区半月一排查) and the daily deadline sweep: the same shard
# messages, carrying their cadence, so only the checks declaring it run.
@app.schedule(Cron(0, 1, "?", "*", "MON", "*"), name="weekly_screening")
def weekly_screening(event):
    """Towns' weekly screening, Mondays 09:00 Asia/Shanghai: one shard per town."""
    return _cadence_result(screening.run_cadence("weekly"))


@app.schedule(Cron(0, 1, "1,16", "*", "?", "*"), name="half_monthly_screening")
def half_monthly_screening(event):
    """Districts' half-monthly screening, the 1st and 16th at 09:00 Asia/Shanghai: one shard per district."""
    return _cadence_result(screening.run_cadence("half_monthly"))


@app.schedule(Cron(0, 17, "*", "*", "?", "*"), name="daily_sweep")
def daily_sweep(event):
    """01:00 Asia/Shanghai: tickets past their limit are marked overdue, then the services' due-date checks
    (cadence "daily") are fanned out like the month's."""
    overdue = intake.sweep_overdue()
    return {**_cadence_result(screening.run_cadence("daily")), "tickets_overdue": overdue}


def _cadence_result(run):
    return {"period": run.period, "generation": run.generation, "shards": len(run.shards), "status": run.status}


@app.on_sqs_message(queue=config.screening_queue_name(), batch_size=5, name="screen_shard")
def screen_shard(event):
    """One batch of screening shards; only the failed ones go back to the queue (ReportBatchItemFailures)."""
    return screening.handle_queue_event(event.to_dict(), event.context)


@app.schedule(Rate(1, unit=Rate.MINUTES), name="relay_notifications")
def relay_notifications(event):
    """The outbox relay: hands the subscribe messages now due to the notify queue."""
    return {"relayed": notify.relay()}


@app.on_sqs_message(queue=config.notify_queue_name(), batch_size=10, name="send_notifications")
def send_notifications(event):
    """Subscribe messages to residents; a message's own backoff handles sending troubles."""
    return notify.handle_queue_event(event.to_dict(), event.context)
