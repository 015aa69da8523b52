"""Names of audit actions and of the kinds of object they touched, in the user's language
(anything unknown shows as recorded)."""

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
    "token_created": _l("API token created"),
    "token_revoked": _l("API token revoked"),
}

# The audit trail records the model's class name; people read these instead.
OBJECT_LABELS: dict[str, Any] = {
    "Affair": _l("Government affair (urusan)"),
    "Aspect": _l("Assessment aspect"),
    "DigestDelivery": _l("Digest delivery"),
    "IndicatorLevel": _l("Indicator level"),
    "Notification": _l("Notification"),
    "Predicate": _l("Predicate"),
    "Agency": _l("Agency (OPD)"),
    "AgencyProfile": _l("Agency profile"),
    "Announcement": _l("School announcement"),
    "Appointment": _l("Decree appointment"),
    "AssessmentYear": _l("Assessment year"),
    "BoardSettings": _l("Board settings"),
    "CivilRequest": _l("Civil-registration request"),
    "Claim": _l("Indicator claim"),
    "ClaimEvidence": _l("Claim evidence"),
    "CollectiveLeave": _l("Collective leave day"),
    "Decree": _l("Decree"),
    "Evidence": _l("Evidence document"),
    "EvidenceFile": _l("Evidence file"),
    "ExportJob": _l("Export"),
    "Feedback": _l("School feedback"),
    "FileEvent": _l("Tracked-file step"),
    "FileKind": _l("File kind"),
    "FileSubscription": _l("File subscription"),
    "HandoverBatch": _l("Hand-over batch"),
    "Indicator": _l("Indicator"),
    "InitiatorKind": _l("Initiator kind"),
    "Innovation": _l("Innovation"),
    "InnovationAffair": _l("Innovation's other affair"),
    "IntakeToken": _l("Intake token"),
    "Membership": _l("Role"),
    "Milestone": _l("Milestone"),
    "MilestoneAttachment": _l("Milestone attachment"),
    "ModuleActivation": _l("Service module"),
    "PersonalAccessToken": _l("API token"),
    "Process": _l("Service process"),
    "ProcessVersion": _l("Process version"),
    "Region": _l("Region"),
    "RegionClaim": _l("Region indicator claim"),
    "Replication": _l("Replication"),
    "ReplicationDocument": _l("Replication document"),
    "ReplicationStatusChange": _l("Replication status change"),
    "ReviewDecision": _l("Review decision"),
    "School": _l("School"),
    "StageChange": _l("Stage change"),
    "StageDefinition": _l("Process stage"),
    "Theme": _l("Theme"),
    "TrackedFile": _l("Tracked file"),
    "User": _l("User account"),
    "WorkingCalendar": _l("Working calendar"),
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def object_label(object_type: str | None) -> str:
    if not object_type:
        return "–"
    label = OBJECT_LABELS.get(object_type)
    return str(label) if label is not None else object_type
