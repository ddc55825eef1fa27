"""Notices that reach people off the page (issue 17).

`outbox.record` is how a service says "this is worth telling": one `notice_event` row in the
service's own transaction. The worker (`worker.py`: `flask notices worker`, or a background task
of `python app.py`) fans each event out to the asker and the followers who opted in
(board/services/notice_delivery.py) and delivers each notice through its channel
(`channels.py`: the bell, SMS, e-mail) with retries, quiet hours and the hourly limit
(`policy.py`).
"""
from __future__ import annotations

from flask import Flask

from board.extensions import socketio
from board.notices import worker


def start_worker(app: Flask) -> None:
    """The embedded server runs the notice worker as a background task (a greenlet)."""
    socketio.start_background_task(worker.run_forever, app)
