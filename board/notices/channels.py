"""The channels a notice can take, behind one small interface.

A channel says where a person can be reached (`address`, or None) and sends one message there
(`send`), raising `ChannelError` when it was not taken, so the worker retries it later. The bell
(in-site) is written by the worker itself at fan-out, before any off-site notice is due.

Adding one, e.g. a WeChat subscribe message: a class with `name`, `label`, `address(user,
settings)` returning the person's openid (kept with their settings) and `send(address, message)`
POSTing to the platform's `message/subscribe/send` with `message.template` and `message.params`;
then list it in CHANNELS. It is not built here: without the platform it could not be tested.
"""
from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app

from board.sms import SmsError, TextMessage, send_sms


class ChannelError(Exception):
    """The channel did not take the message; the worker retries it."""


@dataclass(frozen=True)
class Message:
    subject: str  # one line, e.g. for an e-mail subject
    text: str  # the sentence, with the link
    template: str  # a stable name: official_reply, status, hidden, held, released
    params: dict = field(default_factory=dict)


class SmsChannel:
    name, label = "sms", "短信"

    def address(self, user, settings) -> str | None:
        if not settings.sms or not user.phone or user.phone_verified_at is None:
            return None
        return user.phone

    def send(self, address: str, message: Message) -> None:
        try:
            send_sms(TextMessage(address, message.text, message.template, message.params))
        except SmsError as exc:
            raise ChannelError(str(exc)) from exc


class EmailChannel:
    """SMTP with the standard library: MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS (STARTTLS),
    MAIL_USE_SSL, MAIL_USERNAME, MAIL_PASSWORD, MAIL_DEFAULT_SENDER."""

    name, label = "email", "电子邮件"

    def address(self, user, settings) -> str | None:
        if not settings.email or not settings.email_address:
            return None
        if not current_app.config.get("MAIL_SERVER"):
            return None  # no mail server configured: the channel is off for everyone
        return settings.email_address

    def send(self, address: str, message: Message) -> None:
        config = current_app.config
        mail = EmailMessage()
        sender = config.get("MAIL_DEFAULT_SENDER") or "noreply@localhost"
        mail["From"] = formataddr((config.get("SMS_SIGNATURE", "").strip("【】") or "", sender))
        mail["To"] = address
        mail["Subject"] = message.subject
        mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
        mail.set_content(message.text + "\n\n(您可以在「我的 → 消息提醒设置」中关闭邮件提醒。)\n")
        smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
        try:
            with smtp_class(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25),
                            timeout=float(config.get("MAIL_TIMEOUT", 10))) as smtp:
                if config.get("MAIL_USE_TLS"):
                    smtp.starttls()
                if config.get("MAIL_USERNAME"):
                    smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
                smtp.send_message(mail)
        except (smtplib.SMTPException, OSError) as exc:
            raise ChannelError(f"SMTP: {exc}") from exc


CHANNELS = {channel.name: channel for channel in (SmsChannel(), EmailChannel())}
