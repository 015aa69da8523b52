"""Agencies (OPD), their profile, decrees (SK) and appointments; monitor screens; decree import."""
