"""Settings of the assessment, with defaults (``settings.ASSESSMENT``; see portal/conf.py).

Deadlines come from the region's rule pack (portal.rules); what is here is not one."""

from portal.conf import AppSettings

assessment_setting = AppSettings("ASSESSMENT", {
    # Size limit of one evidence file (A4).
    "EVIDENCE_MAX_BYTES": 20 * 1024 * 1024,
    # A TrueType Chinese font embedded (as a subset) in the PDF reports, so they read on a
    # machine without Chinese fonts (Debian: fonts-wqy-zenhei; .ttc or .ttf).
    "PDF_FONT": "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
})
