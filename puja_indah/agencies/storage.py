"""Where decree PDFs are stored: the `decrees` area of the one file store (core/storage.py)."""

from __future__ import annotations

from puja_indah.core.storage import FileStore, StorageKeyError, file_store

__all__ = ["FileStore", "StorageKeyError", "decree_files"]


def decree_files() -> FileStore:
    """The store for decree PDFs of the running app."""
    return file_store("decrees")
