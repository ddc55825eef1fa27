"""`flask search reindex|verify|worker|optimize|words` — the index's life cycle from the shell."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from board import leases
from board.extensions import db
from board.models import SearchJob, utcnow
from board.search import analyzer, documents, worker
from board.search.backends import backend
from board.search.words_cli import words_cli

search_cli = AppGroup("search", help="Search index: rebuild, check, run the indexer, vocabulary.")


def rebuild(app, echo=click.echo, show_progress: bool = True) -> int:
    """Rebuild from the database aside and swap it in; updates wait in the queue meanwhile."""
    analyzer.load(app.instance_path)
    index = backend(app)
    worker.set_paused(app, True)
    try:
        with app.app_context():
            ids = documents.all_ids(db.session)
            with click.progressbar(length=len(ids), label="建立索引 (indexing)",
                                   show_pos=True, file=None if show_progress else _Null()) as bar:
                index.rebuild(documents.iter_batches(db.session, ids), bar.update)
    finally:
        worker.set_paused(app, False)
    caught_up = worker.drain(app)  # what changed while the new index was being built
    echo(f"indexed {len(ids)} threads with the {index.name} backend"
         f" ({caught_up} queued updates applied afterwards)")
    return len(ids)


class _Null:
    def write(self, _):
        pass

    def flush(self):
        pass


def verify(app, repair: bool = True) -> dict[str, list[int]]:
    """Compare every thread's fingerprint with the index's; queue and apply repairs."""
    index = backend(app)
    with app.app_context():
        indexed = index.fingerprints()
        ids = documents.all_ids(db.session)
        drift: dict[str, list[int]] = {"missing": [], "stale": [], "extra": []}
        for docs in documents.iter_batches(db.session, ids):
            for doc in docs:
                have = indexed.pop(doc.thread_id, None)
                if have is None:
                    drift["missing"].append(doc.thread_id)
                elif have != doc.fingerprint:
                    drift["stale"].append(doc.thread_id)
        drift["extra"] = sorted(indexed)  # in the index, gone from the database
        todo = drift["missing"] + drift["stale"] + drift["extra"]
        if repair and todo:
            now = utcnow()
            db.session.execute(db.insert(SearchJob), [
                {"thread_id": i, "created_at": now, "not_before": now, "attempts": 0}
                for i in todo])
            db.session.commit()
    if repair and todo:
        worker.drain(app)
    return drift


@search_cli.command("reindex")
def reindex_command():
    """Rebuild the whole index from the database (search stays online; progress bar)."""
    rebuild(current_app._get_current_object())


@search_cli.command("verify")
@click.option("--no-repair", is_flag=True, help="only report the drift")
def verify_command(no_repair):
    """Report drift between the database and the index, and repair it."""
    drift = verify(current_app._get_current_object(), repair=not no_repair)
    for name, label in (("missing", "missing from the index"), ("stale", "out of date"),
                        ("extra", "deleted but still indexed")):
        ids = drift[name]
        sample = ", ".join(map(str, ids[:10])) + (" …" if len(ids) > 10 else "")
        click.echo(f"{len(ids):>7} {label}" + (f": {sample}" if ids else ""))
    total = sum(len(v) for v in drift.values())
    click.echo("index matches the database" if not total else
               ("repaired" if not no_repair else "run without --no-repair to repair"))


@search_cli.command("worker")
@click.option("--once", is_flag=True, help="drain the queue once and exit")
def worker_command(once):
    """Run the one indexer (for servers that do not run it in-process)."""
    app = current_app._get_current_object()
    analyzer.load(app.instance_path)
    if once:
        click.echo(f"applied {worker.drain(app)} jobs")
        return
    click.echo(f"search worker: {backend(app).name} backend, {worker.pending(app)} jobs queued")
    worker.run_forever(app, leases.stop_on_signals())


@search_cli.command("optimize")
def optimize_command():
    """Merge index segments (run off-peak; the worker commits small segments without merging)."""
    backend(current_app._get_current_object()).optimize()
    click.echo("optimized")


@search_cli.command("status")
def status_command():
    """Documents indexed, jobs queued, oldest queued job."""
    app = current_app._get_current_object()
    index = backend(app)
    oldest = db.session.scalar(select(db.func.min(SearchJob.created_at)))
    click.echo(f"backend {index.name}: {index.doc_count()} threads indexed, "
               f"{index.size_bytes() // 1024} KiB; {worker.pending(app)} jobs queued"
               + (f" (oldest {oldest:%Y-%m-%d %H:%M:%S} UTC)" if oldest else ""))


search_cli.add_command(words_cli)
