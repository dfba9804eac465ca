"""Demo sharing data (idempotent; runs after ``seed_demo`` and ``seed_demo_catalog``):
filings for the demo departments, requests in different states, a grant, a negotiation,
an objection, a transfer request and a published negative list."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from catalog.models import Resource, SharingMethod
from dataplane.demo import demo_masking_rules_set
from portal.models import Department, User
from sharing.models import CoReview, Filing, NegativeListEntry, Purpose, RoundItem, ShareRequest
from sharing.services.co_reviews import co_review_sign
from sharing.services.disputes import dispute_message_post, request_escalate
from sharing.services.filings import filing_acknowledge, filing_save, filing_submit
from sharing.services.negative_list import (
    legal_basis_problem,
    negative_list_periodic_review,
    round_item_decide,
    round_publish,
    round_submit_signoff,
)
from sharing.services.objections import objection_create
from sharing.services.requests import (
    request_approve,
    request_create,
    request_refuse,
    request_submit,
)
from sharing.services.transfers import transfer_create

# Departments whose filing the center has acknowledged, and the one still waiting.
FILED = ["gat", "scjg", "zrzy", "wjw"]
PENDING_FILING = "hk_gaj"

# (applicant, provider, resource name, purpose, detail (marks the demo row), final state)
REQUESTS = [
    ("scjg", "gat", "居民身份证签发信息", Purpose.DATA_VERIFICATION,
     "企业登记时核验法定代表人身份（《市场主体登记管理条例》第十六条）", "approved"),
    ("wjw", "gat", "居民身份证签发信息", Purpose.ADMINISTRATIVE_BASIS,
     "出生医学证明签发时核验父母身份", "provider_review"),
    ("zrzy", "scjg", "食品经营许可信息", Purpose.WORK_REFERENCE,
     "农用地转用审批参考周边经营主体情况", "negotiating"),
    ("gat", "scjg", "食品经营许可信息", Purpose.BUSINESS_COLLABORATION,
     "食品安全犯罪线索联合研判", "draft"),
    ("wjw", "hk_gaj", "机动车驾驶人信息", Purpose.BUSINESS_COLLABORATION,
     "驾驶人体检信息联网核验", "provider_review"),
]


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% demo signed commitment\n%%EOF\n",
                              content_type="application/pdf")


class Command(BaseCommand):
    help = "Load demo sharing data (safe to run again)."

    def user(self, username: str) -> User:
        try:
            return User.objects.select_related("department").get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError("Demo users are missing: run `manage.py seed_demo` first.") from exc

    @transaction.atomic
    def handle(self, *args, **options):
        self.center, self.authority = self.user("center"), self.user("authority")
        if not Resource.objects.filter(status=Resource.Status.REGISTERED).exists():
            raise CommandError("No registered resources: run `manage.py seed_demo_catalog` first.")
        self.filings()
        made = sum(self.request(*row) for row in REQUESTS)
        self.objection_and_transfer()
        self.negative_list()
        self.stdout.write(self.style.SUCCESS(
            f"Demo sharing ready: {made} new requests, "
            f"{Filing.objects.filter(status=Filing.Status.ACKNOWLEDGED).count()} filings, "
            f"{NegativeListEntry.objects.filter(status='listed').count()} negative-list entries."))

    def filings(self) -> None:
        for key in [*FILED, PENDING_FILING]:
            head, clerk = self.user(f"{key}_head"), self.user(f"{key}_clerk")
            department: Department = head.department
            if Filing.objects.filter(department=department).exists():
                continue
            filing = filing_save(actor=clerk, department=department, data={
                "responsible_person": head.display_name, "security_officer": f"{key}_security",
                "contact_person": clerk.display_name, "contact_phone": department.contact_phone,
                "systems": f"{department.short_name}业务审批系统、综合执法系统",
                "data_uses": "履行法定职责所需的核验、审批和监管",
                "security_measures": "政务外网专线接入；按岗位最小授权；操作全程留痕；每年开展安全自查",
                "commitment_accepted": True, "signed_on": timezone.localdate(),
                "commitment_document": pdf("共享使用备案承诺书.pdf")})
            filing = filing_submit(actor=head, filing=filing)
            if key in FILED:
                filing_acknowledge(actor=self.center, filing=filing, comment="备案材料齐全")

    def request(self, applicant: str, provider: str, name: str, purpose: str, detail: str,
                state: str) -> int:
        if ShareRequest.objects.filter(purpose_detail=detail).exists():
            return 0
        resource = Resource.objects.get(provider=self.user(f"{provider}_admin").department,
                                        name=name, status=Resource.Status.REGISTERED)
        clerk, admin = self.user(f"{applicant}_clerk"), self.user(f"{applicant}_admin")
        provider_admin = self.user(f"{provider}_admin")
        today = timezone.localdate()
        items = list(resource.items.filter(retired=False).order_by("position"))
        request = request_create(actor=clerk, resource=resource, items=items, data={
            "purpose": purpose, "purpose_detail": detail,
            "knowledge_scope": "业务处室经办人员及分管负责人",
            "security_measures": "政务外网访问，账号实名，按需查询，结果不落地存储",
            "period_start": today, "period_end": today + timedelta(days=365),
            "method": SharingMethod.ONLINE_QUERY, "commitment_accepted": True,
            "commitment_document": pdf("信息安全保障承诺书.pdf")})
        if state == "draft":
            return 1
        request = request_submit(actor=admin, request=request)
        if state == "approved":
            key_items = [i for i in items if i.is_key or i.name == "姓名"]
            masked = demo_masking_rules_set(actor=provider_admin,
                                            items=[i for i in key_items if i.is_key])
            request_approve(actor=provider_admin, request=request, items=key_items,
                            masked_items=masked,
                            comment="同意共享核验所需信息项，身份号码脱敏提供")
        elif state == "negotiating":
            request_refuse(actor=provider_admin, request=request,
                           reason="申请用途与许可信息的共享条件（食品安全监管和联合执法）不符")
            request = request_escalate(actor=admin, request=request,
                                       reason="审批中需了解地块周边食品经营主体，确有履职需要")
            dispute_message_post(actor=provider_admin, dispute=request.dispute,
                                 body="请补充具体审批事项和法律依据，我局据此研究。")
        return 1

    def objection_and_transfer(self) -> None:
        request = ShareRequest.objects.filter(purpose_detail=REQUESTS[0][4]).first()
        grant = getattr(request, "grant", None) if request else None
        if grant is None or grant.transfers.exists():
            return
        clerk, admin = self.user("scjg_clerk"), self.user("scjg_admin")
        objection_create(actor=clerk, resource=grant.resource, kind="wrong",
                         record_reference="460100198001011234",
                         item=grant.items.order_by("position").first(),
                         description="核验时发现该人员姓名与营业执照登记信息不一致，请核实。")
        transfer_create(actor=admin, grant=grant, recipient_name="海口市市场监督管理局",
                        recipient_department=Department.objects.filter(
                            short_name="海口市市场监管局").first(),
                        purpose="市县两级企业登记联合核验", reason="全省企业登记一网通办",
                        items=grant.items.all()[:1])

    def negative_list(self) -> None:
        if NegativeListEntry.objects.exists():
            return
        review_round = negative_list_periodic_review()
        if review_round is None:
            return
        for item in review_round.items.select_related("resource"):
            kind = item.legal_basis_kind or "law"
            basis = item.legal_basis or "《中华人民共和国数据安全法》第三十八条"
            decision = (RoundItem.Decision.LIST if not legal_basis_problem(
                sharing_type=item.resource.sharing_type, kind=kind, text=basis)
                else RoundItem.Decision.REMOVE)
            round_item_decide(actor=self.authority, item=item, decision=decision,
                              legal_basis=basis, legal_basis_kind=kind, note="演示审查结论")
        round_submit_signoff(actor=self.authority, review_round=review_round)
        for username in ("secrecy", "establishment", "legal"):
            reviewer = self.user(username)
            review = CoReview.objects.get(review_round=review_round, role__in=reviewer.role_set())
            co_review_sign(actor=reviewer, review=review, decision=CoReview.Decision.AGREE,
                           opinion="同意")
        round_publish(actor=self.authority, review_round=review_round)
