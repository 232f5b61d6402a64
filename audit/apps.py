from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import pre_delete


def _forget_deleted_actor(sender, instance, **kwargs):
    from audit.services import audit_actor_forget

    audit_actor_forget(user=instance)


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit log"

    def ready(self):
        # A deleted account's entries stay, unlinked and no longer naming the person.
        pre_delete.connect(
            _forget_deleted_actor, sender=settings.AUTH_USER_MODEL, dispatch_uid="audit_forget"
        )
