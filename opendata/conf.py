"""Settings of open data, with defaults (``settings.OPENDATA``; see portal/conf.py)."""

from portal.conf import AppSettings

opendata_setting = AppSettings("OPENDATA", {
    # Per-IP ("anon") and per-token rates of the public data API and CKAN API, downloads,
    # pages and forms; crawlers are throttled before they reach the database.
    "THROTTLE_RATES": {
        "api_anon": "60/min", "api_token": "600/min",
        "download_anon": "20/min", "download_token": "120/min",
        "page_anon": "300/min", "page_token": "600/min",
        "form_anon": "10/hour", "form_token": "30/hour",
    },
    # Absolute base of the public site used in DCAT IRIs and feeds built outside a request.
    "BASE_URL": "",
    # Validity of an approved public application (O5).
    "APPLICATION_VALID_DAYS": 365,
    # Rows shown in a dataset's preview.
    "PREVIEW_ROWS": 10,
})
