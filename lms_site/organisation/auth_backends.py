"""Django's ModelBackend, with each user's permission set kept in the shared cache.

Every page of ours asks for permissions (the navigation shows what the user's roles may open), which
costs two queries per request. ``CachedModelBackend`` keeps ``get_all_permissions`` in the cache for
``PERMISSION_CACHE_SECONDS`` (0 turns it off). A change to anyone's groups or permissions, or to a group's
permissions, replaces a cache-wide version token, so every cached set is stale at once: the next request
reads the database again. Enabled only with a shared cache (Redis): a per-process cache would see only
its own process's invalidations.

Objects and inactive or anonymous users are answered by ModelBackend as usual.
"""

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

VERSION_KEY = "permissions:version"


def _user_key(user) -> str:
    return f"permissions:user:{user.pk}:{int(user.is_superuser)}"


class CachedModelBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        seconds = getattr(settings, "PERMISSION_CACHE_SECONDS", 0)
        if not seconds or obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            key = _user_key(user_obj)
            found = cache.get_many([VERSION_KEY, key])
            version = found.get(VERSION_KEY)
            cached = found.get(key)
            if version is not None and cached is not None and cached[0] == version:
                user_obj._perm_cache = set(cached[1])
            else:
                if version is None:
                    version = uuid.uuid4().hex
                    if not cache.add(VERSION_KEY, version, timeout=None):
                        version = cache.get(VERSION_KEY, version)
                permissions = super().get_all_permissions(user_obj)
                cache.set(key, (version, sorted(permissions)), timeout=seconds)
        return user_obj._perm_cache


def permissions_changed() -> None:
    """Make every cached permission set stale (also a management or shell helper after raw SQL)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def _on_change(**kwargs) -> None:
    # Now, and again once the change is committed: a request reading the database in between (still the
    # old rows) would otherwise cache them under the new token.
    permissions_changed()
    transaction.on_commit(permissions_changed)


def connect_signals() -> None:
    """Invalidate on every change that can alter someone's permissions (called from the app's ready())."""
    user_model = get_user_model()
    links = (user_model.groups.through, user_model.user_permissions.through, Group.permissions.through)
    for through in links:
        m2m_changed.connect(_on_change, sender=through, dispatch_uid=f"perm-cache-{through._meta.label}")
    for model in (Group, Permission):  # a new permission is one more for superusers
        post_save.connect(_on_change, sender=model, dispatch_uid=f"perm-cache-{model._meta.label}-saved")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"perm-cache-{model._meta.label}-gone")
