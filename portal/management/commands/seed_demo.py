"""Load the demo province: regions, departments, one user for every role (idempotent).

Every demo account has the password ``DEMO_PASSWORD`` and is marked exempt from
two-factor authentication. The exemption only works where
``PORTAL_ALLOW_DEMO_EXEMPTION`` is on (the default with ``DJANGO_DEBUG=1``): never in
production.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from portal.models import Department, Region, Role, User
from portal.services.calendar import calendar_seed_from_package
from portal.services.organisation import user_roles_set
from portal.validators import uscc_check_digit

DEMO_PASSWORD = "Demo@Portal2026"

REGIONS = [
    ("460000", "海南省", Region.Level.PROVINCE, None),
    ("460100", "海口市", Region.Level.CITY, "460000"),
    ("460200", "三亚市", Region.Level.CITY, "460000"),
]

K = Department.Kind
# (key, region, name, short name, kind)
DEPARTMENTS = [
    ("center", "460000", "海南省大数据管理局信息中心", "省信息中心", K.INFORMATION_CENTER),
    ("authority", "460000", "海南省大数据管理局", "省大数据局", K.AUTHORITY),
    ("gat", "460000", "海南省公安厅", "省公安厅", K.GOVERNMENT),
    ("scjg", "460000", "海南省市场监督管理局", "省市场监管局", K.GOVERNMENT),
    ("zrzy", "460000", "海南省自然资源和规划厅", "省自然资源厅", K.GOVERNMENT),
    ("rst", "460000", "海南省人力资源和社会保障厅", "省人社厅", K.GOVERNMENT),
    ("wjw", "460000", "海南省卫生健康委员会", "省卫健委", K.GOVERNMENT),
    ("jtt", "460000", "海南省交通运输厅", "省交通厅", K.GOVERNMENT),
    ("sthj", "460000", "海南省生态环境厅", "省生态环境厅", K.GOVERNMENT),
    ("jyt", "460000", "海南省教育厅", "省教育厅", K.GOVERNMENT),
    ("mzt", "460000", "海南省民政厅", "省民政厅", K.GOVERNMENT),
    ("czt", "460000", "海南省财政厅", "省财政厅", K.GOVERNMENT),
    ("zjt", "460000", "海南省住房和城乡建设厅", "省住建厅", K.GOVERNMENT),
    ("nynct", "460000", "海南省农业农村厅", "省农业农村厅", K.GOVERNMENT),
    ("tjj", "460000", "海南省统计局", "省统计局", K.GOVERNMENT),
    ("bmj", "460000", "海南省国家保密局", "省保密局", K.GOVERNMENT),
    ("bb", "460000", "中共海南省委机构编制委员会办公室", "省委编办", K.GOVERNMENT),
    ("sft", "460000", "海南省司法厅", "省司法厅", K.GOVERNMENT),
    ("gjj", "460000", "海南省住房公积金管理局", "省公积金局", K.PUBLIC_INSTITUTION),
    ("dw", "460000", "海南电网有限责任公司", "海南电网", K.PUBLIC_ENTERPRISE),
    ("hk_gaj", "460100", "海口市公安局", "海口市公安局", K.GOVERNMENT),
    ("hk_scjg", "460100", "海口市市场监督管理局", "海口市市场监管局", K.GOVERNMENT),
    ("sy_zrzy", "460200", "三亚市自然资源和规划局", "三亚市自然资源局", K.GOVERNMENT),
    ("sy_wjw", "460200", "三亚市卫生健康委员会", "三亚市卫健委", K.GOVERNMENT),
]

_KIND_PREFIX = {K.PUBLIC_INSTITUTION: "12", K.PUBLIC_ENTERPRISE: "91"}

# (username, department key, roles, surname, given name)
USERS = [
    ("center", "center", [Role.CENTER_REVIEWER], "林", "审核"),
    ("authority", "authority", [Role.AUTHORITY], "王", "主管"),
    ("secrecy", "bmj", [Role.SECRECY_REVIEWER], "陈", "保密"),
    ("establishment", "bb", [Role.ESTABLISHMENT_REVIEWER], "黄", "编制"),
    ("legal", "sft", [Role.LEGAL_REVIEWER], "吴", "法制"),
]
for _key, _surname in [("gat", "赵"), ("scjg", "钱"), ("zrzy", "孙"), ("wjw", "李"), ("hk_gaj", "周")]:
    USERS += [
        (f"{_key}_clerk", _key, [Role.CLERK], _surname, "填报"),
        (f"{_key}_admin", _key, [Role.DATA_ADMIN], _surname, "数管"),
        (f"{_key}_security", _key, [Role.SECURITY_OFFICER], _surname, "安全"),
        (f"{_key}_head", _key, [Role.HEAD], _surname, "负责"),
    ]


def demo_uscc(region_code: str, index: int, kind: str) -> str:
    first17 = _KIND_PREFIX.get(kind, "11") + region_code + f"MB{index:07d}"
    return first17 + uscc_check_digit(first17)


# The apps' own demo loaders, in dependency order; each is idempotent.
APP_LOADERS = (
    "seed_demo_catalog",
    "seed_demo_sharing",
    "seed_demo_dataplane",
    "seed_demo_opendata",
    "seed_demo_assessment",
)


class Command(BaseCommand):
    help = "Load the demo province: organisation, then every app's demo data (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--organisation-only", action="store_true",
                            help="load regions, departments and users only")

    def handle(self, *args, organisation_only: bool = False, **options):
        self._load_organisation()
        if not organisation_only:
            for loader in APP_LOADERS:
                call_command(loader, stdout=self.stdout, stderr=self.stderr)

    @transaction.atomic
    def _load_organisation(self):
        calendar_seed_from_package()
        regions: dict[str, Region] = {}
        for code, name, level, parent in REGIONS:
            regions[code], _ = Region.objects.update_or_create(
                code=code, defaults={"name": name, "level": level,
                                     "parent": regions.get(parent) if parent else None},
            )
        departments: dict[str, Department] = {}
        for index, (key, region, name, short, kind) in enumerate(DEPARTMENTS, start=1):
            departments[key], _ = Department.objects.update_or_create(
                uscc=demo_uscc(region, index, kind),
                defaults={"name": name, "short_name": short, "region": regions[region],
                          "kind": kind, "contact_person": "演示联系人",
                          "contact_phone": f"0898-6600{index:04d}"},
            )
        for username, dept_key, roles, surname, given in USERS:
            user, created = User.objects.get_or_create(username=username)
            user.department = departments[dept_key]
            user.last_name, user.first_name = surname, given
            user.email = f"{username}@demo.gov.cn"
            user.two_factor_exempt = True
            if created:
                user.set_password(DEMO_PASSWORD)
            user.save()
            user_roles_set(user=user, roles=roles)
        admin, created = User.objects.get_or_create(
            username="admin", defaults={"is_superuser": True, "is_staff": True,
                                        "two_factor_exempt": True, "email": "admin@demo.gov.cn"})
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()
        self.stdout.write(self.style.SUCCESS(
            f"Demo data ready: {len(departments)} departments, {len(USERS) + 1} users."))
