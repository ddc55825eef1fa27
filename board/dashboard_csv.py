"""The dashboard as one CSV sheet a spreadsheet opens (the leader page's download and the API's
`?format=csv`): headline figures, then the per-board and per-unit times.

Takes the plain figures of `queries.leader.figures`, so the sheet and the page cannot differ.
"""
from __future__ import annotations

import csv
import io


def to_csv(data: dict) -> str:
    """One sheet a spreadsheet opens: headline figures, then the per-board and per-unit times."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["统计周期(天)", data["days"], "生成时间", data["generated_at"]])
    writer.writerow([])
    writer.writerow(["指标", "数值"])
    for item in data["by_status"]:
        writer.writerow([f"状态:{item['label']}", item["count"]])
    for key, label in (("unanswered_now", "当前待回复"), ("overdue_now", "当前超时"),
                       ("escalations_open", "待派警"), ("dispatches_open", "处置中(已派警)"),
                       ("supervised_open", "督办未结")):
        writer.writerow([label, data[key]])
    sat = data["satisfaction"]
    writer.writerow(["满意度评价数", sat["count"]])
    writer.writerow(["平均满意度", sat["average"] if sat["average"] is not None else ""])
    for title, rows in (("版块", data["per_board"]), ("单位", data["per_unit"])):
        writer.writerow([])
        writer.writerow([title, "代码", "已回复", "首次回复中位数(秒)", "首次回复P90(秒)",
                         "已办结", "办结中位数(秒)", "办结P90(秒)"])
        for r in rows:
            writer.writerow([r["name"], r["key"], r["answered"], _num(r["first_response_median"]),
                             _num(r["first_response_p90"]), r["resolved"],
                             _num(r["resolution_median"]), _num(r["resolution_p90"])])
    writer.writerow([])
    writer.writerow(["最忙版块", "帖子数"])
    for b in data["busiest_boards"]:
        writer.writerow([b["name"], b["count"]])
    return "\ufeff" + out.getvalue()  # a BOM so Excel reads the Chinese as UTF-8


def _num(value) -> str:
    return "" if value is None else str(int(round(value)))
