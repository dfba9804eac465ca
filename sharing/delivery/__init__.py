"""Delivery of shared data (S9, S10, S13): who may read which items of a resource is
sharing's question (``sharing.access``); this package asks it and drives the data
plane's engine, masking and access log to answer online queries and downloads, on the
pages under /data/ and the REST API. The data plane below imports nothing of sharing."""
