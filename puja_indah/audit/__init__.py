"""Screens over the audit trail (the trail itself lives in core/audit.py)."""
