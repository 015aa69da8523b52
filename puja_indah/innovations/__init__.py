"""The innovation registry: IID-aligned profiles, stages and their history (issue 3)."""
