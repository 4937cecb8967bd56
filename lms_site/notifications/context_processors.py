"""The number of the person's unread notifications, for the badge beside お知らせ in the site header.

Lazy: a template that does not show the header (a file download, an embedded lesson) runs no query, and
one that does runs one (on the ``recipient, read_at`` index)."""

from __future__ import annotations

import functools

from django_scopes.exceptions import ScopeError

from .models import Notification


def unread(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @functools.cache
    def count() -> int | None:
        try:
            return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        except ScopeError:  # a page rendered outside any request scope (none today) shows no badge
            return None

    return {"notifications_unread": count}
