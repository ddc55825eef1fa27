"""API of the 110 command centre: its command queue (waiting, in progress, suspected emergencies)
and the units it may dispatch to. Dispatching itself is a thread action (api/thread_actions.py).
"""
from __future__ import annotations

from board.api.base import bp, require_user
from board.queries import command_queue, places
from board.serializers import iso, suggestion_to_dict, thread_to_dict, user_to_dict


@bp.get("/command-centre/queue", endpoint="command_queue")  # endpoint name kept from before
def queue_lists():
    user = require_user()
    q = command_queue.load(user)

    def row(thread):
        esc = q.reasons.get(thread.id)
        return thread_to_dict(thread, user) | {
            "escalated_at": iso(thread.escalated_at),
            "reason": esc.reason if esc else None,
            "escalated_by": user_to_dict(esc.escalated_by) if esc else None,
            # the station whose 辖区 holds the thread's place (board/jurisdictions.py), or None
            "suggested_unit": suggestion_to_dict(places.suggestion_for(thread))}

    return {"waiting": [row(t) for t in q.waiting],
            "in_progress": [row(t) for t in q.in_progress],
            "urgent_posts": [thread_to_dict(t, user) for t in q.urgent_posts],
            "units": [{"code": u.code, "name": u.name, "kind": u.kind}
                      for u in command_queue.dispatch_units()]}
