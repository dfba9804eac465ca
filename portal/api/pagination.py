from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination

from portal.params import MAX_INT, int_param


class PortalPagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}`` with ``?page=`` and ``?page_size=`` (≤ 500).

    Both parameters go through the portal's bounded parser: a non-integer or out-of-range
    value is a 400 with the parameter named, never a silent default; a page past the last
    one is a 404.
    """

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        return int_param(request.query_params, self.page_size_query_param,
                         default=self.page_size, low=1, high=self.max_page_size)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw in self.last_page_strings:
            return paginator.num_pages
        return int_param(request.query_params, self.page_query_param, default=1, low=1,
                         high=MAX_INT)

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            raise NotFound(_("没有这一页。")) from None

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {self.page_query_param: (1, MAX_INT),
                  self.page_size_query_param: (1, self.max_page_size)}
        for parameter in parameters:
            low, high = bounds[parameter["name"]]
            parameter["schema"].update(minimum=low, maximum=high)
        return parameters
