"""The CKAN Action API v3 read subset over the open catalog (O8)."""
