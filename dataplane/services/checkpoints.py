"""Signed checkpoints of the access log's chain, kept outside the database (S10).

A checkpoint says "entry ``seq`` of the log had hash ``hash`` at ``at``", signed with
the access log key (HMAC-SHA256, key id recorded). It is written where the database
administrator cannot rewrite it together with the log:

* by default, one object per checkpoint through Django's storage API under
  ``accesslog/checkpoints/`` — on the S3 store, enable versioning or Object Lock
  (compliance mode) on that prefix so objects cannot be replaced or removed;
* or, when ``PORTAL_ACCESSLOG_CHECKPOINTS`` is a path, one JSON line per checkpoint
  appended to that file (``O_APPEND``; make it append-only with ``chattr +a`` and keep it
  on another host or volume than the database).

Checkpoints are never overwritten: a name that exists is left as it is.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from ..conf import accesslog_keys, dataplane_setting

PREFIX = "accesslog/checkpoints"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    key_id: str
    signature: str = ""

    def payload(self) -> bytes:
        fields = {k: v for k, v in asdict(self).items() if k != "signature"}
        return b"accesslog-checkpoint:" + json.dumps(fields, sort_keys=True).encode()

    def signed(self) -> Checkpoint:
        key_id, keys = accesslog_keys()
        unsigned = Checkpoint(self.seq, self.hash, self.at, key_id)
        signature = hmac.new(keys[key_id], unsigned.payload(), hashlib.sha256).hexdigest()
        return Checkpoint(self.seq, self.hash, self.at, key_id, signature)

    def signature_valid(self, keys: dict[str, bytes]) -> bool:
        key = keys.get(self.key_id)
        if key is None:
            return False
        expected = hmac.new(key, self.payload(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.signature)

    def line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def parse(cls, text: str) -> Checkpoint | None:
        try:
            data = json.loads(text)
            return cls(seq=int(data["seq"]), hash=str(data["hash"]), at=str(data["at"]),
                       key_id=str(data["key_id"]), signature=str(data["signature"]))
        except (ValueError, KeyError, TypeError):
            return None


class StorageCheckpoints:
    """One object per checkpoint through the storage backend."""

    def describe(self) -> str:
        return f"storage:{PREFIX}/"

    def append(self, checkpoint: Checkpoint) -> bool:
        name = f"{PREFIX}/{checkpoint.seq:015d}.json"
        if default_storage.exists(name):
            return False
        default_storage.save(name, ContentFile(checkpoint.line().encode()))
        return True

    def read(self) -> list[str]:
        try:
            _dirs, files = default_storage.listdir(PREFIX)
        except FileNotFoundError:
            return []
        texts = []
        for name in sorted(files):
            with default_storage.open(f"{PREFIX}/{name}", "rb") as handle:
                texts.append(handle.read().decode("utf-8", "replace"))
        return texts


class FileCheckpoints:
    """JSON lines appended to one file."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)

    def describe(self) -> str:
        return f"file:{self.path}"

    def append(self, checkpoint: Checkpoint) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, (checkpoint.line() + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        return True

    def read(self) -> list[str]:
        if not self.path.exists():
            return []
        return [line for line in self.path.read_text("utf-8", "replace").splitlines()
                if line.strip()]


def checkpoint_store() -> StorageCheckpoints | FileCheckpoints:
    target = dataplane_setting("ACCESSLOG_CHECKPOINTS")
    return FileCheckpoints(target) if target else StorageCheckpoints()
