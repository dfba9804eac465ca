"""Load the open-data demo (idempotent): publish the demo catalog's open entries.

Run after ``seed_demo``, ``seed_demo_catalog``, ``seed_demo_sharing`` and
``seed_demo_dataplane``. For every registered entry marked open (unconditional or
conditional) it makes sure a data version exists (a generated file, uploaded and checked
like any upload), then creates the dataset as the department's data administrator,
submits it, has the center approve it, and generates the masked files — all through the
services. It also adds a member of the public (``citizen``) with an approved application,
a routed and answered data request, a listed data product with a usage report, a
moderated comment and this year's open plan of one department. What exists is left alone.
"""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from catalog.models import OpenType, Resource
from dataplane.management.commands.seed_demo_dataplane import demo_csv
from dataplane.models import ResourceData
from dataplane.services.versions import engine_columns, version_process, version_upload
from portal.management.commands.seed_demo import DEMO_PASSWORD
from portal.models import Department, Role, User

from ...models import DataProduct, DataRequest, Dataset, OpenPlan
from ...services import datasets as ds
from ...services import demand, engagement, products
from ...services.distributions import dataset_data_generate

KEYWORDS = {
    "法人基础信息": "企业,市场主体,统一社会信用代码",
    "国土空间规划信息": "国土空间,规划,用途管制",
    "医疗机构执业信息": "医院,诊所,医疗机构,床位",
    "食品经营许可信息": "食品安全,许可证,餐饮",
}


