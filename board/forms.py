"""Flask-WTF forms with Chinese messages, in English too (lazy_gettext, issue 21). Forms are the
UX; services re-check what matters."""
from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from board import permissions, text
from board.models import Role, kinds

REQUIRED = _l("此项必填")


def new_submission_key() -> str:
    """A fresh idempotency key for each render of a posting form (a double tap sends it twice)."""
    return secrets.token_urlsafe(18)


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(REQUIRED)])
    password = PasswordField(_l("密码"), validators=[DataRequired(REQUIRED)])
    remember = BooleanField(_l("记住我"), default=True)


def _new_password(label: str = _l("新密码")) -> PasswordField:
    return PasswordField(label, validators=[DataRequired(REQUIRED),
                                            Length(min=8, message=_l("密码至少 8 位"))])


def _confirm(label: str = _l("再次输入新密码")) -> PasswordField:
    return PasswordField(label, validators=[
        DataRequired(REQUIRED), EqualTo("new_password", message=_l("两次输入的密码不一致"))])


# Phone and code: whether they are required is the service's rule (REGISTER_REQUIRES_PHONE);
# the pages send a code with a second submit button (name="action" value="send_code").
def _phone() -> TelField:
    return TelField(_l("手机号"), validators=[Optional(), Length(max=20, message=_l("手机号太长"))])


def _code() -> StringField:
    return StringField(_l("短信验证码"), validators=[
        Optional(), Length(max=6, message=_l("验证码为 6 位数字"))])


class RegisterForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(REQUIRED),
                                              Length(3, 30, message=_l("用户名需为 3–30 位"))])
    nickname = StringField(_l("昵称"), validators=[DataRequired(REQUIRED),
                                             Length(1, 20, message=_l("昵称需为 1–20 个字"))])
    password = PasswordField(_l("密码"), validators=[
        DataRequired(REQUIRED), Length(min=8, message=_l("密码至少 8 位"))])
    phone = _phone()
    code = _code()
    accept_privacy = BooleanField(_l("我已阅读并同意《隐私政策》"))


class ForgotPasswordForm(FlaskForm):
    phone = _phone()
    code = _code()
    new_password = _new_password()
    confirm = _confirm()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("当前密码"), validators=[DataRequired(REQUIRED)])
    new_password = _new_password()
    confirm = _confirm()


class BindPhoneForm(FlaskForm):
    phone = _phone()
    code = _code()


class CloseAccountForm(FlaskForm):
    password = PasswordField(_l("登录密码"), validators=[DataRequired(REQUIRED)])
    withdraw_posts = BooleanField(_l("同时撤回我发过的帖子和回复(撤回后其他人看不到)"))
    understood = BooleanField(_l("我已了解:注销后账号无法恢复,个人信息将被删除"),
                              validators=[DataRequired(_l("请确认您已了解注销的后果"))])


class ThreadForm(FlaskForm):
    # validate_choice=False: WTForms' own check says "Not a valid choice." in English.
    kind = RadioField(_l("类型"), choices=[], validate_choice=False,
                      validators=[DataRequired(_l("请选择帖子类型"))])
    title = StringField(_l("标题"), validators=[
        DataRequired(REQUIRED),
        Length(text.TITLE_MIN, text.TITLE_MAX,
               message=_l("标题需为 %(min)s–%(max)s 个字", min=text.TITLE_MIN,
                         max=text.TITLE_MAX))])
    body = TextAreaField(_l("内容"), validators=[
        DataRequired(_l("请填写内容")),
        Length(text.BODY_MIN, text.BODY_MAX,
               message=_l("内容不能超过 %(n)s 个字", n=text.BODY_MAX))])
    location = StringField(_l("地点(选填)"), validators=[
        Optional(), Length(max=100, message=_l("地点不能超过 100 个字"))])
    # The 区划代码 of the district, street or community picked (templates/threads/new.html renders
    # it as a grouped select that static/js/place-picker.js turns into the picker).
    place = StringField(_l("所在社区(选填)"), validators=[Optional(), Length(max=12)])
    police_only = BooleanField(_l("仅警方可见(举报线索、个人事务等,只有您和民警能看到)"))
    idempotency_key = HiddenField(default=new_submission_key)

    def validate_kind(self, field) -> None:
        if field.data not in {value for value, _ in field.choices}:
            raise ValidationError(_l("您不能在此版块发布这种类型的帖子"))

    def set_kinds(self, board, user) -> None:
        """The kinds this board takes that this user may post, labelled (models/kinds.py)."""
        self.kind.choices = [(k, kinds.label(k)) for k in board.kinds
                             if permissions.can(user, "thread.create_kind", k)
                             and not kinds.policy(k).own_form]  # bulletins: their own form
        if not self.kind.data and self.kind.choices:
            self.kind.data = self.kind.choices[0][0]


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("回复"), validators=[
        DataRequired(_l("请填写回复内容")),
        Length(max=text.REPLY_MAX, message=_l("回复不能超过 %(n)s 个字", n=text.REPLY_MAX))])
    # Offered to leaders and helping units only (board/answers.py): make this reply the answer.
    formal_answer = BooleanField(_l("作为正式答复(计入本单位答复,帖子移出待回复)"))
    idempotency_key = HiddenField(default=new_submission_key)


class EditThreadForm(FlaskForm):
    """The author fixes their thread (issue 18): the same words rules as a new one."""
    title = ThreadForm.title
    body = ThreadForm.body
    location = ThreadForm.location


class EditReplyForm(FlaskForm):
    body = ReplyForm.body


class StaffForm(FlaskForm):
    # 协作单位 accounts are created on their agency's page (board/views/agency.py)
    role = SelectField(_l("角色"), choices=[(r.value, r.label) for r in Role if r != Role.AGENCY])
    username = StringField(_l("用户名"), validators=[DataRequired(REQUIRED)])
    password = PasswordField(_l("初始密码"), validators=[DataRequired(REQUIRED)])
    real_name = StringField(_l("真实姓名"), validators=[Optional()])
    badge_no = StringField(_l("警号"), validators=[Optional()])
    unit = SelectField(_l("所属单位"), choices=[])
    contact = StringField(_l("公开联系方式(领导)"), validators=[Optional(), Length(max=120)])
    nickname = StringField(_l("昵称(市民)"), validators=[Optional(), Length(max=20)])


class EditStaffForm(FlaskForm):
    """An admin's change to a police account (services/accounts.update_staff)."""

    role = SelectField(_l("角色"), choices=[])
    real_name = StringField(_l("真实姓名"), validators=[DataRequired(REQUIRED), Length(max=40)])
    badge_no = StringField(_l("警号"), validators=[DataRequired(REQUIRED), Length(max=20)])
    unit = SelectField(_l("所属单位"), choices=[])
    contact = StringField(_l("公开联系方式(领导)"), validators=[Optional(), Length(max=120)])


class ConfirmForm(FlaskForm):
    """An empty form: CSRF for one-button actions (sign out, disable a user, …)."""
