"""Names of audit actions in the user's language (unknown actions show as recorded)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

ACTION_LABELS: dict[str, Any] = {
    "create": _l("Created"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
    "sign_in": _l("Signed in"),
    "sign_in_failed": _l("Failed sign-in"),
    "sessions_ended": _l("Signed out on every device"),
    "scope_switched": _l("Switched role"),
    "refused": _l("Access refused"),
    "account_created": _l("Account created"),
    "account_locked": _l("Account locked"),
    "account_unlocked": _l("Account unlocked"),
    "sign_in_failures_cleared": _l("Failed sign-ins cleared"),
    "password_reset": _l("Password reset"),
    "role_granted": _l("Role added"),
    "role_revoked": _l("Role removed"),
    "exported": _l("Exported"),
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
