"""PUJA INDAH — Pusat Jejaring Inovasi Daerah.

`create_app()` only assembles: config → extensions → tenancy → blueprints → errors → CLI.
"""

from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(config: Any = None) -> Flask:
    from config import get_config

    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(config if config is not None else get_config())
    if isinstance(config, dict):  # pragma: no cover - convenience for ad-hoc overrides
        app.config.update(config)

    from puja_indah import web

    web.trust_proxies(app)
    web.init_extensions(app)
    web.init_tenancy(app)
    web.init_jobs(app)
    web.register_blueprints(app)
    web.register_error_handlers(app)
    web.register_template_helpers(app)
    web.init_security_headers(app)

    from puja_indah.cli import register_cli

    register_cli(app)
    return app
