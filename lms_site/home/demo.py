"""Demo content of the home page; みどり町's own site (midori.localhost) and its look."""

import io

from django.core.files.images import ImageFile
from PIL import Image as PillowImage
from PIL import ImageDraw
from wagtail.images import get_image_model

from lms_site.organisation.api import Municipality, municipality_collection_ensure
from lms_site.organisation.demo import TOWN_CODE

from .models import SiteLook
from .services import municipality_site_ensure, site_root_ensure

# Browsers send every *.localhost name to this machine: the town's site at http://midori.localhost:8000/.
TOWN_HOSTNAME = "midori.localhost"
TOWN_ACCENT = "#1b6e3a"  # 6.3:1 on white, 5.8:1 on the stylesheet's light grey

INTRO = (
    "<p>このサイトは、若葉市の全職員がデジタル技術の基礎を身につけ、各課でDXを進める"
    "<b>DX推進リーダー</b>を育てるための学習の場です。パソコンでもスマートフォンでも学べます。</p>"
)
BODY = [
    ("heading", "このサイトでできること"),
    (
        "paragraph",
        "<ul><li>行政DXの背景、情報セキュリティ、データ活用、業務改革などの講座を受講する</li>"
        "<li>小テストで理解を確かめ、資格や業務での実践を実績として登録する</li>"
        "<li>自分の能力プロファイルを確認し、DX推進リーダー認定を目指す</li></ul>",
    ),
    ("heading", "人事課・所属長の方へ"),
    (
        "paragraph",
        "<p>所属ごとの育成状況と育成目標との差を確認できます。個人が特定される情報は、"
        "閲覧権限のある方にだけ表示されます。</p>",
    ),
]


def load(*, stdout) -> None:
    home_text_load(stdout=stdout)
    town_look_load(stdout=stdout)


def home_text_load(*, stdout) -> None:
    home = site_root_ensure()
    if home.lead:
        return
    home.title = "DX推進リーダー育成プラットフォーム"
    home.lead = "一人ひとりのデジタル力が、住民サービスを変える。"
    home.intro = INTRO
    home.body = BODY
    home.save_revision().publish()
    stdout.write("  home page text set")


def town_look_load(*, stdout) -> None:
    """みどり町's own site, with its green and a logo drawn here (kept when already set)."""
    town = Municipality.objects.filter(code=TOWN_CODE).first()
    if town is None:
        return
    # port 80, as add_municipality makes it: the only site of its host name answers on any port
    site = municipality_site_ensure(municipality=town, hostname=TOWN_HOSTNAME)
    look = SiteLook.for_site(site)
    if look.pk is not None:
        return
    look.accent_colour = TOWN_ACCENT
    look.logo = get_image_model().objects.create(
        title="みどり町のロゴ",
        file=ImageFile(io.BytesIO(_town_logo_png()), name="midori-logo.png"),
        collection=municipality_collection_ensure(municipality=town),  # the town's own image (ADR 0024)
    )
    look.full_clean()
    look.save()
    stdout.write(f"  みどり町's site at {TOWN_HOSTNAME}, accent {TOWN_ACCENT}, with a logo")


def _town_logo_png() -> bytes:
    """A green disc with a white leaf, 192 px square (Pillow: no file in the repository to keep)."""
    size = 192
    image = PillowImage.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 4, size - 4, size - 4), fill=TOWN_ACCENT, outline="#ffffff", width=6)
    draw.ellipse((52, 40, 140, 152), fill="#ffffff")  # the leaf
    draw.polygon([(96, 40), (60, 24), (80, 56)], fill="#ffffff")  # its tip
    draw.line((96, 60, 96, 170), fill=TOWN_ACCENT, width=6)  # its midrib and stalk
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
