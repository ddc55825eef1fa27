"""The privacy notice (隐私政策) residents accept at sign-up (PIPL): its version and date.

The text is templates/account/privacy.html. Changing what the board collects or how it uses it
means a new VERSION (and date) here: each account keeps the version it accepted
(User.privacy_version, privacy_accepted_at), and 「账号与安全」 shows when a newer one exists.
"""
from __future__ import annotations

from datetime import date

VERSION = "2026-12-v1"
EFFECTIVE = "2026年12月1日"
EFFECTIVE_ON = date(2026, 12, 1)  # the same day, for the English page (templating.long_date)
