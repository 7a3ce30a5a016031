"""The site shell: Persian RTL layout, vendored assets only, language switch, navigation, error pages."""

import re
from pathlib import Path
from unittest import mock

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import LoginView, LogoutView
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from django.urls import include, path, reverse
from django.utils import translation

from accounts.tests.factories import AdminFactory, AgentFactory, CustomerFactory
from helpdesk import navigation, views
from helpdesk.templatetags.shell import banner_key
from helpdesk.urls import urlpatterns as site_urlpatterns

# --- a URLconf for these tests: the real site plus views that fail on purpose and stand-in app URLs ----------------


def _raise_permission_denied(request):
    raise PermissionDenied


def _raise_not_found(request):
    raise Http404("nothing here")


def _raise_error(request):
    raise RuntimeError("boom")


def _with_messages(request):
    messages.error(request, "پیام خطا")
    messages.success(request, "پیام موفقیت")
    return render(request, "home.html")


def _stub(request):
    return render(request, "home.html")


urlpatterns = [
    path("test/403/", _raise_permission_denied),
    path("test/404/", _raise_not_found),
    path("test/500/", _raise_error),
    path("test/messages/", _with_messages),
    # Stands in for the tickets app's URLs (the real include is left out so that "tickets:portal" means this one).
    path("stub-tickets/", include(([path("portal/", _stub, name="portal")], "tickets"))),
    path(
        "stub-accounts/",
        include(
            (
                [
                    path("login/", LoginView.as_view(), name="login"),
                    path("logout/", LogoutView.as_view(), name="logout"),
                ],
                "accounts",
            )
        ),
    ),
    *(p for p in site_urlpatterns if getattr(p, "namespace", None) not in {"tickets", "accounts"}),
]
handler403 = "helpdesk.views.permission_denied"
handler404 = "helpdesk.views.page_not_found"
handler500 = "helpdesk.views.server_error"

# App URL names that other apps will define; these tests must not depend on them existing.
STUB_URLCONF = __name__

EXTERNAL_URL = re.compile(r"(?:https?:)?//[^\s\"'<>)]+", re.IGNORECASE)
OUR_STATIC = [Path(settings.BASE_DIR, "static", p) for p in ("css/app.css", "css/admin.css", "js/app.js")]


def soup(response_or_html) -> BeautifulSoup:
    html = response_or_html if isinstance(response_or_html, str) else response_or_html.content.decode()
    return BeautifulSoup(html, "html.parser")


def assert_only_local_urls(html: str) -> None:
    """Every URL in the page points at this site: no CDN, no other host, no protocol-relative link."""
    page = soup(html)
    for tag in page.find_all(True):
        for attr in ("src", "href", "action", "srcset", "data-src", "poster"):
            value = tag.get(attr)
            if value:
                assert not re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", value, re.I), f"external URL in <{tag.name} {attr}>"
    text = re.sub(r'\sxmlns(?::\w+)?="[^"]*"', "", html)  # XML namespace names are not links
    hosts = {m.split("//", 1)[1].split("/", 1)[0] for m in EXTERNAL_URL.findall(text) if "://" in m}
    assert hosts <= {"testserver"}, f"links to other hosts: {hosts}"


def assert_csp_clean(html: str) -> None:
    """Nothing the Content-Security-Policy would block: no inline script, no <style>, no style attribute, no on*."""
    page = soup(html)
    for script in page.find_all("script"):
        assert script.get("src"), f"inline script: {script}"
        assert script.get("src").startswith(settings.STATIC_URL)
    assert not page.find_all("style"), "inline <style> element"
    for tag in page.find_all(True):
        assert "style" not in tag.attrs, f"style attribute on <{tag.name}>"
        assert not [a for a in tag.attrs if a.startswith("on")], f"event handler attribute on <{tag.name}>"


def html_of(response) -> str:
    return response.content.decode()


