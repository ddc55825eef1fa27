"""Mainland mobile numbers: one normal form for storage and lookup, one mask for display."""
from __future__ import annotations

import re

# 1[3-9] then nine digits: every mainland mobile range (13x–19x), including virtual operators.
_MOBILE = re.compile(r"1[3-9]\d{9}")
_SEPARATORS = re.compile(r"[\s\-()（）]+")


def normalize_phone(text: str | None) -> str | None:
    """'+86 138-1234-5678' → '13812345678'; None when it is not a mainland mobile number."""
    if not text:
        return None
    digits = _SEPARATORS.sub("", str(text).strip())
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix):]
            break
    return digits if _MOBILE.fullmatch(digits) else None


def mask_phone(phone: str | None) -> str:
    """'13812345678' → '138****5678', what everyone but the number's owner sees."""
    if not phone:
        return ""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"
