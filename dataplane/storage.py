"""Data files through Django's storage API (local disk or an S3-compatible store).

Uploads and Parquet files are saved with ``default_storage``. DuckDB reads Parquet by
path (:func:`parquet_path`):

* on file-system storage that is the stored file itself;
* on the S3 store (``PORTAL_STORAGE_URL``) it is a ``portalstore://bucket/key`` URL that
  DuckDB reads through Arrow's S3 client (:class:`StoreFileSystem`, registered on every
  engine connection): DuckDB's own Parquet reader asks for byte ranges — the footer, then
  only the column chunks of the row groups and columns a query needs — so a key lookup
  reads a small part of a large version and no node keeps a copy;
* on any other storage the file is fetched once into a local cache (Parquet files are
  immutable — every version has its own name — so a cached copy never goes stale).
"""

import functools
import hashlib
import io
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from django.core.files import File
from django.core.files.storage import default_storage
from fsspec.implementations.arrow import ArrowFSWrapper
from prometheus_client import Counter

from .conf import work_dir

COPY_CHUNK = 1 << 20
STORE_PROTOCOL = "portalstore"


STORE_READ_BYTES = Counter("portal_store_read_bytes", "Bytes the data engine read from the "
                           "object store (ranged reads of Parquet files)")
PARQUET_TAIL = 8  # footer length (4 bytes, little-endian) and the magic "PAR1"


class _StoreFile(io.RawIOBase):
    """A read-only, seekable stored file whose every read is one ranged GET, except reads
    of the Parquet footer, which come from the per-process footer cache."""

    def __init__(self, fs: "StoreFileSystem", key: str):
        super().__init__()
        self.fs, self.key = fs, key
        self.size = fs.size(key)
        self.position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def read(self, length: int = -1) -> bytes:
        end = self.size if length is None or length < 0 else min(self.size, self.position + length)
        if end <= self.position:
            return b""
        footer_start, footer = self.fs.footer(self.key)
        if self.position >= footer_start:
            data = footer[self.position - footer_start:end - footer_start]
        else:
            data = self.fs.read_range(self.key, self.position, end - self.position)
        self.position += len(data)
        return data

    def readall(self) -> bytes:
        return self.read(-1)


class StoreFileSystem(ArrowFSWrapper):
    """The object store as an fsspec file system for DuckDB: ``portalstore://bucket/key``,
    read-only, over Arrow's S3 client.

    DuckDB's Parquet reader asks for byte ranges and each becomes one ranged GET (counted
    in ``portal_store_read_bytes_total``). Stored names never change content, so per
    process the file's handle (and so its size) and its Parquet footer are kept: a query
    then pays no metadata request, only the GETs of the column chunks it needs — what
    DuckDB's metadata cache does for local files.
    """

    protocol = STORE_PROTOCOL
    root_marker = ""

    @classmethod
    def _strip_protocol(cls, path):
        return str(path).removeprefix(f"{STORE_PROTOCOL}://").lstrip("/")

    # One instance per store, kept for the life of the process: the caches may hold self.
    @functools.lru_cache(maxsize=1024)  # noqa: B019
    def _handle(self, key: str):
        return self.fs.open_input_file(key)

    @functools.lru_cache(maxsize=256)  # noqa: B019
    def footer(self, key: str) -> tuple[int, bytes]:
        """``(offset, bytes)`` of the Parquet footer of ``key`` (metadata and tail)."""
        size = self.size(key)
        tail = self.read_range(key, size - PARQUET_TAIL, PARQUET_TAIL)
        if len(tail) < PARQUET_TAIL or tail[4:] != b"PAR1":
            return size, b""  # not Parquet: nothing cached, every read goes to the store
        start = size - PARQUET_TAIL - int.from_bytes(tail[:4], "little")
        return start, self.read_range(key, start, size - start)

    def read_range(self, key: str, offset: int, length: int) -> bytes:
        data = bytes(self._handle(key).read_at(length, offset))
        STORE_READ_BYTES.inc(len(data))
        return data

    def size(self, path) -> int:
        return self._handle(self._strip_protocol(path)).size()

    @functools.lru_cache(maxsize=1024)  # noqa: B019
    def info(self, path, **kwargs):
        return super().info(path, **kwargs)

    def modified(self, path):
        return self.info(path)["mtime"]

    def _open(self, path, mode="rb", block_size=None, **kwargs):
        if mode != "rb":
            raise PermissionError(f"{STORE_PROTOCOL}:// is read-only; files are written "
                                  "through the storage API")
        return _StoreFile(self, self._strip_protocol(path))


def _s3_storage():
    """The default storage if it is django-storages' S3 backend, else None."""
    from storages.backends.s3 import S3Storage

    return default_storage if isinstance(default_storage, S3Storage) else None


@functools.lru_cache(maxsize=8)
def _store_filesystem(endpoint: str | None, region: str | None, access_key: str | None,
                      secret_key: str | None, virtual: bool) -> StoreFileSystem:
    from pyarrow import fs as pafs

    options = {"region": region or "us-east-1", "force_virtual_addressing": virtual}
    if endpoint:
        parts = urlsplit(endpoint)
        options.update(endpoint_override=parts.netloc, scheme=parts.scheme or "https")
    if access_key:
        options.update(access_key=access_key, secret_key=secret_key or "")
    return StoreFileSystem(pafs.S3FileSystem(**options))


def store_filesystems() -> tuple[StoreFileSystem, ...]:
    """The file systems DuckDB connections register (the S3 store, when configured)."""
    storage = _s3_storage()
    if storage is None:
        return ()
    return (_store_filesystem(storage.endpoint_url, storage.region_name, storage.access_key,
                              storage.secret_key, storage.addressing_style == "virtual"),)


def _store_key(storage, name: str) -> str:
    from storages.utils import clean_name

    return storage._normalize_name(clean_name(name))


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
    """A local file path for the stored file ``name`` (for readers that need one: a raw
    upload is read once during ingestion).

    On non-local storage the file is downloaded: into ``into`` (a scratch directory the
    caller removes) or else into the shared cache.
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


def parquet_path(name: str) -> str:
    """What DuckDB's ``read_parquet`` is given for the stored Parquet file ``name``: the
    store URL on the S3 store (ranged reads), else a local path."""
    storage = _s3_storage()
    if storage is not None:
        return f"{STORE_PROTOCOL}://{storage.bucket_name}/{_store_key(storage, name)}"
    return str(local_path(name))


def storage_open(name: str):
    """The stored file ``name`` opened for reading as it is sent: on the S3 store the
    object's HTTP body itself (django-storages' file would first fetch it whole)."""
    storage = _s3_storage()
    if storage is not None:
        return storage.bucket.Object(_store_key(storage, name)).get()["Body"]
    return default_storage.open(name, "rb")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(COPY_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
