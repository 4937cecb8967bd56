"""全国地方公共団体コード (the 6-digit local government code, JIS X 0401/0402 with a check digit). Pure.

The first two digits are the prefecture (01 北海道 … 47 沖縄県), the next three the municipality (000 for
the prefecture itself), the last a check digit: weights 6, 5, 4, 3, 2 on the first five digits, and the
check is the last digit of 11 minus their sum modulo 11. Codes starting with 99 are this project's
fictional ones (the demo's 若葉市, みどり町, 架空県): no real code starts with 99, and they are not checked.
"""

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
    """What is wrong with ``code`` for a municipality in ``prefecture`` (Japanese sentences; none: valid)."""
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return [f"団体コードは6桁の数字で指定してください(「{code}」)。"]
    if is_fictional(code):
        return []
    problems = []
    expected = check_digit(code[:5])
    if int(code[5]) != expected:
        problems.append(f"団体コード {code} の検査数字が合いません(末尾は {expected} のはずです)。")
    number = int(code[:2])
    if not 1 <= number <= len(PREFECTURES):
        problems.append(f"団体コードの先頭2桁 {code[:2]} は都道府県の番号(01〜47)ではありません。")
    elif PREFECTURES[number - 1] != prefecture:
        problems.append(
            f"団体コードの先頭2桁 {code[:2]} は{PREFECTURES[number - 1]}です(指定は「{prefecture}」)。"
        )
    if is_prefecture and code[2:5] != "000":
        problems.append("都道府県の団体コードは3〜5桁目が 000 です。")
    if not is_prefecture and code[2:5] == "000":
        problems.append(
            "3〜5桁目が 000 の団体コードは都道府県のものです(--kind prefecture を指定してください)。"
        )
    return problems
