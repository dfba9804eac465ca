"""REST API of the assessment (API.md): plans, indicators, units, scores, self-assessments,
objections, rectification notices, annual reports, complaints and the public results.
Thin: serializers parse, services act, selectors read; 404 for what the user may not see."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from assessment import selectors
from assessment.api import filters
from assessment.api import serializers as s
from assessment.indicators import INDICATORS
from assessment.models import PlanIndicator, Score, Unit
from assessment.services import annual_reports, complaints, compute, plans, rectification, review
from portal.access import get_visible_or_404
from portal.api.parsers import JSONObjectParser

PARSERS = [JSONObjectParser, MultiPartParser, FormParser]


class VisibleMixin:
    """Objects come from the user's visible queryset: 404 (audited) for the rest."""

    def get_object(self):
        return get_visible_or_404(self.request, self.get_queryset(), pk=self.kwargs["pk"])

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _out(self, obj, serializer_class=None, code=status.HTTP_200_OK):
        serializer_class = serializer_class or self.output_serializer
        return Response(serializer_class(obj, context=self.get_serializer_context()).data,
                        status=code)


@extend_schema_view(
    list=extend_schema(summary="考核方案列表"),
    retrieve=extend_schema(summary="考核方案详情"),
    create=extend_schema(summary="新建考核方案（默认范围与指标）", request=s.AssessmentPlanCreateSerializer,
                         responses=s.AssessmentPlanSerializer),
    partial_update=extend_schema(summary="修改方案名称、时间安排或等次线"),
)
@extend_schema(tags=["assessment"])
class PlanViewSet(VisibleMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                  mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Yearly assessment plans (A1)."""

    serializer_class = output_serializer = s.AssessmentPlanSerializer
    filterset_fields = ["year", "region", "status"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.plans_visible(self.request.user).order_by("-year", "region__code")

    def create(self, request, *args, **kwargs):
        data = self._input(s.AssessmentPlanCreateSerializer)
        plan = plans.plan_create(
            actor=request.user, region=data["region"], year=data["year"], title=data["title"],
            description=data["description"], indicator_codes=data.get("indicator_codes"),
            include_manual=data["include_manual"],
            self_assessment_due=data.get("self_assessment_due"),
            review_due=data.get("review_due"), publish_due=data.get("publish_due"))
        return self._out(plan, code=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        plan = self.get_object()
        serializer = s.AssessmentPlanSerializer(plan, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return self._out(plans.plan_update(actor=request.user, plan=plan,
                                           **serializer.validated_data))

    @extend_schema(summary="启动考核", request=s.AssessmentCommentSerializer, responses=s.AssessmentPlanSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        data = self._input(s.AssessmentCommentSerializer)
        return self._out(plans.plan_activate(actor=request.user, plan=self.get_object(),
                                             comment=data["comment"]))

    @extend_schema(summary="重新计算指标（异步）", request=None,
                   responses={202: s.ComputationRunSerializer})
    @action(detail=True, methods=["post"])
    def compute(self, request, pk=None):
        run = compute.plan_compute_request(actor=request.user, plan=self.get_object())
        return self._out(run, s.ComputationRunSerializer, code=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="公布结果", request=s.AssessmentCommentSerializer, responses=s.AssessmentPlanSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        data = self._input(s.AssessmentCommentSerializer)
        return self._out(plans.plan_publish(actor=request.user, plan=self.get_object(),
                                            comment=data["comment"]))

    @extend_schema(summary="撤回公布", request=s.AssessmentReasonSerializer, responses=s.AssessmentPlanSerializer)
    @action(detail=True, methods=["post"])
    def unpublish(self, request, pk=None):
        data = self._input(s.AssessmentReasonSerializer)
        return self._out(plans.plan_unpublish(actor=request.user, plan=self.get_object(),
                                              reason=data["reason"]))

    @extend_schema(summary="设置考核范围（草稿）", request=s.PlanScopeSerializer,
                   responses=s.AssessmentUnitSerializer(many=True))
    @action(detail=True, methods=["post"], pagination_class=None)
    def scope(self, request, pk=None):
        data = self._input(s.PlanScopeSerializer)
        units = plans.plan_scope_set(actor=request.user, plan=self.get_object(),
                                     department_ids=data["departments"],
                                     region_ids=data["regions"])
        return Response(s.AssessmentUnitSerializer(units, many=True).data)

    @extend_schema(summary="考核结果排名", responses=s.AssessmentUnitSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def results(self, request, pk=None):
        plan = self.get_object()
        units = selectors.units_visible(request.user).filter(plan=plan).order_by("rank", "name")
        return Response(s.AssessmentUnitSerializer(units, many=True).data)

    @extend_schema(summary="计算记录", responses=s.ComputationRunSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def runs(self, request, pk=None):
        plan = get_visible_or_404(request, selectors.plans_managed(request.user),
                                  pk=self.kwargs["pk"])
        return Response(s.ComputationRunSerializer(plan.runs.all()[:20], many=True).data)


@extend_schema_view(list=extend_schema(summary="方案指标"), retrieve=extend_schema(summary="方案指标详情"),
                    partial_update=extend_schema(summary="调整分值和评分规则"))
@extend_schema(tags=["assessment"])
class PlanIndicatorViewSet(VisibleMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           mixins.UpdateModelMixin, viewsets.GenericViewSet):
    serializer_class = output_serializer = s.PlanIndicatorSerializer
    filterset_class = filters.IndicatorFilter
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return PlanIndicator.objects.filter(
            plan__in=selectors.plans_visible(self.request.user)).order_by("plan", "position")

    def partial_update(self, request, *args, **kwargs):
        indicator = self.get_object()
        serializer = s.PlanIndicatorSerializer(indicator, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        for name, value in serializer.validated_data.items():
            setattr(indicator, name, value)
        return self._out(plans.plan_indicator_save(actor=request.user, plan=indicator.plan,
                                                   indicator=indicator))


@extend_schema(tags=["assessment"], summary="自动计算指标目录（计算方法说明）")
class RegistryViewSet(viewsets.GenericViewSet, mixins.ListModelMixin):
    """Every computed indicator the platform knows, with how it is computed (A2)."""

    serializer_class = s.IndicatorRegistrySerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return list(INDICATORS.values())

    def list(self, request, *args, **kwargs):
        return Response(s.IndicatorRegistrySerializer(self.get_queryset(), many=True).data)


@extend_schema_view(list=extend_schema(summary="考核对象与总分"),
                    retrieve=extend_schema(summary="考核对象详情"))
@extend_schema(tags=["assessment"])
class UnitViewSet(VisibleMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.AssessmentUnitSerializer
    filterset_class = filters.UnitFilter

    def get_queryset(self):
        return selectors.units_visible(self.request.user).order_by("plan", "rank", "name")


@extend_schema_view(list=extend_schema(summary="指标得分（含计算依据）"),
                    retrieve=extend_schema(summary="指标得分详情"))
@extend_schema(tags=["assessment"])
class ScoreViewSet(VisibleMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = output_serializer = s.AssessmentScoreSerializer
    filterset_class = filters.ScoreFilter

    def get_queryset(self):
        return selectors.scores_visible(self.request.user).order_by("unit", "indicator__position")

    @extend_schema(summary="评审打分（人工指标）", request=s.ScoreReviewSerializer, responses=s.AssessmentScoreSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        data = self._input(s.ScoreReviewSerializer)
        return self._out(review.score_review(actor=request.user, score=self.get_object(),
                                             points_given=data["score"], comment=data["comment"]))

    @extend_schema(summary="对得分提出异议", request=s.ScoreObjectionRaiseSerializer,
                   responses={201: s.ScoreObjectionSerializer})
    @action(detail=True, methods=["post"])
    def object(self, request, pk=None):
        data = self._input(s.ScoreObjectionRaiseSerializer)
        objection = review.objection_raise(actor=request.user, score=self.get_object(),
                                           reason=data["reason"])
        return self._out(objection, s.ScoreObjectionSerializer, code=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(summary="自评列表"), retrieve=extend_schema(summary="自评详情"),
                    create=extend_schema(summary="填写或修改自评（可附佐证材料）",
                                         request=s.SelfAssessmentWriteSerializer,
                                         responses=s.SelfAssessmentSerializer))
@extend_schema(tags=["assessment"])
class SelfAssessmentViewSet(VisibleMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = output_serializer = s.SelfAssessmentSerializer
    filterset_class = filters.SelfAssessmentFilter
    parser_classes = PARSERS

    def get_queryset(self):
        return selectors.self_assessments_visible(self.request.user).order_by("unit", "indicator")

    def create(self, request, *args, **kwargs):
        data = self._input(s.SelfAssessmentWriteSerializer)
        unit = get_visible_or_404(request, selectors.units_visible(request.user),
                                  pk=data["unit"].pk)
        assessment = review.self_assessment_save(
            actor=request.user, unit=unit, indicator=data["indicator"],
            claimed_score=data.get("claimed_score"), statement=data["statement"],
            files=data["files"])
        return self._out(assessment, code=status.HTTP_201_CREATED)

    @extend_schema(summary="提交自评", request=None, responses=s.SelfAssessmentSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._out(review.self_assessment_submit(actor=request.user,
                                                       assessment=self.get_object()))

    @extend_schema(summary="退回补充材料", request=s.AssessmentCommentSerializer,
                   responses=s.SelfAssessmentSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        data = self._input(s.AssessmentCommentSerializer)
        return self._out(review.self_assessment_return(
            actor=request.user, assessment=self.get_object(), comment=data["comment"]))


@extend_schema_view(list=extend_schema(summary="得分异议"), retrieve=extend_schema(summary="得分异议详情"))
@extend_schema(tags=["assessment"])
class ObjectionViewSet(VisibleMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = output_serializer = s.ScoreObjectionSerializer
    filterset_class = filters.ObjectionFilter

    def get_queryset(self):
        return selectors.objections_visible(self.request.user).order_by("-raised_at")

    @extend_schema(summary="书面答复异议", request=s.ScoreObjectionAnswerSerializer,
                   responses=s.ScoreObjectionSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        data = self._input(s.ScoreObjectionAnswerSerializer)
        return self._out(review.objection_answer(
            actor=request.user, objection=self.get_object(), upheld=data["upheld"],
            answer=data["answer"], new_score=data.get("new_score")))


@extend_schema_view(list=extend_schema(summary="整改通知"), retrieve=extend_schema(summary="整改通知详情"),
                    create=extend_schema(summary="下发整改通知", request=s.RectificationNoticeCreateSerializer,
                                         responses=s.RectificationNoticeSerializer))
@extend_schema(tags=["assessment"])
class NoticeViewSet(VisibleMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Rectification notices (A5)."""

    serializer_class = output_serializer = s.RectificationNoticeSerializer
    filterset_class = filters.NoticeFilter
    parser_classes = PARSERS

    def get_queryset(self):
        return selectors.notices_visible(self.request.user).prefetch_related("reports")

    def create(self, request, *args, **kwargs):
        data = self._input(s.RectificationNoticeCreateSerializer)
        notice = rectification.notice_create(actor=request.user, **data)
        return self._out(notice, code=status.HTTP_201_CREATED)

    @extend_schema(summary="确认下发系统建议的整改通知", request=s.RectificationNoticeIssueSerializer,
                   responses=s.RectificationNoticeSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        data = self._input(s.RectificationNoticeIssueSerializer)
        return self._out(rectification.notice_issue(actor=request.user, notice=self.get_object(),
                                                    **data))

    @extend_schema(summary="不予下发", request=s.AssessmentReasonSerializer, responses=s.RectificationNoticeSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        data = self._input(s.AssessmentReasonSerializer)
        return self._out(rectification.notice_dismiss(actor=request.user, notice=self.get_object(),
                                                      reason=data["reason"]))

    @extend_schema(summary="报送整改报告", request=s.RectificationNoticeReportSerializer,
                   responses=s.RectificationNoticeSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        data = self._input(s.RectificationNoticeReportSerializer)
        notice = self.get_object()
        rectification.notice_report(actor=request.user, notice=notice, body=data["body"],
                                    files=data["files"])
        return self._out(self.get_object())

    @extend_schema(summary="确认整改完成", request=s.AssessmentCommentSerializer, responses=s.RectificationNoticeSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        data = self._input(s.AssessmentCommentSerializer)
        return self._out(rectification.notice_accept(actor=request.user, notice=self.get_object(),
                                                     comment=data["comment"]))

    @extend_schema(summary="退回整改报告", request=s.RectificationNoticeReturnSerializer,
                   responses=s.RectificationNoticeSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        data = self._input(s.RectificationNoticeReturnSerializer)
        return self._out(rectification.notice_return(actor=request.user, notice=self.get_object(),
                                                     **data))


@extend_schema_view(list=extend_schema(summary="年度共享情况报告"),
                    retrieve=extend_schema(summary="年度共享情况报告详情"),
                    partial_update=extend_schema(summary="编辑报告正文"))
@extend_schema(tags=["assessment"])
class AnnualReportViewSet(VisibleMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Annual sharing reports (A6)."""

    serializer_class = output_serializer = s.AnnualReportSerializer
    filterset_class = filters.AnnualReportFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.annual_reports_visible(self.request.user)

    def partial_update(self, request, *args, **kwargs):
        report = self.get_object()
        serializer = s.AnnualReportSerializer(report, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        text = {k: serializer.validated_data.get(k, getattr(report, k))
                for k in ("overview", "achievements", "problems", "next_steps")}
        return self._out(annual_reports.annual_report_update(actor=request.user, report=report,
                                                             **text))

    @extend_schema(summary="报送", request=None, responses=s.AnnualReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._out(annual_reports.annual_report_submit(actor=request.user,
                                                             report=self.get_object()))

    @extend_schema(summary="更新平台数据", request=None, responses=s.AnnualReportSerializer)
    @action(detail=True, methods=["post"])
    def refresh(self, request, pk=None):
        return self._out(annual_reports.annual_report_refresh(actor=request.user,
                                                              report=self.get_object()))

    @extend_schema(summary="退回修改", request=s.AssessmentCommentSerializer,
                   responses=s.AnnualReportSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        data = self._input(s.AssessmentCommentSerializer)
        return self._out(annual_reports.annual_report_return(
            actor=request.user, report=self.get_object(), comment=data["comment"]))

    @extend_schema(summary="审阅通过", request=s.AssessmentCommentSerializer,
                   responses=s.AnnualReportSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        data = self._input(s.AssessmentCommentSerializer)
        return self._out(annual_reports.annual_report_accept(
            actor=request.user, report=self.get_object(), comment=data["comment"]))


@extend_schema_view(list=extend_schema(summary="投诉"), retrieve=extend_schema(summary="投诉详情"),
                    create=extend_schema(summary="提出投诉", request=s.ComplaintCreateSerializer,
                                         responses=s.ComplaintSerializer))
@extend_schema(tags=["assessment"])
class ComplaintViewSet(VisibleMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Complaints (A7)."""

    serializer_class = output_serializer = s.ComplaintSerializer
    filterset_class = filters.ComplaintFilter
    parser_classes = PARSERS

    def get_queryset(self):
        return selectors.complaints_visible(self.request.user)

    def create(self, request, *args, **kwargs):
        data = self._input(s.ComplaintCreateSerializer)
        complaint = complaints.complaint_submit(actor=request.user, **data)
        return self._out(complaint, code=status.HTTP_201_CREATED)

    @extend_schema(summary="受理", request=s.AssessmentCommentSerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        data = self._input(s.AssessmentCommentSerializer)
        return self._out(complaints.complaint_accept(actor=request.user,
                                                     complaint=self.get_object(),
                                                     comment=data["comment"]))

    @extend_schema(summary="不予受理（书面答复理由）", request=s.ComplaintAnswerSerializer,
                   responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = self._input(s.ComplaintAnswerSerializer)
        return self._out(complaints.complaint_reject(actor=request.user,
                                                     complaint=self.get_object(),
                                                     answer=data["answer"]))

    @extend_schema(summary="书面答复", request=s.ComplaintAnswerSerializer,
                   responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        data = self._input(s.ComplaintAnswerSerializer)
        return self._out(complaints.complaint_answer(
            actor=request.user, complaint=self.get_object(), answer=data["answer"],
            issue_notice=data["issue_notice"], notice_due_on=data.get("notice_due_on")))

    @extend_schema(summary="被投诉单位情况说明", request=s.ComplaintStatementSerializer,
                   responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def state(self, request, pk=None):
        data = self._input(s.ComplaintStatementSerializer)
        return self._out(complaints.complaint_state(actor=request.user,
                                                    complaint=self.get_object(),
                                                    statement=data["statement"]))


@extend_schema_view(list=extend_schema(summary="公开的考核结果（无需登录）"),
                    retrieve=extend_schema(summary="公开的考核对象结果"))
@extend_schema(tags=["assessment"])
class PublicResultViewSet(VisibleMixin, viewsets.ReadOnlyModelViewSet):
    """Published results only (HN-38)."""

    serializer_class = s.PublicAssessmentResultSerializer
    permission_classes = [AllowAny]
    filterset_class = filters.UnitFilter

    def get_queryset(self):
        scores = Score.objects.select_related("indicator").order_by("indicator__position")
        return (Unit.objects.filter(plan__in=selectors.plans_published())
                .select_related("plan").prefetch_related(Prefetch("scores", queryset=scores))
                .order_by("-plan__year", "plan", "rank", "name"))
