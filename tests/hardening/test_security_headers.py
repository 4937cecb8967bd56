"""Content-Security-Policy on learner pages, a looser one on the admins, and nonces on inline scripts."""

import re
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import reverse

from lms_site.security import ADMIN_POLICY

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = ("lms_site", "courses", "assessments", "analytics")
# Admin-only templates (the admin policy allows inline scripts there).
ADMIN_TEMPLATES = {"lms_site/organisation/templates/organisation/admin/staff_import_detail.html"}


def directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.django_db
def test_learner_pages_get_a_strict_policy_whose_nonce_templates_can_use(client):
    response = client.get(reverse("login"))

    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"][0] == "'self'"
    assert f"'nonce-{response.context['csp_nonce']}'" in policy["script-src"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]


@pytest.mark.django_db
def test_learner_policy_allows_no_inline_event_handlers(client):
    """No 'unsafe-hashes': an ``onclick="…"`` attribute is refused; handlers come from static files."""
    policy = directives(client.get(reverse("login")).headers["Content-Security-Policy"])

    assert "'unsafe-hashes'" not in policy["script-src"]


@pytest.mark.django_db
def test_each_request_gets_a_fresh_nonce(client):
    first = client.get(reverse("login")).context["csp_nonce"]
    second = client.get(reverse("login")).context["csp_nonce"]
    assert first and second and first != second


@pytest.mark.django_db
def test_the_wagtail_admin_gets_its_own_policy(client):
    response = client.get("/admin/login/")
    assert response.headers["Content-Security-Policy"] == ADMIN_POLICY


@pytest.mark.django_db
def test_json_responses_carry_no_policy(client):
    from django.http import JsonResponse

    from lms_site.security import ContentSecurityPolicyMiddleware

    response = ContentSecurityPolicyMiddleware(lambda request: JsonResponse({}))(RequestFactory().get("/x/"))
    assert "Content-Security-Policy" not in response.headers


def our_templates():
    """(path relative to the project, text) of every template the learner policy applies to."""
    for app in TEMPLATE_DIRS:
        for template in (ROOT / app).rglob("templates/**/*.html"):
            relative = str(template.relative_to(ROOT))
            if relative not in ADMIN_TEMPLATES and "/xblocks/" not in relative:
                yield relative, template.read_text(encoding="utf-8")


def test_every_inline_script_in_our_templates_carries_the_nonce():
    """An inline <script> without the nonce would be blocked by the policy in the browser."""
    offenders = []
    for relative, text in our_templates():
        for tag in re.findall(r"<script\b[^>]*>", text):
            inline = "src=" not in tag and "application/json" not in tag
            if inline and 'nonce="{{ csp_nonce }}"' not in tag:
                offenders.append(f"{relative}: {tag}")
    assert offenders == []


def test_no_template_carries_an_inline_event_handler():
    """``onclick="…"`` and friends would be blocked by the policy; attach handlers from a static file."""
    handler = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=")
    offenders = [f"{relative}: {tag}" for relative, text in our_templates() for tag in handler.findall(text)]
    assert offenders == []


def test_the_quiz_xblocks_inline_script_is_allowed_by_its_hash():
    """The XBlock fragment inlines the block's JavaScript; the policy allows exactly that text."""
    import base64
    import hashlib

    from dx_assessment.base import static_text
    from web_fragments.fragment import Fragment

    from lms_site.security import learner_policy

    fragment = Fragment()
    fragment.add_javascript(static_text("dx_assessment.js"))
    body = re.fullmatch(r"<script>(.*)</script>", fragment.foot_html().strip(), re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in directives(learner_policy("n"))["script-src"]
