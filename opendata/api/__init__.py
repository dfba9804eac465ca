"""The open-data REST API under ``/api/v1/opendata/`` (API.md)."""
