"""REST API of the catalog (API.md): entries with filters and workflow actions, their items,
change events and projects. Thin: serializers parse, services act, selectors read."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from portal.access import get_visible_or_404
from portal.params import object_id

from .. import policies, selectors, services
from ..models import DataItem, Resource
from .filters import ChangeEventFilter, ResourceFilter
from .serializers import (
    ChangeEventSerializer,
    CommentSerializer,
    CompleteSerializer,
    DataItemSerializer,
    ProjectSerializer,
    ResourceListSerializer,
    ResourceSerializer,
    RetireSerializer,
    ReturnSerializer,
    SubmitSerializer,
)

ID_OR_CODE = OpenApiParameter("id", OpenApiTypes.STR, OpenApiParameter.PATH,
                              description="资源 id，或已注册资源的资源代码")


@extend_schema_view(
    list=extend_schema(summary="目录列表", description="用户可见的信息资源：已注册资源及本部门各状态资源。"),
    retrieve=extend_schema(summary="资源详情（含信息项）", parameters=[ID_OR_CODE]),
    create=extend_schema(summary="新建目录草稿（含信息项）"),
    update=extend_schema(summary="修改草稿或退回的目录", parameters=[ID_OR_CODE]),
    partial_update=extend_schema(summary="部分修改草稿或退回的目录", parameters=[ID_OR_CODE]),
    destroy=extend_schema(summary="删除未提交过的草稿", parameters=[ID_OR_CODE]),
)
@extend_schema(tags=["catalog"])
class ResourceViewSet(viewsets.ModelViewSet):
    """Catalog entries (C1–C6, C9)."""

    filterset_class = ResourceFilter
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        qs = selectors.resources_visible(self.request.user).exclude(status=Resource.Status.APPLIED)
        if self.action != "list":
            qs = selectors.resource_for_detail(qs)
        return qs.defer("search_text", "search_vector").order_by("-updated_at", "-pk")

    def get_serializer_class(self):
        if self.action == "list":
            return ResourceListSerializer
        if self.action == "submit":
            return SubmitSerializer
        if self.action in ("withdraw", "approve"):
            return CommentSerializer
        if self.action == "return_":
            return ReturnSerializer
        if self.action == "retire":
            return RetireSerializer
        return ResourceSerializer

    def get_object(self):
        value = self.kwargs["pk"]
        pk = object_id(value)
        lookup = {"pk": pk} if pk is not None else {"code": value}
        return get_visible_or_404(self.request, self.get_queryset(), **lookup)

    def _detail(self, resource, code=status.HTTP_200_OK):
        resource = selectors.resource_for_detail(Resource.objects.select_related("provider")).get(pk=resource.pk)
        return Response(ResourceSerializer(resource, context=self.get_serializer_context()).data,
                        status=code)

    def create(self, request, *args, **kwargs):
        department = request.user.department
        if department is None or not policies.can_create_resource(request.user, department):
            raise PermissionDenied("只有部门的填报员或数据管理员可以编制目录。")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attrs = serializer.validated_data
        resource = services.resource_create(
            actor=request.user, provider=department, data=serializer.proposal(attrs),
            items=attrs["items"], related=attrs.get("related_resources"))
        return self._detail(resource, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        resource = self.get_object()
        serializer = self.get_serializer(resource, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        attrs = serializer.validated_data
        resource = services.resource_update(
            actor=request.user, resource=resource, data=serializer.proposal(attrs),
            items=attrs["items"], related=attrs.get("related_resources"))
        return self._detail(resource)

    def destroy(self, request, *args, **kwargs):
        services.resource_delete(actor=request.user, resource=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _act(self, request, run):
        resource = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._detail(run(resource, serializer.validated_data))

    @extend_schema(summary="提交审核（数据管理员）", request=SubmitSerializer,
                   responses=ResourceSerializer, parameters=[ID_OR_CODE])
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._act(request, lambda r, d: services.resource_submit(
            actor=request.user, resource=r, comment=d["comment"],
            recollection_reason=d["recollection_reason"]))

    @extend_schema(summary="撤回提交（数据管理员）", request=CommentSerializer,
                   responses=ResourceSerializer, parameters=[ID_OR_CODE])
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._act(request, lambda r, d: services.resource_withdraw(
            actor=request.user, resource=r, comment=d["comment"]))

    @extend_schema(summary="审核通过（信息中心）；修订稿通过后返回已注册资源", request=CommentSerializer,
                   responses=ResourceSerializer, parameters=[ID_OR_CODE])
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._act(request, lambda r, d: services.resource_approve(
            actor=request.user, resource=r, comment=d["comment"]))

    @extend_schema(summary="退回（信息中心，须填写意见）", request=ReturnSerializer,
                   responses=ResourceSerializer, parameters=[ID_OR_CODE])
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._act(request, lambda r, d: services.resource_return(
            actor=request.user, resource=r, comment=d["comment"]))

    @extend_schema(summary="撤销已注册资源（须填写原因）", request=RetireSerializer,
                   responses=ResourceSerializer, parameters=[ID_OR_CODE])
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        return self._act(request, lambda r, d: services.resource_retire(
            actor=request.user, resource=r, reason=d["reason"]))

    @extend_schema(summary="发起修订：返回新建的修订稿", request=None,
                   responses={201: ResourceSerializer}, parameters=[ID_OR_CODE])
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        revision = services.resource_revise(actor=request.user, resource=self.get_object())
        return self._detail(revision, status.HTTP_201_CREATED)

    @extend_schema(summary="资源的信息项", responses=DataItemSerializer(many=True),
                   parameters=[ID_OR_CODE,
                               OpenApiParameter("include_retired", OpenApiTypes.BOOL,
                                                description="包含已停用的信息项")])
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def items(self, request, pk=None):
        resource = self.get_object()
        items = resource.items.order_by("position", "pk")
        if request.query_params.get("include_retired") not in ("1", "true", "True"):
            items = items.filter(retired=False)
        return Response(DataItemSerializer(items, many=True).data)


@extend_schema(tags=["catalog"])
class DataItemViewSet(viewsets.ReadOnlyModelViewSet):
    """Data items of the entries the user may see (``?resource=<id>``)."""

    serializer_class = DataItemSerializer
    filterset_fields = ["resource", "is_key", "is_base", "sensitivity", "retired"]

    def get_queryset(self):
        visible = selectors.resources_visible(self.request.user).values("pk")
        return DataItem.objects.filter(resource__in=visible).order_by("resource_id", "position", "pk")


@extend_schema(tags=["catalog"])
class ChangeEventViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Catalog update deadlines after a change of law or functions (C7)."""

    serializer_class = ChangeEventSerializer
    filterset_class = ChangeEventFilter

    def get_queryset(self):
        return selectors.change_events_visible(self.request.user).order_by("-recorded_at")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attrs = serializer.validated_data
        event = services.change_event_record(
            actor=request.user, department=attrs["department"], kind=attrs["kind"],
            title=attrs["title"], occurred_on=attrs.get("occurred_on"),
            description=attrs.get("description", ""))
        return Response(ChangeEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="确认目录已更新", request=CompleteSerializer, responses=ChangeEventSerializer)
    @action(detail=True, methods=["post"], serializer_class=CompleteSerializer)
    def complete(self, request, pk=None):
        event = self.get_object()
        serializer = CompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = services.change_event_complete(actor=request.user, event=event,
                                               note=serializer.validated_data["note"])
        return Response(ChangeEventSerializer(event).data)


@extend_schema(tags=["catalog"])
class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    """Informatization projects and their catalogs (C11)."""

    serializer_class = ProjectSerializer
    filterset_fields = ["department", "status"]

    def get_queryset(self):
        return selectors.projects_visible(self.request.user).prefetch_related("resources").order_by("-created_at")

    def get_object(self):
        try:
            return get_visible_or_404(self.request, self.get_queryset(), pk=int(self.kwargs["pk"]))
        except ValueError:
            raise Http404 from None
