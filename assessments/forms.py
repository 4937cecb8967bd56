"""Reading a quiz form post into responses, per question type, without trusting the browser.

Field names: ``q<position>`` (choice id / text / number / "true"|"false"), ``q<position>`` repeated for
multiple response, ``q<position>-<item id>`` = rank for ordering, ``q<position>-<left id>`` = right id for
matching. Anything unexpected is dropped; the grading module validates what remains.
"""

from typing import Any

from dx_assessment import grading


def response_from_post(view: dict[str, Any], position: int, data) -> Any:
    """The response to the question shown as ``view`` (its public view), or None when unanswered."""
    key = f"q{position}"
    kind = view["type"]
    if kind == "multiple_response":
        values = data.getlist(key)
        return values or None
    if kind == "true_false":
        value = data.get(key)
        return {"true": True, "false": False}.get(value)
    if kind == "ordering":
        ranks = {}
        for item in view["items"]:
            raw = data.get(f"{key}-{item['id']}", "")
            if not raw:
                return None  # not answered yet
            if not (raw.isascii() and raw.isdigit()) or len(raw) > 4:  # "²", "abc", 5,000 digits
                raise grading.ResponseError(
                    f"each position must be a number from 1 to {len(view['items'])}",
                    code="rank_range",
                    params={"count": len(view["items"])},
                )
            ranks[item["id"]] = int(raw)
        if sorted(ranks.values()) != list(range(1, len(ranks) + 1)):
            raise grading.ResponseError("each position must be used exactly once", code="rank_repeated")
        return sorted(ranks, key=ranks.get)
    if kind == "matching":
        chosen = {left["id"]: data.get(f"{key}-{left['id']}") or None for left in view["lefts"]}
        return chosen if any(chosen.values()) else None
    value = data.get(key, "")
    return value if value.strip() else None
