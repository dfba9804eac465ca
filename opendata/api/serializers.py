from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..dcat import Urls
from ..models import AccessApplication, DataProduct, DataRequest, Dataset, Distribution
from ..selectors import dataset_effective_open_type


class PublisherSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    short_name = serializers.CharField()


class DistributionSerializer(serializers.ModelSerializer):
    format_display = serializers.CharField(source="get_format_display", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Distribution
        fields = ["uuid", "format", "format_display", "url", "byte_size", "checksum",
                  "modified_at"]

    def get_url(self, dist: Distribution) -> str:
        return Urls(request=self.context.get("request")).distribution(dist.dataset, dist.format)


class DatasetListSerializer(serializers.ModelSerializer):
    publisher = PublisherSerializer(read_only=True)
    theme_display = serializers.CharField(source="get_theme_display", read_only=True)
    open_type = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Dataset
        fields = ["id", "uuid", "name", "title", "description", "publisher", "theme",
                  "theme_display", "keywords", "licence", "open_type", "update_cycle",
                  "first_published_at", "modified_at", "view_count", "download_count",
                  "api_call_count", "url"]

    @extend_schema_field(serializers.CharField())
    def get_open_type(self, dataset: Dataset) -> str:
        return dataset_effective_open_type(dataset)

    def get_url(self, dataset: Dataset) -> str:
        return Urls(request=self.context.get("request")).dataset(dataset)


class DataColumnSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    type = serializers.CharField()


class DatasetDetailSerializer(DatasetListSerializer):
    distributions = serializers.SerializerMethodField()
    columns = DataColumnSerializer(source="data_columns", many=True, read_only=True)
    rows_url = serializers.SerializerMethodField()
    rating_average = serializers.FloatField(read_only=True, allow_null=True)

    class Meta(DatasetListSerializer.Meta):
        fields = [*DatasetListSerializer.Meta.fields, "open_conditions", "spatial",
                  "temporal_start", "temporal_end", "contact_name", "contact_email",
                  "contact_phone", "row_count", "data_status", "data_modified_at", "columns",
                  "distributions", "rows_url", "rating_average", "rating_count"]

    @extend_schema_field(DistributionSerializer(many=True))
    def get_distributions(self, dataset: Dataset):
        ready = dataset.data_status == Dataset.DataStatus.READY
        dists = [d for d in dataset.distributions.all() if ready and (not d.is_file or d.file)]
        return DistributionSerializer(dists, many=True, context=self.context).data

    def get_rows_url(self, dataset: Dataset) -> str:
        return Urls(request=self.context.get("request")).api_rows(dataset)


class WorkflowCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class RowsResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    fields = DataColumnSerializer(many=True)
    results = serializers.ListField(child=serializers.DictField())


class DataRequestSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True,
                                            allow_null=True, default=None)
    dataset_name = serializers.CharField(source="dataset.name", read_only=True,
                                         allow_null=True, default=None)
    outcome = serializers.ChoiceField(choices=DataRequest.Outcome.choices, read_only=True,
                                      allow_blank=True)

    class Meta:
        model = DataRequest
        fields = ["id", "title", "description", "scenario", "theme", "suggested_department",
                  "contact_name", "contact_email", "status", "status_display", "submitted_at",
                  "department", "department_name", "due_on", "answer", "outcome",
                  "dataset_name", "answered_at"]
        read_only_fields = ["status", "submitted_at", "department", "due_on", "answer",
                            "outcome", "answered_at"]
        extra_kwargs = {"contact_name": {"write_only": True},
                        "contact_email": {"write_only": True}}


class RouteSerializer(serializers.Serializer):
    department = serializers.IntegerField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class AnswerSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=DataRequest.Outcome.choices)
    answer = serializers.CharField()
    dataset = serializers.IntegerField(required=False, allow_null=True)


class ApplicationSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    dataset_title = serializers.CharField(source="dataset.title", read_only=True)

    class Meta:
        model = AccessApplication
        fields = ["id", "dataset", "dataset_title", "organisation", "purpose_kind", "purpose",
                  "security_measures", "contact_phone", "status", "status_display",
                  "submitted_at", "due_on", "decided_at", "decision_comment", "valid_until"]
        read_only_fields = ["status", "submitted_at", "due_on", "decided_at",
                            "decision_comment", "valid_until"]


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)


class ProductDatasetSerializer(serializers.Serializer):
    dataset = serializers.IntegerField(source="dataset_id")
    title = serializers.CharField(source="dataset.title", read_only=True)
    source = serializers.CharField()
    acquired_on = serializers.DateField()


class DataProductSerializer(serializers.ModelSerializer):
    uses = ProductDatasetSerializer(many=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = DataProduct
        fields = ["id", "name", "kind", "summary", "url", "developer", "status",
                  "status_display", "listed_at", "uses"]
        read_only_fields = ["status", "listed_at"]
