"""REST API of sharing (API.md, ``/api/v1/sharing/``): requests with their workflow
actions, grants, objections, transfers, the negative list and filings. Thin: serializers
parse, services act, selectors read (404 for what the user may not see)."""

from django.db.models import Q
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from portal.access import get_visible_or_404
from portal.api.parsers import JSONObjectParser

from .. import selectors
from ..models import Filing
from ..policies import sees_everything
from ..services.disputes import dispute_message_post, request_escalate
from ..services.grants import grant_revoke
from ..services.objections import (
    objection_answer,
    objection_create,
    objection_follow_up,
    objection_withdraw,
)
from ..services.requests import (
    request_approve,
    request_create,
    request_refuse,
    request_submit,
    request_update,
    request_withdraw,
)
from ..services.transfers import transfer_consent, transfer_create, transfer_withdraw
from .filters import GrantFilter, ObjectionFilter, ShareRequestFilter, TransferFilter
from .serializers import (
    ApproveSerializer,
    ConsentSerializer,
    FilingSerializer,
    FollowUpSerializer,
    GrantSerializer,
    MessageSerializer,
    NegativeListEntrySerializer,
    ObjectionAnswerSerializer,
    ObjectionSerializer,
    ObjectionWriteSerializer,
    ShareReasonSerializer,
    ShareRequestSerializer,
    ShareRequestUpdateSerializer,
    ShareRequestWriteSerializer,
    TransferSerializer,
    TransferWriteSerializer,
)

PARSERS = [JSONObjectParser, MultiPartParser, FormParser]


class VisibleObjectMixin:
    """``get_object`` through the selector: 404 (audited) for what the user may not see."""

    def get_object(self):
        return get_visible_or_404(self.request, self.get_queryset(), pk=self.kwargs["pk"])


