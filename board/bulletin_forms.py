"""The bulletins' forms (issue 21): publish a notice, answer it privately, follow up, close, pin.
Forms are the UX; board/services/bulletins.py re-checks what matters."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from board import text
from board.forms import new_submission_key

REQUIRED = _l("此项必填")


class BulletinForm(FlaskForm):
    kind = SelectField(_l("类型"), choices=[], validate_choice=False)
    title = StringField(_l("标题"), validators=[
        DataRequired(REQUIRED),
        Length(text.TITLE_MIN, text.TITLE_MAX, message=_l("标题需为 4–80 个字"))])
    body = TextAreaField(_l("描述"), validators=[
        DataRequired(_l("请填写描述")), Length(max=text.BODY_MAX, message=_l("描述太长"))])
    spot = StringField(_l("地点"), validators=[
        DataRequired(REQUIRED), Length(max=100, message=_l("地点不能超过 100 个字"))])
    happened_at = DateTimeLocalField(_l("时间"), format="%Y-%m-%dT%H:%M",
                                     validators=[DataRequired(_l("请填写时间"))])
    unit = SelectField(_l("负责的派出所"), choices=[], validate_choice=False)
    place = SelectField(_l("所在区域(选填)"), choices=[], validate_choice=False)
    days = IntegerField(_l("有效期(天)"), validators=[
        Optional(), NumberRange(1, 365, message=_l("有效期需为 1–365 天"))])
    idempotency_key = HiddenField(default=new_submission_key)


class MessageForm(FlaskForm):
    body = TextAreaField(_l("说明"), validators=[
        DataRequired(_l("请写下说明")), Length(2, 1000, message=_l("说明需为 2–1000 字"))])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("回复"), validators=[
        DataRequired(_l("请写下回复")), Length(2, 1000, message=_l("回复需为 2–1000 字"))])


class CloseForm(FlaskForm):
    state = SelectField(_l("结果"), choices=[], validate_choice=False)
    note = StringField(_l("说明(选填,公开显示)"), validators=[Optional(), Length(max=200)])


class PinForm(FlaskForm):
    hours = IntegerField(_l("全站置顶时长(小时)"), default=72, validators=[
        DataRequired(REQUIRED), NumberRange(1, 336, message=_l("置顶时长需为 1–336 小时"))])


class ApproveForm(FlaskForm):
    """Only the CSRF token: approving needs no input."""
