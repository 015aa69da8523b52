"""A small file store for uploaded documents (the scanned decree PDF).

Files are kept under `STORAGE_ROOT/<area>/` by a random key (`secrets.token_hex`), never by the
user's file name: a key is 32 lowercase hex digits, checked before any path is built, so a stored
key cannot walk out of the root. ARCHITECTURE §6 suggests fsspec for `s3://` in production; this
class keeps the same two-call interface (`save`, `open`) so it can be swapped without touching the
callers.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from pathlib import Path

from flask import current_app

KEY_PATTERN = re.compile(r"^[0-9a-f]{32}$")


class StorageKeyError(ValueError):
    """A key that is malformed (possible path traversal) or names no stored file."""


class FileStore:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
            raise StorageKeyError("malformed storage key")
        path = (self.root / key[:2] / key).resolve()
        if self.root not in path.parents:
            raise StorageKeyError("storage key outside the root")
        return path

    def save(self, data: bytes) -> str:
        """Store `data` under a new random key and return the key."""
        key = secrets.token_hex(16)
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write to a temporary file first: a reader never sees a half-written document.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return key

    def open(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise StorageKeyError("no file stored under this key") from None

    def exists(self, key: str) -> bool:
        try:
            return self._path(key).is_file()
        except StorageKeyError:
            return False

    def delete(self, key: str) -> None:
        """Remove a stored file (used when the database change that needed it failed)."""
        self._path(key).unlink(missing_ok=True)


def decree_files() -> FileStore:
    """The store for decree PDFs of the running app."""
    return FileStore(Path(current_app.config["STORAGE_ROOT"]) / "decrees")
