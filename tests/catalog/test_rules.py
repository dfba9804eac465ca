"""The rules that refuse an entry (C1, C2, C3) and the warnings a reviewer sees (C4, C5)."""

import pytest

from catalog.models import Classification, DataType, LegalBasisKind, SharingType, Subject, Theme
from catalog.rules import check_entry, entry_warnings, identity_warnings, overlap_warnings
from tests.catalog.factories import entry_data, item, items_data, make_resource


def errors_of(data=None, items=None):
    return check_entry(data or entry_data(), items if items is not None else items_data())


def test_valid_entry_has_no_errors():
    assert not errors_of()


@pytest.mark.parametrize("field", ["name", "classification", "summary", "format", "sharing_type",
                                   "update_cycle", "security_level", "contact_name", "contact_phone"])
def test_c1_required_metadata_is_named_in_the_error(field):
    errors = errors_of(entry_data(**{field: ""}))
    assert field in errors.fields
    assert errors.fields[field][0].startswith("请")


def test_c1_entry_needs_at_least_one_data_item():
    errors = errors_of(items=[])
    assert errors.general and "信息项" in errors.general[0]


def test_c1_item_needs_name_type_and_length_for_strings():
    errors = errors_of(items=[item("", data_type=""), item("金额", DataType.DECIMAL, None),
                              item("登记日期", DataType.DATE, None)])
    assert "name" in errors.items[0] and "data_type" in errors.items[0]
    assert "length" in errors.items[1]
    assert 2 not in errors.items  # dates need no length


def test_c1_duplicate_item_names_and_field_names_are_refused():
    errors = errors_of(items=[item("姓名", field_name="xm"), item("姓名"), item("证件", field_name="XM"),
                              item("坐落", field_name="1bad")])
    assert "重名" in errors.items[1]["name"][0]
    assert "field_name" in errors.items[2]
    assert "field_name" in errors.items[3]


def test_c1_themed_classifications_need_a_theme():
    assert "theme" in errors_of(entry_data(classification=Classification.THEMATIC, theme="")).fields
    assert not errors_of(entry_data(classification=Classification.THEMATIC, theme=Theme.HEALTH))


def test_c1_sharing_methods_required_unless_not_shared():
    errors = errors_of(entry_data(sharing_method=[]))
    assert "sharing_method" in errors.fields
    errors = errors_of(entry_data(sharing_method=["telepathy"]))
    assert "无效" in errors.fields["sharing_method"][0]


def test_c1_open_attributes_must_agree():
    assert "open_type" in errors_of(entry_data(is_open=True, open_type="not_open")).fields
    assert "open_type" in errors_of(entry_data(is_open=False, open_type="unconditional")).fields
    errors = errors_of(entry_data(is_open=True, open_type="conditional", open_conditions=""))
    assert "open_conditions" in errors.fields
    assert not errors_of(entry_data(is_open=True, open_type="conditional", open_conditions="实名申请"))


def test_c2_conditional_entry_needs_conditions_and_a_legal_basis():
    errors = errors_of(entry_data(sharing_type=SharingType.CONDITIONAL))
    assert {"sharing_conditions", "legal_basis", "legal_basis_kind"} <= set(errors.fields)
    assert "法律依据" in errors.fields["legal_basis"][0]
    ok = entry_data(sharing_type=SharingType.CONDITIONAL, sharing_conditions="限于不动产交易核验",
                    legal_basis_kind=LegalBasisKind.RULE, legal_basis="《不动产登记暂行条例实施细则》第九十四条")
    assert not errors_of(ok)


@pytest.mark.parametrize("kind,allowed", [
    (LegalBasisKind.LAW, True), (LegalBasisKind.ADMINISTRATIVE_REGULATION, True),
    (LegalBasisKind.CENTRAL_POLICY, True), (LegalBasisKind.LOCAL_REGULATION, False),
    (LegalBasisKind.RULE, False), (LegalBasisKind.POLICY, False),
])
def test_c2_not_shared_entry_needs_a_law_administrative_regulation_or_central_policy(kind, allowed):
    data = entry_data(sharing_type=SharingType.NOT_SHARED, sharing_method=[], legal_basis_kind=kind,
                      legal_basis="《中华人民共和国统计法》第二十五条")
    errors = errors_of(data)
    assert ("legal_basis_kind" not in errors.fields) is allowed
    if not allowed:
        assert "有条件共享" in errors.fields["legal_basis_kind"][0]


def test_c2_not_shared_without_basis_is_refused():
    errors = errors_of(entry_data(sharing_type=SharingType.NOT_SHARED, sharing_method=[]))
    assert "legal_basis" in errors.fields


