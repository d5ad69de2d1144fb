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


# `format: email` tells clients (and the schema fuzzer) that any string will not do.
Email = Annotated[
    str,
    Field(min_length=3, max_length=EMAIL_LENGTH, json_schema_extra={"format": "email"}),
    AfterValidator(_normalized_email),
]


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
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)
    display_name: str = Field(min_length=1, max_length=DISPLAY_NAME_LENGTH)

    @model_validator(mode="after")
    def _password_is_not_the_email(self) -> Self:
        if self.password.strip().lower() == self.email:
            raise ValueError("the password must not be the email address")
        return self


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
