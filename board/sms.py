"""Sending one text message, behind SMS_BACKEND.

``console`` (the default) writes the message to the server log, which is where a developer or
the demo reads verification codes. ``http`` POSTs JSON ``{"phone", "text", "template",
"params"}`` to ``SMS_HTTP_URL`` (with ``Authorization: Bearer SMS_HTTP_TOKEN`` when set): the
shape an operator's SMS gateway or a bureau's own message platform accepts. Any answer but 2xx,
and any network failure, raises :class:`SmsError`, so the caller (the notice outbox) retries.
Every text starts with the board's signature (SMS_SIGNATURE).
"""
from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from flask import current_app

log = logging.getLogger("board.sms")


class SmsError(Exception):
    """The gateway did not take the message; try again later."""


@dataclass(frozen=True)
class TextMessage:
    phone: str
    text: str  # without the signature
    template: str  # a stable name such as "verify_code" or "official_reply"
    params: dict = field(default_factory=dict)


def signed(text: str) -> str:
    signature = current_app.config.get("SMS_SIGNATURE", "")
    return text if text.startswith(signature) else f"{signature}{text}"


def send_sms(message: TextMessage) -> None:
    """Hand one message to the configured gateway; raise SmsError when it is not taken."""
    backend = current_app.config.get("SMS_BACKEND", "console")
    text = signed(message.text)
    if backend == "console":
        log.warning("SMS to %s [%s]: %s", message.phone, message.template, text)
        return
    if backend != "http":
        raise SmsError(f"unknown SMS_BACKEND {backend!r}")
    url = current_app.config.get("SMS_HTTP_URL")
    if not url:
        raise SmsError("SMS_BACKEND=http needs SMS_HTTP_URL")
    body = json.dumps({"phone": message.phone, "text": text, "template": message.template,
                       "params": message.params}, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if token := current_app.config.get("SMS_HTTP_TOKEN"):
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=current_app.config["SMS_HTTP_TIMEOUT"]) as r:
            status = r.status
    except urllib.error.HTTPError as exc:
        raise SmsError(f"gateway answered {exc.code}") from exc
    except (OSError, ValueError) as exc:
        raise SmsError(f"gateway unreachable: {exc}") from exc
    if not 200 <= status < 300:
        raise SmsError(f"gateway answered {status}")
