"""The platform's audit log as a workbook (`award audit export`, and the staff console's download): who did what,
when, with which file, oldest first."""

from __future__ import annotations

import io
from pathlib import Path

from pipeline.registry import Registry

HEAD = ["时间（北京时间）", "操作人", "操作", "内容", "文件 SHA-256"]
# What each action code means, in the staff's words (codes not listed are shown as they are).
ACTIONS = {"user.add": "新建账号", "signin": "登录", "signin.failed": "登录失败", "signout": "退出登录",
           "user.code": "发放一次性登录码", "user.password": "设置密码", "members.import": "导入会员名录",
           "upload.refused": "上传未通过检查", "upload.checked": "上传通过检查", "submission": "提交申报书",
           "submission.replace": "替换申报书", "submission.return": "退回补正", "batch.upload": "导入申报书压缩包",
           "round.recheck": "重新运行跨申报书规则", "letters.download": "下载函件", "file.download": "下载申报书文件",
           "judges.import": "导入专家名单", "judges.accounts": "新建专家账号", "judges.add": "新增专家",
           "score.draft": "保存评分草稿", "score.submit": "提交评分", "score.reopen": "退回评分",
           "review.recuse": "声明回避", "review.reassign": "调整专家分配", "review.results": "计算评审结果",
           "publication.publicity": "发布公示", "publication.decision": "印发表彰决定和证书",
           "publication.published": "在线发布获奖案例", "publication.consent": "公开发布意见",
           "publication.withdraw": "撤下案例页面", "publication.restore": "恢复案例页面",
           "casebook.download": "下载成果汇编"}


def audit_xlsx(registry: Registry) -> bytes:
    """The audit log as .xlsx bytes: one row per entry, the header frozen, filtered and repeated on every printed
    page (the same table layout as summary.xlsx)."""
    from openpyxl import Workbook

    from pipeline.render.sheets import table_sheet

    wb = Workbook()
    ws = wb.active
    ws.title = "审计日志"
    from pipeline.text import beijing_time

    rows: list[list[object]] = [[beijing_time(at), who, ACTIONS.get(what, what), detail,
                                 sha256 or ""] for at, who, what, detail, sha256 in registry.audit_rows()]
    table_sheet(ws, HEAD, rows, wrap={3}, caps={3: 48})
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_audit(registry: Registry, output: Path) -> Path:
    """Write the audit log workbook to `output` (atomically; never onto the registry itself)."""
    from pipeline.fileio import write_bytes

    return write_bytes(output, audit_xlsx(registry))
