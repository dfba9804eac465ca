"""Indicators of the assessment (A2, A3): the registry of computed indicators, the
default manual indicators, and the scoring rules.

``INDICATORS[code](department, period)`` computes one computed indicator for one
department; plans compute all of them for all units at once
(``assessment.services.compute``).
"""

from decimal import Decimal

from assessment.indicators import definitions  # noqa: F401  (registers sources and indicators)
from assessment.indicators.base import (
    INDICATORS,
    SOURCES,
    IndicatorDef,
    IndicatorValue,
    Period,
    Proposal,
    SourceUnavailable,
    add_figures,
    collect,
)
from assessment.models import Category

# Manual indicators every new plan starts with (A3): scored by reviewers on evidence.
MANUAL_DEFAULTS = [
    {"code": "organisation", "name": "组织保障与制度建设", "category": Category.MANAGEMENT,
     "weight": Decimal("4"),
     "description": "明确第一责任人和工作机构，建立本部门信息资源共享管理制度、工作程序和"
                    "奖惩机制（NAT-23、HN-35）。依据自评材料评审打分。"},
    {"code": "security", "name": "数据安全管理", "category": Category.MANAGEMENT,
     "weight": Decimal("3"),
     "description": "落实数据安全管理员、分级分类、安全防护和保密审查（HN-34、HY-24）。"
                    "依据自评材料评审打分。"},
    {"code": "application_cases", "name": "共享开放应用成效", "category": Category.APPLICATION,
     "weight": Decimal("3"),
     "description": "利用共享、开放数据支撑业务协同、减证便民等的典型案例与成效（YS-28）。"
                    "依据自评材料评审打分。"},
]

__all__ = [
    "INDICATORS",
    "MANUAL_DEFAULTS",
    "SOURCES",
    "IndicatorDef",
    "IndicatorValue",
    "Period",
    "Proposal",
    "SourceUnavailable",
    "add_figures",
    "collect",
]
