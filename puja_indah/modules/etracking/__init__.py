"""e-tracking: a generic engine for files that move through staged desks with an SLA in working
time (BKD's SPM → SP2D, DPMPTSP's licences; DOMAIN §3)."""
