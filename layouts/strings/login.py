"""The sign-in page (/login, layouts/login.py, api/login.py's message keys)."""

from __future__ import annotations

LOGIN: dict[str, dict[str, str]] = {
    "login.title": {"zh": "登录", "en": "Sign in"},
    "login.name": {"zh": "用户名", "en": "User name"},
    "login.password": {"zh": "密码", "en": "Password"},
    "login.submit": {"zh": "登 录", "en": "Sign in"},
    "login.failed": {"zh": "用户名或密码错误", "en": "Wrong user name or password"},
    "login.locked": {
        "zh": "登录失败次数过多，请 {minutes} 分钟后再试",
        "en": "Too many failed sign-ins; try again in {minutes} min",
    },
    "login.unavailable": {
        "zh": "登录服务暂时不可用（缓存服务中断），请稍后重试",
        "en": "Sign-in is unavailable for a moment (the cache server is down); please try again shortly",
    },
    "login.expired": {"zh": "页面已过期，请重新登录", "en": "The page expired; please sign in again"},
}
