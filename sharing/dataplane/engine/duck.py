"""Opening DuckDB with the portal's resource limits."""

from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class EngineConfig:
    threads: int = 2
    memory_limit: str = "512MB"
    max_problems: int = 200
    xlsx_max_uncompressed: int = 2 * 1024**3
    row_group_size: int = 122_880


def engine_connect(config: EngineConfig, *, work_dir: Path | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection bounded in threads and memory; spills to ``work_dir``.

    External access stays on (the engine reads the files it is given), but nothing is
    installed or loaded: the portal runs on closed networks.
    """
    settings = {
        "threads": config.threads,
        "memory_limit": config.memory_limit,
        "preserve_insertion_order": True,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }
    if work_dir is not None:
        settings["temp_directory"] = str(work_dir / "duckdb.tmp")
    return duckdb.connect(config=settings)
