"""Admin menu pieces shared by every app's ``wagtail_hooks``."""

from wagtail.admin.menu import MenuItem


class PermissionMenuItem(MenuItem):
    """A menu item shown only to users who hold ``permission``."""

    def __init__(self, label, url, *, permission: str, **kwargs) -> None:
        super().__init__(label, url, **kwargs)
        self.permission = permission

    def is_shown(self, request) -> bool:
        return request.user.has_perm(self.permission)


class ExtraMenuItemsMixin:
    """For a ``ViewSetGroup``: append plain links (e.g. an import page) after the viewsets' items.

    ``extra_menu_items`` is a list of dicts with ``label``, ``url`` (lazy), ``permission``, and optional
    ``icon_name`` and ``name``.
    """

    extra_menu_items: list[dict] = []

    def get_submenu_items(self):
        items = super().get_submenu_items()
        for extra in self.extra_menu_items:
            options = {key: value for key, value in extra.items() if key not in ("label", "url")}
            items.append(PermissionMenuItem(extra["label"], extra["url"], order=len(items) + 1, **options))
        return items
