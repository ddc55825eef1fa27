"""How many pixels one request, and one account per minute, may have decoded.

Nine 7000×7000 PNGs weigh 1.7 MB but decode to 650 MB and 12 s of work (issue 15 item 8). The
bytes cap cannot see that; the pixels declared in each header can, before anything is decoded.
Defaults let a citizen send nine 12-megapixel phone photos at once; a burst of near-limit images
is refused with a Chinese reason instead of holding the process. The per-minute window lives in
the rate-limit storage (Redis when REDIS_URL is set, so every process counts together), falling
back to memory when Redis is down, like the other limits.
"""
from __future__ import annotations

import math

from flask import Flask, current_app, g
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from board.images import Rejected

DEFAULTS = {
    "UPLOAD_PIXELS_PER_REQUEST": 120_000_000,  # nine 12-megapixel phone photos
    "UPLOAD_PIXELS_PER_MINUTE": 250_000_000,   # per account, across requests and processes
}
PER_REQUEST = "这次上传的图片总尺寸过大,请分几次上传或先缩小图片"
PER_MINUTE = "上传图片太频繁,请一分钟后再试"

__all__ = ["DEFAULTS", "PER_MINUTE", "PER_REQUEST", "spend"]


def spend(user, pixels: int) -> None:
    """Count one image against the request's and the account's budget, or raise Rejected."""
    config = current_app.config
    used = g.get("_upload_pixels", 0) + pixels
    if used > int(config.get("UPLOAD_PIXELS_PER_REQUEST", DEFAULTS["UPLOAD_PIXELS_PER_REQUEST"])):
        raise Rejected(PER_REQUEST)
    per_minute = int(config.get("UPLOAD_PIXELS_PER_MINUTE", DEFAULTS["UPLOAD_PIXELS_PER_MINUTE"]))
    window = RateLimitItemPerMinute(max(1, per_minute // 1_000_000))  # counted in megapixels
    if not _hit(current_app, window, f"user:{user.id}", math.ceil(pixels / 1_000_000)):
        raise Rejected(PER_MINUTE)
    g._upload_pixels = used


def _hit(app: Flask, window, key: str, cost: int) -> bool:
    primary, fallback = _limiters(app)
    try:
        return primary.hit(window, "board-upload-pixels", key, cost=cost)
    except Exception:  # Redis down: count in this process until it is back
        return fallback.hit(window, "board-upload-pixels", key, cost=cost)


def _limiters(app: Flask) -> tuple[MovingWindowRateLimiter, MovingWindowRateLimiter]:
    """One pair per app (tests create many apps in a process; each starts with a fresh window)."""
    pair = app.extensions.get("board_upload_budget")
    if pair is None:
        uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
        fallback = MovingWindowRateLimiter(MemoryStorage())
        primary = (fallback if uri.startswith("memory")
                   else MovingWindowRateLimiter(storage_from_string(uri)))
        pair = app.extensions["board_upload_budget"] = (primary, fallback)
    return pair
