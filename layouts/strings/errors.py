"""Error pages for browsers (layouts/error_page.py); API clients get JSON instead."""

from __future__ import annotations

ERRORS: dict[str, dict[str, str]] = {
    "error.401.title": {"zh": "请先登录", "en": "Please sign in"},
    "error.401.text": {
        "zh": "登录已失效或尚未登录，请重新登录。",
        "en": "Your session has ended or you are not signed in.",
    },
    "error.403.title": {"zh": "无权访问", "en": "Access denied"},
    "error.403.text": {
        "zh": "您的账号角色不能打开此页面。如需权限，请联系系统管理员。",
        "en": "Your role may not open this page. Ask an administrator for access.",
    },
    "error.404.title": {"zh": "页面不存在", "en": "Page not found"},
    "error.404.text": {"zh": "您访问的地址不存在，可能已被移动或输入有误。", "en": "This address does not exist."},
    "error.405.title": {"zh": "不支持的操作", "en": "Method not allowed"},
    "error.405.text": {"zh": "此地址不支持该操作。", "en": "This address does not accept this kind of request."},
    "error.500.title": {"zh": "服务器内部错误", "en": "Internal server error"},
    "error.500.text": {
        "zh": "服务器处理请求时出错，已记录日志。请稍后重试。",
        "en": "The server failed to answer; the error was logged. Please retry shortly.",
    },
    "error.503.title": {"zh": "服务暂时不可用", "en": "Service unavailable"},
    "error.503.text": {
        "zh": "数据库或实时服务暂时不可用，请稍后重试。",
        "en": "The database or the live service is unavailable. Please retry shortly.",
    },
    "error.other.title": {"zh": "请求无法完成", "en": "The request could not be completed"},
    "error.other.text": {"zh": "请返回首页后重试。", "en": "Go back to the home page and try again."},
    "error.home": {"zh": "返回首页", "en": "Home"},
    "error.login": {"zh": "登录", "en": "Sign in"},
    "error.code": {"zh": "错误代码", "en": "Error code"},
}
