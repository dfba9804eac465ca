from django.utils.translation import gettext as _
from rest_framework import serializers

from portal.api.serializers import DepartmentSerializer

from ..models import (
    ChangeEvent,
    DataItem,
    Project,
    Resource,
    SharingMethod,
    Subject,
)
from ..rules import ITEM_FIELDS, RESOURCE_FIELDS, check_entry


class DataItemSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False)
    data_type_display = serializers.CharField(source="get_data_type_display", read_only=True)
    sensitivity_display = serializers.CharField(source="get_sensitivity_display", read_only=True)

    class Meta:
        model = DataItem
        fields = ["id", "position", *ITEM_FIELDS, "data_type_display", "sensitivity_display",
                  "retired"]
        read_only_fields = ["position", "retired"]
        extra_kwargs = {name: {"required": False} for name in ITEM_FIELDS if name != "name"}


class ResourceListSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    classification_display = serializers.CharField(source="get_classification_display", read_only=True)
    sharing_type_display = serializers.CharField(source="get_sharing_type_display", read_only=True)
    open_type_display = serializers.CharField(source="get_open_type_display", read_only=True)

    class Meta:
        model = Resource
        fields = ["id", "code", "name", "provider", "provider_name", "classification",
                  "classification_display", "theme", "format", "sharing_type",
                  "sharing_type_display", "open_type", "open_type_display", "update_cycle",
                  "status", "status_display", "revision_of", "registered_at", "updated_at"]


class ResourceSerializer(serializers.ModelSerializer):
    """An entry with its items. Writing replaces the items: send every item, existing ones
    with their ``id``."""

    provider = DepartmentSerializer(read_only=True)
    items = DataItemSerializer(many=True, required=False,
                               help_text="信息项（顺序即序号）；已停用的信息项带 retired=true")
    subjects = serializers.ListField(child=serializers.ChoiceField(Subject.choices), required=False)
    sharing_method = serializers.ListField(child=serializers.ChoiceField(SharingMethod.choices),
                                           required=False)
    related_resources = serializers.SlugRelatedField(
        many=True, slug_field="code", required=False,
        queryset=Resource.objects.filter(status=Resource.Status.REGISTERED))
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    review_warnings = serializers.JSONField(read_only=True)

    class Meta:
        model = Resource
        fields = ["id", "code", "provider", *RESOURCE_FIELDS, "related_resources", "status",
                  "status_display", "revision_of", "review_comment", "review_warnings",
                  "submitted_at", "registered_at", "retired_at", "retire_reason", "updated_at",
                  "items"]
        read_only_fields = ["code", "status", "revision_of", "review_comment", "submitted_at",
                            "registered_at", "retired_at", "retire_reason", "updated_at"]
        extra_kwargs = {name: {"required": False} for name in RESOURCE_FIELDS}

    def validate(self, attrs):
        """The catalog rules (C1–C3), with errors per field and per item."""
        data = self.proposal(attrs)
        items = attrs.get("items")
        if items is None:
            items = ([] if self.instance is None else
                     [{"id": i.pk, **{n: getattr(i, n) for n in ITEM_FIELDS}}
                      for i in self.instance.items.all() if not i.retired])
            attrs["items"] = items
        errors = check_entry(data, items)
        if errors:
            raise serializers.ValidationError(errors.as_dict())
        return attrs

    def proposal(self, attrs):
        instance = self.instance
        data = {}
        for name in RESOURCE_FIELDS:
            if name in attrs:
                data[name] = attrs[name]
            elif instance is not None:
                data[name] = getattr(instance, name)
            else:
                data[name] = Resource._meta.get_field(name).get_default()
                if data[name] is None and name not in ("publication_date", "project"):
                    data[name] = ""
        return data


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class SubmitSerializer(CommentSerializer):
    recollection_reason = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text="与其他部门已注册资源重复时，说明重复收集的理由（《政务数据共享条例》）")


class ReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(help_text=_("退回意见"))


class RetireSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text=_("撤销原因"))


class ChangeEventSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = ChangeEvent
        fields = ["id", "department", "department_name", "kind", "title", "description",
                  "occurred_on", "due_on", "status", "completed_at", "completion_note",
                  "overdue_at", "is_overdue"]
        read_only_fields = ["due_on", "status", "completed_at", "completion_note", "overdue_at"]


class CompleteSerializer(serializers.Serializer):
    note = serializers.CharField(help_text=_("更新说明"))


class ProjectSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    resources = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Project
        fields = ["id", "code", "name", "department", "department_name", "description", "budget",
                  "status", "approved_on", "completed_on", "review_comment", "resources"]
        read_only_fields = ["department", "status", "approved_on", "completed_on", "review_comment"]
