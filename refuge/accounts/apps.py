from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "refuge.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from refuge.accounts.models import ApiToken, Post
        from refuge.lib.recent import forget_all

        # A change here is seen at once by this process; others within
        # REFUGE_LOOKUP_SECONDS (refuge.lib.recent).
        user = get_user_model()
        for model in (ApiToken, user, Post):
            post_save.connect(forget_all, sender=model, dispatch_uid=f"recent-{model}")
            post_delete.connect(forget_all, sender=model, dispatch_uid=f"recent-d-{model}")
        m2m_changed.connect(forget_all, sender=user.groups.through, dispatch_uid="recent-groups")
