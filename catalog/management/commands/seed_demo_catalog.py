"""Load demo catalog entries for the demo departments (idempotent).

Run after ``seed_demo``. Entries go through the real services (created by the department's
clerk, submitted by its data administrator, approved by the center), so codes, history,
workflow events and search columns are exactly as in production. An entry that already
exists (same department and name) is left alone.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from catalog import services
from catalog.models import ChangeEvent, Project, Resource
from portal.models import Department, User

PERSON_SUBJECT = "individual"
FIRM_SUBJECT = "enterprise"


def it(name, field, data_type="string", length=50, sensitivity="none", *, key=False, base=False,
       sharing_type="", description=""):
    return {"name": name, "field_name": field, "data_type": data_type,
            "length": length if data_type in ("string", "decimal") else None,
            "description": description, "sensitivity": sensitivity, "sharing_type": sharing_type,
            "is_key": key, "is_base": base}


PERSON = [it("姓名", "xm", length=50, sensitivity="personal", base=True),
          it("公民身份号码", "gmsfhm", length=18, sensitivity="sensitive", key=True, base=True)]
ENTERPRISE = [it("统一社会信用代码", "tyshxydm", length=18, key=True, base=True),
              it("企业名称", "qymc", length=200, base=True),
              it("法定代表人", "fddbr", length=50, sensitivity="personal", base=True),
              it("法定代表人身份证号码", "fddbrsfzhm", length=18, sensitivity="sensitive", base=True)]

COMMON = {
    "format": "database", "format_subtype": "PostgreSQL", "update_cycle": "daily",
    "sharing_method": ["system", "online_query"], "security_level": "internal",
    "open_type": "not_open", "is_open": False, "contact_phone": "0898-66000000",
}

# (department key, state, data, items)
ENTRIES = [
    ("gat", "registered", {
        "name": "人口基础信息", "classification": "foundational", "theme": "population",
        "summary": "全省户籍人口的姓名、公民身份号码、性别、民族、出生日期、户籍地址等基础信息。",
        "subjects": [PERSON_SUBJECT], "sharing_type": "unconditional", "contact_name": "赵填报",
    }, PERSON + [it("性别", "xb", length=2, base=True), it("民族", "mz", length=20, base=True),
                 it("出生日期", "csrq", "date", base=True),
                 it("户籍地址", "hjdz", length=200, sensitivity="personal", base=True),
                 it("宗教信仰", "zjxy", length=20, sensitivity="highly_sensitive",
                    sharing_type="not_shared")]),
    ("gat", "registered", {
        "name": "居民身份证签发信息", "classification": "departmental",
        "summary": "居民身份证受理、签发和有效期信息。", "subjects": [PERSON_SUBJECT],
        "sharing_type": "conditional", "sharing_conditions": "用于身份核验的政务服务事项",
        "legal_basis_kind": "law", "legal_basis": "《中华人民共和国居民身份证法》第六条、第十三条",
        "contact_name": "赵填报",
    }, PERSON + [it("签发机关", "qfjg", length=100), it("有效期起始日期", "yxqqsrq", "date"),
                 it("有效期截止日期", "yxqjzrq", "date")]),
    ("scjg", "registered", {
        "name": "法人基础信息", "classification": "foundational", "theme": "legal_entity",
        "summary": "全省市场主体登记的统一社会信用代码、名称、法定代表人、注册资本、成立日期等。",
        "subjects": [FIRM_SUBJECT], "sharing_type": "unconditional", "contact_name": "钱填报",
        "is_open": True, "open_type": "unconditional", "is_disclosure": True, "security_level": "public",
    }, ENTERPRISE + [it("注册资本（万元）", "zczb", "decimal", 18), it("成立日期", "clrq", "date"),
                     it("登记机关", "djjg", length=100), it("住所", "zs", length=200)]),
    ("scjg", "registered", {
        "name": "营业执照信息", "classification": "foundational", "theme": "e_license",
        "summary": "营业执照电子证照信息，含证照编号、经营范围、核准日期。", "subjects": [FIRM_SUBJECT],
        "sharing_type": "unconditional", "contact_name": "钱填报", "update_cycle": "realtime",
        "format": "service_interface", "format_subtype": "REST",
    }, ENTERPRISE + [it("证照编号", "zzbh", length=64, key=True, base=True),
                     it("经营范围", "jyfw", "text"), it("核准日期", "hzrq", "date", base=True)]),
    ("scjg", "registered", {
        "name": "食品经营许可信息", "classification": "thematic", "theme": "food_drug_safety",
        "summary": "食品经营许可证的许可项目、有效期和发证机关。", "subjects": [FIRM_SUBJECT],
        "sharing_type": "conditional", "sharing_conditions": "用于食品安全监管和联合执法",
        "legal_basis_kind": "rule", "legal_basis": "《食品经营许可和备案管理办法》第四十九条",
        "contact_name": "钱填报", "is_open": True, "open_type": "conditional",
        "open_conditions": "实名注册后申请，用于社会监督",
    }, ENTERPRISE + [it("许可证编号", "xkzbh", length=64, key=True), it("许可项目", "xkxm", "text"),
                     it("有效期至", "yxqz", "date")]),
    ("zrzy", "registered", {
        "name": "不动产登记信息", "classification": "foundational", "theme": "real_estate",
        "summary": "不动产单元号、坐落、权利人、权利类型、面积和登记时间。", "subjects": [PERSON_SUBJECT, FIRM_SUBJECT],
        "sharing_type": "unconditional", "contact_name": "孙填报",
    }, PERSON + ENTERPRISE[:2] + [it("不动产单元号", "bdcdyh", length=28, key=True, base=True),
                                  it("坐落", "zl", length=200, base=True),
                                  it("权利类型", "qllx", length=50, base=True),
                                  it("建筑面积（平方米）", "jzmj", "decimal", 12),
                                  it("登记时间", "djsj", "datetime"),
                                  it("抵押信息", "dyxx", "text", sensitivity="sensitive",
                                     sharing_type="conditional")]),
    ("zrzy", "registered", {
        "name": "国土空间规划信息", "classification": "foundational", "theme": "natural_resources",
        "summary": "国土空间总体规划和详细规划的规划分区、用途管制和批复信息。",
        "subjects": [], "sharing_type": "unconditional", "format": "image", "format_subtype": "SHP",
        "update_cycle": "irregular", "sharing_method": ["bulk_download", "file"], "contact_name": "孙填报",
        "is_open": True, "open_type": "unconditional", "security_level": "public",
    }, [it("规划编号", "ghbh", length=40, key=True, base=True), it("规划名称", "ghmc", length=200, base=True),
        it("规划分区", "ghfq", length=50, base=True), it("批复日期", "pfrq", "date")]),
    ("wjw", "registered", {
        "name": "医疗机构执业信息", "classification": "thematic", "theme": "health",
        "summary": "医疗机构执业许可证、诊疗科目、床位数和校验情况。", "subjects": [FIRM_SUBJECT],
        "sharing_type": "unconditional", "contact_name": "李填报", "update_cycle": "weekly",
        "is_open": True, "open_type": "unconditional", "is_disclosure": True, "security_level": "public",
    }, ENTERPRISE + [it("执业许可证登记号", "zyxkzdjh", length=40, key=True),
                     it("诊疗科目", "zlkm", "text"), it("床位数", "cws", "integer")]),
    ("wjw", "submitted", {
        "name": "出生医学证明信息", "classification": "departmental",
        "summary": "新生儿出生医学证明的签发信息。", "subjects": [PERSON_SUBJECT],
        "sharing_type": "conditional", "sharing_conditions": "用于户籍登记和社保参保",
        "legal_basis_kind": "law", "legal_basis": "《中华人民共和国母婴保健法》第二十三条",
        "contact_name": "李填报", "security_level": "sensitive",
    }, PERSON + [it("新生儿姓名", "xsexm", length=50, sensitivity="personal"),
                 it("出生时间", "cssj", "datetime"), it("出生医学证明编号", "csyxzmbh", length=20, key=True)]),
    ("hk_gaj", "registered", {
        "name": "机动车驾驶人信息", "classification": "departmental",
        "summary": "海口市机动车驾驶人的准驾车型、驾驶证状态和记分。", "subjects": [PERSON_SUBJECT],
        "sharing_type": "conditional", "sharing_conditions": "用于交通执法和政务服务身份核验",
        "legal_basis_kind": "administrative_regulation",
        "legal_basis": "《中华人民共和国道路交通安全法实施条例》第二十条", "contact_name": "周填报",
        "locality": "海口市",
    }, PERSON + [it("准驾车型", "zjcx", length=10), it("驾驶证状态", "jszzt", length=10),
                 it("累积记分", "ljjf", "integer")]),
    ("scjg", "draft", {
        "name": "特种设备登记信息", "classification": "departmental",
        "summary": "电梯、锅炉等特种设备的使用登记和检验信息。", "subjects": [FIRM_SUBJECT],
        "sharing_type": "unconditional", "contact_name": "钱填报",
    }, ENTERPRISE + [it("设备注册代码", "sbzcdm", length=30, key=True), it("设备类别", "sblb", length=30),
                     it("下次检验日期", "xcjyrq", "date")]),
]


class Command(BaseCommand):
    help = "Load demo catalog entries, a change event and a project (safe to run again)."

    def _users(self, key: str) -> tuple[User, User]:
        try:
            return User.objects.get(username=f"{key}_clerk"), User.objects.get(username=f"{key}_admin")
        except User.DoesNotExist as exc:
            raise CommandError("Demo users are missing: run `manage.py seed_demo` first.") from exc

    @transaction.atomic
    def handle(self, *args, **options):
        try:
            center = User.objects.get(username="center")
        except User.DoesNotExist as exc:
            raise CommandError("Demo users are missing: run `manage.py seed_demo` first.") from exc
        created = 0
        for key, state, data, items in ENTRIES:
            clerk, admin = self._users(key)
            department: Department = clerk.department
            if Resource.objects.filter(provider=department, name=data["name"], revision_of__isnull=True).exists():
                continue
            values = {**COMMON, "locality": department.region.name, **data}
            resource = services.resource_create(actor=clerk, provider=department, data=values, items=items)
            if state in ("submitted", "registered"):
                services.resource_submit(actor=admin, resource=resource, comment="请审核")
            if state == "registered":
                services.resource_approve(actor=center, resource=resource, comment="符合编目要求")
            created += 1
        self._change_event(center)
        self._project()
        self.stdout.write(self.style.SUCCESS(
            f"Demo catalog ready: {created} new entries, "
            f"{Resource.objects.filter(status=Resource.Status.REGISTERED).count()} registered."))

    def _change_event(self, center: User) -> None:
        _clerk, admin = self._users("wjw")
        if ChangeEvent.objects.filter(department=admin.department).exists():
            return
        services.change_event_record(
            actor=center, department=admin.department, kind=ChangeEvent.Kind.FUNCTIONS_CHANGED,
            title="机构改革：职业健康监管职能划入", occurred_on=timezone.localdate(),
            description="按机构改革方案，职业健康监管职能划入本部门，请补充相关目录。")

    def _project(self) -> None:
        clerk, _admin = self._users("zrzy")
        if Project.objects.filter(code="HN-XXH-2026-001").exists():
            return
        project = services.project_create(actor=clerk, department=clerk.department, data={
            "code": "HN-XXH-2026-001", "name": "不动产登记信息平台升级项目",
            "description": "升级不动产登记业务系统，实现登记、交易、税收一窗受理。", "budget": "860.00"})
        services.resource_create(
            actor=clerk, provider=clerk.department,
            data={**COMMON, "name": "不动产交易网签备案信息", "classification": "departmental",
                  "summary": "商品房和存量房网签备案合同信息。", "subjects": [PERSON_SUBJECT, FIRM_SUBJECT],
                  "locality": clerk.department.region.name, "sharing_type": "unconditional",
                  "contact_name": "孙填报", "project": project},
            items=PERSON + [it("合同编号", "htbh", length=40, key=True), it("坐落", "zl", length=200),
                            it("成交价格（万元）", "cjjg", "decimal", 14)])