@extend_schema_view(
    list=extend_schema(summary="共享申请列表", description="本部门提出的和向本部门提出的申请；"
                       "信息中心和主管部门可见全部。`side=made|received` 区分方向。"),
    retrieve=extend_schema(summary="共享申请详情"),
    create=extend_schema(summary="新建申请草稿（S2）", request=ShareRequestWriteSerializer,
                         responses={201: ShareRequestSerializer}),
    partial_update=extend_schema(summary="修改草稿或被退回的申请",
                                 request=ShareRequestUpdateSerializer,
                                 responses=ShareRequestSerializer),
)
@extend_schema(tags=["sharing"])
class ShareRequestViewSet(VisibleObjectMixin, mixins.ListModelMixin,
                          mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ShareRequestSerializer
    filterset_class = ShareRequestFilter
    parser_classes = PARSERS

    def get_queryset(self):
        return (selectors.requests_visible(self.request.user)
                .select_related("dispute", "grant")
                .prefetch_related("items", "approved_items", "masked_items")
                .order_by("-created_at", "-pk"))

    def _answer(self, share_request, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=share_request.pk)
        return Response(ShareRequestSerializer(fresh, context=self.get_serializer_context()).data,
                        status=code)

    def create(self, request, *args, **kwargs):
        serializer = ShareRequestWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        resource, items = data.pop("resource"), data.pop("items")
        return self._answer(request_create(actor=request.user, resource=resource, items=items,
                                           data=data), status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        share_request = self.get_object()
        serializer = ShareRequestUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        items = data.pop("items", None)
        return self._answer(request_update(actor=request.user, request=share_request,
                                           data=data, items=items))

    def _reason(self, request) -> str:
        serializer = ShareReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data["reason"]

    @extend_schema(summary="提交申请", request=None, responses=ShareRequestSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._answer(request_submit(actor=request.user, request=self.get_object()))

    @extend_schema(summary="同意（当前环节的办理人：预审、答复、开通或协调）",
                   request=ApproveSerializer, responses=ShareRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        share_request = self.get_object()
        serializer = ApproveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        return self._answer(request_approve(
            actor=request.user, request=share_request, items=data.get("items"),
            masked_items=data.get("masked_items", []), valid_until=data.get("valid_until"),
            comment=data["comment"]))

    @extend_schema(summary="不予共享（理由必填，缺少理由返回 400）", request=ShareReasonSerializer,
                   responses=ShareRequestSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        share_request = self.get_object()
        return self._answer(request_refuse(actor=request.user, request=share_request,
                                           reason=self._reason(request)))

    @extend_schema(summary="提请协商（被拒绝后）或提请主管部门协调（协商未果）",
                   request=ShareReasonSerializer, responses=ShareRequestSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        share_request = self.get_object()
        return self._answer(request_escalate(actor=request.user, request=share_request,
                                             reason=self._reason(request)))

    @extend_schema(summary="撤回申请", request=ShareReasonSerializer, responses=ShareRequestSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        share_request = self.get_object()
        return self._answer(request_withdraw(actor=request.user, request=share_request,
                                             reason=self._reason(request)))

    @extend_schema(summary="协商记录", methods=["GET"], responses=MessageSerializer(many=True))
    @extend_schema(summary="发表协商意见（可附附件）", methods=["POST"],
                   request=MessageSerializer, responses={201: MessageSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def messages(self, request, pk=None):
        share_request = self.get_object()
        dispute = getattr(share_request, "dispute", None) if hasattr(share_request, "dispute") \
            else None
        if request.method == "GET":
            messages = dispute.messages.select_related("author", "department") if dispute else []
            return Response(MessageSerializer(messages, many=True).data)
        if dispute is None:
            from portal.errors import IllegalTransition

            raise IllegalTransition("该申请没有进行中的协商。", target=share_request,
                                    action="message")
        serializer = MessageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = dispute_message_post(actor=request.user, dispute=dispute,
                                       body=serializer.validated_data["body"],
                                       attachment=serializer.validated_data.get("attachment"))
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(summary="共享授权（本部门获得的和给予的）"),
                    retrieve=extend_schema(summary="共享授权详情"))
@extend_schema(tags=["sharing"])
class GrantViewSet(VisibleObjectMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = GrantSerializer
    filterset_class = GrantFilter

    def get_queryset(self):
        return (selectors.grants_visible(self.request.user)
                .prefetch_related("items", "masked_items").order_by("-granted_at", "-pk"))

    @extend_schema(summary="撤销授权（理由必填），立即生效", request=ShareReasonSerializer,
                   responses=GrantSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        grant = self.get_object()
        serializer = ShareReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        grant = grant_revoke(actor=request.user, grant=grant,
                             reason=serializer.validated_data["reason"])
        return Response(GrantSerializer(self.get_queryset().get(pk=grant.pk)).data)


@extend_schema_view(
    list=extend_schema(summary="数据异议（本部门提出的和收到的）"),
    retrieve=extend_schema(summary="数据异议详情"),
    create=extend_schema(summary="提出数据异议（S8）", request=ObjectionWriteSerializer,
                         responses={201: ObjectionSerializer}),
)
@extend_schema(tags=["sharing"])
class ObjectionViewSet(VisibleObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       viewsets.GenericViewSet):
    serializer_class = ObjectionSerializer
    filterset_class = ObjectionFilter
    parser_classes = PARSERS

    def get_queryset(self):
        return selectors.objections_visible(self.request.user).order_by("-created_at", "-pk")

    def _answer(self, objection, code=status.HTTP_200_OK):
        return Response(ObjectionSerializer(self.get_queryset().get(pk=objection.pk)).data,
                        status=code)

    def create(self, request, *args, **kwargs):
        serializer = ObjectionWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        return self._answer(objection_create(actor=request.user, **data),
                            status.HTTP_201_CREATED)

    @extend_schema(summary="提供部门核实答复", request=ObjectionAnswerSerializer,
                   responses=ObjectionSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        objection = self.get_object()
        serializer = ObjectionAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._answer(objection_answer(actor=request.user, objection=objection,
                                             **serializer.validated_data))

    @extend_schema(summary="提出部门认可答复或重新提出", request=FollowUpSerializer,
                   responses=ObjectionSerializer)
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        objection = self.get_object()
        serializer = FollowUpSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._answer(objection_follow_up(actor=request.user, objection=objection,
                                                **serializer.validated_data))

    @extend_schema(summary="撤回异议", request=None, responses=ObjectionSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._answer(objection_withdraw(actor=request.user, objection=self.get_object()))


@extend_schema_view(
    list=extend_schema(summary="第三方转送申请"),
    retrieve=extend_schema(summary="第三方转送申请详情"),
    create=extend_schema(summary="申请向第三方转送（S7）", request=TransferWriteSerializer,
                         responses={201: TransferSerializer}),
)
@extend_schema(tags=["sharing"])
class TransferViewSet(VisibleObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    serializer_class = TransferSerializer
    filterset_class = TransferFilter

    def get_queryset(self):
        return (selectors.transfers_visible(self.request.user).prefetch_related("items")
                .order_by("-created_at", "-pk"))

    def _answer(self, transfer, code=status.HTTP_200_OK):
        return Response(TransferSerializer(self.get_queryset().get(pk=transfer.pk)).data,
                        status=code)

    def create(self, request, *args, **kwargs):
        serializer = TransferWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        grant = get_visible_or_404(request, selectors.grants_visible(request.user),
                                   pk=data.pop("grant").pk)
        return self._answer(transfer_create(actor=request.user, grant=grant, **data),
                            status.HTTP_201_CREATED)

    @extend_schema(summary="主管部门或提供部门意见（均同意方可转送）", request=ConsentSerializer,
                   responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None):
        transfer = self.get_object()
        serializer = ConsentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._answer(transfer_consent(actor=request.user, transfer=transfer,
                                             **serializer.validated_data))

    @extend_schema(summary="撤回转送申请", request=None, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._answer(transfer_withdraw(actor=request.user, transfer=self.get_object()))


@extend_schema_view(list=extend_schema(summary="已发布的共享负面清单（S11）",
                                       description="`search=` 按资源、部门或依据检索。"),
                    retrieve=extend_schema(summary="负面清单条目"))
@extend_schema(tags=["sharing"])
class NegativeListViewSet(VisibleObjectMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = NegativeListEntrySerializer

    def get_queryset(self):
        return selectors.negative_list(self.request.user,
                                       self.request.query_params.get("search", "").strip()
                                       ).order_by("resource__provider__name", "resource__name")


@extend_schema_view(list=extend_schema(summary="共享使用备案（S6）"),
                    retrieve=extend_schema(summary="共享使用备案详情"))
@extend_schema(tags=["sharing"])
class FilingViewSet(VisibleObjectMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = FilingSerializer

    def get_queryset(self):
        qs = Filing.objects.select_related("department").order_by("department__name")
        user = self.request.user
        if sees_everything(user):
            return qs
        department_id = getattr(user, "department_id", None)
        return qs.filter(Q(department_id=department_id) if department_id else Q(pk__in=[]))
