"""Milestones of innovations and progress roll-ups (issue 3 point 2)."""
