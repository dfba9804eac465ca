"""Settings of the catalog, with defaults (``settings.CATALOG``; see portal/conf.py)."""

from portal.conf import AppSettings

catalog_setting = AppSettings("CATALOG", {
    # C5: a new entry overlaps a registered entry of another department when at least this
    # share of its (non-identity) data items, and at least this many, appear there too.
    "OVERLAP_RATIO": 0.5,
    "OVERLAP_MIN_ITEMS": 2,
})
