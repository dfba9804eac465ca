import django_filters

from ..models import Grant, Objection, ShareRequest, TransferRequest


class ShareRequestFilter(django_filters.FilterSet):
    side = django_filters.ChoiceFilter(
        method="filter_side", label="made：本部门提出；received：向本部门提出",
        choices=[("made", "made"), ("received", "received")])
    submitted_after = django_filters.DateFilter(field_name="submitted_at", lookup_expr="date__gte")
    submitted_before = django_filters.DateFilter(field_name="submitted_at",
                                                 lookup_expr="date__lte")

    class Meta:
        model = ShareRequest
        fields = ["status", "purpose", "resource", "applicant", "provider", "answered_late"]

    def filter_side(self, queryset, name, value):
        field = "applicant_id" if value == "made" else "provider_id"
        return queryset.filter(**{field: self.request.user.department_id})


class GrantFilter(django_filters.FilterSet):
    side = django_filters.ChoiceFilter(
        method="filter_side", label="held：本部门获得；given：本部门给予",
        choices=[("held", "held"), ("given", "given")])
    active_on = django_filters.DateFilter(method="filter_active", label="在该日有效")

    class Meta:
        model = Grant
        fields = ["resource", "purpose", "department", "provider"]

    def filter_side(self, queryset, name, value):
        field = "department_id" if value == "held" else "provider_id"
        return queryset.filter(**{field: self.request.user.department_id})

    def filter_active(self, queryset, name, value):
        from ..models import valid_grants_q

        return queryset.filter(valid_grants_q(value))


class ObjectionFilter(django_filters.FilterSet):
    class Meta:
        model = Objection
        fields = ["status", "kind", "resource", "reporter", "provider"]


class TransferFilter(django_filters.FilterSet):
    class Meta:
        model = TransferRequest
        fields = ["status", "grant"]
