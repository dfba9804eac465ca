"""The assessment's web pages: the authority's workplace, department pages, public results."""
