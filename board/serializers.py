"""One JSON shape per object, shared by the API, Socket.IO payloads and the page scripts.

The server-rendered HTML that rides along in live pushes lives in board/fragments.py, the bell
entries (ready Chinese sentences) in board/bell_entries.py."""
from __future__ import annotations

from datetime import datetime

from flask import has_request_context, url_for

from board.jurisdictions import PlaceInfo, Suggestion
from board.models import Board, PlaceLevel, Post, Thread, User
from board.privacy import mask, visible_text
from board.queries.places import place_of


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def user_to_dict(user: User, private: bool = False) -> dict:
    data = {
        "id": user.id,
        "display_name": (user.display_name if private or user.is_official
                         else mask(user.display_name)),
        "role": user.role,
        "role_label": user.role_label,
        "real_name": user.real_name if user.is_official else None,
        "badge_no": user.badge_no if user.is_official else None,
        "unit": user.unit.name if user.is_official and user.unit else None,
        "contact": user.contact if user.is_official else None,
        # 「协作单位·XX物业」 (issue 21): a partner agency's account, never police
        "agency": user.agency_badge,
    }
    if private:
        data.update(username=user.username, nickname=user.nickname,
                    created_at=iso(user.created_at),
                    # the owner's own: the only place the whole number is shown (issue 17)
                    phone=user.phone, phone_verified=user.phone_verified_at is not None,
                    must_change_password=user.must_change_password,
                    privacy_version=user.privacy_version)
    return data


def officer_card_to_dict(user: User) -> dict:
    """An officer's public card (issue 17): the verified identity their replies carry, and how
    to @mention them."""
    return {"id": user.id, "name": user.real_name, "badge_no": user.badge_no,
            "role": user.role, "role_label": user.role_label,
            "unit": user.unit.name if user.unit else None,
            "mention": f"@{user.real_name}", "url": f"/officers/{user.id}"}


def board_to_dict(board: Board) -> dict:
    return {
        "slug": board.slug,
        "name": board.name,
        "description": board.description,
        "icon": board.icon,
        "kinds": list(board.kinds or []),
        "thread_count": board.thread_count,
        "units": [unit.name for unit in board.units],
    }


def place_to_dict(place: PlaceInfo | None) -> dict | None:
    """A district, street or community: its 区划代码, names from the district down, and the
    station whose 辖区 holds it (public, as on every station's notice board)."""
    if place is None:
        return None
    return {"code": place.code, "name": place.name, "level": place.level,
            "level_label": PlaceLevel(place.level).label, "parent": place.parent_code,
            "path": list(place.path), "label": place.label, "aliases": list(place.aliases),
            "lat": place.lat, "lng": place.lng,
            "station": ({"code": place.unit_code, "name": place.unit_name}
                        if place.unit_code else None)}


def suggestion_to_dict(suggestion: Suggestion | None) -> dict | None:
    """The unit a dispatcher is offered for a thread, and why."""
    if suggestion is None:
        return None
    return {"code": suggestion.unit_code, "name": suggestion.unit_name,
            "reason": suggestion.reason}


def thread_url(thread_id: int) -> str:
    """A path, never an absolute URL: links are pushed to every live reader and rung on bells
    from one poster's request, whose Host header is the poster's to forge (issue 15, item 3).
    Browsers and API clients resolve it against the site they are talking to."""
    if has_request_context():
        return url_for("threads.show", thread_id=thread_id)
    return f"/t/{thread_id}"


def thread_to_dict(thread: Thread, viewer=None, timeline: list | None = None) -> dict:
    """viewer None (live rooms, anonymous) gets personal data masked; see board/privacy.py.

    `timeline` (the events this viewer may see) only for single-thread payloads: no N+1 in lists.
    """
    def shown(value):
        return visible_text(viewer, thread.author_id, value)

    data = {
        "id": thread.id,
        "board": thread.board.slug,
        "board_name": thread.board.name,
        "title": shown(thread.title),
        "body": shown(thread.body),
        "body_html": shown(thread.body_html),
        "kind": thread.kind,
        "kind_label": thread.kind_label,
        "status": thread.status,
        "status_label": thread.status_label,
        "visibility": thread.visibility,
        "pinned": thread.pinned,
        "locked": thread.locked,
        "location": shown(thread.location),
        "place": place_to_dict(place_of(thread)),  # the structured place beside the free text
        "hidden": thread.hidden,
        "hidden_reason": thread.hidden_reason,
        # Replies the public can see (held and hidden ones are not counted, issue 15 item 18).
        # Ids stay global sequences: a gap is shared by all threads and reveals nothing.
        "reply_count": thread.reply_count,
        "same_question_count": thread.same_question_count,
        "official_answered": thread.has_official_reply,
        "author": user_to_dict(thread.author),
        "created_at": iso(thread.created_at),
        "last_activity_at": iso(thread.last_activity_at),
        "first_response_at": iso(thread.first_response_at),
        "first_response_seconds": thread.first_response_seconds,
        "url": thread_url(thread.id),
        # issue 5: escalation, dispatch, supervision
        "urgent": thread.urgent,
        "urgency": thread.urgency,
        "incident_no": thread.incident_no,
        "dispatched_unit": thread.dispatched_unit.name if thread.dispatched_unit else None,
        "dispatched_at": iso(thread.dispatched_at),
        "dispatch_seconds": thread.dispatch_seconds,
        "resolved_at": iso(thread.resolved_at),
        "supervised": thread.supervised,
        "sla_due_at": iso(thread.sla_due_at),
        "overdue": thread.is_overdue,
        # issue 18: its author's edits and withdrawal (earlier versions: GET …/history)
        "edited_at": iso(thread.edited_at),
        "withdrawn": thread.withdrawn_at is not None,
    }
    if timeline is not None:
        data["timeline"] = [event_to_dict(e, internal, viewer) for e, internal in timeline]
    return data


