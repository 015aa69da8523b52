"""The national assessment catalogue (Indeks Inovasi Daerah): assessment years with their formula
constants and predicates, the two aspects (SPD, SID), indicators and their three levels; plus the
pure index computation (`index.py`).

National reference data: neither agency-scoped nor region-managed. Writes need a writable system
or national scope, and a closed year is frozen (`guard.py`, installed when the models load).
"""
