"""Serializers of the sharing API: they shape output and parse input; the services apply
the rules (errors come back through the API's exception handler)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import DataItem, Resource, SharingMethod
from portal.models import Department

from ..models import (
    Dispute,
    DisputeMessage,
    Filing,
    Grant,
    NegativeListEntry,
    Objection,
    Purpose,
    ShareRequest,
    TransferRequest,
)


class ItemRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = DataItem
        fields = ["id", "name", "field_name"]


class DepartmentRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "short_name"]


class ResourceRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Resource
        fields = ["id", "code", "name", "sharing_type"]


class DisputeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Dispute
        fields = ["opened_at", "reason", "escalated_at", "escalation_reason",
                  "proposed_sharing_type", "outcome", "decision", "sharing_type_changed_to",
                  "decided_at"]


class ShareRequestSerializer(serializers.ModelSerializer):
    applicant = DepartmentRefSerializer(read_only=True)
    provider = DepartmentRefSerializer(read_only=True)
    resource = ResourceRefSerializer(read_only=True)
    items = ItemRefSerializer(many=True, read_only=True)
    approved_items = ItemRefSerializer(many=True, read_only=True)
    masked_items = ItemRefSerializer(many=True, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    dispute = serializers.SerializerMethodField()
    grant = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = ShareRequest
        fields = ["id", "number", "status", "status_display", "applicant", "provider",
                  "resource", "purpose", "purpose_detail", "knowledge_scope",
                  "security_measures", "items", "period_start", "period_end", "method",
                  "commitment_accepted", "submitted_at", "due_on", "answer_due_on",
                  "answered_at", "answer", "answer_working_days", "answered_late",
                  "approved_items", "masked_items", "approved_until", "answer_comment",
                  "refusal_reason", "center_comment", "closed_at", "dispute", "grant",
                  "actions"]

    @extend_schema_field(DisputeSerializer(allow_null=True))
    def get_dispute(self, obj):
        dispute = getattr(obj, "dispute", None) if hasattr(obj, "dispute") else None
        return DisputeSerializer(dispute).data if dispute else None

    def get_grant(self, obj) -> int | None:
        grant = getattr(obj, "grant", None) if hasattr(obj, "grant") else None
        return grant.pk if grant else None

    def get_actions(self, obj) -> list[str]:
        from ..policies import request_actions

        return sorted(request_actions(self.context["request"].user, obj))


class ShareRequestWriteSerializer(serializers.Serializer):
    """A draft application (S2); the commitment may come as multipart upload."""

    resource = serializers.PrimaryKeyRelatedField(
        queryset=Resource.objects.filter(status=Resource.Status.REGISTERED))
    items = serializers.PrimaryKeyRelatedField(queryset=DataItem.objects.all(), many=True)
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    purpose_detail = serializers.CharField(allow_blank=True, required=False, default="")
    knowledge_scope = serializers.CharField(allow_blank=True, required=False, default="")
    security_measures = serializers.CharField(allow_blank=True, required=False, default="")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    method = serializers.ChoiceField(choices=SharingMethod.choices)
    commitment_document = serializers.FileField(required=False, allow_null=True)
    commitment_accepted = serializers.BooleanField(required=False, default=False)


class ShareRequestUpdateSerializer(ShareRequestWriteSerializer):
    resource = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class ApproveSerializer(serializers.Serializer):
    items = serializers.PrimaryKeyRelatedField(queryset=DataItem.objects.all(), many=True,
                                               required=False,
                                               help_text="同意的信息项；省略则为申请的全部信息项")
    masked_items = serializers.PrimaryKeyRelatedField(queryset=DataItem.objects.all(),
                                                      many=True, required=False)
    valid_until = serializers.DateField(required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ShareReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="",
                                   help_text="理由（不予共享、提请协商或协调时必填）")


class MessageSerializer(serializers.ModelSerializer):
    department = DepartmentRefSerializer(read_only=True)
    author = serializers.CharField(source="author.display_name", read_only=True, default="")

    class Meta:
        model = DisputeMessage
        fields = ["id", "department", "author", "body", "attachment", "created_at"]
        read_only_fields = ["id", "department", "author", "created_at"]


class GrantSerializer(serializers.ModelSerializer):
    department = DepartmentRefSerializer(read_only=True)
    provider = DepartmentRefSerializer(read_only=True)
    resource = ResourceRefSerializer(read_only=True)
    items = ItemRefSerializer(many=True, read_only=True)
    masked_items = ItemRefSerializer(many=True, read_only=True)
    state = serializers.CharField(read_only=True)

    class Meta:
        model = Grant
        fields = ["id", "request", "department", "provider", "resource", "items",
                  "masked_items", "purpose", "purpose_detail", "method", "valid_from",
                  "valid_until", "state", "granted_at", "revoked_at", "revoke_reason"]


class ObjectionSerializer(serializers.ModelSerializer):
    reporter = DepartmentRefSerializer(read_only=True)
    provider = DepartmentRefSerializer(read_only=True)
    resource = ResourceRefSerializer(read_only=True)

    class Meta:
        model = Objection
        fields = ["id", "number", "reporter", "provider", "resource", "item", "kind", "scope",
                  "record_reference", "description", "status", "due_on", "answer",
                  "answered_at", "fix_working_days", "answered_late", "reopen_count",
                  "created_at", "closed_at"]


class ObjectionWriteSerializer(serializers.Serializer):
    resource = serializers.PrimaryKeyRelatedField(
        queryset=Resource.objects.filter(status=Resource.Status.REGISTERED))
    item = serializers.PrimaryKeyRelatedField(queryset=DataItem.objects.all(), required=False,
                                              allow_null=True)
    kind = serializers.ChoiceField(choices=Objection.Kind.choices)
    scope = serializers.ChoiceField(choices=Objection.Scope.choices,
                                    default=Objection.Scope.RECORD)
    record_reference = serializers.CharField(required=False, allow_blank=True, default="")
    description = serializers.CharField(allow_blank=True)
    attachment = serializers.FileField(required=False, allow_null=True)


class ObjectionAnswerSerializer(serializers.Serializer):
    corrected = serializers.BooleanField(help_text="true：已更正；false：经核实无误")
    answer = serializers.CharField(allow_blank=True)


class FollowUpSerializer(serializers.Serializer):
    accept = serializers.BooleanField(help_text="true：认可答复；false：重新提出")
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class TransferSerializer(serializers.ModelSerializer):
    applicant = DepartmentRefSerializer(read_only=True)
    provider = DepartmentRefSerializer(read_only=True)
    items = ItemRefSerializer(many=True, read_only=True)

    class Meta:
        model = TransferRequest
        fields = ["id", "grant", "applicant", "provider", "recipient_department",
                  "recipient_name", "items", "purpose", "reason", "status",
                  "authority_consent", "authority_comment", "provider_consent",
                  "provider_comment", "due_on", "created_at", "decided_at"]


class TransferWriteSerializer(serializers.Serializer):
    grant = serializers.PrimaryKeyRelatedField(queryset=Grant.objects.all())
    recipient_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True)
    recipient_name = serializers.CharField(required=False, allow_blank=True, default="")
    items = serializers.PrimaryKeyRelatedField(queryset=DataItem.objects.all(), many=True)
    purpose = serializers.CharField(allow_blank=True)
    reason = serializers.CharField(allow_blank=True)


class ConsentSerializer(serializers.Serializer):
    agree = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class NegativeListEntrySerializer(serializers.ModelSerializer):
    resource = ResourceRefSerializer(read_only=True)
    provider = DepartmentRefSerializer(source="resource.provider", read_only=True)

    class Meta:
        model = NegativeListEntry
        fields = ["id", "resource", "provider", "sharing_type", "legal_basis_kind",
                  "legal_basis", "listed_at", "last_reviewed_on"]


class FilingSerializer(serializers.ModelSerializer):
    department = DepartmentRefSerializer(read_only=True)

    class Meta:
        model = Filing
        fields = ["id", "department", "status", "responsible_person", "security_officer",
                  "contact_person", "contact_phone", "systems", "data_uses",
                  "security_measures", "commitment_accepted", "signed_on", "submitted_at",
                  "acknowledged_at", "review_comment"]