# --- layout, fonts and assets ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_is_persian_rtl_with_the_vendored_rtl_bootstrap(client):
    response = client.get("/")

    assert response.status_code == 200
    page = soup(response)
    assert page.html["lang"] == "fa"
    assert page.html["dir"] == "rtl"
    stylesheets = [link["href"] for link in page.find_all("link", rel="stylesheet")]
    assert "/static/vendor/bootstrap/css/bootstrap.rtl.min.css" in stylesheets
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" not in stylesheets
    assert "/static/css/app.css" in stylesheets
    assert "به میز خدمت خوش آمدید" in html_of(response)


@pytest.mark.django_db
def test_every_asset_the_layout_loads_is_a_vendored_static_file(client):
    page = soup(client.get("/"))
    urls = [link["href"] for link in page.find_all("link") if link.get("href")]
    urls += [script["src"] for script in page.find_all("script")]
    assert any(u.endswith("htmx.min.js") for u in urls)
    assert any(u.endswith("bootstrap.bundle.min.js") for u in urls)
    for url in urls:
        assert url.startswith(settings.STATIC_URL), url
        relative = url.removeprefix(settings.STATIC_URL).replace("%5B", "[").replace("%5D", "]")
        assert finders.find(relative), f"{url} is not a file under static/"
    for script in page.find_all("script"):
        assert script.has_attr("defer"), script


def test_app_css_loads_vazirmatn_from_the_vendored_font():
    css = Path(settings.BASE_DIR, "static/css/app.css").read_text(encoding="utf-8")
    face = re.search(r"@font-face\s*{[^}]*}", css).group(0)
    assert 'font-family: "Vazirmatn"' in face
    url = re.search(r'url\("([^"]+)"\)', face).group(1)
    font = (Path(settings.BASE_DIR, "static/css") / url).resolve()
    assert font.is_file() and font.suffix == ".woff2"
    assert font.is_relative_to(Path(settings.BASE_DIR, "static/vendor/vazirmatn").resolve())
    assert re.search(r"--bs-body-font-family:[^;]*Vazirmatn|--bs-font-sans-serif:\s*\"Vazirmatn\"", css)


@pytest.mark.parametrize("path", OUR_STATIC, ids=lambda p: p.name)
def test_our_css_and_js_reference_no_other_host(path):
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"https?://|url\(\s*[\"']?//", text), f"{path.name} refers to another host"


@pytest.mark.django_db
def test_pages_have_only_local_urls_and_nothing_the_csp_blocks(client):
    customer = CustomerFactory()
    pages = [html_of(client.get("/")), html_of(client.get("/no-such-page/"))]
    client.force_login(customer)
    pages.append(html_of(client.get("/")))
    pages.append(render_to_string("500.html"))
    pages.append(render_to_string("maintenance.html", {"message": "به‌زودی برمی‌گردیم"}))
    for html in pages:
        assert_only_local_urls(html)
        assert_csp_clean(html)


