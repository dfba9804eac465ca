"""O4: the public portal — home, Chinese search with facets, dataset pages, feed, caching,
robots.txt, ratings and moderated comments; and the department pages render."""

import json
import re

import pytest
from django.urls import reverse

from catalog.models import OpenType
from opendata.models import Comment
from opendata.services import datasets as ds
from opendata.services import engagement as es
from portal.errors import NotPermitted

pytestmark = pytest.mark.django_db


def _script_jsonld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD script"
    return json.loads(match.group(1))


def test_o4_home_shows_counts_themes_and_newest(publish, client):
    dataset = publish()
    html = client.get("/open/").content.decode()
    assert dataset.title in html and "房地产（不动产）" in html
    assert "1</strong> 个开放数据集" in html.replace("\n", "")


def test_o4_search_finds_chinese_substrings_and_counts_facets(publish, open_resource, client):
    dataset = publish()
    other = publish(resource=open_resource(name="医疗机构执业许可信息",
                                           summary="医疗机构名称、执业地点和诊疗科目。",
                                           theme="health"))
    html = client.get("/open/datasets/", {"q": "不动产"}).content.decode()
    assert dataset.title in html and other.title not in html
    assert "找到 1 个数据集" in html
    html = client.get("/open/datasets/", {"q": "医疗机构"}).content.decode()
    assert other.title in html and dataset.title not in html
    html = client.get("/open/datasets/", {"theme": "health"}).content.decode()
    assert "找到 1 个数据集" in html and "✓ 医疗健康" in html and other.title in html


def test_o4_search_by_department_short_name(publish, client, department):
    dataset = publish()
    html = client.get("/open/datasets/", {"q": department.short_name}).content.decode()
    assert dataset.title in html


def test_o4_facet_filters_narrow_results(publish, client):
    a = publish()
    b = publish(open_type=OpenType.CONDITIONAL)
    html = client.get("/open/datasets/", {"open_type": "conditional", "q": "登记"}
                      ).content.decode()
    assert b.title in html and f'href="/open/datasets/{a.name}/"' not in html
    # The chosen value's link removes it and keeps the rest; another value's link adds it.
    assert 'href="?q=%E7%99%BB%E8%AE%B0" class="selected"' in html
    assert "open_type=conditional&amp;q=%E7%99%BB%E8%AE%B0&amp;theme=real_estate" in html


def test_o4_dataset_page_has_preview_api_url_counts_and_schema_org(publish, client):
    dataset = publish(keywords="不动产，登记")
    response = client.get(f"/open/datasets/{dataset.name}/")
    html = response.content.decode()
    assert "数据预览" in html and "美兰区" in html
    assert f"/api/v1/opendata/datasets/{dataset.pk}/rows/" in html
    assert "下载 CSV" in html and "下载 XLSX" in html and "下载 JSON" in html
    data = _script_jsonld(html)
    assert data["@type"] == "Dataset" and data["name"] == dataset.title
    assert data["keywords"] == ["不动产", "登记"]
    assert {d["encodingFormat"] for d in data["distribution"]} >= {"text/csv"}
    dataset.refresh_from_db()
    assert dataset.view_count == 1


def test_o4_pages_read_without_javascript(publish, client):
    dataset = publish()
    for url in ["/open/", "/open/datasets/?q=不动产", f"/open/datasets/{dataset.name}/",
                "/open/departments/", "/open/requests/", "/open/products/",
                "/open/developers/", "/open/requests/new/", "/open/signup/"]:
        html = client.get(url).content.decode()
        # Only the shell's menu toggle, which is progressive: the toggle starts hidden and
        # the menu open, so without JavaScript every link is there.
        scripts = re.findall(r"<script(?![^>]*application/ld\+json)[^>]*>", html)
        assert scripts == ['<script src="/static/portal/js/shell.js">'], url
        assert re.search(r'<button class="nav-toggle"[^>]* hidden>', html), url


def test_o4_withdrawn_dataset_shows_reason_publicly(publish, data_admin, client):
    dataset = publish()
    ds.dataset_withdraw(actor=data_admin, dataset=dataset, reason="数据源调整，暂停开放")
    response = client.get(f"/open/datasets/{dataset.name}/")
    assert response.status_code == 410
    assert "数据源调整，暂停开放" in response.content.decode()
    assert client.get(f"/open/datasets/{dataset.name}/download/csv/").status_code == 404


def test_o4_unpublished_dataset_is_404(open_resource, data_admin, client):
    dataset = ds.dataset_create(actor=data_admin, resource=open_resource())
    assert client.get(f"/open/datasets/{dataset.name}/").status_code == 404