def foundational(**overrides):
    return entry_data(**{"classification": Classification.FOUNDATIONAL, "theme": Theme.POPULATION,
                         **overrides})


def test_c3_foundational_entry_must_mark_base_items():
    errors = errors_of(foundational())
    assert "基础信息项" in errors.general[0]


def test_c3_foundational_theme_must_be_a_foundational_subject():
    errors = errors_of(foundational(theme=Theme.HEALTH), [item("姓名", is_base=True)])
    assert "theme" in errors.fields


def test_c3_base_items_of_a_foundational_entry_cannot_be_conditional():
    items = [item("姓名", is_base=True), item("身份证号码", is_base=True, sharing_type=SharingType.CONDITIONAL),
             item("宗教信仰", sharing_type=SharingType.CONDITIONAL)]
    errors = errors_of(foundational(), items)
    assert "sharing_type" in errors.items[1] and "无条件共享" in errors.items[1]["sharing_type"][0]
    assert 2 not in errors.items  # a non-base item may be conditional


def test_c3_conditional_foundational_entry_is_refused_for_its_base_items():
    data = foundational(sharing_type=SharingType.CONDITIONAL, sharing_conditions="限公安机关",
                        legal_basis_kind=LegalBasisKind.LAW, legal_basis="《居民身份证法》第十三条")
    errors = errors_of(data, [item("姓名", is_base=True)])
    assert "sharing_type" in errors.items[0]
    # explicitly unconditional base items make it acceptable
    assert not errors_of(data, [item("姓名", is_base=True, sharing_type=SharingType.UNCONDITIONAL)])


def test_c4_enterprise_entry_lists_missing_identity_items():
    warnings = identity_warnings(entry_data(subjects=[Subject.ENTERPRISE]), items_data("企业名称", "注册资本"))
    text = " ".join(w.message for w in warnings)
    assert all(w.rule == "C4" for w in warnings)
    assert "统一社会信用代码" in text and "法定代表人姓名" in text and "法定代表人身份证号码" in text
    assert "企业（组织）全称" not in text


@pytest.mark.parametrize("subject,items,missing", [
    (Subject.INDIVIDUAL, ("姓名",), "身份证号码"),
    (Subject.INDIVIDUAL, ("姓名", "护照号码"), None),
    (Subject.PROJECT, ("项目名称",), "项目编码"),
    (Subject.PROJECT, ("项目代码",), None),
    (Subject.ADMINISTRATIVE_POWER, ("事项名称",), "权力编码"),
])
def test_c4_identity_items_by_subject(subject, items, missing):
    warnings = identity_warnings(entry_data(subjects=[subject]), items_data(*items))
    text = " ".join(w.message for w in warnings)
    assert (missing in text) if missing else not warnings


def test_c4_every_entry_states_its_locality_and_subject():
    warnings = identity_warnings(entry_data(locality="", subjects=[]), items_data())
    assert {w.field for w in warnings} == {"locality", "subjects"}


def test_c5_overlap_with_another_departments_registered_entry(department, other_department):
    theirs = make_resource(other_department, name="房屋登记信息",
                           items=("姓名", "身份证号码", "不动产坐落", "建筑面积", "登记日期"))
    make_resource(department, name="本部门已注册", items=("不动产坐落", "建筑面积", "登记日期"))
    warnings = overlap_warnings(entry_data(), items_data("姓名", "不动产坐落", "建筑面积", "用途"),
                                provider_id=department.pk)
    assert [w.resources for w in warnings] == [(theirs.pk,)]
    assert "一数一源" in warnings[0].message and other_department.name in warnings[0].message


def test_c5_identity_items_alone_are_not_an_overlap(department, other_department):
    make_resource(other_department, name="人口信息", items=("姓名", "身份证号码", "户籍地址"))
    assert not overlap_warnings(entry_data(), items_data("姓名", "身份证号码", "学历"),
                                provider_id=department.pk)


def test_c5_drafts_and_own_entries_do_not_count(department, other_department):
    from catalog.models import Resource

    make_resource(other_department, status=Resource.Status.DRAFT, items=("坐落", "面积", "用途"))
    mine = make_resource(department, items=("坐落", "面积", "用途"))
    assert not overlap_warnings(entry_data(name="x"), items_data("坐落", "面积", "用途"),
                                provider_id=department.pk, exclude_ids=[mine.pk])


def test_c5_same_name_registered_elsewhere_is_flagged(department, other_department):
    theirs = make_resource(other_department, name="不动产登记信息", items=("a1", "a2"))
    warnings = entry_warnings(entry_data(), items_data("b1", "b2"), provider_id=department.pk)
    assert any(w.rule == "C5" and w.resources == (theirs.pk,) and w.field == "name" for w in warnings)
