"""Zendesk Support as Fivetran lands it: the tickets kind (tickets and their history)."""

from __future__ import annotations

from ..contract import Column, Table
from ..validation import q
from . import AccountMap, System

ZENDESK_STATUSES = ("new", "open", "pending", "hold", "solved", "closed", "deleted")
ZENDESK_ROLES = ("end-user", "agent", "admin")

TABLES = (
    Table(
        "zendesk__organization", "tickets", key="id", system="zendesk",
        columns=(
            Column("id", "string", required=True),
            Column("name", "string"),
            Column("external_id", "string"),
            Column("created_at", "timestamp"),
        ),
    ),
    Table(
        "zendesk__user", "tickets", key="id", system="zendesk",
        columns=(
            Column("id", "string", required=True),
            Column("role", "string", required=True, allowed=ZENDESK_ROLES),
            Column("external_id", "string"),
            Column("email", "string"),
            Column("organization_id", "string"),
            Column("created_at", "timestamp"),
        ),
    ),
    Table(
        "zendesk__ticket", "tickets", key="id", system="zendesk",
        columns=(
            Column("id", "string", required=True),
            Column("created_at", "timestamp", required=True),
            Column("organization_id", "string", maps_account=True),
            Column("requester_id", "string"),  # a contact through the user's external_id, where it has one
            Column("status", "string", required=True, allowed=ZENDESK_STATUSES),
            Column("priority", "string", allowed=("low", "normal", "high", "urgent")),
            Column("type", "string", allowed=("question", "incident", "problem", "task")),
            Column("via_channel", "string"),
            Column("subject", "string"),
            Column("custom_feature_key", "string"),
        ),
    ),
    Table(
        "zendesk__ticket_comment", "tickets", key="id", system="zendesk",
        columns=(
            Column("id", "string", required=True),
            Column("ticket_id", "string", required=True, references=("zendesk__ticket", "id")),
            Column("user_id", "string", references=("zendesk__user", "id")),
            Column("created", "timestamp", required=True),
            Column("public", "boolean"),
        ),
    ),
    Table(
        "zendesk__ticket_field_history", "tickets", key=None, system="zendesk",
        columns=(
            Column("ticket_id", "string", required=True, references=("zendesk__ticket", "id")),
            Column("field_name", "string", required=True),
            Column("updated", "timestamp", required=True),
            Column("user_id", "string"),
            Column("value", "string"),
        ),
    ),
    Table(
        "zendesk__ticket_tag", "tickets", key=None, system="zendesk", optional=True,
        columns=(
            Column("ticket_id", "string", required=True, references=("zendesk__ticket", "id")),
            Column("tag", "string", required=True),
        ),
    ),
)

SYSTEM = System(
    "zendesk", ("tickets",), TABLES,
    account_map=AccountMap(
        "zendesk__organization", "id",
        field=lambda settings: q(settings.zendesk_account_field),
        describe=lambda settings: f"a zendesk organization whose {settings.zendesk_account_field} is a CRM account id, "
                                  "or a row of the account mapping file",
    ),
)
