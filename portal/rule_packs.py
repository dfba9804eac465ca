"""The rule packs the portal ships (seeded by a migration; edited in the admin afterwards).

Each rule names its article. ``confirmed`` is true only where the value itself is written
in the cited text (the files of ``shared/regulations`` for the 2016–2021 texts); every
other value is carried over from the platform's previous deployment-wide setting and is
marked unconfirmed, so the admin and the department pages show "条款待核实" until the
center confirms it. Reminder days, grant-expiry notices and assessment-internal limits
are the platform's own operating rules (source 平台运行规则), not regulation.
"""

from copy import deepcopy

PLATFORM = "平台运行规则"


def rule(value, article: str = "", *, confirmed: bool = False, enabled: bool = True,
         source: str | None = None) -> dict:
    entry = {"value": value, "article": article, "confirmed": confirmed, "enabled": enabled}
    if source:
        entry["source"] = source
    return entry


def _platform(value) -> dict:
    return rule(value, confirmed=True, source=PLATFORM)


# What every pack shares unless it says otherwise: the platform's operating rules and
# the limits no source text fixes (values of the former deployment settings, unconfirmed).
_BASE = {
    "sharing.prereview": rule(3, enabled=False),
    "sharing.answer": rule(10),
    "sharing.answer_extension": rule(10, enabled=False),
    "sharing.enablement": rule(3, enabled=False),
    "sharing.negotiation": rule(10),
    "sharing.coordination": rule(20),
    "sharing.transfer": rule(10),
    "sharing.objection": rule(5),
    "sharing.reminder_days": _platform([3, 1]),
    "sharing.grant_expiry_notice": _platform(10),
    "sharing.negative_list_review": rule(12),
    "catalog.update": rule(15),
    "catalog.reminder_days": _platform([5, 1]),
    "opendata.review": rule(5),
    "opendata.answer": rule(10),
    "opendata.reminder_days": _platform([1]),
    "assessment.annual_report_due": rule({"month": 2, "day": None}),
    "assessment.notice_default": _platform(20),
    "assessment.objection_answer": _platform(5),
    "assessment.complaint_answer": _platform(15),
    "assessment.reminder_days": _platform([3]),
}


def _pack(**overrides) -> dict:
    rules = deepcopy(_BASE)
    rules.update(overrides)
    return rules


SHIPPED = [
    {
        # The State Council's regulation, in force 2025-08-01: the default for new regions.
        # Its chapters (总则、管理体制、目录管理、共享使用、平台支撑、保障措施、法律责任、
        # 附则; 44 articles) are confirmed; the article numbers and day counts of the rules
        # below could not be read from a stored copy of the text and stay unconfirmed.
        "code": "national-2025", "is_default": True,
        "name": "《政务数据共享条例》（国务院令第809号，2025年8月1日起施行）",
        "source": "《政务数据共享条例》",
        "rules": _pack(),
    },
    {
        "code": "national-2016", "is_default": False,
        "name": "《政务信息资源共享管理暂行办法》（国发〔2016〕51号）",
        "source": "《政务信息资源共享管理暂行办法》",
        "rules": _pack(**{
            "sharing.answer": rule(10, "第十二条", confirmed=True),
            "sharing.negotiation": rule(10, "第十二条"),
            "sharing.coordination": rule(20, "第十二条"),
            "sharing.transfer": rule(10, "第十四条"),
            "sharing.objection": rule(5, "第十五条"),
            "catalog.update": rule(15, "第八条", confirmed=True),
            "assessment.annual_report_due": rule({"month": 2, "day": None}, "第十八条",
                                                 confirmed=True),
        }),
    },
    {
        "code": "hainan-2018", "is_default": False,
        "name": "《海南省公共信息资源管理办法》（2018年）",
        "source": "《海南省公共信息资源管理办法》",
        "rules": _pack(**{
            "sharing.negotiation": rule(10, "第二十条"),
            "sharing.coordination": rule(20, "第二十条"),
            "sharing.transfer": rule(10, "第二十三条"),
            "sharing.objection": rule(5, "第二十四条"),
            "sharing.negative_list_review": rule(12, "第十二条"),
            "catalog.update": rule(15, "第八条", confirmed=True),
        }),
    },
    {
        # Requests go to the information center, which answers or routes them (YS-18).
        "code": "yushui-2018", "is_default": False,
        "name": "《渝水区政务信息资源共享管理办法》（2018年）",
        "source": "《渝水区政务信息资源共享管理办法》",
        "rules": _pack(**{
            "sharing.prereview": rule(3, "第十八条", enabled=True),
            "sharing.objection": rule(5, "第十九条"),
        }),
    },
    {
        # The approval bureau reviews with the provider, the provider supplies the data
        # within ten working days, the bureau enables the consumer (HY-17).
        "code": "hengyang-2021", "is_default": False,
        "name": "《衡阳市政务数据共享开放管理办法》（衡政办发〔2021〕25号）",
        "source": "《衡阳市政务数据共享开放管理办法》",
        "rules": _pack(**{
            "sharing.prereview": rule(3, "第十七条", enabled=True),
            "sharing.answer": rule(10, "第十七条", confirmed=True),
            "sharing.enablement": rule(3, "第十七条", enabled=True),
            "assessment.annual_report_due": rule({"month": 2, "day": None}, "第二十五条"),
        }),
    },
]


def shipped_packs_seed(pack_model=None, version_model=None) -> int:
    """Create the shipped packs that are missing, each as its version 1; return how many.

    The seeding migration passes its historical models; tests call it after a
    transactional test has flushed the tables (the packs are reference data, like the
    working-day calendar)."""
    if pack_model is None:
        from portal.models import RulePack as pack_model
        from portal.models import RulePackVersion as version_model
    created = 0
    for data in SHIPPED:
        if pack_model.objects.filter(code=data["code"]).exists():
            continue
        pack = pack_model.objects.create(version=1, **deepcopy(data))
        version_model.objects.create(pack=pack, version=1, rules=pack.rules, source=pack.source)
        created += 1
    return created