@pytest.mark.django_db
def test_the_content_security_policy_allows_only_our_own_files(client):
    header = client.get("/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in header.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["font-src"] == "'self'"
    assert "unsafe" not in header


@pytest.mark.django_db
def test_htmx_requests_carry_the_csrf_token_and_htmx_injects_no_style(client):
    response = client.get("/")
    page = soup(response)
    token = response.cookies["csrftoken"].value
    assert token
    assert '"X-CSRFToken"' in page.body["hx-headers"]
    config = page.find("meta", attrs={"name": "htmx-config"})["content"]
    assert '"includeIndicatorStyles": false' in config


# --- language switch ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_language_switch_is_a_post_form_to_set_language_with_both_languages(client):
    page = soup(client.get("/"))
    form = page.find("form", action="/i18n/setlang/")
    assert form["method"] == "post"
    assert form.find("input", attrs={"name": "csrfmiddlewaretoken"})
    assert {b["value"] for b in form.find_all("button", attrs={"name": "language"})} == {"fa", "en"}
    assert form.find("input", attrs={"name": "next"})["value"] == "/"


@pytest.mark.django_db
def test_switching_to_english_gives_ltr_and_the_ltr_bootstrap_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302

    page = soup(client.get("/"))
    assert page.html["lang"] == "en"
    assert page.html["dir"] == "ltr"
    stylesheets = [link["href"] for link in page.find_all("link", rel="stylesheet")]
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in stylesheets
    assert "/static/vendor/bootstrap/css/bootstrap.rtl.min.css" not in stylesheets
    assert "Welcome to" in str(page)

    client.post("/i18n/setlang/", {"language": "fa", "next": "/"})
    page = soup(client.get("/"))
    assert (page.html["lang"], page.html["dir"]) == ("fa", "rtl")


# --- navigation ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_navigation_lists_only_urls_that_exist():
    entry = navigation.Entry("x", ("no-such-app:nothing", "home"), lambda user: True)
    missing = navigation.Entry("y", ("no-such-app:nothing",), lambda user: True)

    links = navigation.links_for(AnonymousUser(), current_path="/", entries=[entry, missing])

    assert [(link.label, link.url, link.active) for link in links] == [("x", "/", True)]


@pytest.mark.django_db
@pytest.mark.urls(STUB_URLCONF)
def test_customers_see_my_tickets_and_staff_do_not(client):
    client.force_login(CustomerFactory())
    customer_page = html_of(client.get("/"))
    assert 'href="/stub-tickets/portal/"' in customer_page
    assert "درخواست‌های من" in customer_page

    client.force_login(AgentFactory())
    agent_page = html_of(client.get("/"))
    assert "/stub-tickets/portal/" not in agent_page
    assert "درخواست‌های من" not in agent_page


@pytest.mark.django_db
def test_admin_link_only_for_users_who_may_use_the_admin(client):
    client.force_login(CustomerFactory())
    assert 'href="/admin/"' not in html_of(client.get("/"))
    client.force_login(AdminFactory())
    assert 'href="/admin/"' in html_of(client.get("/"))


@pytest.mark.django_db
def test_home_shows_the_site_logo_and_title(client, settings, tmp_path):
    from helpdesk.site import clear_site_settings_cache, get_site_settings

    settings.MEDIA_ROOT = tmp_path
    site = get_site_settings()
    site.title = "پشتیبانی آزمایشی"
    site.logo.name = "branding/logo.png"
    site.save()
    clear_site_settings_cache()

    page = soup(client.get("/"))
    brand = page.find("a", class_="navbar-brand")
    assert "پشتیبانی آزمایشی" in brand.get_text()
    assert brand.find("img")["src"] == "/branding/logo.png"  # its public route, never MEDIA_URL
    assert page.title.get_text().endswith("پشتیبانی آزمایشی")


# --- login / logout -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_visitors_get_a_login_link_and_no_logout(client):
    page = soup(client.get("/"))
    login = navigation.login_url()
    assert login
    assert page.find("a", href=re.compile("^" + re.escape(login)))
    assert not page.find("form", action=re.compile("logout"))


@pytest.mark.django_db
@pytest.mark.urls(STUB_URLCONF)
def test_logout_is_a_post_form_and_a_get_does_not_log_out(client):
    user = CustomerFactory()
    client.force_login(user)
    logout = "/stub-accounts/logout/"

    page = soup(client.get("/"))
    form = page.find("form", action=logout)
    assert form is not None and form["method"] == "post"
    assert form.find("input", attrs={"name": "csrfmiddlewaretoken"})
    assert not page.find("a", href=logout), "logout must not be a plain link"
    assert user.full_name in page.get_text()

    client.get(logout)
    assert client.get("/").wsgi_request.user.is_authenticated

    client.post(logout)
    assert not client.get("/").wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_staff_always_get_a_working_post_logout(client):
    """With the real URLs: accounts' logout when it exists, the admin's otherwise (staff only)."""
    client.force_login(AdminFactory())
    logout = navigation.logout_url_for(client.get("/").wsgi_request.user)
    assert logout

    form = soup(client.get("/")).find("form", action=logout)
    assert form is not None and form["method"] == "post"

    client.post(logout)
    assert not client.get("/").wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_no_logout_form_points_at_a_view_the_user_cannot_use():
    customer = CustomerFactory()
    assert navigation.logout_url_for(customer) in {"", reverse("accounts:logout")}
    assert navigation.logout_url_for(customer) != navigation.url_or_empty("admin:logout")


# --- messages and banner ------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.urls(STUB_URLCONF)
def test_django_messages_are_bootstrap_alerts(client):
    page = soup(client.get("/test/messages/"))
    error = page.find("div", class_="alert-danger")
    success = page.find("div", class_="alert-success")
    assert "پیام خطا" in error.get_text()
    assert "پیام موفقیت" in success.get_text()
    assert error.find("button", class_="btn-close")


@pytest.mark.django_db
def test_site_banner_is_a_dismissible_alert_keyed_by_its_text():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    page = soup(render_to_string("home.html", {"site_banner": "سامانه جمعه به‌روز می‌شود."}, request=request))

    banner = page.find(attrs={"data-banner-key": True})
    assert "سامانه جمعه به‌روز می‌شود." in banner.get_text()
    assert "alert-dismissible" in banner["class"]
    assert banner.find("button", attrs={"data-bs-dismiss": "alert"})
    assert banner["data-banner-key"] == banner_key("سامانه جمعه به‌روز می‌شود.")
    assert banner_key("a") != banner_key("b")


@pytest.mark.django_db
def test_no_banner_without_a_message():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert "data-banner-key" not in render_to_string("home.html", {"site_banner": ""}, request=request)


@pytest.mark.parametrize("path", ["js/app.js"])
def test_banner_dismissal_is_remembered_in_local_storage(path):
    js = Path(settings.BASE_DIR, "static", path).read_text(encoding="utf-8")
    assert "data-banner-key" in js
    assert "localStorage" in js


# --- error and maintenance pages ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.urls(STUB_URLCONF)
@override_settings(DEBUG=False)
def test_404_is_persian(client):
    for url in ("/test/404/", "/no-such-page/"):
        response = client.get(url)
        assert response.status_code == 404
        page = soup(response)
        assert (page.html["lang"], page.html["dir"]) == ("fa", "rtl")
        assert "صفحه پیدا نشد" in page.get_text()
        assert page.find(class_="hd-error-code").get_text() == "۴۰۴"


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_404_offers_what_the_apps_register(client):
    """The knowledge base registers its search on the "page not found" page; the core names no app."""
    page = soup(client.get("/no-such-page/"))
    links = {a["href"]: a.get_text(strip=True) for a in page.select(".hd-error a.btn")}
    assert links == {"/": "بازگشت به صفحهٔ اصلی", reverse("knowledgebase:home"): "جست‌وجو در پایگاه دانش"}


@pytest.mark.django_db
@pytest.mark.urls(STUB_URLCONF)
@override_settings(DEBUG=False)
def test_403_is_persian(client):
    response = client.get("/test/403/")
    assert response.status_code == 403
    page = soup(response)
    assert page.html["dir"] == "rtl"
    assert "شما به این صفحه دسترسی ندارید" in page.get_text()


@pytest.mark.django_db
@pytest.mark.urls(STUB_URLCONF)
@override_settings(DEBUG=False)
def test_500_is_persian(client):
    client.raise_request_exception = False
    response = client.get("/test/500/")
    assert response.status_code == 500
    page = soup(response)
    assert (page.html["lang"], page.html["dir"]) == ("fa", "rtl")
    assert "در سمت ما مشکلی پیش آمد" in page.get_text()
    assert page.find(class_="hd-error-code").get_text() == "۵۰۰"
    assert page.find("link", href="/static/vendor/bootstrap/css/bootstrap.rtl.min.css")


@pytest.mark.django_db
@pytest.mark.urls(STUB_URLCONF)
@override_settings(DEBUG=False)
def test_500_page_renders_when_the_database_is_down(client):
    """The 500 page uses no context processors: a failing database must not break the page that reports it."""
    client.raise_request_exception = False
    with mock.patch("helpdesk.context_processors.get_site_settings", side_effect=DatabaseError("down")):
        response = client.get("/test/500/")
    assert response.status_code == 500
    assert "در سمت ما مشکلی پیش آمد" in html_of(response)


def test_500_handler_runs_no_query_and_needs_no_context():
    """No `django_db` mark: pytest-django makes any database access in this test an error."""
    request = RequestFactory().get("/")
    with translation.override("fa"):
        response = views.server_error(request)
    assert response.status_code == 500
    assert "خطای سرور" in response.content.decode()


def test_500_handler_falls_back_to_plain_persian_html_when_the_template_fails():
    with mock.patch("helpdesk.views.loader.get_template", side_effect=RuntimeError("broken")):
        response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert 'dir="rtl"' in response.content.decode()


def test_maintenance_page_shows_the_message_in_persian_without_a_request():
    with translation.override("fa"):
        html = render_to_string("maintenance.html", {"message": "تا ساعت ۱۸ در دسترس نیستیم."})
    page = soup(html)
    assert (page.html["lang"], page.html["dir"]) == ("fa", "rtl")
    assert "سامانه در حال تعمیر و نگهداری است" in page.get_text()
    assert "تا ساعت ۱۸ در دسترس نیستیم." in page.get_text()


@pytest.mark.django_db
def test_maintenance_page_rendered_with_a_request_shows_the_site_title():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    html = render_to_string("maintenance.html", {"message": "به‌زودی"}, request=request)
    assert "میز خدمت" in soup(html).main.get_text()
    assert_csp_clean(html)


def test_maintenance_page_without_a_message_has_a_default_text():
    with translation.override("fa"):
        html = render_to_string("maintenance.html", {"message": ""})
    assert "سایت برای بهبود، موقتاً در دسترس نیست" in html


@pytest.mark.django_db
def test_csrf_failure_page_is_persian():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "en"})
    assert response.status_code == 403
    assert "اعتبار فرم تمام شده است" in html_of(response)


