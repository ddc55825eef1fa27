"""The interface's language (issue 21, foreign residents): Simplified Chinese, or English beside it.

Source strings stay Chinese and are the default; English is a translation catalog under
translations/ (Flask-Babel). A reader's choice is the `lang` cookie set by the switch in the page
header (board/views/language.py), remembered per browser; without it, on a first visit, the best
of zh and en in Accept-Language; with neither, Chinese. Residents' posts are never translated.

`N_()` marks a string for extraction where it must stay a plain str until shown (model labels,
class-level error messages): the place that shows it passes it through `translate()`.

Nothing here imports a board module, so models, services and views can all use it.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
from babel.messages.pofile import read_po, write_po
from flask import Flask, has_request_context, request
from flask.cli import AppGroup
from flask_babel import force_locale, get_locale, gettext

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
_HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_GLUED = re.compile(r"^([a-z_]+[\u4e00-\u9fff]|([a-z_]+)\2 )")
LANG_COOKIE = "lang"
DEFAULT = "zh"
# The switch's value → the Babel locale; the first is the default, the source language.
LOCALES = {"zh": "zh_Hans_CN", "en": "en"}
HTML_LANG = {"zh": "zh-CN", "en": "en"}


def N_(message: str) -> str:  # noqa: N802 (the conventional gettext marker's name)
    """Mark a string for extraction only; it is translated where it is shown."""
    return message


def translate(message: str | None) -> str:
    """A marked string (a label, an error message) in the reader's language; a string the
    catalog does not know, such as a resident's words, comes back unchanged."""
    return gettext(message) if message else (message or "")


def chosen_language() -> str:
    """zh or en: the browser's remembered choice, else the best match of Accept-Language (first
    visit), else Chinese. Outside a request (CLI, workers): Chinese."""
    if not has_request_context():
        return DEFAULT
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in LOCALES:
        return cookie
    return request.accept_languages.best_match(list(LOCALES), default=DEFAULT) or DEFAULT


def select_locale() -> str:
    """Flask-Babel's locale selector."""
    return LOCALES[chosen_language()]


def language() -> str:
    """zh or en, for the templates (the switch, the `lang` attribute) and cache keys."""
    return "en" if str(get_locale() or "").startswith("en") else "zh"


def html_lang() -> str:
    return HTML_LANG[language()]


def is_english() -> bool:
    return language() == "en"


# Board names and descriptions in English: `name_en:` / `description_en:` in boards_config.yaml,
# read by every process at start (board/services/boards.py configure_calendar).
_BOARD_TEXT: dict[str, dict[str, str]] = {}


def configure_boards(boards: list) -> None:
    _BOARD_TEXT.clear()
    for item in boards or []:
        if isinstance(item, dict) and item.get("slug"):
            _BOARD_TEXT[str(item["slug"])] = {
                key[:-3]: str(item[key]) for key in ("name_en", "description_en") if item.get(key)}


def board_text(slug: str, field: str, chinese: str) -> str:
    """A board's name or description in the reader's language (Chinese when none is given)."""
    if is_english():
        return _BOARD_TEXT.get(slug, {}).get(field) or chinese
    return chinese


def in_language(code: str):
    """A context in which gettext speaks `code` (zh or en), e.g. to render a live fragment for
    readers of that language."""
    return force_locale(LOCALES.get(code, LOCALES[DEFAULT]))


# The words static/js writes into pages (their `tr("…")` calls, static/js/i18n.js): marked here
# so `flask translate update` extracts them; English pages embed their translations.
JS_STRINGS = (
    N_("区"), N_("街道"), N_("社区"), N_("输入社区、小区或街道名,如:幸福"), N_("使用我的位置"),
    N_("选择区"), N_("整个区 / 选择街道"), N_("整个街道 / 选择社区"), N_("已选:"), N_("辖区"),
    N_("清除"), N_("没有找到「{q}」,可以用下面的选项逐级选择"), N_("正在定位…"),
    N_("您的位置不在本市已登记的社区附近,请手动选择。"), N_("(按定位,约 {m} 米;不对请改选)"),
    N_("无法获取位置(未允许定位或信号弱),请手动选择。"), N_("已回复"), N_("更多({n})"),
    N_("引用此答复"), N_("已引用,请按实际情况修改"), N_("已同问"), N_("我的提问 · 已关注"),
    N_("已关注"), N_("刚刚"), N_("民警正在回复…"), N_("{n} 条新帖,点击查看"),
    N_("通知({n} 条未读)"), N_("通知"), N_("每帖最多 {max} 张图片,请重新选择"),
    N_("已恢复您上次没有发出去的内容。"), N_("清空"), N_("重新获取({n}秒)"), N_("加载中…"),
    N_("可以@的民警"),
)


