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
         source: str | None = None, note: str = "", **options) -> dict:
    """One rule; ``options`` are the rule's own (``by``, ``consent``, …, see
    ``portal.rules.RULES``); ``note`` says what the source text shows where it is unclear."""
    entry = {"value": value, "article": article, "confirmed": confirmed, "enabled": enabled,
             **options}
    if source:
        entry["source"] = source
    if note:
        entry["note"] = note
    return entry


def _platform(value) -> dict:
    return rule(value, confirmed=True, source=PLATFORM)


# What every pack shares unless it says otherwise: the platform's operating rules and
# the limits no source text fixes (values of the former deployment settings, unconfirmed).
_BASE = {
    "sharing.prereview": rule(3, enabled=False, by="center"),
    "sharing.answer": rule(10),
    "sharing.answer_extension": rule(10, enabled=False, consent="head", notify_applicant=True),
    "sharing.supply": rule(10, enabled=False),
    "sharing.enablement": rule(3, enabled=False),
    "sharing.return_flow": rule(10, enabled=False),
    "sharing.negotiation": rule(10),
    "sharing.coordination": rule(20),
    "sharing.transfer": rule(10),
    "sharing.objection": rule(5),
    "sharing.reminder_days": _platform([3, 1]),
    "sharing.grant_expiry_notice": _platform(10),
    "sharing.negative_list_review": rule(12),
    "catalog.update": rule(15),
    "catalog.review": _platform(5),
    "catalog.recollection": rule("reason", enabled=False),
    "catalog.reminder_days": _platform([5, 1]),
    "opendata.review": rule(5),
    "opendata.answer": rule(10),
    "opendata.reminder_days": _platform([1]),
    "assessment.annual_report_due": rule({"month": 2, "day": None}),
    "assessment.annual_report_reminder_days": _platform([5]),
    "assessment.notice_default": _platform(20),
    "assessment.objection_answer": _platform(5),
    "assessment.complaint_answer": _platform(15),
    "assessment.reminder_days": _platform([3]),
}


def _pack(**overrides) -> dict:
    rules = deepcopy(_BASE)
    rules.update(overrides)
    return rules


_SECONDARY = ("条号见于一份转述条例的二手网页（文字经改写），未能从条例原文核实；"
              "期限天数条例原文未能读到。")
_ANSWER_NOTE = ("条例第四章细化共享申请、答复的流程及时限要求（国务院新闻稿）；"
                "能读到的残缺文本有“个工作日内作出是否同意共享的答复”，天数与条号未能读到。")
_DISPUTE_NOTE = ("能读到的残缺文本有“由共同的上级政务数据共享主管部门协调处理”，"
                 "与本平台在共同上级区划协调一致；天数与条号未能读到。")
_RETURN_NOTE = ("国务院新闻稿：上级政府部门应当根据下级政府部门的履职需要，在确保政务数据安全的"
                "前提下，及时、完整回流相关政务数据；条号与期限未能读到，期限沿用答复期限。")

_GUIZHOU_NOTE = ("能读到的条例文本（转录的试题，未显示条号）有：数据提供部门不能立即答复的，"
                 "应当自收到申请之日起15个工作日内予以答复；需要延长答复期限的，应当经数据提供部门"
                 "负责人同意并告知申请人，延长的期限最长不得超过15个工作日。同一文本另有“数据提供"
                 "部门应当在10个工作日内予以答复”（有条件共享）：15+15 是否适用于共享申请"
                 "（而非开放申请）未能核实。")
_SHANXI_NOTE = ("2、5、10 个工作日见于山西省政务数据共享实施细则的政策问答（2024年3月），"
                "未显示条号；《山西省政务数据管理与应用办法》本身的条款未能读到。")

