"""全国地方公共団体コード (the 6-digit local government code, JIS X 0401/0402 with a check digit).

The first two digits are the prefecture (01 北海道 … 47 沖縄県), the next three the municipality (000 for
the prefecture itself), the last a check digit: weights 6, 5, 4, 3, 2 on the first five digits, and the
check is the last digit of 11 minus their sum modulo 11 (011002 札幌市, 131016 千代田区, 010006 北海道).
Codes starting with 99 are this project's fictional ones (the demo's 999991 若葉市, 999992 みどり町,
990001 架空県): no real code starts with 99, and neither their check digit nor their prefecture is checked.
The problems are Japanese msgids, translated like the rest of the interface.
"""

from django.utils.translation import gettext as _

PREFECTURES = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
    "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
    "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
    "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
)  # fmt: skip
WEIGHTS = (6, 5, 4, 3, 2)
FICTIONAL_PREFIX = "99"


def check_digit(first_five: str) -> int:
    total = sum(int(digit) * weight for digit, weight in zip(first_five, WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def is_fictional(code: str) -> bool:
    return code.startswith(FICTIONAL_PREFIX)


def code_problems(code: str, *, prefecture: str, is_prefecture: bool) -> list[str]:
    """What is wrong with ``code`` for a municipality in ``prefecture`` (translated; none: it is valid)."""
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return [_("団体コードは6桁の数字で指定してください(「%(code)s」)。") % {"code": code}]
    if is_fictional(code):
        return []
    problems = []
    expected = check_digit(code[:5])
    if int(code[5]) != expected:
        problems.append(
            _("団体コード %(code)s の検査数字が合いません(末尾は %(expected)s のはずです)。")
            % {"code": code, "expected": expected}
        )
    number = int(code[:2])
    if not 1 <= number <= len(PREFECTURES):
        problems.append(
            _("団体コードの先頭2桁 %(number)s は都道府県の番号(01〜47)ではありません。")
            % {"number": code[:2]}
        )
    elif PREFECTURES[number - 1] != prefecture:
        problems.append(
            _("団体コードの先頭2桁 %(number)s は%(expected)sです(指定は「%(prefecture)s」)。")
            % {"number": code[:2], "expected": PREFECTURES[number - 1], "prefecture": prefecture}
        )
    if is_prefecture and code[2:5] != "000":
        problems.append(_("都道府県の団体コードは3〜5桁目が 000 です。"))
    if not is_prefecture and code[2:5] == "000":
        problems.append(
            _("3〜5桁目が 000 の団体コードは都道府県のものです(--kind prefecture を指定してください)。")
        )
    return problems
