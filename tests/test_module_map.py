"""The module map keeps its promises: reads live under board/queries/ and never write, and the
thread actions, the command queue and the leaders' pages answer at the URLs and endpoint names
they always had (templates and clients name them), whichever module now holds them."""
from __future__ import annotations

import ast
from pathlib import Path

QUERIES = Path(__file__).resolve().parent.parent / "board" / "queries"

# Session calls and statement builders that change the database.
WRITES = {"add", "add_all", "commit", "flush", "merge", "delete", "rollback", "bulk_save_objects",
          "update", "insert"}

# (endpoint, rule, methods): what templates' url_for and API clients rely on.
CONTRACT = {
    ("moderation.moderate", "/t/<int:thread_id>/<any(pin, unpin, lock, unlock):action>", "POST"),
    ("moderation.escalate", "/t/<int:thread_id>/escalate", "POST"),
    ("moderation.dispatch", "/t/<int:thread_id>/dispatch", "POST"),
    ("moderation.set_status", "/t/<int:thread_id>/status", "POST"),
    ("moderation.supervise", "/t/<int:thread_id>/supervise", "POST"),
    ("moderation.rate", "/t/<int:thread_id>/rate", "POST"),
    ("moderation.timeline_fragment", "/t/<int:thread_id>/timeline", "GET"),
    ("moderation.reply_templates", "/me/reply-templates", "GET,POST"),
    ("api.pin", "/api/v1/threads/<int:thread_id>/pin", "POST"),
    ("api.unpin", "/api/v1/threads/<int:thread_id>/unpin", "POST"),
    ("api.lock", "/api/v1/threads/<int:thread_id>/lock", "POST"),
    ("api.unlock", "/api/v1/threads/<int:thread_id>/unlock", "POST"),
    ("api.escalate", "/api/v1/threads/<int:thread_id>/escalate", "POST"),
    ("api.dispatch", "/api/v1/threads/<int:thread_id>/dispatch", "POST"),
    ("api.set_status", "/api/v1/threads/<int:thread_id>/status", "POST"),
    ("api.supervise", "/api/v1/threads/<int:thread_id>/supervise", "POST"),
    ("api.rate", "/api/v1/threads/<int:thread_id>/rate", "POST"),
    ("api.thread_timeline", "/api/v1/threads/<int:thread_id>/timeline", "GET"),
    ("api.reply_templates", "/api/v1/threads/<int:thread_id>/reply-templates", "GET"),
    ("api.command_queue", "/api/v1/command-centre/queue", "GET"),
    ("api.review_queue", "/api/v1/review", "GET"),
    ("api.dashboard_figures", "/api/v1/dashboard", "GET"),
    ("api.audit_log", "/api/v1/audit", "GET"),
    ("api.my_notifications", "/api/v1/me/notifications", "GET"),
    ("command.queue_page", "/command/", "GET"),
    ("officer.inbox", "/inbox", "GET"),
    ("review.queue", "/review", "GET"),
    ("review.keep", "/review/<int:report_id>/keep", "POST"),
    ("leader.dashboard_page", "/leader/", "GET"),
    ("leader.dashboard_csv", "/leader/dashboard.csv", "GET"),
    ("leader.threads_behind", "/leader/threads", "GET"),
    ("leader.audit_page", "/leader/audit", "GET"),
    ("notifications.index", "/notifications", "GET"),
}


def _writes(path: Path) -> list[str]:
    """`name(...)` or `x.name(...)` calls to a writing method, with their line numbers."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in WRITES:
                found.append(f"{path.name}:{node.lineno} {name}()")
    return found


def test_the_read_side_never_writes():
    """Services are the only writers: a query that adds, updates or commits belongs there."""
    modules = sorted(QUERIES.glob("*.py"))
    assert {"threads.py", "inbox.py", "command_queue.py", "review_queue.py", "timeline.py",
            "notifications.py", "leader.py", "drilldown.py", "audit_log.py"} <= {
                p.name for p in modules}
    assert [w for path in modules for w in _writes(path)] == []


def test_the_write_check_sees_a_write(tmp_path):
    """Guards the test above against passing vacuously."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f(db, row):\n    db.session.add(row)\n    db.session.commit()\n")
    assert _writes(sample) == ["sample.py:2 add()", "sample.py:3 commit()"]


def test_thread_actions_queues_and_leader_pages_keep_their_urls_and_endpoint_names(app):
    routes = {(rule.endpoint, rule.rule, ",".join(sorted(rule.methods - {"HEAD", "OPTIONS"})))
              for rule in app.url_map.iter_rules()}
    assert CONTRACT - routes == set()
