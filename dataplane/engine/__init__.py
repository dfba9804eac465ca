"""The data engine of the data plane: DuckDB over Parquet, no Django models.

``encoding`` normalises uploads to UTF-8, ``sources`` reads CSV, XLSX and JSON into
text columns, ``ingest`` validates a whole upload and writes it once as Parquet,
``query`` builds the SQL for online query and download (projection = granted items,
masking rules as expressions), and ``export`` streams the result as CSV, JSON lines or
XLSX with flat memory.
"""
