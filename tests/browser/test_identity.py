"""Issue 14, once in a real browser: a member of staff signs in with the municipality's provider.

Chromium goes from our login page to the provider (panva's oidc-provider, on its own loopback port),
signs in there and comes back signed in as the HR record the employee number names, then signs out of
both. The provider is registered for this test only and removed after it (browser tests share the demo).
"""

import pytest
from django.contrib.auth import get_user_model

from tests.identity.conftest import running_provider

pytestmark = pytest.mark.browser

SLUG = "999991-browser"


@pytest.fixture
def provider(demo_site, tmp_path):
    from lms_site.identity.models import IdentityProvider
    from lms_site.identity.services import oidc_provider_add
    from lms_site.organisation.models import Municipality

    learner = get_user_model().objects.get(username="demo-learner").staff_profile
    clients = [
        {
            "client_id": "dx-browser",
            "client_secret": "browser-secret-7d1e0c5a",
            "redirect_uris": [f"{demo_site.url}/accounts/oidc/{SLUG}/login/callback/"],
            "post_logout_redirect_uris": [f"{demo_site.url}/"],
            "scope": "openid profile email employee",
        }
    ]
    accounts = {"u-learner": {"employee_number": learner.employee_number, "name": learner.full_name}}
    with running_provider(clients, accounts, tmp_path) as issuer:
        registered = oidc_provider_add(
            municipality=Municipality.objects.get(code="999991"),
            issuer=issuer,
            client_id="dx-browser",
            client_secret="browser-secret-7d1e0c5a",
            name="若葉市 職員アカウント",
            slug=SLUG,
            scopes=["openid", "profile", "email", "employee"],
        )
        try:
            yield issuer, learner
        finally:
            from allauth.socialaccount.models import SocialAccount

            IdentityProvider.objects.filter(pk=registered.pk).delete()
            SocialAccount.objects.filter(provider=SLUG).delete()
            registered.app.delete()


def test_staff_sign_in_with_the_municipalitys_provider_and_sign_out_of_both(page, demo_site, provider):
    issuer, learner = provider
    page.goto(f"{demo_site.url}/login/?next=/me/")
    page.get_by_role("button", name="若葉市 職員アカウント").click()

    page.wait_for_url(f"{issuer}/interaction/**")
    page.get_by_label("Account").fill("u-learner")
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(f"{demo_site.url}/me/")
    assert learner.family_name in page.content()

    page.get_by_role("button", name="ログアウト").first.click()
    page.wait_for_url(f"{issuer}/session/end**")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{demo_site.url}/")
    page.goto(f"{demo_site.url}/me/")
    assert "/login/" in page.url


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="ja-JP", viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_hr_sets_up_the_second_factor_on_a_phone_and_reaches_the_hr_pages(phone, demo_site, settings):
    """With MFA required, 人事課's local account is sent to set up TOTP: the page passes axe and fits a
    390 px phone; the code from an authenticator app (pyotp) leads to the recovery codes (axe, phone), and
    from there on to the HR pages."""
    import re

    import pyotp
    from allauth.mfa.models import Authenticator

    from tests.browser.conftest import log_in, serious_violations
    from tests.browser.test_journeys import overflow

    settings.MFA_REQUIRED = True
    try:
        log_in(phone, demo_site.url, "demo-hr")
        phone.goto(f"{demo_site.url}/hr/training/")
        phone.wait_for_url(f"{demo_site.url}/mfa/setup/**")
        assert serious_violations(phone) == []
        assert overflow(phone) <= 1
        secret = re.search(r"[A-Z2-7]{32}", phone.locator("code.mfa-secret").inner_text()).group(0)
        phone.get_by_label("確認コード(6桁)").fill(pyotp.TOTP(secret).now())
        phone.get_by_role("button", name="確認").click()
        phone.wait_for_url(f"{demo_site.url}/mfa/recovery-codes/**")
        assert serious_violations(phone) == []
        assert overflow(phone) <= 1
        assert phone.get_by_role("list", name="未使用の回復コード").get_by_role("listitem").count() == 10
        phone.get_by_role("link", name="保存しました。続ける").click()
        phone.wait_for_url(f"{demo_site.url}/hr/training/")
    finally:
        Authenticator.objects.filter(user__username="demo-hr").delete()  # the demo is shared


def test_hr_adds_a_security_key_and_proves_a_later_session_with_it(page, demo_site, settings):
    """WebAuthn with Chromium's own implementation and a virtual authenticator (DevTools protocol, a
    platform authenticator with user verification): the key is added in a session proved by a TOTP code,
    a later session is proved by the key alone, and the same assertion posted again is refused."""
    import re

    import pyotp
    from allauth.mfa.models import Authenticator

    from tests.browser.conftest import log_in, serious_violations
    from tests.browser.test_journeys import overflow

    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {"options": {"protocol": "ctap2", "transport": "internal", "hasUserVerification": True,
                     "isUserVerified": True, "automaticPresenceSimulation": True}},
    )  # fmt: skip
    settings.MFA_REQUIRED = True
    try:
        log_in(page, demo_site.url, "demo-hr")
        page.goto(f"{demo_site.url}/hr/training/")
        page.wait_for_url(f"{demo_site.url}/mfa/setup/**")
        secret = re.search(r"[A-Z2-7]{32}", page.locator("code.mfa-secret").inner_text()).group(0)
        page.get_by_label("確認コード(6桁)").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="確認").click()
        page.wait_for_url(f"{demo_site.url}/mfa/recovery-codes/**")
        page.get_by_role("link", name="セキュリティキーを登録").click()
        page.wait_for_url(f"{demo_site.url}/mfa/keys/")
        assert serious_violations(page) == []
        page.get_by_label("キーの名前").fill("庁舎PCの指紋認証")
        page.get_by_role("button", name="キーを登録").click()
        page.locator(".security-keys__name", has_text="庁舎PCの指紋認証").wait_for()
        assert Authenticator.objects.filter(user__username="demo-hr", type="webauthn").count() == 1
        page.set_viewport_size({"width": 390, "height": 844})
        assert overflow(page) <= 1
        page.set_viewport_size({"width": 1280, "height": 900})

        page.get_by_role("button", name="ログアウト").first.click()
        log_in(page, demo_site.url, "demo-hr")
        page.goto(f"{demo_site.url}/hr/training/")
        page.wait_for_url(f"{demo_site.url}/mfa/verify/**")
        assert serious_violations(page) == []
        with page.expect_request(f"{demo_site.url}/mfa/verify/key/") as posted:
            page.get_by_role("button", name="セキュリティキーを使う").click()
        page.wait_for_url(f"{demo_site.url}/hr/training/")
        assertion = posted.value.post_data_json["credential"]

        page.get_by_role("button", name="ログアウト").first.click()
        log_in(page, demo_site.url, "demo-hr")
        page.goto(f"{demo_site.url}/mfa/verify/")
        token = page.locator("form[data-webauthn] input[name=csrfmiddlewaretoken]").input_value()
        replay = page.request.post(
            f"{demo_site.url}/mfa/verify/key/",
            form={"csrfmiddlewaretoken": token, "credential": assertion, "next": "/hr/training/"},
            headers={"Referer": f"{demo_site.url}/mfa/verify/"},
        )
        assert replay.status == 400
        page.goto(f"{demo_site.url}/hr/training/")
        assert "/mfa/verify/" in page.url  # the replayed assertion proved nothing
    finally:
        Authenticator.objects.filter(user__username="demo-hr").delete()  # the demo is shared
