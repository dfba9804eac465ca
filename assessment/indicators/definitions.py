"""The computed indicators of A2. Each entry documents how its value is computed.

Defaults (weight, rule, best/worst values) are what a new plan starts with; the
authority adjusts them per plan. Indicators of an app that is not installed are not
registered (see ``assessment.indicators.sources``).
"""

from decimal import Decimal as D

from assessment.indicators.base import (
    IndicatorDef,
    Proposal,
    average,
    count,
    percent,
    register,
)
from assessment.indicators.sources import catalog, sharing  # noqa: F401  (registers sources)
from assessment.models import Category, Violation

register(IndicatorDef(
    code="catalog_registered",
    name="已注册目录数量",
    category=Category.QUANTITY,
    unit="条",
    source="catalog_resources",
    measure=count("registered"),
    description="统计期末该部门作为提供方、处于已注册状态的信息资源目录条数（C1、C6）。"
                "按“相对最优值”评分：与本次考核中最多者相比的比例乘以分值；没有目录得 0 分。",
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
                "60% 及以下不得分，100% 得满分，之间线性计分。没有已注册目录时完整率为 0，不得分"
                "（空目录不是完整的目录）。",
    weight=D("6"), rule="linear", best=D("100"), worst=D("60"), no_data="zero",
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
                "无到期事项时不适用，不计入总分。50% 及以下不得分，100% 得满分。",
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
                "（YS-13、C8）。线性计分，0% 不得分，100% 得满分；未开展普查或没有普查条目时不适用，"
                "不计入总分。",
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
                "线性计分；无相关项目时不适用，不计入总分。",
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

register(IndicatorDef(
    code="share_answer_timeliness",
    name="共享申请按期答复率",
    category=Category.SERVICE,
    unit="%",
    source="sharing_requests",
    measure=lambda f: percent(f["answered_on_time"], f["answer_due"]),
    description="答复期限落在统计期内的共享申请中，提供部门在 10 个工作日内答复的比例"
                "（NAT-12、HY-17、S3）；超期答复与超期仍未答复均计为不及时，撤回的申请不计。"
                "60% 及以下不得分，100% 得满分；无应答复申请时不适用，不计入总分。",
    weight=D("10"), rule="linear", best=D("100"), worst=D("60"),
    proposals=(Proposal(
        violation=Violation.SHARING_DELAYED,
        applies=lambda f: f["unanswered_overdue"] > 0,
        facts=lambda f: f"有 {f['unanswered_overdue']} 件共享申请超过 10 个工作日答复期限仍未答复"
                        f"（统计期内应答复 {f['answer_due']} 件，按期答复 {f['answered_on_time']} 件）。",
    ),),
))

register(IndicatorDef(
    code="share_response_days",
    name="共享申请平均答复用时",
    category=Category.SERVICE,
    unit="工作日",
    source="sharing_requests",
    measure=lambda f: average(f["answer_days_total"], f["answered"]),
    description="统计期内已答复的共享申请从提供部门收到到作出答复的平均工作日数（A2 响应时间）。"
                "3 个工作日及以内得满分，10 个工作日及以上不得分，之间线性计分；没有已答复申请时不适用。",
    higher_is_better=False,
    weight=D("4"), rule="linear", best=D("3"), worst=D("10"),
))

register(IndicatorDef(
    code="share_refusal_rate",
    name="共享申请拒绝率",
    category=Category.SERVICE,
    unit="%",
    source="sharing_requests",
    measure=lambda f: percent(f["refused"], f["answered"]),
    description="统计期内已答复的共享申请中“不予共享”的比例（A2 拒绝率；部分同意不计为拒绝）。"
                "0% 得满分，50% 及以上不得分，之间线性计分；没有已答复申请时不适用。",
    higher_is_better=False,
    weight=D("6"), rule="linear", best=D("0"), worst=D("50"),
))

register(IndicatorDef(
    code="objection_count",
    name="数据异议数量",
    category=Category.QUALITY,
    unit="件",
    source="sharing_objections",
    measure=lambda f: (D(int(f["objections"])) if f["objections"] or f["data_used"] else None),
    description="统计期内使用部门对该部门提供的数据提出的异议件数（不含撤回的；NAT-15、S8）。"
                "0 件得满分，20 件及以上不得分，之间线性计分；统计期内其他部门没有使用过该部门的"
                "共享数据（也没有异议）时不适用，不计入总分——没人用的数据没有异议不说明质量好。",
    higher_is_better=False,
    weight=D("3"), rule="linear", best=D("0"), worst=D("20"),
))

register(IndicatorDef(
    code="objection_fix_days",
    name="数据异议平均处理用时",
    category=Category.QUALITY,
    unit="工作日",
    source="sharing_objections",
    measure=lambda f: average(f["fix_days_total"], f["objections_answered"]),
    description="统计期内提出并已答复的数据异议，从提出到核实答复的平均工作日数（S8 处理时效）。"
                "1 个工作日及以内得满分，10 个工作日及以上不得分；无已答复异议时不适用，不计入总分。",
    higher_is_better=False,
    weight=D("4"), rule="linear", best=D("1"), worst=D("10"),
    proposals=(Proposal(
        violation=Violation.DATA_INCONSISTENT,
        applies=lambda f: f["objections_overdue"] > 0,
        facts=lambda f: f"有 {f['objections_overdue']} 件数据异议超过核实答复期限仍未处理"
                        f"（统计期内收到 {f['objections']} 件）。",
    ),),
))

register(IndicatorDef(
    code="data_versions_on_cycle",
    name="数据按周期更新率",
    category=Category.TIMELINESS,
    unit="%",
    source="dataplane_versions",
    measure=lambda f: percent(f["versions"] - f["versions_late"], f["versions"] + f["stale"]),
    description="统计期内启用的数据版本中按更新周期按时提供的，占启用版本数与到期未更新资源数之和的"
                "比例（S9、HN-39(4)）。50% 及以下不得分，100% 得满分；无应更新数据时不适用，不计入总分。",
    weight=D("8"), rule="linear", best=D("100"), worst=D("50"),
    proposals=(Proposal(
        violation=Violation.SHARING_DELAYED,
        applies=lambda f: f["stale"] > 0,
        facts=lambda f: f"有 {f['stale']} 个已注册资源的数据超过更新周期仍未更新"
                        f"（统计期内启用数据版本 {f['versions']} 个，其中逾期 {f['versions_late']} 个）。",
    ),),
))

register(IndicatorDef(
    code="data_accesses",
    name="共享数据被访问次数",
    category=Category.APPLICATION,
    unit="次",
    source="access_log",
    measure=count("accesses"),
    description="统计期内其他部门经授权联机查询、批量下载该部门共享数据的次数（访问日志，S10）。"
                "按相对最优值计分。",
    weight=D("4"), rule="relative",
))

register(IndicatorDef(
    code="data_consumers",
    name="共享数据使用部门数",
    category=Category.APPLICATION,
    unit="个",
    source="access_log",
    measure=count("consumers"),
    description="统计期内经授权访问过该部门共享数据的不同部门数（访问日志，S10）；下一级政府为其"
                "各部门数值之和。按相对最优值计分。",
    weight=D("4"), rule="relative",
))

register(IndicatorDef(
    code="open_datasets",
    name="开放数据集数量",
    category=Category.QUANTITY,
    unit="个",
    source="opendata_datasets",
    measure=count("open_datasets"),
    description="统计期末该部门向社会开放（已发布）的数据集个数（O1、HN-25）。按相对最优值计分。",
    weight=D("4"), rule="relative",
))

register(IndicatorDef(
    code="open_downloads",
    name="开放数据下载量",
    category=Category.APPLICATION,
    unit="次",
    source="access_log",
    measure=count("open_downloads"),
    description="统计期内社会公众下载该部门开放数据集的次数（访问日志，O6）。按相对最优值计分。",
    weight=D("4"), rule="relative",
))

register(IndicatorDef(
    code="service_availability",
    name="数据服务接口可用率",
    category=Category.SERVICE,
    unit="%",
    source="service_calls",
    measure=lambda f: percent(f["health_ok"], f["health_checks"]),
    description="统计期内该部门已启用的数据服务接口定时运行检测正常的次数占检测总次数的比例"
                "（S9、S13）。95% 及以下不得分，100% 得满分；没有启用接口时不适用，不计入总分。",
    weight=D("4"), rule="linear", best=D("100"), worst=D("95"), in_default_set=False,
))

register(IndicatorDef(
    code="service_response_ms",
    name="数据服务接口平均响应时间",
    category=Category.SERVICE,
    unit="毫秒",
    source="service_calls",
    measure=lambda f: average(f["service_latency_total"], f["service_latency_count"]),
    description="统计期内其他部门经网关成功调用该部门数据服务接口的平均耗时（访问日志，S9、S10）。"
                "200 毫秒及以下得满分，3000 毫秒及以上不得分；无调用时不适用，不计入总分。",
    higher_is_better=False, weight=D("3"), rule="linear", best=D("200"), worst=D("3000"),
    in_default_set=False,
))
