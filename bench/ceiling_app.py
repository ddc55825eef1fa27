"""The ceilings: the fastest pages any app on our stack can serve, served exactly like the board.

    gunicorn -c gunicorn.conf.py bench.ceiling_app:app     (BOARD_SKIP_PREPARE=1)

/hello   "hello world" from Flask.
/row     one row read from SQLite (a fresh connection per request, as a pool would hand out)
         rendered through one Jinja template with autoescaping — the least a dynamic page does.
The SQLite file is CEILING_DB (created with one Chinese row when missing).
"""
from __future__ import annotations

import os
import sqlite3

from flask import Flask, render_template
from jinja2 import DictLoader

DB = os.environ.get("CEILING_DB", "/tmp/ceiling.db")
PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ row.title }}</title></head>
<body><main><h1>{{ row.title }}</h1><div class="body">{{ row.body_html|safe }}</div>
<p class="meta">{{ row.nickname }} · {{ row.created_at }}</p></main></body></html>"""


def _ensure_db() -> None:
    if os.path.exists(DB):
        return
    conn = sqlite3.connect(DB)
    conn.execute("CREATE TABLE IF NOT EXISTS item (id INTEGER PRIMARY KEY, title TEXT, "
                 "body_html TEXT, nickname TEXT, created_at TEXT)")
    conn.execute("INSERT OR REPLACE INTO item VALUES (1, ?, ?, ?, ?)",
                 ("户口簿丢了怎么补办?需要带什么材料",
                  "<p>家里的户口簿搬家时弄丢了,请问去哪里补办?</p>",
                  "热心市民老王", "2026-11-20 08:00:00"))
    conn.commit()
    conn.close()


_ensure_db()
app = Flask(__name__)
app.jinja_loader = DictLoader({"page.html": PAGE})  # compiled once, cached like a file


@app.get("/hello")
def hello():
    return "Hello, World!"


@app.get("/row")
def row():
    conn = sqlite3.connect(DB)
    conn.row_factory = sqlite3.Row
    try:
        item = conn.execute("SELECT * FROM item WHERE id = ?", (1,)).fetchone()
    finally:
        conn.close()
    return render_template("page.html", row=item)
