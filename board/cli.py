"""Command line: `flask boards sync`, `flask users create|list|disable|enable|import`,
`flask demo seed`, `flask stats rebuild|refresh|worker`, `flask doctor`."""
from __future__ import annotations

import os

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from board import demo, health, leases, photo_store
from board.errors import ServiceError
from board.extensions import db
from board.models import Attachment, Role, User
from board.notices.cli import notices_cli
from board.search.cli import search_cli
from board.services import accounts, boards, bulletins, daily_stats, staff_import
from board.sla_tasks import sla_cli

boards_cli = AppGroup("boards", help="Boards and units from boards_config.yaml.")
users_cli = AppGroup("users", help="Accounts: police staff are created here or on the admin page.")
demo_cli = AppGroup("demo", help="Demo data.")
photos_cli = AppGroup("photos", help="The photo store (PHOTO_STORE=disk|database).")
stats_cli = AppGroup("stats", help="The dashboard's and open data's per-day pre-aggregate.")


@boards_cli.command("sync")
def boards_sync():
    """Load boards_config.yaml into the database (idempotent)."""
    try:
        result = boards.sync(current_app.config["BOARDS_CONFIG"])
    except boards.BoardsConfigError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"synced {result.boards} boards, {result.units} units and {result.places} places")


@users_cli.command("create")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option("--nickname")
@click.option("--real-name")
@click.option("--badge-no")
@click.option("--unit", "unit_code", help="unit code from boards_config.yaml")
@click.option("--contact", help="a leader's public contact line")
@click.option("--temporary/--final", "temporary", default=None,
              help="the owner must choose their own password at first sign-in "
                   "(default: --temporary for police roles and admins, --final for citizens)")
def users_create(role, username, password, nickname, real_name, badge_no, unit_code, contact,
                 temporary):
    """Create an account of any role."""
    if temporary is None:
        temporary = role != Role.CITIZEN
    try:
        user = accounts.create_user(role, username, password, nickname=nickname,
                                    real_name=real_name, badge_no=badge_no,
                                    unit_code=unit_code, contact=contact,
                                    temporary_password=temporary)
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


@stats_cli.command("rebuild")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="first Beijing day to rebuild (default: the first thread's)")
def stats_rebuild(since):
    """(Re)build the per-day figures from SINCE to yesterday, a month per transaction."""
    first = since.date() if since else None
    with click.progressbar(length=1, label="rebuilding days") as bar:
        def progress(n):
            bar.length = max(bar.length, bar.pos + n + 1)
            bar.update(n)
        built = daily_stats.rebuild_since(first, progress=progress)
    click.echo(f"{built} day(s) stored; days with answers still due stay computed live")


@stats_cli.command("refresh")
def stats_refresh():
    """Rebuild the days a change made stale (and yesterday, if never built)."""
    click.echo(f"{daily_stats.refresh()} day(s) refreshed")


@stats_cli.command("worker")
@click.option("--interval", default=60.0, show_default=True, help="seconds between rounds")
def stats_worker(interval):
    """Refresh stale days every minute on whichever machine holds the lease."""
    click.echo(f"stats worker: refreshing every {interval:g}s while holding the lease")
    daily_stats.run_worker(current_app._get_current_object(), interval,
                           leases.stop_on_signals())


@photos_cli.command("copy")
@click.option("--to", "target", type=click.Choice(photo_store.STORES), required=True)
def photos_copy(target):
    """Copy every photo into the other store before switching PHOTO_STORE (idempotent)."""
    names = [name for att in db.session.scalars(db.select(Attachment))
             for name in (att.filename, att.thumb_filename)]
    copied = photo_store.copy(names, target)
    click.echo(f"copied {copied} of {len(names)} files into the {target} store")


@click.command("doctor")
@with_appcontext
def doctor():
    """Check what /readyz checks, with the reasons a person needs; exit 1 when one fails."""
    app = current_app._get_current_object()
    config = app.config
    click.echo(f"database      {health.masked_url(config['SQLALCHEMY_DATABASE_URI'])}")
    click.echo(f"redis         {health.masked_url(config.get('REDIS_URL')) or '-'}")
    click.echo(f"search        {config.get('SEARCH_BACKEND')}")
    click.echo(f"photo store   {config.get('PHOTO_STORE', 'disk')}")
    click.echo(f"instance      {app.instance_path}")
    checks = health.run(app)
    for check in checks:
        mark = "ok  " if check.ok else "FAIL"
        click.echo(f"[{mark}] {check.name:<11} {check.ms:7.1f} ms  {check.detail}")
    if health.ready(checks):
        for lease in leases.current():
            click.echo(f"worker lease  {lease.name}: {lease.holder}, "
                       f"until {lease.expires_at:%Y-%m-%d %H:%M:%S} UTC")
    if not health.ready(checks):
        click.echo("not ready: fix the failed checks above", err=True)
        raise SystemExit(1)
    click.echo("ready")


def init_app(app: Flask) -> None:
    app.cli.add_command(doctor)
    for group in (boards_cli, users_cli, demo_cli, photos_cli, stats_cli,
                  search_cli,  # issue 4: reindex, verify, worker, optimize, words
                  sla_cli,  # issue 5: flask sla check
                  notices_cli,  # issue 17: the notice worker
                  bulletins_cli):  # issue 21: appeals whose pin on every board is over
        app.cli.add_command(group)


bulletins_cli = AppGroup("bulletins", help="Lost-and-found and missing-person notices.")


@bulletins_cli.command("expire")
@with_appcontext
def bulletins_expire() -> None:
    """Unpin appeals whose time atop every board is over (lists already hide them; this clears
    their own board's pin). Expired notices are archived at query time: nothing to move."""
    click.echo(f"unpinned {bulletins.unpin_expired()}")
