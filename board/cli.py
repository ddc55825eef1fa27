"""Command line: `flask boards sync`, `flask users create|list|disable|enable|import`,
`flask demo seed`."""
from __future__ import annotations

import os

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from board import demo
from board.errors import ServiceError
from board.extensions import db
from board.models import Role, User
from board.search.cli import search_cli
from board.services import accounts, boards, staff_import
from board.sla_tasks import sla_cli

boards_cli = AppGroup("boards", help="Boards and units from boards_config.yaml.")
users_cli = AppGroup("users", help="Accounts: police staff are created here or on the admin page.")
demo_cli = AppGroup("demo", help="Demo data.")


@boards_cli.command("sync")
def boards_sync():
    """Load boards_config.yaml into the database (idempotent)."""
    try:
        result = boards.sync(current_app.config["BOARDS_CONFIG"])
    except boards.BoardsConfigError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"synced {result.boards} boards and {result.units} units")


@users_cli.command("create")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option("--nickname")
@click.option("--real-name")
@click.option("--badge-no")
@click.option("--unit", "unit_code", help="unit code from boards_config.yaml")
@click.option("--contact", help="a leader's public contact line")
def users_create(role, username, password, nickname, real_name, badge_no, unit_code, contact):
    """Create an account of any role."""
    try:
        user = accounts.create_user(role, username, password, nickname=nickname,
                                    real_name=real_name, badge_no=badge_no,
                                    unit_code=unit_code, contact=contact)
    except ServiceError as exc:
        details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        raise click.ClickException(f"{exc.message} {details}".strip()) from None
    click.echo(f"created {user.role} {user.username} (id {user.id})")


@users_cli.command("list")
@click.option("--role", type=click.Choice([r.value for r in Role]))
def users_list(role):
    """List accounts."""
    stmt = db.select(User).order_by(User.id)
    if role:
        stmt = stmt.where(User.role == role)
    for user in db.session.scalars(stmt):
        unit = user.unit.code if user.unit else "-"
        state = "disabled" if user.disabled else "active"
        click.echo(f"{user.id:>5}  {user.username:<20} {user.role:<10} "
                   f"{user.display_name:<10} {user.badge_no or '-':<8} {unit:<16} {state}")


CLI_REASON = "由系统管理员在命令行停用"


def _suspension(username: str, disabled: bool, reason: str | None = None) -> None:
    """The command line is the system actor (audited as 系统), through the same service as the
    admin page and the review queue; doing what is already done is not an error here."""
    try:
        user = accounts.by_username(username)
        if disabled:
            accounts.suspend(accounts.SYSTEM, user, reason or CLI_REASON)
        else:
            accounts.reinstate(accounts.SYSTEM, user, reason)
    except ServiceError as exc:
        if exc.code not in ("already_suspended", "not_suspended"):
            details = "; ".join(exc.fields.values())
            raise click.ClickException(f"{exc.message} {details}".strip()) from None
        click.echo(f"{username} is already {'disabled' if disabled else 'enabled'}")
        return
    click.echo(f"{username} {'disabled' if disabled else 'enabled'}")


@users_cli.command("disable")
@click.argument("username")
@click.option("--reason", help=f"why (shown to admins; default: {CLI_REASON})")
def users_disable(username, reason):
    """Disable an account: it can no longer sign in, and open sessions end."""
    _suspension(username, True, reason)


@users_cli.command("enable")
@click.argument("username")
@click.option("--reason", help="why (kept in the audit log)")
def users_enable(username, reason):
    """Re-enable a disabled account (its suspension reason is cleared)."""
    _suspension(username, False, reason)


@users_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="check every row, list the problems, write nothing")
def users_import(path, dry_run):
    """Import police accounts from a CSV or .xlsx file (姓名, 警号, 单位代码, 角色): all or none.
    Prints each account's one-time temporary password."""
    with open(path, "rb") as handle:
        data = handle.read()
    name = os.path.basename(path)
    try:
        checked = staff_import.plan(name, data)
    except ServiceError as exc:
        raise click.ClickException("; ".join(exc.fields.values()) or exc.message) from None
    for problem in checked.problems:
        click.echo(str(problem), err=True)
    if not checked.ok:
        raise click.ClickException(f"{len(checked.problems)} problem(s); nothing was imported")
    if dry_run:
        click.echo(f"{len(checked.rows)} row(s) checked, no problems; nothing written (dry run)")
        return
    with click.progressbar(length=len(checked.rows), label="importing") as bar:
        try:
            created = staff_import.apply(accounts.SYSTEM, name, data, progress=bar.update)
        except ServiceError as exc:
            raise click.ClickException(exc.message) from None
    click.echo("username,badge_no,real_name,unit,temporary_password")
    for item in created:
        user = item.user
        click.echo(f"{user.username},{user.badge_no},{user.real_name},{user.unit.code},"
                   f"{item.temporary_password}")
    click.echo(f"{len(created)} account(s) imported; hand each password over in person")


@demo_cli.command("seed")
def demo_seed():
    """Seed demo data into an empty database and print the demo logins."""
    if not demo.seed():
        click.echo("database is not empty (it has accounts or threads); nothing seeded")
    demo.print_logins()


def init_app(app: Flask) -> None:
    for group in (boards_cli, users_cli, demo_cli,
                  search_cli,  # issue 4: reindex, verify, worker, optimize, words
                  sla_cli):  # issue 5: flask sla check
        app.cli.add_command(group)
