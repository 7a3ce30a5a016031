"""The site is Persian first: the browser's Accept-Language does not switch it; the person's choice does."""

import pytest

from accounts.tests.factories import CustomerFactory


@pytest.mark.django_db
def test_english_browser_still_gets_persian(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "fa"
    assert 'dir="rtl"' in response.content.decode()


@pytest.mark.django_db
def test_language_cookie_switches_to_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fa")
    assert response["Content-Language"] == "en"
    assert 'dir="ltr"' in response.content.decode()


@pytest.mark.django_db
def test_unknown_cookie_value_falls_back_to_persian(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    assert client.get("/")["Content-Language"] == "fa"


@pytest.mark.django_db
def test_profile_language_applies_without_cookie(client):
    user = CustomerFactory(language="en")
    client.force_login(user)
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="fa")["Content-Language"] == "en"
