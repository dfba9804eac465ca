from rest_framework import serializers

from ..masking import MaskKind
from ..models import AccessLogEntry, Anomaly, DataVersion, UsageReport


class VersionSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    is_late = serializers.BooleanField(read_only=True)

    class Meta:
        model = DataVersion
        fields = ["id", "number", "status", "status_display", "note", "progress", "stage",
                  "source_name", "source_format", "source_size", "detected_encoding",
                  "row_count", "parquet_size", "checksum", "schema", "due_on", "days_late",
                  "is_late", "uploaded_by", "uploaded_at", "processed_at", "activated_at"]
        read_only_fields = fields


class VersionDetailSerializer(VersionSerializer):
    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "report"]
        read_only_fields = fields


class VersionUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    format = serializers.ChoiceField(choices=DataVersion.Format.choices, required=False,
                                     allow_blank=True)
    encoding = serializers.ChoiceField(choices=["auto", "utf-8", "gbk", "utf-16"],
                                       default="auto")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AccessLogSerializer(serializers.ModelSerializer):
    resource_code = serializers.CharField(source="resource.code", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True,
                                            default=None)
    provider_name = serializers.CharField(source="provider.name", read_only=True)

    class Meta:
        model = AccessLogEntry
        fields = ["id", "seq", "at", "username", "department", "department_name", "resource",
                  "resource_code", "provider", "provider_name", "version", "grant", "token",
                  "action", "channel", "allowed", "purpose", "parameters", "items",
                  "masked_items", "rows_returned", "reason", "ip_address", "hash"]
        read_only_fields = fields


class AnomalySerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Anomaly
        fields = ["id", "kind", "kind_display", "status", "status_display", "resource",
                  "provider", "department", "grant", "user", "window_start", "window_end",
                  "observed", "baseline", "detail", "created_at", "closed_at", "conclusion"]
        read_only_fields = fields


class AnomalyCloseSerializer(serializers.Serializer):
    conclusion = serializers.CharField()


class UsageReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = UsageReport
        fields = ["id", "department", "month", "data", "created_at"]
        read_only_fields = fields


class MaskingRuleSerializer(serializers.Serializer):
    """One data item with its masking rule (``rule`` null when it has none: masked, the
    item could not be granted)."""

    item = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    field_name = serializers.CharField()
    sensitivity = serializers.CharField()
    rule = serializers.SerializerMethodField()

    def get_rule(self, item) -> dict | None:
        rule = self.context["rules"].get(item.pk)
        if rule is None:
            return None
        return {"kind": rule.kind, "kind_display": rule.get_kind_display(),
                "params": rule.params, "applies_to_all": rule.applies_to_all,
                "note": rule.note, "updated_at": rule.updated_at}


class MaskingRuleInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[k.value for k in MaskKind])
    params = serializers.DictField(required=False, default=dict)
    applies_to_all = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