def js_strings() -> dict[str, str] | None:
    """The scripts' words in English for an English page; None on a Chinese one (they are the
    Chinese already)."""
    if not is_english():
        return None
    return {words: gettext(words) for words in JS_STRINGS}


# --- `flask translate`: one command per step, so helpers' new strings reach the catalog ---------

translate_cli = AppGroup("translate", help="The English catalog (translations/, Flask-Babel).")
_POT = TRANSLATIONS / "messages.pot"
# A literal message given to one of these (board/errors.py) is extracted like a gettext call:
# ServiceError translates it when raised.
ERROR_CLASSES = ("ServiceError", "ValidationFailed", "NotAuthenticated", "PermissionDenied",
                 "NotFound", "Conflict")


def _pybabel(*args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=ROOT,
                            check=False)
    if result.returncode:
        raise click.ClickException(f"pybabel {args[0]} failed")


def extract() -> None:
    keywords = ["_l", "lazy_gettext", "N_", *ERROR_CLASSES]
    _pybabel("extract", "-F", "babel.cfg", *(f"-k{word}" for word in keywords),
             "--no-location", "--sort-output", "--no-wrap", "-o", str(_POT), "board", "templates")
    _drop_noise(_POT)


def _drop_noise(path: Path) -> None:
    """An error class's call also yields its `fields={"name": "…"}` glued into one string
    ("name…"), or a bare field name: not interface words. Those values are marked N_() instead."""
    with open(path, "rb") as fh:
        catalog = read_po(fh)
    for message in list(catalog):
        words = str(message.id or "")
        if words and (not _HAN.search(words) or _GLUED.match(words)):
            catalog.delete(message.id)
    with open(path, "wb") as fh:
        write_po(fh, catalog, width=0, sort_output=True, omit_header=False)


@translate_cli.command("update")
def translate_update():
    """Extract every marked string into messages.pot and merge it into the .po catalogs."""
    extract()
    if not (TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po").exists():
        _pybabel("init", "-i", str(_POT), "-d", str(TRANSLATIONS), "-l", "en")
    _pybabel("update", "-i", str(_POT), "-d", str(TRANSLATIONS), "--no-fuzzy-matching",
             "--ignore-obsolete", "--no-wrap")
    click.echo("translations/en/LC_MESSAGES/messages.po updated: fill every empty msgstr, then "
               "run `flask translate compile`")


@translate_cli.command("compile")
def translate_compile():
    """Compile the .po catalogs to the .mo files the app reads (committed with them)."""
    _pybabel("compile", "-d", str(TRANSLATIONS))


@translate_cli.command("missing")
def translate_missing():
    """List the strings the English catalog lacks (exit 1 if any)."""
    missing = untranslated()
    for message in missing:
        click.echo(message)
    if missing:
        raise click.ClickException(f"{len(missing)} untranslated")


def untranslated(po_path: Path | None = None) -> list[str]:
    """The msgids of the English .po with no translation (or fuzzy)."""
    with open(po_path or TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalog = read_po(fh)
    return [str(m.id) for m in catalog if m.id and (not m.string or m.fuzzy)
            and (not isinstance(m.string, tuple) or not all(m.string))]


def _label_response(response):
    """Say which language a page or API answer is in, and that it depends on the request's
    language (a shared cache must not hand one reader's language to another)."""
    if response.mimetype in ("text/html", "application/json") and has_request_context():
        response.headers["Content-Language"] = HTML_LANG[language()]
        response.vary.add("Accept-Language")
    return response


def init_app(app: Flask) -> None:
    app.cli.add_command(translate_cli)
    app.after_request(_label_response)
