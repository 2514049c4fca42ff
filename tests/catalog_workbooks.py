"""Catalog workbooks laid out as cities publish their 立案、处置和结案标准, built with openpyxl for the tests.

`write_published` gives a notes sheet and a 部件 and an 事件 sheet, each with a merged title row, the header, merged
class, body, law and collection cells, two-digit 小类代码 (local classes counted down from 99), bodies as free
text lists, multi-line cells, law texts of thousands of characters, and one bad row (事件 row 4: 处置时限 尽快).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook

PUBLISHED_HEADER = [
    *("大类代码", "大类名称", "小类代码", "小类名称", "立案条件", "处置时限", "结案条件"),
    *("监管主体", "责任主体", "法律法规依据", "采集要求"),
]
# Thousands of characters with line breaks, as real 法律依据 cells are.
LAW_TEXT = "\n".join(
    f"《城市道路管理条例》第{n}条　任何单位和个人不得擅自占用或者挖掘城市道路；因特殊情况需要临时占用的，"
    "须经市政工程行政主管部门和公安交通管理部门批准，并按照规定缴纳城市道路占用费。"
    for n in range(1, 40)
)
# Rows from row 3 (row 1: the title, merged across; row 2: the header). None: inside a merged range.
COMPONENT_ROWS: list[list[Any]] = [
    [
        "01",
        "公用设施",
        "02",
        "污水井盖",
        "缺失或移位",
        "2紧急工作时",
        "恢复",
        "区城市管理委员会",
        "市政公用服务中心、各产权单位",
        LAW_TEXT,
        "有编号的须拍清编号\n夜间补拍",
    ],
    [None, None, None, None, "破损、松动", "4工作时", "更换或修复", None, None, None, None],
    [
        None,
        None,
        "99",
        "其他公用设施（本地）",
        "损坏\n影响使用",
        "3工作日",
        "修复",
        "区城市管理委员会",
        "区供电公司，各产权单位",
        None,
        None,
    ],
    [None, None, 98, "本地设施乙", "缺失", "10工作日", "补齐", "区城市管理委员会", "区水务局（排水科）", None, None],
]
COMPONENT_MERGED = ("A1:K1", "A3:A6", "B3:B6", "C3:C4", "D3:D4", "H3:H4", "I3:I4", "J3:J4", "K3:K4")
EVENT_ROWS: list[list[Any]] = [
    [
        "01",
        "市容环境",
        "02",
        "道路不洁",
        "可见污渍超过1平方米",
        "4工作时",
        "清洁",
        "区城市管理委员会",
        "区环境卫生服务中心、所属街道",
        LAW_TEXT,
        None,
    ],
    [None, None, None, None, "散落垃圾", "尽快", "清除", None, None, None, None],
    [
        "04",
        "街面秩序",
        "03",
        "店外经营",
        "超出门窗摆摊",
        "2小时",
        "恢复",
        "区城管执法局",
        "属地街道综合执法队",
        None,
        "拍清店招",
    ],
]
EVENT_MERGED = ("A1:K1", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "H3:H4", "I3:I4", "J3:J4")


def write_published(path: Path) -> Path:
    """A 立案、处置和结案标准 workbook: notes sheet, 部件 and 事件 sheets with title rows and merged cells."""
    workbook = Workbook()
    notes = workbook.active
    assert notes is not None
    notes.title = "填表说明"
    notes.append(["本标准自发布之日起施行。"])
    for kind, rows, merged in (("部件", COMPONENT_ROWS, COMPONENT_MERGED), ("事件", EVENT_ROWS, EVENT_MERGED)):
        sheet = workbook.create_sheet(kind)
        sheet.append([f"测试区城市综合管理服务立案、处置和结案标准（{kind}）"])
        sheet.append(PUBLISHED_HEADER)
        for row in rows:
            sheet.append(row)
        for cells in merged:
            sheet.merge_cells(cells)
    workbook.save(path)
    return path
