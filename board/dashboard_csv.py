"""The dashboard as a spreadsheet, exactly what the page shows for the chosen period: the CSV
sheet (the leader page's download and the API's `?format=csv`) and the Excel workbook (.xlsx,
one worksheet per section, via openpyxl).

Both take the plain figures of `queries.leader.figures` through `sections()`, so the page, the
CSV and the workbook cannot differ. Times are Beijing time; durations are whole seconds (a
spreadsheet sorts and sums them), shares are fractions (0.875).
"""
from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from board.queries.audit_log import present

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUMMARY = (  # (key in the period figures, label)
    ("threads", "新帖数"), ("answered", "已回复"),
    ("first_response_median", "首次回复中位数(秒)"), ("first_response_p90", "首次回复P90(秒)"),
    ("within_target_share", "时限内回复率"), ("overdue", "超时(未在时限内回复)"),
    ("dispatches", "派警数"), ("resolved", "已办结"), ("ratings", "评价数"),
    ("satisfaction", "平均满意度(星)"), ("satisfied_share", "4–5星占比"),
)
TIMES_HEAD = ["代码", "已回复", "首次回复中位数(秒)", "首次回复P90(秒)", "已办结",
              "办结中位数(秒)", "办结P90(秒)"]
TREND = (("threads", "新帖"), ("first_response_median", "首次回复中位数(秒)"),
         ("first_response_p90", "首次回复P90(秒)"), ("within_target_share", "时限内回复率"),
         ("overdue", "超时"), ("dispatches", "派警"), ("ratings", "评价数"),
         ("satisfaction", "平均满意度"))


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer() and abs(value) >= 10:
        return int(round(value))
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def sections(data: dict) -> list[tuple[str, list[list]]]:
    """The page's sections as (title, rows), the first row of each its header."""
    period, previous = data["period"], data["previous"]
    now_rows = [["指标", "数值"]] + [[item_label, data[key]] for key, item_label in (
        ("unanswered_now", "当前待回复"), ("overdue_now", "当前超时"),
        ("escalations_open", "待派警"), ("dispatches_open", "处置中(已派警)"),
        ("supervised_open", "督办未结"))]
    now_rows += [[f"状态:{s['label']}", s["count"]] for s in data["by_status"]]
    summary = [["指标", f"本期 {period['first']} 至 {period['last']}",
                f"上期 {previous['first']} 至 {previous['last']}"]]
    summary += [[label, _cell(data["summary"][key]), _cell(data["summary_previous"][key])]
                for key, label in SUMMARY]
    trend = [["日期" if data["trend"]["granularity"] == "day" else "周(起止)"]
             + [label for _, label in TREND]]
    for b in data["trend"]["buckets"]:
        when = b["first"] if b["first"] == b["last"] else f"{b['first']} 至 {b['last']}"
        trend.append([when] + [_cell(b[key]) for key, _ in TREND])
    out = [("概况", [["统计周期", period["label"], period["first"], period["last"]],
                   ["生成时间(北京时间)", data["generated_at"]], []] + now_rows),
           ("本期与上期", summary), ("趋势", trend)]
    for title, rows in (("版块", data["per_board"]), ("单位", data["per_unit"])):
        out.append((f"{title}响应与办结", [[title] + TIMES_HEAD] + [
            [r["name"], r["key"], r["answered"], _cell(r["first_response_median"]),
             _cell(r["first_response_p90"]), r["resolved"], _cell(r["resolution_median"]),
             _cell(r["resolution_p90"])] for r in rows]))
    for title, rows in (("单位", data["satisfaction_units"]),
                        ("民警", data["satisfaction_officers"])):
        out.append((f"{title}满意度", [[title, "说明", "评价数", "平均星级", "4–5星占比",
                                      "1–2星数"]] + [
            [r["name"], r["detail"] or r["key"], r["count"], r["average"],
             r["satisfied_share"], r["low"]] for r in rows]))
    sat = data["satisfaction"]
    out.append(("满意度分布", [["星级", "评价数"]] + [
        [f"{d['score']}星", d["count"]] for d in reversed(sat["distribution"])]))
    out.append(("最忙版块", [["版块", "帖子数"]] + [[b["name"], b["count"]]
                                                for b in data["busiest_boards"]]))
    return out


def to_csv(data: dict) -> str:
    """One sheet a spreadsheet opens: the sections one under another, a title row each."""
    out = io.StringIO()
    writer = csv.writer(out)
    for index, (title, rows) in enumerate(sections(data)):
        if index:
            writer.writerow([])
        writer.writerow([f"【{title}】"])
        writer.writerows(rows)
    return "\ufeff" + out.getvalue()  # a BOM so Excel reads the Chinese as UTF-8


def to_xlsx(data: dict) -> bytes:
    """The same sections as an Excel workbook, one worksheet each, headers in bold."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sections(data):
        sheet = book.create_sheet(title[:31])
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 24
        for letter in "BCDEFGH":
            sheet.column_dimensions[letter].width = 16
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _line(row: list) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(row)
    return out.getvalue()


def audit_csv_lines(batches):
    """The audit log as CSV lines, one batch of entries at a time (queries.audit_log renders
    each entry: Beijing time, names, labels, before → after)."""
    yield "\ufeff" + _line(["编号", "时间(北京时间)", "操作人", "操作人身份", "操作", "对象",
                            "字段", "之前", "之后"])
    for entries in batches:
        for row in present(entries):
            changes = row.changes or [None]
            for change in changes:
                yield _line([row.entry.id, row.when, row.actor, row.actor_detail, row.action,
                             row.target, change.label if change else "",
                             change.before if change else "", change.after if change else ""])
