"""What ODK Collect and KoboCollect need of a user: a password they can prove by Digest."""

from django.conf import settings
from django.db import models


class CollectCredential(models.Model):
    """HTTP Digest needs a hash of the password that Django's own password hashes cannot
    give, so a phone's password is set apart (`refuge collect_password USER`) and only
    its Digest hash, HA1 = MD5(user:realm:password), is kept."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="collect_credential")
    ha1 = models.CharField(max_length=32)
    set_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Collect password of {self.user}"
