"""The admin view's 12345 callbacks tab (/admin/hotline, layouts/admin_hotline.py): dead letters and replay."""

from __future__ import annotations

ADMIN_HOTLINE: dict[str, dict[str, str]] = {
    "admin.tab.hotline": {"zh": "12345 回调", "en": "12345 callbacks"},
    "admin.hotline.title": {"zh": "12345 回调死信", "en": "12345 dead letters"},
    "admin.hotline.hint": {
        "zh": "多次重试仍未送达 12345 热线的回调（签收、退单、延期申请、办结、回访）。同一工单之后的回调在其后等待；"
        "重发后按顺序继续发送。",
        "en": "Callbacks to the 12345 hotline (accepted, returned, extension, closed, visit-back) that failed every "
        "retry. Later callbacks of the same order wait behind them and follow, in order, once replayed.",
    },
    "admin.hotline.col.order": {"zh": "工单号", "en": "Order"},
    "admin.hotline.col.case": {"zh": "案件", "en": "Case"},
    "admin.hotline.col.verb": {"zh": "回调", "en": "Verb"},
    "admin.hotline.col.attempts": {"zh": "尝试次数", "en": "Attempts"},
    "admin.hotline.col.error": {"zh": "最后错误", "en": "Last error"},
    "admin.hotline.col.time": {"zh": "最后尝试", "en": "Last attempt"},
    "admin.hotline.col.held": {"zh": "其后等待", "en": "Waiting behind"},
    "admin.hotline.replay": {"zh": "重发", "en": "Replay"},
    "admin.hotline.replay_all": {"zh": "全部重发", "en": "Replay all"},
    "admin.hotline.refresh": {"zh": "刷新", "en": "Refresh"},
    "admin.hotline.empty": {
        "zh": "没有死信：所有回调均已送达或仍在重试。",
        "en": "No dead letters: every callback was sent or is being retried.",
    },
    "admin.hotline.count": {"zh": "死信 {n} 条", "en": "{n} dead letters"},
    "admin.hotline.replayed": {
        "zh": "已重发 {n} 条回调，将按工单顺序发送。",
        "en": "{n} callbacks queued again, sent in order per order.",
    },
    "admin.hotline.no_url": {
        "zh": "未配置 HOTLINE_CALLBACK_URL：回调保存在队列中，配置后发送。",
        "en": "HOTLINE_CALLBACK_URL is not set: callbacks are kept and sent once it is.",
    },
}
