"""The computed indicators of A2. Each entry documents how its value is computed.

Defaults (weight, rule, best/worst values) are what a new plan starts with; the
authority adjusts them per plan. Indicators of an app that is not installed are not
registered (see ``assessment.indicators.sources``).
"""

from decimal import Decimal as D

from assessment.indicators.base import (
    IndicatorDef,
    Proposal,
    count,
    percent,
    register,
)
from assessment.indicators.sources import catalog  # noqa: F401  (registers the sources)
from assessment.models import Category, Violation

register(IndicatorDef(
    code="catalog_registered",
    name="已注册目录数量",
    category=Category.QUANTITY,
    unit="条",
    source="catalog_resources",
    measure=count("registered"),
    description="统计期末该部门作为提供方、处于已注册状态的信息资源目录条数（C1、C6）。"
                "按“相对最优值”评分：与本次考核中最多者相比的比例乘以分值。",
    weight=D("8"), rule="relative",
))

register(IndicatorDef(
    code="catalog_shared",
    name="可共享资源数量",
    category=Category.QUANTITY,
    unit="条",
    source="catalog_resources",
    measure=count("shared"),
    description="统计期末已注册目录中共享类型为“无条件共享”或“有条件共享”的条数（A2 共享资源数量）。",
    weight=D("6"), rule="relative",
))

register(IndicatorDef(
    code="catalog_completeness",
    name="目录完整性",
    category=Category.QUALITY,
    unit="%",
    source="catalog_resources",
    measure=lambda f: percent(f["checks_passed"] + f["items_described"],
                              f["checks_total"] + f["items"]),
    description="已注册目录的元数据完整程度（C1）：每条目录检查格式细类、主题、信息属地、"
                "联系人及联系方式、发布日期、共享方式、须有时的法律依据 7 项，每个信息项检查"
                "是否有说明；完整率 =（通过的检查项 + 有说明的信息项）÷（目录数 × 7 + 信息项数）。"
                "60% 及以下不得分，100% 得满分，之间线性计分。",
    weight=D("6"), rule="linear", best=D("100"), worst=D("60"),
))

register(IndicatorDef(
    code="catalog_update_timeliness",
    name="目录更新及时率",
    category=Category.TIMELINESS,
    unit="%",
    source="catalog_changes",
    measure=lambda f: percent(f["on_time"], f["due"]),
    description="更新期限落在统计期内的目录变更事项中，在 15 个工作日期限内完成更新的比例"
                "（NAT-8、HN-8、C7）；逾期完成和逾期未完成均计为不及时，尚未到期的不计。"
                "无到期事项时得满分。50% 及以下不得分，100% 得满分。",
    weight=D("8"), rule="linear", best=D("100"), worst=D("50"),
    proposals=(Proposal(
        violation=Violation.CATALOG_NOT_UPDATED,
        applies=lambda f: f["open_overdue"] > 0,
        facts=lambda f: f"截至计算时，有 {f['open_overdue']} 项法律法规修订或职能调整引起的目录变更"
                        f"超过 15 个工作日仍未更新目录（统计期内到期 {f['due']} 项，按期完成 "
                        f"{f['on_time']} 项）。",
    ),),
))

register(IndicatorDef(
    code="census_completion",
    name="年度普查完成率",
    category=Category.TIMELINESS,
    unit="%",
    source="catalog_census",
    measure=lambda f: percent(f["confirmed"], f["entries"]),
    description="统计期所在年度的目录普查中，该部门已确认或已提交修订的条目占全部普查条目的比例"
                "（YS-13、C8）。线性计分，0% 不得分，100% 得满分；未开展普查时得满分。",
    weight=D("5"), rule="linear", best=D("100"), worst=D("0"),
))

register(IndicatorDef(
    code="project_catalogs",
    name="项目目录编报率",
    category=Category.PROJECTS,
    unit="%",
    source="catalog_projects",
    measure=lambda f: percent(f["approved_with_catalog"] + f["completed_registered"],
                              f["approved"] + f["completed"]),
    description="统计期内立项的信息化项目中立项前已预编资源目录的，与统计期内验收的项目中资源目录"
                "已全部注册的，占两类项目总数的比例（NAT-21、HN-39(1)(2)、C11）。"
                "线性计分；无相关项目时得满分。",
    weight=D("6"), rule="linear", best=D("100"), worst=D("0"),
    proposals=(
        Proposal(
            violation=Violation.PROJECT_CATALOG_MISSING,
            applies=lambda f: f["approved"] > f["approved_with_catalog"],
            facts=lambda f: f"统计期内立项的 {f['approved']} 个信息化项目中，有 "
                            f"{f['approved'] - f['approved_with_catalog']} 个立项前未预编项目信息资源目录。",
        ),
        Proposal(
            violation=Violation.PROJECT_NOT_REGISTERED,
            applies=lambda f: f["completed"] > f["completed_registered"],
            facts=lambda f: f"统计期内验收的 {f['completed']} 个信息化项目中，有 "
                            f"{f['completed'] - f['completed_registered']} 个项目的信息资源目录未完成登记注册。",
        ),
    ),
))
