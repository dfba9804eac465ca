"""Content negotiation for file downloads."""

from rest_framework.negotiation import DefaultContentNegotiation


class PassThroughNegotiation(DefaultContentNegotiation):
    """``?format=`` names the file format of a download (csv, xlsx, json), not a DRF
    renderer: without this, DRF answers 404 to every format it has no renderer for.
    Errors are still rendered as JSON (the view's first renderer)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