def deadline_to_dict(deadline) -> dict | None:
    """A running first-response deadline (board/sla.py `deadline`), or None."""
    if deadline is None:
        return None
    return {"due_at": iso(deadline.due_at), "seconds_left": deadline.seconds_left,
            "level": deadline.level, "text": deadline.text}


def dispatch_to_dict(escalation) -> dict | None:
    """An incident's dispatch for the unit that handles it (police only): the escalation row."""
    if escalation is None or escalation.incident_no is None:
        return None
    return {"incident_no": escalation.incident_no, "urgency": escalation.urgency,
            "urgency_label": escalation.urgency_label,
            "unit": escalation.unit.name if escalation.unit else None,
            "note": escalation.dispatch_note, "reason": escalation.reason or None,
            "dispatched_at": iso(escalation.dispatched_at),
            "dispatched_by": (user_to_dict(escalation.dispatched_by)
                              if escalation.dispatched_by else None)}


def event_to_dict(event, internal: bool = False, viewer=None) -> dict:
    """A timeline step; the internal note and actor only when `internal` (police viewers).

    The public text carries what its actor typed (a status note, the asker's rating comment):
    masked like any user text for viewers other than that actor and the police."""
    data = {"id": event.id, "kind": event.kind, "status": event.status,
            "text": visible_text(viewer, event.actor_id, event.public_text),
            "created_at": iso(event.created_at)}
    if internal:
        data["internal_note"] = event.internal_note
        data["actor"] = event.actor.display_name if event.actor else None
    return data


def post_author(post: Post) -> dict:
    """The author as shown on the post: officers under the identity they answered with."""
    author = user_to_dict(post.author)
    if post.official:
        author.update(real_name=post.official_name, badge_no=post.official_badge_no,
                      unit=post.official_unit, contact=post.official_contact,
                      display_name=post.official_name or author["display_name"])
    return author


def post_to_dict(post: Post, viewer=None) -> dict:
    return {
        "id": post.id,
        "thread_id": post.thread_id,
        "body": visible_text(viewer, post.author_id, post.body),
        "body_html": visible_text(viewer, post.author_id, post.body_html),
        "official": post.official,
        # issue 18: "unit", "leader" (领导回复) or "assist" (协助回复); whether it is the answer
        "answer_role": post.answer_role,
        "formal_answer": bool(post.formal_answer),
        "agency": post.agency_name,  # issue 21: 「协作单位·XX物业」, a partner's reply
        "hidden": post.hidden,
        "hidden_reason": post.hidden_reason,
        "created_at": iso(post.created_at),
        "edited_at": iso(post.edited_at),
        "withdrawn": post.withdrawn_at is not None,
        "author": post_author(post),
    }


def revision_to_dict(revision) -> dict:
    """An earlier version of a thread or reply: for the police and its author only, who read
    originals (board/permissions.py content.history)."""
    return {"id": revision.id, "action": revision.action, "action_label": revision.action_label,
            "title": revision.title, "body": revision.body, "location": revision.location,
            "written_at": iso(revision.written_at), "replaced_at": iso(revision.replaced_at)}


def attachment_to_dict(att) -> dict:
    url = (url_for("uploads.serve", attachment_id=att.id) if has_request_context()
           else f"/media/{att.id}")
    return {"id": att.id, "post_id": att.post_id, "url": url, "thumb_url": url + "/thumb",
            "content_type": att.content_type, "width": att.width, "height": att.height,
            "size": att.size}


def report_to_dict(item) -> dict:
    """For the police review queue only (they see originals)."""
    target = item.post or item.thread
    return {"id": item.id, "kind": item.kind, "status": item.status, "reason": item.reason,
            "reason_label": item.reason_label, "detail": item.detail,
            "thread_id": item.thread_id, "post_id": item.post_id,
            "text": item.thread.title if item.post is None else item.post.body,
            "hidden": target.hidden, "hidden_reason": target.hidden_reason,
            "author": user_to_dict(target.author),
            "reporter": user_to_dict(item.reporter) if item.reporter else None,
            "created_at": iso(item.created_at), "url": thread_url(item.thread_id)}