class Command(BaseCommand):
    help = "Publish the demo catalog's open entries as open datasets (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=300, help="Rows per generated file.")

    def handle(self, *args, rows: int, **options):
        try:
            center = User.objects.get(username="center")
        except User.DoesNotExist as exc:
            raise CommandError("Demo users are missing: run `manage.py seed_demo` first.") from exc
        openable = (Resource.objects.filter(status=Resource.Status.REGISTERED, is_open=True,
                                            open_type__in=[OpenType.UNCONDITIONAL,
                                                           OpenType.CONDITIONAL])
                    .select_related("provider").order_by("code"))
        if not openable.exists():
            self.stdout.write("No registered open catalog entry: load the catalog demo first.")
            return
        published = [d for d in (self._publish(r, center, rows) for r in openable) if d]
        citizen = self._citizen()
        self._engagement(published, citizen, center)
        self.stdout.write(self.style.SUCCESS(
            f"Open data demo ready: {Dataset.objects.filter(status='published').count()} "
            f"published datasets; public account citizen / {DEMO_PASSWORD}."))

    # -- datasets
    def _admin(self, department: Department) -> User | None:
        return (User.objects.filter(department=department, is_active=True,
                                    role_assignments__role=Role.DATA_ADMIN).order_by("pk").first())

    def _ensure_data(self, resource: Resource, admin: User, rows: int) -> bool:
        state = ResourceData.objects.filter(resource=resource).first()
        if state is not None and state.current_version_id:
            return True
        if not engine_columns(resource):
            return False
        version = version_upload(actor=admin, resource=resource, note="开放数据演示",
                                 upload=SimpleUploadedFile(f"{resource.code}.csv",
                                                           demo_csv(resource, rows)))
        version_process(version_id=version.pk)  # no-op if the queued task already ran
        version.refresh_from_db()
        return version.status == "current"

    def _publish(self, resource: Resource, center: User, rows: int) -> Dataset | None:
        existing = Dataset.objects.filter(resource=resource).first()
        if existing is not None:
            return existing if existing.status == Dataset.Status.PUBLISHED else None
        admin = self._admin(resource.provider)
        if admin is None or not self._ensure_data(resource, admin, rows):
            self.stdout.write(f"{resource.name}: skipped (no data administrator or data)")
            return None
        dataset = ds.dataset_create(actor=admin, resource=resource)
        ds.dataset_edit(actor=admin, dataset=dataset, data={
            "keywords": KEYWORDS.get(resource.name, resource.get_theme_display()),
            "temporal_start": date(timezone.localdate().year - 1, 1, 1)})
        ds.dataset_propose(actor=admin, dataset=dataset, comment="演示数据集")
        ds.dataset_approve(actor=center, dataset=dataset, comment="脱敏规则符合要求，同意发布")
        dataset_data_generate(dataset_id=dataset.pk)
        dataset.refresh_from_db()
        self.stdout.write(f"{dataset.title}: {dataset.get_status_display()}, "
                          f"{dataset.get_data_status_display()} ({dataset.row_count} rows)")
        return dataset

    # -- the public's side
    def _citizen(self) -> User:
        user, created = User.objects.get_or_create(
            username="citizen", defaults={"email": "citizen@example.com", "last_name": "公众",
                                          "first_name": "用户", "phone": "13800000000"})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        return user

    def _engagement(self, published: list[Dataset], citizen: User, center: User) -> None:
        if not published:
            return
        first = published[0]
        conditional = next((d for d in published if d.open_type == OpenType.CONDITIONAL), None)
        if conditional is not None and not conditional.applications.exists():
            application = engagement.application_submit(
                actor=citizen, dataset=conditional, purpose_kind="research",
                purpose="研究海南省餐饮行业食品安全许可的分布情况。", contact_phone="13800000000",
                organisation="海南某大学公共管理学院", security_measures="数据加密存储，仅课题组使用。")
            engagement.application_approve(actor=self._admin(conditional.publisher) or center,
                                           application=application, comment="同意，用于学术研究")
        if not first.ratings.exists():
            engagement.rating_set(actor=citizen, dataset=first, score=5)
            comment = engagement.comment_add(actor=citizen, dataset=first,
                                             body="数据很实用，希望增加历史年份的数据。")
            engagement.comment_moderate(actor=center, comment=comment, action="approve",
                                        reply="感谢建议，已列入下一年度开放计划。")
        if not DataRequest.objects.exists():
            request = demand.request_submit(
                actor=citizen, title="公共充电桩位置与功率",
                description="希望开放全省公共充电桩的位置、功率和运营单位，便于开发导航应用。",
                contact_name="公众用户", contact_email="citizen@example.com", theme="transport")
            department = Department.objects.filter(Q(short_name__contains="交通")).first()
            if department is not None:
                demand.request_route(actor=center, request=request, department=department)
            demand.request_submit(
                actor=None, title="学校招生计划", description="希望开放各中小学的招生计划和学区范围。",
                contact_name="李女士", contact_email="parent@example.com", theme="education")
        if not DataProduct.objects.exists():
            product = products.product_register(
                actor=citizen, data={
                    "name": "海南企业查", "kind": "mini_program", "developer": "海南某科技有限公司",
                    "summary": "基于法人基础信息开放数据的企业信息查询小程序。",
                    "url": "https://example.com/qiye"},
                uses=[(first, "api", timezone.localdate())])
            products.product_review(actor=center, product=product, action="list")
            start, end = products.previous_quarter()
            products.usage_report_submit(
                actor=citizen, product=product, period_start=start, period_end=end,
                active_users=3200, visits=48000, summary="提供企业基本信息查询服务。",
                security_statement="仅使用开放数据，未与其他数据关联。")
        admin = self._admin(first.publisher)
        year = timezone.localdate().year
        if admin is not None and not OpenPlan.objects.filter(department=first.publisher,
                                                             year=year).exists():
            plan = demand.plan_get_or_create(actor=admin, department=first.publisher, year=year)
            demand.plan_item_add(actor=admin, plan=plan, resource=first.resource,
                                 planned_on=date(year, 3, 31), note="优先开放高价值数据")
            demand.plan_note_set(actor=admin, plan=plan, note="按照“需求导向、安全可控”原则开放。")
            demand.plan_submit(actor=admin, plan=plan)
