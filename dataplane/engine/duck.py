"""Opening DuckDB with the portal's resource limits.

Ingestion opens its own connection (with a private spill directory). Queries and
downloads take a cursor on one in-memory database per process (:func:`engine_cursor`):
a cursor costs microseconds where a new database costs tens of milliseconds, and the
memory limit then bounds the whole process, not each request.
"""

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class EngineConfig:
    threads: int = 2
    memory_limit: str = "512MB"
    max_problems: int = 200
    xlsx_max_uncompressed: int = 2 * 1024**3
    # Small row groups keep a scan's decompression buffers (and so download memory) small.
    row_group_size: int = 30_720
    temp_dir: str = ""
    # fsspec file systems DuckDB reads through (the object store), by URL protocol.
    filesystems: tuple = ()


def engine_connect(config: EngineConfig, *, work_dir: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB database bounded in threads and memory; spills to ``work_dir``
    (or the configured ``temp_dir``).

    Nothing is installed or loaded from the network: the portal runs on closed networks.
    """
    settings = {
        "threads": config.threads,
        "memory_limit": config.memory_limit,
        "preserve_insertion_order": True,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        # Give memory back after big scans, so a download leaves the process small.
        "allocator_flush_threshold": "64MB",
    }
    spill = work_dir / "duckdb.tmp" if work_dir is not None else config.temp_dir
    if spill:
        settings["temp_directory"] = str(spill)
    con = duckdb.connect(config=settings)
    for filesystem in config.filesystems:
        con.register_filesystem(filesystem)
    # Parquet files are immutable (one per version), so their footers can be cached.
    con.execute("SET parquet_metadata_cache = true")
    _quiet(con)
    return con


def _quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """No progress bar on the worker's or web server's output (a per-session setting)."""
    con.execute("SET enable_progress_bar = false")
    return con


_shared: tuple[int, EngineConfig, duckdb.DuckDBPyConnection] | None = None
_lock = threading.Lock()


def engine_cursor(config: EngineConfig) -> duckdb.DuckDBPyConnection:
    """A cursor on this process's shared database (made on first use after a fork)."""
    global _shared
    with _lock:
        if _shared is None or _shared[0] != os.getpid() or _shared[1] != config:
            _shared = (os.getpid(), config, engine_connect(config))
        cursor = _shared[2].cursor()
    return _quiet(cursor)
