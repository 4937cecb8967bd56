"""Notifications: each one is a row of the outbox, kept in the app (the person's お知らせ) and sent by
e-mail at most once, immediately or in the person's daily or weekly digest, as they chose per kind.

The de-duplication key (``Notification.key``, unique per recipient) names the person's kind, object and
period (``training:due:<due>:<threshold>``, ``training:team:<iso week>``...): a producer that runs again,
or a task that is retried, finds the row there and adds nothing, and the outbox sends a row only once it
has claimed it (``services.outbox_send``).

A notification may carry a calendar invitation (``calendar``, an iCalendar object with ``METHOD:REQUEST``
or ``METHOD:CANCEL``): its mail, or the digest that lists it, has it as a ``text/calendar`` part (iMIP,
RFC 6047), so the person's mail program adds, moves or removes the event by itself.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms_site.organisation.api import Municipality, TenantManager


class Kind(models.TextChoices):
    DUE_REMINDER = "due_reminder", _("研修の期限が近づいたとき(7日前・3日前・前日)")
    OVERDUE = "overdue", _("研修の期限が過ぎたとき")
    TEAM_DIGEST = "team_digest", _("所属の受講状況のまとめ(所属長へ毎週)")
    DECISION = "decision", _("修了課題や学習実績の審査結果")
    CERTIFICATE_EXPIRY = "certificate_expiry", _("認定の有効期限(90・60・30・7日前)")
    SESSION = "session", _("申し込んだ集合研修の受付・席の確定・変更・中止(予定表の招待つき)")


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("すぐにメールで受け取る")
    DAILY = "daily", _("1日分をまとめて受け取る")
    WEEKLY = "weekly", _("1週間分をまとめて受け取る")
    OFF = "off", _("メールでは受け取らない")


# Kinds that cannot be turned off (a person may still take them in a digest).
MANDATORY = frozenset({Kind.OVERDUE})


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("送信待ち")
    SENDING = "sending", _("送信中")
    SENT = "sent", _("送信済み")
    NOT_SENT = "not_sent", _("メールなし")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("宛先"),
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("自治体")
    )
    kind = models.CharField(_("種類"), max_length=30, choices=Kind.choices)
    key = models.CharField(_("重複防止キー"), max_length=150)
    subject = models.CharField(_("件名"), max_length=200)
    body = models.TextField(_("本文"))
    url = models.CharField(_("リンク"), max_length=300, blank=True)
    calendar = models.TextField(
        _("予定表の招待(iCalendar)"),
        blank=True,
        help_text=_("メールに添付する iCalendar(RFC 5545)。METHOD が REQUEST なら招待、CANCEL なら取消し"),
    )
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now)
    read_at = models.DateTimeField(_("既読日時"), null=True, blank=True)
    delivery = models.CharField(_("メールの送り方"), max_length=10, choices=Delivery.choices)
    email_status = models.CharField(
        _("メール"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    emailed_at = models.DateTimeField(_("送信日時"), null=True, blank=True)

    objects = TenantManager("municipality")

    class Meta:
        verbose_name = _("お知らせ")
        verbose_name_plural = _("お知らせ")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_key_unique")]
        indexes = [
            models.Index(fields=["email_status", "delivery"]),
            models.Index(fields=["recipient", "read_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.subject}"


class Preference(models.Model):
    """How a person wants one kind of notification by e-mail (default: immediately)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("職員")
    )
    kind = models.CharField(_("種類"), max_length=30, choices=Kind.choices)
    delivery = models.CharField(_("メールの送り方"), max_length=10, choices=Delivery.choices)

    class Meta:
        verbose_name = _("お知らせの設定")
        verbose_name_plural = _("お知らせの設定")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}: {self.delivery}"
