"""Request parsers of the API: JSON bodies are objects (API.md)."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class JSONObjectParser(JSONParser):
    """JSON whose top level is an object. A number, string, list or ``null`` body is a
    400 here rather than an ``AttributeError`` in a view reading ``request.data.get``."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise ParseError(_("请求体应为 JSON 对象（{…}）。"))
        return data
