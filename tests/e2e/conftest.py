"""Browser journeys live here; the fixtures are in :mod:`tests.browser`."""

from tests.browser import screenshot

__all__ = ["screenshot"]