SHIPPED = [
    {
        # The State Council's regulation, in force 2025-08-01: the default for new regions.
        # Its chapters (总则、管理体制、目录管理、共享使用、平台支撑、保障措施、法律责任、
        # 附则; 44 articles) are confirmed; the article numbers and day counts of the rules
        # below could not be read from a stored copy of the text and stay unconfirmed.
        "code": "national-2025", "is_default": True,
        "name": "《政务数据共享条例》（国务院令第809号，2025年8月1日起施行）",
        "source": "《政务数据共享条例》",
        "rules": _pack(**{
            # Chapter 4 (共享使用) names each of these duties; its article numbers and day
            # counts could not be read, so every value here stays unconfirmed.
            "sharing.answer": rule(10, "第四章", note=_ANSWER_NOTE),
            "sharing.negotiation": rule(10, "第四章", note=_DISPUTE_NOTE),
            "sharing.coordination": rule(20, "第四章", note=_DISPUTE_NOTE),
            "sharing.transfer": rule(10, "第二十五条", note=_SECONDARY),
            "sharing.objection": rule(5, "第二十六条", note=_SECONDARY),
            "sharing.return_flow": rule(10, "第四章", enabled=True, note=_RETURN_NOTE),
            "catalog.recollection": rule("reason", "第十九条", enabled=True, note=_SECONDARY),
        }),
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
            "sharing.prereview": rule(3, "第十七条", enabled=True, by="center"),
            # 第十七条 has the bureau review the need together with the provider; it sets
            # no limit for that answer, only for supplying the data afterwards.
            "sharing.answer": rule(10, "第十七条",
                                   note="第十七条规定审核后十个工作日内提供数据，未规定答复期限。"),
            "sharing.supply": rule(10, "第十七条", confirmed=True, enabled=True),
            "sharing.enablement": rule(3, "第十七条", enabled=True),
            "assessment.annual_report_due": rule({"month": 2, "day": None}, "第二十五条"),
        }),
    },
    {
        # 《贵州省政府数据共享开放条例》 (adopted 2020-09-25, in force 2020-12-01).
        "code": "guizhou-2020", "is_default": False,
        "name": "《贵州省政府数据共享开放条例》（2020年）",
        "source": "《贵州省政府数据共享开放条例》",
        "rules": _pack(**{
            "sharing.answer": rule(15, "第三章", note=_GUIZHOU_NOTE),
            "sharing.answer_extension": rule(15, "第三章", enabled=True, consent="head",
                                             notify_applicant=True, note=_GUIZHOU_NOTE),
        }),
    },
    {
        # Shanxi: the authority's 符合性审查 within 2 working days, then the provider
        # answers within 5 (data already on the platform) or 10 (to be published first).
        "code": "shanxi-2020", "is_default": False,
        "name": "《山西省政务数据管理与应用办法》（2020年）",
        "source": "《山西省政务数据管理与应用办法》",
        "rules": _pack(**{
            "sharing.prereview": rule(2, enabled=True, by="authority", note=_SHANXI_NOTE),
            "sharing.answer": rule(5, unpublished_value=10, note=_SHANXI_NOTE),
            "sharing.coordination": rule(20, note="协商未果的由同级政务数据主管部门协调解决"
                                                  "（同一政策问答）；天数未规定。"),
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


def shipped_packs_upgrade(pack_model, version_model, *, new_rules: tuple[str, ...] = (),
                          new_options: dict[str, tuple[str, ...]] | None = None) -> None:
    """Bring every pack to the current rule set as a new version (open steps keep the
    version that timed them), for a migration that adds rules or options: a shipped pack
    never edited in the admin takes the shipped rules whole; an edited pack or a copy
    keeps its values and gains only ``new_rules`` and ``new_options`` (from the shipped
    pack it is, or was copied from, else the default). Shipped packs that are missing are
    added."""
    shipped = {data["code"]: data for data in SHIPPED}
    default_rules = next(d["rules"] for d in SHIPPED if d["is_default"])
    for pack in pack_model.objects.order_by("pk"):
        current = version_model.objects.filter(pack=pack).order_by("-version").first()
        data = shipped.get(pack.code)
        untouched = (data is not None and current is not None and current.version == 1
                     and current.saved_by_id is None)
        if untouched:
            rules = deepcopy(data["rules"])
        else:
            origin = data or shipped.get(getattr(pack.copied_from, "code", None))
            base = origin["rules"] if origin else default_rules
            rules = dict(pack.rules)
            for key in new_rules:
                rules.setdefault(key, deepcopy(base[key]))
            for key, names in (new_options or {}).items():
                entry = dict(rules[key])
                for name in names:
                    entry.setdefault(name, base[key].get(name))
                rules[key] = entry
        if rules == pack.rules:
            continue
        pack.rules = rules
        pack.version += 1
        pack.save(update_fields=["rules", "version"])
        version_model.objects.create(pack=pack, version=pack.version, rules=rules,
                                     source=pack.source)
    shipped_packs_seed(pack_model, version_model)
