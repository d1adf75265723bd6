"""法网格 API: builds the Chalice app, registers the core routes and the enabled plugins. Nothing else."""
from chalice import Chalice

from chalicelib import api, config, gateway, plugin, web

app = Chalice(app_name=config.APP_NAME, configure_logs=False)  # Powertools Logger owns the logs
web.bind(app)
app.register_middleware(web.middleware, "http")
app.register_blueprint(gateway.bp)
app.register_blueprint(api.bp, url_prefix="/v1")
plugin.mount(app, plugin.load(config.enabled_plugins()))
