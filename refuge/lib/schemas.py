"""What every app's API is built from: strict input, and the one error shape."""

from typing import ClassVar

from django.utils.translation import gettext
from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

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


def one_of(choices: list[tuple[str, object]], *, blank: bool = False) -> dict:
    """A text field's values, from the model's choices, as the OpenAPI schema's `enum`, so
    that a partner's client offers only those. The service still checks the value and
    says what is wrong in the registrar's words (a 422 naming the field)."""
    values = [value for value, _label in choices]
    if blank and "" not in values:
        values.append("")
    return {"enum": values}


def _null_only_where_documented(schema: dict, model: type["Patch"]) -> None:
    """The schema says what the body accepts: `X | None` fields are documented as X alone,
    unless they are listed in the model's `nullable`."""
    for name, field in schema.get("properties", {}).items():
        if name in model.nullable or "anyOf" not in field:
            continue
        kinds = [kind for kind in field["anyOf"] if kind != {"type": "null"}]
        if len(kinds) == 1:
            del field["anyOf"]
            field.update(kinds[0])
        if field.get("default", ...) is None:
            del field["default"]


class Patch(Strict):
    """A PATCH body: only the fields sent change, and a field is left out to keep it.

    Null is refused with a 422 naming the field, except for the fields in `nullable`,
    where it means "none" (no base version, no coordinates); the OpenAPI schema documents
    exactly those as nullable."""

    nullable: ClassVar[frozenset[str]] = frozenset({"base_version"})
    model_config = ConfigDict(extra="forbid", json_schema_extra=_null_only_where_documented)

    @field_validator("*", mode="before")
    @classmethod
    def null_only_where_it_means_none(cls, value, info: ValidationInfo):
        if value is None and info.field_name not in cls.nullable:
            raise ValueError(gettext("cannot be null: leave the field out to keep it"))
        return value


class ErrorOut(Schema):
    model_config = ConfigDict(extra="allow")

    field: str = Field(description="The field as the request names it "
                       "(`members[2].birth_date`); empty when the whole request is refused")
    message: str = Field(description="Fit to show beside the field, in the caller's language")


class Errors(Schema):
    errors: list[ErrorOut]
