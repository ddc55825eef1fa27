"""The read side, by area: every list and figure a page, the API or a live push shows.

Services are the only writers; nothing here adds, changes or commits a row. Each module applies
its own visibility and permission checks, so no caller can forget them. Import the area module
(`from board.queries import threads`); this package re-exports nothing.

- threads: boards, one thread, its posts, board/home/pinned lists, my threads, list cursors
- inbox: the officer inbox (unanswered threads of the boards an officer answers)
- command_queue: the 110 command centre's queue and where it may dispatch
- review_queue: reports and held posts waiting for an officer
- timeline: a thread's steps, internal notes for police only
- notifications: the bell (unread count, my notifications)
- leader: the dashboard's figures
- drilldown: the threads behind each dashboard number
- audit_log: the audit log, one keyset page at a time, rendered in staff's words
- open_data: 「公开数据」, month by month, public threads only
- open311: Open311 GeoReport v2 services and requests
- users: the admins' account search
"""
