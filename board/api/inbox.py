"""API: the unit's work list, GET /api/v1/inbox?tab=awaiting|handling|supervised|overdue.

Without `tab` it answers the 待回复 list, as the inbox page always showed it."""
from __future__ import annotations

from flask import request

from board import permissions, sla
from board.api.base import bp, require_user
from board.errors import ValidationFailed
from board.queries import inbox as worklist
from board.serializers import deadline_to_dict, dispatch_to_dict, thread_to_dict


@bp.get("/inbox")
def work_list():
    user = require_user()
    permissions.require(user, "inbox.view")
    tab = worklist.parse_tab(request.args.get("tab"))
    if tab is None:
        raise ValidationFailed(fields={"tab": "可选: " + ", ".join(worklist.TABS)})
    rows = worklist.threads_for(user, tab=tab)
    dispatches = worklist.dispatches_of(rows)
    counts = worklist.counts_for(user)

    def row(thread):
        return thread_to_dict(thread, user) | {
            "deadline": deadline_to_dict(sla.deadline(thread)),
            "dispatch": dispatch_to_dict(dispatches.get(thread.id))}

    return {"tab": tab, "tab_label": worklist.TABS[tab], "threads": [row(t) for t in rows],
            "counts": counts,
            "tabs": [{"key": k, "label": label, "count": counts[k]}
                     for k, label in worklist.TABS.items()]}