def test_o4_atom_feed_lists_new_datasets(publish, client):
    dataset = publish()
    response = client.get("/open/feed.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert "【新发布】" + dataset.title in body and "<feed" in body
    assert response.has_header("ETag")


def test_o4_public_pages_and_exports_answer_conditional_requests(publish, client):
    publish()
    first = client.get("/open/")
    assert "public" in first["Cache-Control"] and first.has_header("ETag")
    again = client.get("/open/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    export = client.get("/catalog.ttl")
    assert export.status_code == 200 and export.has_header("Last-Modified")
    assert client.get("/catalog.ttl", HTTP_IF_NONE_MATCH=export["ETag"]).status_code == 304


def test_o4_download_is_streamed_with_validators(publish, client):
    dataset = publish()
    response = client.get(f"/open/datasets/{dataset.name}/download/csv/")
    assert response.streaming
    assert response["ETag"].strip('"') == dataset.distributions.get(format="csv").checksum
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert client.get(f"/open/datasets/{dataset.name}/download/csv/",
                      HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_o4_robots_txt(client):
    body = client.get("/robots.txt").content.decode()
    assert "Disallow: /api/" in body and "Allow: /open/" in body and "Sitemap:" in body
    assert "Disallow: /open/datasets/*/download/" in body


def test_o4_sitemap_lists_dataset_pages(publish, client):
    dataset = publish()
    body = b"".join(client.get("/open/sitemap.xml").streaming_content).decode()
    assert f"/open/datasets/{dataset.name}/" in body


def test_o4_rating_replaces_earlier_score(publish, public_user):
    dataset = publish()
    es.rating_set(actor=public_user, dataset=dataset, score=5)
    es.rating_set(actor=public_user, dataset=dataset, score=3)
    dataset.refresh_from_db()
    assert (dataset.rating_count, dataset.rating_total, dataset.rating_average) == (1, 3, 3.0)


def test_o4_comments_are_shown_only_after_moderation(publish, public_user, data_admin,
                                                     other_admin, client):
    dataset = publish()
    comment = es.comment_add(actor=public_user, dataset=dataset, body="希望增加历史数据")
    url = f"/open/datasets/{dataset.name}/"
    assert "希望增加历史数据" not in client.get(url).content.decode()
    with pytest.raises(NotPermitted):
        es.comment_moderate(actor=other_admin, comment=comment, action="approve")
    es.comment_moderate(actor=data_admin, comment=comment, action="approve",
                        reply="已列入计划")
    html = client.get(url).content.decode()
    assert "希望增加历史数据" in html and "已列入计划" in html
    es.comment_moderate(actor=data_admin, comment=comment, action="reject")
    assert Comment.objects.get().status == "rejected"
    assert "希望增加历史数据" not in client.get(url).content.decode()


def test_o4_anonymous_cannot_rate_or_comment(publish, client):
    dataset = publish()
    response = client.post(f"/open/datasets/{dataset.name}/comment/", {"body": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Comment.objects.exists()


def test_o4_signup_creates_public_user_without_department(client):
    from portal.models import User

    response = client.post("/open/signup/", {
        "username": "reader1", "email": "reader1@example.com", "phone": "13812345678",
        "password1": "Kx9!mPq2#wLz", "password2": "Kx9!mPq2#wLz", "agree": "on"})
    assert response.status_code == 302
    user = User.objects.get(username="reader1")
    assert user.department_id is None and not user.role_set()
    assert client.get("/open/me/").status_code == 200


def test_o4_signup_does_not_redirect_off_site(client):
    response = client.post("/open/signup/?next=https://evil.example/", {
        "username": "reader2", "email": "reader2@example.com",
        "password1": "Kx9!mPq2#wLz", "password2": "Kx9!mPq2#wLz", "agree": "on"})
    assert response["Location"] == "/open/me/"


def test_o4_department_page_lists_datasets(publish, client, department):
    dataset = publish()
    html = client.get(reverse("opendata:department", args=[department.pk])).content.decode()
    assert dataset.title in html


@pytest.mark.parametrize("url", [
    "/open/manage/", "/open/manage/datasets/", "/open/manage/applications/",
    "/open/manage/requests/", "/open/manage/comments/", "/open/manage/plans/",
    "/open/manage/datasets/new/",
])
def test_department_pages_render_for_data_admin(publish, data_admin, client, settings, url):
    settings.TWO_FACTOR_EXEMPTION_ALLOWED = True
    data_admin.two_factor_exempt = True
    data_admin.save()
    publish()
    client.force_login(data_admin)
    assert client.get(url).status_code == 200


def test_department_pages_refuse_the_public(public_user, client):
    client.force_login(public_user)
    assert client.get("/open/manage/").status_code == 403


def test_dataset_management_pages_render(publish, data_admin, center, client, settings):
    settings.TWO_FACTOR_EXEMPTION_ALLOWED = True
    for user in (data_admin, center):
        user.two_factor_exempt = True
        user.save()
    dataset = publish()
    client.force_login(data_admin)
    for url in [f"/open/manage/datasets/{dataset.pk}/",
                f"/open/manage/datasets/{dataset.pk}/fields/"]:
        assert client.get(url).status_code == 200
    response = client.post(f"/open/manage/datasets/{dataset.pk}/update/")
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    client.force_login(center)
    assert client.get("/open/manage/products/").status_code == 200


def test_o4_landing_page_shows_open_data_highlights(publish, client):
    dataset = publish()
    html = client.get("/").content.decode()
    assert dataset.title in html and "进入公共数据开放平台" in html
    assert 'action="/open/datasets/"' in html


def test_demo_loader_publishes_open_entries_idempotently(db, settings, tmp_path):
    from django.core.management import call_command

    from opendata.models import DataProduct, DataRequest, Dataset

    for command in ("seed_demo", "seed_demo_catalog", "seed_demo_dataplane",
                    "seed_demo_opendata"):
        call_command(command, stdout=open(tmp_path / "out.txt", "w"))
    published = Dataset.objects.filter(status="published")
    assert published.count() >= 3
    assert published.filter(open_type="conditional").exists()
    assert all(d.data_status == "ready" for d in published)
    counts = (Dataset.objects.count(), DataRequest.objects.count(), DataProduct.objects.count())
    call_command("seed_demo_opendata", stdout=open(tmp_path / "out.txt", "w"))
    assert counts == (Dataset.objects.count(), DataRequest.objects.count(),
                      DataProduct.objects.count())
