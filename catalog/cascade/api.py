"""The lower instance's cascade endpoint: ``GET /api/v1/catalog/cascade/entries/``.

Government users only (a token of a government account, or a signed-in government user):
the public gets 403, anonymous callers 401. ``since`` (ISO 8601) asks for entries changed
since then; ``after`` continues from the previous page's ``next`` cursor; ``limit`` ≤ 1000.
"""

from __future__ import annotations

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.errors import ValidationFailed
from portal.params import int_param

from .services import MAX_PAGE_SIZE, PAGE_SIZE, cascade_export_page


@extend_schema(tags=["catalog"], parameters=[
    OpenApiParameter("since", str, description="ISO 8601：只要此后变更的目录"),
    OpenApiParameter("after", str, description="上一页返回的 next 游标"),
    OpenApiParameter("limit", int)], responses={200: OpenApiTypes.OBJECT})
class CascadeEntries(APIView):
    """Registered and retired catalog entries for the upper-level platform (paged)."""

    permission_classes = [IsAuthenticated]

    def get(self, request):
        raw = request.query_params.get("since", "")
        since = parse_datetime(raw) if raw else None
        if raw and since is None:
            raise ValidationFailed(_("since 应为 ISO 8601 时间。"),
                                   fields={"since": [_("since 应为 ISO 8601 时间。")]})
        limit = int_param(request.query_params, "limit", default=PAGE_SIZE, low=1,
                          high=MAX_PAGE_SIZE)
        page = cascade_export_page(actor=request.user, base_url=request.build_absolute_uri("/")
                                   .rstrip("/"), since=since,
                                   after=request.query_params.get("after", ""), limit=limit)
        return Response(page)
