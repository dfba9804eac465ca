"""Settings of the data plane, with defaults (``settings.DATAPLANE``; see portal/conf.py)."""

import hashlib
import hmac
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from portal.conf import AppSettings

from .engine.duck import EngineConfig

dataplane_setting = AppSettings("DATAPLANE", {
    # Uploads (S9).
    "UPLOAD_MAX_BYTES": 2 * 1024**3,
    "XLSX_MAX_UNCOMPRESSED": 2 * 1024**3,
    "MAX_PROBLEMS": 200,
    # Ingestion recovery: a worker refreshes its version's heartbeat this often; a
    # version whose heartbeat is older than INGEST_STALE_SECONDS (or a pending one never
    # picked up) is queued again by the minutely sweep, at most INGEST_MAX_ATTEMPTS times.
    "INGEST_HEARTBEAT_SECONDS": 10,
    "INGEST_STALE_SECONDS": 120,
    "INGEST_MAX_ATTEMPTS": 3,
    # The engine: DuckDB threads and memory per query / ingestion.
    "ENGINE_THREADS": 2,
    "ENGINE_MEMORY": "512MB",
    # Local scratch space (uploads being checked, XLSX being written, cached Parquet).
    "WORK_DIR": None,
    # Downloads.
    "XLSX_MAX_ROWS": 1_048_575,
    "DOWNLOAD_BATCH_ROWS": 20_000,
    # Keyed hashing (masking): defaults to a key derived from SECRET_KEY.
    "MASKING_KEY": "",
    # The access log (S10): HMAC keys of the chain, "id:secret" comma-separated, the
    # newest (used for new entries) first; older ones only verify. Never in the database.
    "ACCESSLOG_KEYS": "",
    # Where signed checkpoints go: "" = the storage backend (accesslog/checkpoints/), or
    # the path of an append-only file (JSON lines). How often one is written.
    "ACCESSLOG_CHECKPOINTS": "",
    "ACCESSLOG_CHECKPOINT_MINUTES": 10,
    # System tokens.
    "TOKEN_MAX_DAYS": 366,
    # Monitoring (S13).
    "SURGE_FACTOR": 10.0,
    "SURGE_MIN_COUNT": 50,
    "BASELINE_DAYS": 28,
    "DENIED_THRESHOLD": 5,
    "OFF_HOURS": (22, 7),
    "OFF_HOURS_MIN_COUNT": 20,
})


def engine_config() -> EngineConfig:
    from .storage import store_filesystems

    return EngineConfig(
        threads=int(dataplane_setting("ENGINE_THREADS")),
        memory_limit=str(dataplane_setting("ENGINE_MEMORY")),
        max_problems=int(dataplane_setting("MAX_PROBLEMS")),
        xlsx_max_uncompressed=int(dataplane_setting("XLSX_MAX_UNCOMPRESSED")),
        temp_dir=str(work_dir() / "spill"),
        filesystems=store_filesystems(),
    )


def work_dir() -> Path:
    path = Path(dataplane_setting("WORK_DIR") or Path(settings.VAR_DIR) / "dataplane")
    path.mkdir(parents=True, exist_ok=True)
    return path


def masking_secret() -> bytes:
    """The HMAC key of keyed hashing. Set ``PORTAL_MASKING_KEY`` in production so that
    rotating SECRET_KEY does not change every pseudonym."""
    configured = dataplane_setting("MASKING_KEY")
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"dataplane-masking", hashlib.sha256).digest()


# Only with DJANGO_DEBUG=1, where nothing is worth forging.
DEV_ACCESSLOG_KEY = "dev:development-only-access-log-key"


def accesslog_keys() -> tuple[str, dict[str, bytes]]:
    """The id of the key new entries are signed with, and every configured key by id."""
    raw = dataplane_setting("ACCESSLOG_KEYS") or (DEV_ACCESSLOG_KEY if settings.DEBUG else "")
    keys: dict[str, bytes] = {}
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        key_id, sep, secret = part.partition(":")
        if not sep:
            key_id, secret = "1", part
        if not key_id or not secret or len(key_id) > 16:
            raise ImproperlyConfigured("PORTAL_ACCESSLOG_KEYS: each key is id:secret "
                                       "(an id of at most 16 characters).")
        keys.setdefault(key_id, secret.encode())
    if not keys:
        raise ImproperlyConfigured(ACCESSLOG_KEY_MISSING)
    return next(iter(keys)), keys


ACCESSLOG_KEY_MISSING = (
    "PORTAL_ACCESSLOG_KEYS is not set. The access log of shared data is signed with a key "
    "kept outside the database: set PORTAL_ACCESSLOG_KEYS=1:<32 or more random characters> "
    "(e.g. `python -c \"import secrets; print(secrets.token_urlsafe(32))\"`), the same on "
    "every web node and worker. DJANGO_DEBUG=1 uses a development key instead.")
