"""The public portal (``/open/``), the department and center pages (``/open/manage/``),
and the exports (downloads, DCAT, feed, robots.txt)."""
