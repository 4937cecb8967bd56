"""Demo content of the home page."""

from .services import site_root_ensure

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
    home = site_root_ensure()
    if home.lead:
        return
    home.title = "DX推進リーダー育成プラットフォーム"
    home.lead = "一人ひとりのデジタル力が、住民サービスを変える。"
    home.intro = INTRO
    home.body = BODY
    home.save_revision().publish()
    stdout.write("  home page text set")