# --- Django admin in Persian --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_is_rtl_persian_with_the_site_font(client):
    response = client.get("/admin/login/")
    page = soup(response)
    assert (page.html["lang"], page.html["dir"]) == ("fa", "rtl")
    assert page.find("link", href="/static/css/admin.css")
    assert page.find(id="site-name").get_text(strip=True) == "مدیریت میز خدمت"

    client.force_login(AdminFactory())
    response = client.get("/admin/")
    assert response.status_code == 200
    page = soup(response)
    assert page.html["dir"] == "rtl"
    assert page.find("link", href="/static/css/admin.css")
    assert_only_local_urls(html_of(response))


@pytest.mark.django_db
def test_visitors_find_the_public_calculator_in_the_navbar(client):
    page = soup(client.get("/"))
    link = page.find("a", href="/limits/")
    assert link is not None
    assert client.get("/limits/").url == "/limits/calculator/"


def test_navigation_entries_come_from_the_apps_in_navbar_order():
    """The core lists only its own admin entry; tickets, the knowledge base, limits and reports register theirs."""
    names = [entry.names[0] for entry in navigation.registered()]
    assert names == [
        "tickets:portal",
        "tickets:create",
        "tickets:queue",
        "tickets:staff_create",
        "knowledgebase:home",
        "limits:index",
        "reports:overview",
        "admin:index",
    ]


def test_registering_an_entry_again_replaces_it():
    before = navigation.registered()
    entry = navigation.Entry("x", ("limits:index",), navigation.everyone, "", 60)
    try:
        navigation.register(entry)
        assert [e for e in navigation.registered() if e.names == ("limits:index",)] == [entry]
        assert len(navigation.registered()) == len(before)
    finally:
        navigation._ENTRIES[:] = before
