"""Issue 12 item 10: no page loads anything from another host (closed municipal networks such as LGWAN,
and no staff e-mail hash sent to gravatar.com). The rendered HTML of the main and admin pages may carry
another host's URL only in a plain link (``<a href>``, which the reader chooses to follow); never in
anything the browser fetches by itself. The browser test (tests/browser/test_external_requests.py) checks
the requests a real browser makes on the demo."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from wagtail.embeds import embeds

from lms_site.organisation.roles import Role
from tests.certification.conftest import person
from tests.courses.conftest import curriculum, framework  # noqa: F401
from tests.factories import StaffProfileFactory

OWN_HOSTS = {"testserver", "localhost", "127.0.0.1", ""}
FETCHED = {  # tag: attributes whose URL the browser loads without being asked
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
    "input": ("src",),
    "form": ("action",),
}
VIDEO_URL = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


class ForeignLoads(HTMLParser):
    """Collects every URL of another host that the page would load (or post to) by itself."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if not value:
                continue
            if name in FETCHED.get(tag, ()):
                urls = (
                    [part.strip().split(" ")[0] for part in value.split(",")] if "srcset" in name else [value]
                )
                self.found += [f"<{tag} {name}={url}>" for url in urls if _foreign(url)]
            if name == "style" and "url(" in value and any(_foreign(u) for u in _css_urls(value)):
                self.found.append(f"<{tag} style={value}>")


def _css_urls(style: str) -> list[str]:
    return [part.split(")")[0].strip("'\" ") for part in style.split("url(")[1:]]


def _foreign(url: str) -> bool:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https", "") or (parts.scheme == "" and not url.strip().startswith("//")):
        return False  # relative URLs, data:, javascript:, mailto: load nothing from elsewhere
    return (parts.hostname or "") not in OWN_HOSTS


def foreign_loads(html: str) -> list[str]:
    parser = ForeignLoads()
    parser.feed(html)
    return parser.found


def test_the_checker_finds_what_a_browser_would_fetch_and_allows_plain_links():
    html = (
        '<img src="//www.gravatar.com/avatar/abc"><script src="https://cdn.example.com/x.js"></script>'
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css"><iframe src="https://youtube.com/e"></iframe>'
        '<img srcset="/a.png 1x, https://img.example.com/b.png 2x"><div style="background:url(https://x.example/i)">'
        '<a href="https://www.digital.go.jp/">link</a><img src="/static/a.png">'
        '<img src="data:image/png;base64,AA">'
        '<link href="http://testserver/static/site.css">'
    )
    assert len(foreign_loads(html)) == 6


class _VideoFinder:
    """The oEmbed answer of a video site, without the network."""

    def accept(self, url):
        return True

    def find_embed(self, url, max_width=None, max_height=None):
        return {
            "title": "動画",
            "type": "video",
            "html": '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>',
            "provider_name": "YouTube",
            "width": 640,
            "height": 360,
        }


@pytest.fixture
def site(curriculum, municipality, monkeypatch):  # noqa: F811
    monkeypatch.setattr(embeds, "get_finders", lambda: [_VideoFinder()])
    lesson = curriculum["basics"].get_children().first().specific
    lesson.body.append(("video", {"video": VIDEO_URL, "title": "窓口DXの紹介", "transcript": "<p>全文</p>"}))
    lesson.save_revision().publish()
    admin = person("admin", municipality, Role.ADMIN)
    admin.is_superuser = admin.is_staff = True
    admin.email = "admin@city.example.jp"  # an address gravatar.com would be asked about
    admin.save()
    learner = person("learner", municipality, Role.LEARNER)
    learner.email = "learner@city.example.jp"
    learner.save()
    return {"lesson": lesson, "course": curriculum["basics"], "admin": admin, "learner": learner}


def pages(site) -> list[tuple[str, str]]:
    lesson, course = site["lesson"], site["course"]
    staff = StaffProfileFactory(municipality=site["admin"].staff_profile.municipality)
    main = ["/", "/courses/", course.url, lesson.url, "/me/", "/me/evidence/", "/hr/", "/hr/audit/"]
    admin = [
        "/admin/",
        "/admin/account/",
        "/admin/users/",
        "/admin/snippets/",
        "/admin/staffprofile/",
        f"/admin/staffprofile/inspect/{staff.pk}/",
        f"/admin/pages/{lesson.pk}/edit/",
        f"/admin/pages/{course.pk}/",
    ]
    return [("learner", url) for url in main[:6]] + [("admin", url) for url in main + admin]


def test_no_page_loads_anything_from_another_host(client, site):
    checked = 0
    for who, url in pages(site):
        client.force_login(site[who])
        response = client.get(url, follow=True)
        assert response.status_code == 200, (who, url)
        html = response.content.decode()
        assert foreign_loads(html) == [], (who, url)
        assert "gravatar" not in html, (who, url)
        assert 'data-controller="w-upgrade' not in html, (who, url)  # its script asks releases.wagtail.org
        checked += 1
    assert checked == 22


def test_a_lesson_video_is_a_plain_link_with_its_transcript_not_a_foreign_player(client, site):
    client.force_login(site["learner"])
    html = client.get(site["lesson"].url).content.decode()
    assert "<iframe" not in html and "youtube.com/embed" not in html
    assert f'<a href="{VIDEO_URL}"' in html and "文字起こしを読む" in html
