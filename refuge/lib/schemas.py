"""What every app's API is built from: strict input, and the one error shape."""

from django.utils.translation import gettext
from ninja import Schema
from pydantic import BaseModel, ConfigDict, field_validator

from refuge.lib import names


class Strict(BaseModel):
    """API input: unknown fields are refused, and no text may carry control characters.

    A plain pydantic model, not a ninja Schema: input is never read from ORM objects,
    and Schema's wrapping validator cost about a millisecond per household of five."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def no_control_characters(cls, value):
        if isinstance(value, str) and names.forbidden_char(value) is not None:
            raise ValueError(gettext("contains an invisible or control character"))
        return value


class Errors(Schema):
    errors: list[dict]
