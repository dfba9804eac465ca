"""Harvesting remote open-data catalogs into the portal (O8).

The center registers a remote source — a CKAN site, a DCAT-AP catalog (Turtle, JSON-LD
or RDF/XML), or another instance of this portal — and maps it to a publishing
department. Celery harvests due sources on their schedule (`harvest_due_sweep`): each run
is a :class:`~opendata.harvest.models.HarvestJob` with a per-record report; harvested
datasets are :class:`~opendata.harvest.models.HarvestedDataset` rows, shown on the public
portal with their origin.
"""
