"""HTML blueprints: thin handlers that load, check the form, call one service, render.

Each module owns its blueprint; their shared helpers are in views/helpers.py, the Jinja
vocabulary in views/jinja.py. This package only registers them (no module imports it back).
"""
from __future__ import annotations

from flask import Flask

from board.views import (
    admin,
    admin_import,
    admin_search,
    auth,
    command,
    jinja,
    leader,
    main,
    notifications,
    officer,
    open311,
    open_data,
    photos,
    review,
    search,
    thread_actions,
    threads,
)
from board.web import guard

BLUEPRINTS = (
    main, auth, threads, officer, admin, notifications, review,
    thread_actions, command, leader,  # issue 5: escalation and supervision
    search, admin_search,  # issue 4: the search page; 16: misses and synonyms
    photos,  # issue 6: evidence photos, only for readers of the thread
    open_data, admin_import, open311,  # issue 20: 公开数据, account import, Open311
)


def init_app(app: Flask) -> None:
    """Every page blueprint. First of all, before any route is added here or by the API after
    this: `<int:...>` takes ASCII digits of a 32-bit id only."""
    guard.strict_ids(app)
    for module in BLUEPRINTS:
        app.register_blueprint(module.bp)
    jinja.init_app(app)
