"""C9: Chinese full-text search, facets, the HY-12 kinds, constant queries per page."""

import pytest
from django.urls import reverse

from catalog.models import Classification, Resource, SharingType, Theme
from catalog.selectors import CatalogQuery, catalog_search, resources_registered
from portal.search import search_filter, segment, tokens_for_query
from tests.catalog.factories import make_resource

pytestmark = pytest.mark.django_db


def test_segmentation_in_search_mode_keeps_the_short_words():
    tokens = segment(["不动产登记信息"]).split()
    assert "不动产" in tokens and "登记" in tokens
    assert tokens_for_query("不动产") == ["不动产"]


def test_c9_search_finds_long_words_from_their_parts(department):
    wanted = make_resource(department, name="不动产登记信息")
    make_resource(department, name="营业执照信息", summary="企业登记", items=("企业名称", "统一社会信用代码"))
    found = search_filter(resources_registered(), "不动产")
    assert list(found) == [wanted]
    assert list(search_filter(resources_registered(), "不动产登记")) == [wanted]
    assert list(search_filter(resources_registered(), "执照")) != [wanted]


def test_c9_search_covers_items_and_department_short_names(department, other_department):
    other_department.short_name = "省卫健委"
    other_department.save()
    theirs = make_resource(other_department, name="医疗机构执业信息", items=("机构名称", "执业许可证号"))
    make_resource(department, name="不动产登记信息")
    assert list(search_filter(resources_registered(), "省卫健委")) == [theirs]
    assert list(search_filter(resources_registered(), "执业许可证")) == [theirs]


def test_c9_facets_count_and_filter(department, other_department):
    make_resource(department, name="甲", sharing_type=SharingType.UNCONDITIONAL)
    make_resource(department, name="乙", classification=Classification.THEMATIC, theme=Theme.HEALTH)
    make_resource(other_department, name="丙")
    make_resource(other_department, name="草稿", status=Resource.Status.DRAFT)
    result = catalog_search(CatalogQuery())
    assert result.total == 3
    by_department = {v.value: v.count for v in result.facets["department"]}
    assert by_department == {str(department.pk): 2, str(other_department.pk): 1}
    classes = {v.value: v.count for v in result.facets["classification"]}
    assert classes == {"departmental": 2, "thematic": 1}
    narrowed = catalog_search(CatalogQuery(filters={"department": [str(department.pk)],
                                                    "classification": ["departmental"]}))
    assert [r.name for r in narrowed.page.object_list] == ["甲"] and narrowed.total == 1
    assert next(v for v in narrowed.facets["classification"]).selected


def test_c9_the_four_catalog_kinds_of_hy12(department):
    make_resource(department, name="人口", classification=Classification.FOUNDATIONAL,
                  theme=Theme.POPULATION)
    make_resource(department, name="公开", is_disclosure=True)
    make_resource(department, name="主题", classification=Classification.THEMATIC, theme=Theme.HEALTH)
    names = {kind: {r.name for r in catalog_search(CatalogQuery(kind=kind)).page.object_list}
             for kind in ("foundational", "thematic", "departmental", "disclosure")}
    assert names == {"foundational": {"人口"}, "thematic": {"主题"},
                     "departmental": {"公开"}, "disclosure": {"公开"}}


@pytest.mark.parametrize("count", [2, 40])
def test_c9_platform_page_runs_constant_queries(web, clerk, department, other_department, count,
                                                django_assert_max_num_queries):
    for n in range(count):
        make_resource(department if n % 2 else other_department, name=f"不动产登记信息{n}")
    client = web(clerk)
    # session, user, roles, inbox badge, facets (7 on SQLite), departments, page, items
    with django_assert_max_num_queries(20):
        response = client.get(reverse("catalog:browse"), {"q": "不动产", "classification": "departmental",
                                                          "sharing_type": "unconditional"})
    assert response.status_code == 200
    assert f"共 {count} 条已注册资源" in response.content.decode()


def test_c9_browse_page_shows_results_and_facets(web, clerk, department):
    make_resource(department, name="不动产登记信息")
    body = web(clerk).get(reverse("catalog:browse"), {"q": "不动产"}).content.decode()
    assert "不动产登记信息" in body and "提供部门" in body and department.name in body
