"""A small mixed input of invented press releases (names and places made up), with a bad
file, a bad row and a missing path: what the shard and engine tests build."""

from __future__ import annotations

import json
from pathlib import Path

PAGES = {
    "a_meeting.txt": "云溪市召开优化营商环境推进会\n\n"
                     "本报讯（记者林书远）3月12日，云溪市召开优化营商环境工作推进会。市长周明远出席会议并讲话。"
                     "会议部署开展“暖企护航”专项行动，云溪市市场监督管理局作交流发言。\n",
    "b_check.txt": "白塘镇开展安全生产大检查\n\n"
                   "3月15日，青禾县白塘镇组织开展安全生产专项检查，镇长孙雅琴带队。"
                   "青禾县应急管理局派员参加，共排查隐患十二处。\n",
}
ROWS = [
    {"id": "r-1", "title": "云溪市发布食品安全示范街区创建方案", "date": "2024-03-18",
     "text": "近日，云溪市市场监管局发布《云溪市食品安全示范街区创建方案》。市长周明远要求各区抓好落实。"},
    {"id": "r-2", "title": "", "date": "2024-03-20",
     "text": "3月19日，青禾县人民政府与云溪市科技局签署合作协议，副县长韩立峰出席签约仪式。"
             "“暖企护航”行动同步启动。"},
]
BAD_ROW = "{not json"
NAMES = ["周明远", "孙雅琴", "韩立峰", "林书远", "郑可欣", "陶文博", "许清和", "邵一鸣"]


def write_mixed(folder: Path) -> list[str]:
    """Inputs: two .txt pages, a JSON Lines archive with a bad row and a row with no text,
    a CSV without the text column, and a missing file."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in PAGES.items():
        (folder / name).write_text(text, encoding="utf-8")
    lines = [json.dumps(ROWS[0], ensure_ascii=False), BAD_ROW, json.dumps({"id": "r-x"}),
             json.dumps(ROWS[1], ensure_ascii=False)]
    (folder / "c_rows.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "d_broken.csv").write_text("id,headline\n1,无正文\n", encoding="utf-8")
    return [str(folder), str(folder / "missing.txt")]


def write_many_rows(path: Path, count: int) -> Path:
    """`count` rows of the genre, each naming other people and numbers."""
    rows = []
    for i in range(count):
        name = NAMES[i % len(NAMES)]
        rows.append({"id": f"n-{i}", "date": f"2024-{1 + i % 12:02d}-{1 + i % 27:02d}",
                     "text": f"{1 + i % 12}月{1 + i % 27}日，云溪市召开第{i + 1}次重点项目调度会，"
                             f"副市长{name}出席会议并讲话。会议要求云溪市发展和改革委员会加快推进{i + 3}个项目建设。"})
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path
