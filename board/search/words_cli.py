"""`flask search words add|remove|list`: the police-service vocabulary the analyzer keeps whole.

Apart from the index commands (board/search/cli.py) because it edits the analyzer's word list
under instance/, not the index; a change applies to posts indexed after it (then reindex).
"""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from board.search import analyzer
from board.services import search_terms

words_cli = AppGroup("words", help="Police-service vocabulary kept whole by the analyzer.")


@words_cli.command("add")
@click.argument("words", nargs=-1, required=True)
@click.option("--freq", type=int, help="jieba frequency (higher: kept whole more often)")
def words_add(words, freq):
    """Add words (e.g. 网约车 跨境赌博); then run `flask search reindex`."""
    path = current_app.instance_path
    for word in words:
        try:
            added = search_terms.add_word(None, path, word, freq)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"{'added' if added else 'already there'}: {word}")
    click.echo("run `flask search reindex` so existing posts are split with the new words")


@words_cli.command("remove")
@click.argument("word")
def words_remove(word):
    """Remove an admin-added word."""
    ok = search_terms.remove_word(None, current_app.instance_path, word)
    click.echo("removed" if ok else "not an admin-added word")


@words_cli.command("list")
def words_list():
    """Admin-added words (the shipped vocabulary is board/search/userdict.txt)."""
    for word, freq, tag in analyzer.read_words(current_app.instance_path):
        click.echo(" ".join(str(x) for x in (word, freq, tag) if x))
