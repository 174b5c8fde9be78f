"""Running an institute for years: is this a data directory, backup, restore and a health check.

Everything here is read by a person at a terminal, so every message is Spanish (es-MX) and
names what to do next. Nothing here creates or changes a data directory unless that is the
command's whole point (``init``, ``restore``): a mistyped ``--data`` must never look like an
empty, healthy institute.

The modules: ``data_checks`` (is this an institute, or may ``init`` make one here),
``backup_format`` (a backup's manifest, fingerprints and sealed key store), ``backup`` (backup
and restore), ``postgres_backup`` (the same with pg_dump / pg_restore), ``doctor`` (the health
check) and ``key_rotation`` (rotating every key with the recovery key). Callers import from
the module they need.
"""
