"""HTML blueprints: thin handlers that load, check the form, call one service, render.

Each module owns its blueprint; their shared helpers are in views/helpers.py, the Jinja
vocabulary in views/jinja.py. This package only registers them (no module imports it back).
"""
from __future__ import annotations

from flask import Flask

from board.views import (
    account,
    admin,
    admin_import,
    admin_search,
    agency,
    alerts,
    auth,
    bulletins,
    callback,
    command,
    editing,
    following,
    health,
    jinja,
    language,
    leader,
    main,
    metrics,
    notifications,
    officer,
    open311,
    open_data,
    photos,
    review,
    search,
    share,
    thread_actions,
    threads,
)
from board.web import guard

BLUEPRINTS = (
    main, auth, threads, officer, admin, notifications, review,
    thread_actions, command, leader,  # issue 5: escalation and supervision
    search, admin_search,  # issue 4: the search page; 16: misses and synonyms
    photos,  # issue 6: evidence photos, only for readers of the thread
    account, callback,  # issue 17: passwords, phone, privacy, 注销; 联系发帖人
    editing,  # issue 18: residents edit and withdraw their own posts
    health, metrics,  # issue 22: /healthz, /readyz, and /metrics for the operator's network
    following,  # issue 17: 关注/同问, notice settings, officers' cards, the notice outbox
    open_data, admin_import, open311,  # issue 20: 公开数据, account import, Open311
    alerts,  # issue 21: 预警
    agency,  # issue 21: 协作单位 (partner agencies)
    share,  # issue 21: link cards, QR codes, station pages and posters
    bulletins,  # issue 21: 失物招领 and 寻人
    language,  # issue 21: the 中文 / English switch
)


def init_app(app: Flask) -> None:
    """Every page blueprint. First of all, before any route is added here or by the API after
    this: `<int:...>` takes ASCII digits of a 32-bit id only."""
    guard.strict_ids(app)
    for module in BLUEPRINTS:
        app.register_blueprint(module.bp)
    jinja.init_app(app)
