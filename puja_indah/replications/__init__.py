"""Replication log (issue 3 point 7)."""
