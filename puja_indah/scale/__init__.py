"""The scale generator (`flask scale generate`): deterministic, clearly generated data at the
size of a region or of the whole country, to measure the app against.

Everything it writes is *generated* and says so: regions are "Provinsi/Kabupaten/Kota Contoh
NNNN" (`is_demo`), agencies end in "(contoh)", innovations are "Inovasi Contoh NNNNN: …" with a
summary that says they are not real, e-tracking files are numbered "CONTOH/…", accounts are
`…@contoh.pujaindah.id`. `markers.py` holds these markers; every other generated row hangs off
one of them by a foreign key, which is how `--replace` finds and removes them.

Layout:
- `plans.py` the sizes (tiny, small, national) as counts;
- `writer.py` bulk inserts: ids allocated up front (same seed and same database → same ids),
  SQLAlchemy Core `insert()` executemany in batches, one transaction per batch;
- `structure.py` regions, agencies, accounts, decrees and e-tracking desks;
- `innovations.py` innovations with their stage history, evidence (a sample with real files),
  SID claims, milestones and replications;
- `etracking.py` files and stage events that follow the engine's rules in working time;
- `generator.py` the run: checks, order, summary, the one audit entry;
- `markers.py` which rows are generated (refuse twice, `--replace`, the fingerprint).

Nothing in the app imports this package (import-linter contract), and it changes no model: the
rows are the ones the app's services would write, minus the per-row audit entries.
"""
