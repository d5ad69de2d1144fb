"""Account shapes."""

import re
from datetime import datetime
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from api.fields import RequestBody
from models.learners import DISPLAY_NAME_LENGTH, EMAIL_LENGTH, Role

MIN_PASSWORD_LENGTH = 8
# argon2 hashes any length, but an unbounded password is a cheap way to burn our CPU.
MAX_PASSWORD_LENGTH = 256
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _normalized_email(value: str) -> str:
    value = value.strip().lower()
    if not _EMAIL.fullmatch(value):
        raise ValueError("not an email address")
    return value


def is_the_email(password: str, email: str) -> bool:
    """Whether a password is the account's (lower-cased) email address, whatever its case."""
    return password.strip().lower() == email


# `format: email` tells clients (and the schema fuzzer) that any string will not do.
Email = Annotated[
    str,
    Field(min_length=3, max_length=EMAIL_LENGTH, json_schema_extra={"format": "email"}),
    AfterValidator(_normalized_email),
]


Password = Annotated[
    str,
    Field(
        min_length=MIN_PASSWORD_LENGTH,
        max_length=MAX_PASSWORD_LENGTH,
        description=f"At least {MIN_PASSWORD_LENGTH} characters, and not the email address.",
    ),
]
# The password an account already has: checked against its hash, so only bounded here.
CurrentPassword = Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)]


class RegisterRequest(RequestBody):
    """What a new learner gives to open an account."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"email": "ada@example.com", "password": "a long passphrase", "display_name": "Ada"}
            ]
        },
    )

    email: Email
    password: Password
    display_name: str = Field(min_length=1, max_length=DISPLAY_NAME_LENGTH)

    @model_validator(mode="after")
    def _password_is_not_the_email(self) -> Self:
        if is_the_email(self.password, self.email):
            raise ValueError("the password must not be the email address")
        return self


class PasswordChange(RequestBody):
    """The account's password, and the one to replace it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"current_password": "a long passphrase", "new_password": "a longer passphrase"}
            ]
        },
    )

    current_password: CurrentPassword
    new_password: Password


class LearnerRead(BaseModel):
    """An account as its owner sees it; never the password hash."""

    id: int = Field(examples=[1])
    email: str = Field(examples=["ada@example.com"])
    display_name: str = Field(examples=["Ada"])
    role: Role
    created_at: datetime


class Token(BaseModel):
    """A bearer token for the `Authorization` header."""

    access_token: str
    token_type: str = Field(default="bearer", examples=["bearer"])
    expires_in: int = Field(description="Seconds until the token expires.", examples=[3600])
