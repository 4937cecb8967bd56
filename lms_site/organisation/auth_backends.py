"""Django's ModelBackend, with each user's permission set kept in the shared cache.

Every page of ours asks for permissions (the navigation shows what the user's roles may open), which
costs two queries per request. ``CachedModelBackend`` keeps ``get_all_permissions`` in the cache for
``PERMISSION_CACHE_SECONDS`` (0 turns it off). A change to anyone's groups or permissions, or to a group's
permissions, replaces a cache-wide version token, so every cached set is stale at once: the next request
reads the database again. Enabled only with a shared cache (Redis): a per-process cache would see only
its own process's invalidations.

Objects and inactive or anonymous users are answered by ModelBackend as usual.

Leavers (``leavers.leaver_condition``: no longer 在職, or no assignment in force today or later) may not sign
in, and the query that loads the signed-in user on every request leaves them out, so their sessions resolve
to nobody from the day they leave (ADR 0013). A refused sign-in with the right password marks the request
(``sign_in_refused_leaver``) so that the login form can say why; without the password nothing is revealed.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from lms_site.cache import VersionToken

from .leavers import has_left, leaver_condition
from .tenancy import platform_wide, tenancy_flags

VERSION = VersionToken("permissions:version")


def _user_key(user) -> str:
    return f"permissions:user:{user.pk}:{int(user.is_superuser)}"


class CachedModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        self._refused_with_right_password = False
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and self._refused_with_right_password and request is not None:
            request.sign_in_refused_leaver = True
        return user

    def user_can_authenticate(self, user) -> bool:
        # ModelBackend asks this only once the password has matched.
        allowed = super().user_can_authenticate(user) and not has_left(user)
        self._refused_with_right_password = not allowed
        return allowed

    def get_user(self, user_id):
        """The signed-in user, unless inactive or a leaver today: still one query per request."""
        user_model = get_user_model()
        with platform_wide():  # the person's own records decide their scope (and row-level security)
            user = (
                user_model._default_manager.filter(pk=user_id)
                # the municipality the request is scoped to (tenancy); and Wagtail's profile, which its
                # user bar (on every page, for those who may open the admin) otherwise reads twice: once
                # through UserProfile.get_for_user, once again through this relation for the theme
                .select_related("staff_profile", "wagtail_userprofile")
                .annotate(
                    **tenancy_flags()
                )  # and, without a staff record, whether platform-wide or an advisor
                .exclude(leaver_condition(timezone.localdate()))
                .first()
            )
        return user if user is not None and super().user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        seconds = getattr(settings, "PERMISSION_CACHE_SECONDS", 0)
        if not seconds or obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            key = _user_key(user_obj)
            token, cached = VERSION.read(key)
            if cached is not None:
                user_obj._perm_cache = set(cached)
            else:
                permissions = super().get_all_permissions(user_obj)
                VERSION.write(key, token, sorted(permissions), timeout=seconds)
        return user_obj._perm_cache


def permissions_changed() -> None:
    """Make every cached permission set stale (also a management or shell helper after raw SQL)."""
    VERSION.replace()


def _on_change(**kwargs) -> None:
    VERSION.replace_now_and_on_commit()


def connect_signals() -> None:
    """Invalidate on every change that can alter someone's permissions (called from the app's ready())."""
    user_model = get_user_model()
    links = (user_model.groups.through, user_model.user_permissions.through, Group.permissions.through)
    for through in links:
        m2m_changed.connect(_on_change, sender=through, dispatch_uid=f"perm-cache-{through._meta.label}")
    for model in (Group, Permission):  # a new permission is one more for superusers
        post_save.connect(_on_change, sender=model, dispatch_uid=f"perm-cache-{model._meta.label}-saved")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"perm-cache-{model._meta.label}-gone")
