"""The one place every Jinja filter, global and context processor is registered, so a template's
vocabulary can be read here: the general helpers of board/web/templating.py, and the helpers
that belong to a feature (the permission check, the privacy mask, a thread's photos, the bell,
the thread panel), which stay in their modules.

It sits with the views, above both: the feature helpers are view code, and response plumbing
(board/web) must not import the views that use it.
"""
from __future__ import annotations

from flask import Flask

from board import answers, i18n, lists, permissions, privacy, sla, urgency
from board.models import utcnow
from board.phones import mask_phone
from board.queries.bulletins import for_thread, photos_shown
from board.queries.places import place_of, suggestion_for
from board.views.agency import agency_panel
from board.views.bulletins import panel_forms
from board.views.notifications import unread_notifications
from board.views.photos import attachments_of
from board.views.thread_actions import thread_panel
from board.views.timeline_text import timeline_text
from board.web import page_cache, ratelimits, templating

FILTERS = {
    "timeago": templating.timeago,
    "duration": templating.duration,
    "duration_minutes": templating.duration_minutes,
    "beijing": templating.beijing,
    "visible": privacy.visible_filter,
    # issue 21: counts and dates in the reader's language, residents' words marked as theirs
    "number": templating.number,
    "long_date": templating.long_date,
    "user_words": templating.user_words,
    "timeline_text": timeline_text,  # a timeline step in the reader's language
}

GLOBALS = {
    "can": permissions.can,
    "asset_url": templating.asset_url,
    "elder_mode": templating.elder_mode,
    "now": utcnow,
    "row_sort": lists.sort_key,
    "privacy_warning": privacy.warning,
    "attachments_of": attachments_of,
    "thread_panel": thread_panel,
    "unread_notifications": unread_notifications,
    "urgent_words": urgency.words,  # the thread form's 110 banner (static/js/urgent-words.js)
    "place_of": place_of,  # a thread's structured place (board/queries/places.py)
    "dispatch_suggestion": suggestion_for,  # the station whose 辖区 holds it
    "answer_label": answers.label,
    "may_mark_formal": answers.may_mark_formal,
    "deadline": sla.deadline,
    "posting_allowance": ratelimits.allowance,  # issue 18: 「今天还可以发 2 帖」
    "mask_phone": mask_phone,  # issue 17: a phone number as everyone but its owner sees it
    "agency_panel": agency_panel,  # issue 21: 「邀请协作单位」 on the thread page
    "bulletin_for": for_thread, "bulletin_photos_shown": photos_shown,  # issue 21
    "bulletin_forms": panel_forms,
    "html_lang": i18n.html_lang,  # issue 21: zh-CN or en, and the 中文 / English switch
    "ui_language": i18n.language,
    "js_strings": i18n.js_strings,  # the scripts' words on English pages (static/js/i18n.js)
}

# Per render, not per app: a page rendered for the anonymous cache gets a placeholder CSRF token.
CONTEXT_PROCESSORS = (page_cache.placeholder_token,)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(GLOBALS)
    app.jinja_env.filters.update(FILTERS)
    for processor in CONTEXT_PROCESSORS:
        app.context_processor(processor)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
