"""The one way uploaded files are stored: decree PDFs, evidence versions, anything else.

Files are kept by a random key (`secrets.token_hex(16)`), never by the user's file name. A key is
32 lowercase hex digits and is checked before any path is built, so a stored or forged key cannot
walk out of the root. The layout is `<root>/<area>/<key[:2]>/<key>`.

The root is an fsspec URL (ARCHITECTURE §6): `STORAGE_URL` when configured (for example
`s3://bucket/puja` with the optional `s3` extra installed), otherwise `file://` + `STORAGE_ROOT`,
a folder outside the web root that nothing serves directly. On the local file system a write goes
to a temporary file first and is renamed into place, so a reader never sees half a document; an
object store's PUT is atomic by itself.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import IO

import fsspec
from flask import current_app
from fsspec.implementations.local import LocalFileSystem

KEY_PATTERN = re.compile(r"^[0-9a-f]{32}$")
AREA_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


class StorageKeyError(ValueError):
    """A key that is malformed (possible path traversal) or names no stored file."""


def valid_key(key: object) -> bool:
    return isinstance(key, str) and bool(KEY_PATTERN.fullmatch(key))


class FileStore:
    """Save bytes under a new random key; open, stream, test or delete by key.

    `root` is a local folder (a path) or any fsspec URL (`file:///srv/files`, `s3://bucket/x`).
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        text = os.fspath(root)
        if "://" not in text:
            text = "file://" + str(Path(text).resolve())
        fs, path = fsspec.core.url_to_fs(text)
        self.fs = fs
        self.local = isinstance(fs, LocalFileSystem)
        self.root = str(Path(path).resolve()) if self.local else path.rstrip("/")

    def _path(self, key: str) -> str:
        if not valid_key(key):
            raise StorageKeyError("malformed storage key")
        if self.local:
            root = Path(self.root)
            path = (root / key[:2] / key).resolve()
            if root not in path.parents:
                raise StorageKeyError("storage key outside the root")
            return str(path)
        return f"{self.root}/{key[:2]}/{key}"

    def save(self, data: bytes) -> str:
        """Store `data` under a new random key and return the key."""
        key = secrets.token_hex(16)
        self.save_as(key, data)
        return key

    def save_as(self, key: str, data: bytes) -> None:
        """Store `data` under a key the caller chose (32 hex digits, checked like any key),
        replacing what was stored there. Uploads never use it (they take `save`'s random key);
        it is for the scale generator (puja_indah/scale), whose rows and files must be the same
        for the same seed."""
        path = self._path(key)
        if not self.local:
            self.fs.pipe_file(path, data)
            return
        folder = Path(path).parent
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def save_file(self, source: str | os.PathLike[str]) -> str:
        """Store a finished local file (a large export) under a new random key without reading
        it into memory; returns the key. The source file is left where it is."""
        key = secrets.token_hex(16)
        path = self._path(key)
        if not self.local:
            self.fs.put_file(os.fspath(source), path)
            return key
        folder = Path(path).parent
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out, open(source, "rb") as data:
                shutil.copyfileobj(data, out, 1024 * 1024)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return key

    def open(self, key: str) -> bytes:
        """The stored bytes; StorageKeyError when the key is malformed or names nothing."""
        path = self._path(key)
        try:
            return bytes(self.fs.cat_file(path))
        except FileNotFoundError:
            raise StorageKeyError("no file stored under this key") from None

    def stream(self, key: str) -> IO[bytes]:
        """A binary file object for large files (the caller closes it)."""
        path = self._path(key)
        try:
            return self.fs.open(path, "rb")
        except FileNotFoundError:
            raise StorageKeyError("no file stored under this key") from None

    def exists(self, key: str) -> bool:
        try:
            return bool(self.fs.isfile(self._path(key)))
        except StorageKeyError:
            return False

    def delete(self, key: str) -> None:
        """Remove a stored file (used when the database change that needed it failed)."""
        path = self._path(key)
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm_file(path)


def storage_url() -> str:
    """The configured root URL of the running app."""
    url = str(current_app.config.get("STORAGE_URL") or "")
    return url or "file://" + str(Path(current_app.config["STORAGE_ROOT"]).resolve())


def file_store(area: str) -> FileStore:
    """The store for one area (`decrees`, `evidence`, …) of the running app."""
    if not AREA_PATTERN.fullmatch(area):
        raise ValueError(f"bad storage area {area!r}")
    return FileStore(storage_url().rstrip("/") + "/" + area)
