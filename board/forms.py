"""Flask-WTF forms with Chinese messages. Forms are the UX; services re-check what matters."""
from __future__ import annotations

import secrets

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from board import permissions, text
from board.models import Role, kinds

REQUIRED = "此项必填"


def new_submission_key() -> str:
    """A fresh idempotency key for each render of a posting form (a double tap sends it twice)."""
    return secrets.token_urlsafe(18)


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(REQUIRED)])
    password = PasswordField("密码", validators=[DataRequired(REQUIRED)])
    remember = BooleanField("记住我", default=True)


class RegisterForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(REQUIRED),
                                              Length(3, 30, message="用户名需为 3–30 位")])
    nickname = StringField("昵称", validators=[DataRequired(REQUIRED),
                                             Length(1, 20, message="昵称需为 1–20 个字")])
    password = PasswordField("密码", validators=[
        DataRequired(REQUIRED), Length(min=8, message="密码至少 8 位")])


class ThreadForm(FlaskForm):
    # validate_choice=False: WTForms' own check says "Not a valid choice." in English.
    kind = RadioField("类型", choices=[], validate_choice=False,
                      validators=[DataRequired("请选择帖子类型")])
    title = StringField("标题", validators=[
        DataRequired(REQUIRED),
        Length(text.TITLE_MIN, text.TITLE_MAX,
               message=f"标题需为 {text.TITLE_MIN}–{text.TITLE_MAX} 个字")])
    body = TextAreaField("内容", validators=[
        DataRequired("请填写内容"),
        Length(text.BODY_MIN, text.BODY_MAX, message=f"内容不能超过 {text.BODY_MAX} 个字")])
    location = StringField("地点(选填)", validators=[
        Optional(), Length(max=100, message="地点不能超过 100 个字")])
    police_only = BooleanField("仅警方可见(举报线索、个人事务等,只有您和民警能看到)")
    idempotency_key = HiddenField(default=new_submission_key)

    def validate_kind(self, field) -> None:
        if field.data not in {value for value, _ in field.choices}:
            raise ValidationError("您不能在此版块发布这种类型的帖子")

    def set_kinds(self, board, user) -> None:
        """The kinds this board takes that this user may post, labelled (models/kinds.py)."""
        self.kind.choices = [(k, kinds.label(k)) for k in board.kinds
                             if permissions.can(user, "thread.create_kind", k)]
        if not self.kind.data and self.kind.choices:
            self.kind.data = self.kind.choices[0][0]


class ReplyForm(FlaskForm):
    body = TextAreaField("回复", validators=[
        DataRequired("请填写回复内容"),
        Length(max=text.REPLY_MAX, message=f"回复不能超过 {text.REPLY_MAX} 个字")])
    idempotency_key = HiddenField(default=new_submission_key)


class StaffForm(FlaskForm):
    role = SelectField("角色", choices=[(r.value, r.label) for r in Role])
    username = StringField("用户名", validators=[DataRequired(REQUIRED)])
    password = PasswordField("初始密码", validators=[DataRequired(REQUIRED)])
    real_name = StringField("真实姓名", validators=[Optional()])
    badge_no = StringField("警号", validators=[Optional()])
    unit = SelectField("所属单位", choices=[])
    contact = StringField("公开联系方式(领导)", validators=[Optional(), Length(max=120)])
    nickname = StringField("昵称(市民)", validators=[Optional(), Length(max=20)])


class EditStaffForm(FlaskForm):
    """An admin's change to a police account (services/accounts.update_staff)."""

    role = SelectField("角色", choices=[])
    real_name = StringField("真实姓名", validators=[DataRequired(REQUIRED), Length(max=40)])
    badge_no = StringField("警号", validators=[DataRequired(REQUIRED), Length(max=20)])
    unit = SelectField("所属单位", choices=[])
    contact = StringField("公开联系方式(领导)", validators=[Optional(), Length(max=120)])


class ConfirmForm(FlaskForm):
    """An empty form: CSRF for one-button actions (sign out, disable a user, …)."""
