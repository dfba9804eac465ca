"""Data files through Django's storage API (local disk or an S3-compatible store).

Uploads and Parquet files are saved with ``default_storage``. DuckDB reads a local
path: on file-system storage that is the stored file itself; on any other storage the
file is fetched once into a local cache (Parquet files are immutable — every version
has its own name — so a cached copy never goes stale).
"""

import hashlib
import os
import shutil
import tempfile
import uuid
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage

from .conf import work_dir

COPY_CHUNK = 1 << 20


def storage_save(prefix: str, suffix: str, source: Path | File) -> str:
    """Save ``source`` under a fresh name ``prefix/<uuid><suffix>``; returns the name."""
    name = f"{prefix}/{uuid.uuid4().hex}{suffix}"
    if isinstance(source, Path):
        with source.open("rb") as handle:
            return default_storage.save(name, File(handle))
    return default_storage.save(name, source)


def storage_delete(name: str) -> None:
    if name:
        default_storage.delete(name)


def local_path(name: str, *, into: Path | None = None) -> Path:
    """A local file path for the stored file ``name``.

    On non-local storage the file is downloaded: into ``into`` (a scratch directory the
    caller removes, e.g. for a raw upload read once) or else into the shared cache.
    """
    try:
        path = Path(default_storage.path(name))
        if path.exists():  # some storages name a local path they do not keep files at
            return path
    except NotImplementedError:
        pass
    cache = into or work_dir() / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / (hashlib.sha256(name.encode()).hexdigest() + Path(name).suffix)
    if not target.exists():
        fd, partial = tempfile.mkstemp(dir=cache, suffix=".part")
        with os.fdopen(fd, "wb") as out, default_storage.open(name, "rb") as src:
            shutil.copyfileobj(src, out, COPY_CHUNK)
        os.replace(partial, target)  # atomic: readers never see a half-written file
    return target


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(COPY_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
