"""Admin: bulk import of police accounts from a CSV or Excel file — a dry run listing every
problem by row, then all the accounts or none, with temporary passwords shown once."""
from __future__ import annotations

import base64
import binascii

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from board import permissions
from board.errors import ServiceError
from board.forms import ConfirmForm
from board.services import staff_import

bp = Blueprint("admin_import", __name__, url_prefix="/admin/users/import")


@bp.before_request
@login_required
def require_admin():
    permissions.require(current_user, "user.manage")


def _page(status: int = 200, **context):
    return render_template("admin/import.html", form=ConfirmForm(), **context), status


def _upload() -> tuple[str, bytes] | None:
    """The file: freshly uploaded, or carried from the dry run's page (base64 in the form)."""
    upload = request.files.get("file")
    if upload and upload.filename:
        return upload.filename, upload.read(staff_import.MAX_BYTES + 1)
    carried = request.form.get("data")
    if carried:
        try:
            return request.form.get("filename", "import.csv"), base64.b64decode(carried,
                                                                                validate=True)
        except (binascii.Error, ValueError):
            return None
    return None


@bp.route("", methods=["GET", "POST"])
def import_page():
    if request.method == "GET" or not ConfirmForm().validate_on_submit():
        return _page(400 if request.method == "POST" else 200)
    upload = _upload()
    if upload is None:
        return _page(400, error="请选择要导入的 CSV 或 Excel 文件")
    filename, data = upload
    try:
        if request.form.get("step") != "import":
            checked = staff_import.plan(filename, data)
            return _page(200 if checked.ok else 400, plan=checked, filename=filename,
                         data=base64.b64encode(data).decode("ascii"))
        created = staff_import.apply(current_user, filename, data)
    except ServiceError as exc:
        checked = None
        try:
            checked = staff_import.plan(filename, data)
        except ServiceError:
            pass
        return _page(exc.status, error=exc.fields.get("file") if checked is None else exc.message,
                     plan=checked, filename=filename,
                     data=base64.b64encode(data).decode("ascii"))
    return _page(created=created, filename=filename)
