"""The source contract of shared/spec/sources.md, as data.

Ingestion validates every row against these definitions and the demo generator writes to them,
so the contract lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # string | timestamp | date | boolean | integer | decimal | json_object | string_list
    required: bool = False
    allowed: tuple[str, ...] = ()  # enum values; empty means free text
    min_value: float | None = None
    max_value: float | None = None
    references: tuple[str, str] | None = None  # (table, column) the value must exist in
    # the value is another system's key for the CRM's account: it lands with the account it maps to
    # (`_account_id`), and a row whose key maps to none is quarantined
    maps_account: bool = False
    # the value is an e-mail naming a CRM contact: the row lands with that contact's user id (`_user_id`),
    # and a row whose e-mail names none is quarantined
    maps_user: bool = False
    currency: bool = False  # an ISO 4217 code judged against the deployment's one currency (implied by the name)


@dataclass(frozen=True)
class NpsAnswers:
    """A vendor table holding the answers to every question, NPS or not (Pendo's poll events, Qualtrics'
    question responses): a row answers an NPS question where its `link` columns, joined by ':', are among
    the keys `keys` selects (SQL in which `{<table>}` stands for that landed table's rows). Such a row lands
    with `_nps_answer` true, and is quarantined unless its `column` is a whole number from 0 to 10."""

    column: str
    link: tuple[str, ...]
    keys: str
    tables: tuple[str, ...]  # the landed tables `keys` reads: landed first
    describe: str  # what such a row answers, for the reason


@dataclass(frozen=True)
class Table:
    name: str  # the raw zone's name: the canonical table's, or `<system>__<vendor table>`
    kind: str  # usage | crm | subscriptions | tickets | surveys
    columns: tuple[Column, ...]
    key: str | None  # None: no single-column key (e.g. a history table); repeated rows all land
    # A repeated key is either the same record delivered twice (kept, deduplicated downstream)
    # or a conflict (the first occurrence lands, later ones are quarantined). Where redelivery is
    # expected, a repeated key with other content is still a conflict: an id reused for another record.
    repeated_key_is_redelivery: bool = False
    arrival: str | None = None  # when a redelivered row reached us: not part of its content, orders redeliveries
    event_like: bool = False  # arrives as one file per day, appended
    optional: bool = False
    core: bool = False  # the marts mean nothing without its rows: a build where it landed none is not published
    required_when: dict[str, tuple[str, str]] = field(default_factory=dict)  # column -> (other column, value)
    system: str = "prodops"  # the source system whose shape this is
    nps_answers: NpsAnswers | None = None

    @property
    def folder(self) -> str:
        """The folder under PRODOPS_SOURCES: `<table>` for ours, `<system>/<vendor table>` for a vendor's."""
        return self.name if self.system == "prodops" else self.name.replace("__", "/", 1)

    @property
    def account_column(self) -> str | None:
        return next((c.name for c in self.columns if c.maps_account), None)

    @property
    def currency_column(self) -> str | None:
        return next((c.name for c in self.columns if c.currency or c.name == "currency"), None)

    @property
    def user_column(self) -> str | None:
        return next((c.name for c in self.columns if c.maps_user), None)

    @property
    def mapped_columns(self) -> dict[str, str]:
        """The columns landing adds, with their SQL types: the CRM account and the CRM contact a row's keys
        map to, and whether it answers an NPS question."""
        added = (("_account_id", "VARCHAR", self.account_column), ("_user_id", "VARCHAR", self.user_column),
                 ("_nps_answer", "BOOLEAN", self.nps_answers))
        return {name: sql_type for name, sql_type, present in added if present}

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def parents(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.references[0] for c in self.columns if c.references))


PLATFORMS = ("web", "ios", "android", "desktop", "api")
TICKET_STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
TICKET_PRIORITIES = ("low", "normal", "high", "urgent")
TICKET_TYPES = ("question", "incident", "problem", "task")
TICKET_CHANNELS = ("email", "web", "chat", "phone", "api")
SATISFACTION = ("good", "bad", "offered", "unoffered")
SURVEY_CHANNELS = ("in_app", "email", "link", "sms")

TABLES: tuple[Table, ...] = (
    Table(
        "features", "usage", key="feature_key", core=True,
        columns=(
            Column("feature_key", "string", required=True),
            Column("feature_name", "string", required=True),
            Column("product_area", "string"),
            Column("is_core", "boolean", required=True),
            Column("released_at", "date", required=True),
            Column("retired_at", "date"),
        ),
    ),
    Table(
        "accounts", "crm", key="account_id", core=True,
        columns=(
            Column("account_id", "string", required=True),
            Column("account_name", "string", required=True),
            Column("industry", "string"),
            Column("region", "string"),
            Column("employee_band", "string"),
            Column("csm_owner", "string"),
            Column("created_at", "timestamp", required=True),
            Column("is_deleted", "boolean"),
        ),
    ),
    Table(
        "contacts", "crm", key="user_id", core=True,
        columns=(
            Column("user_id", "string", required=True),
            Column("account_id", "string", required=True, references=("accounts", "account_id")),
            Column("email", "string"),
            Column("role", "string"),
            Column("is_internal", "boolean"),
            Column("created_at", "timestamp", required=True),
        ),
    ),
    Table(
        "subscription_periods", "subscriptions", key="period_id", core=True,
        columns=(
            Column("period_id", "string", required=True),
            Column("subscription_id", "string", required=True),
            Column("account_id", "string", required=True, references=("accounts", "account_id")),
            Column("plan", "string", required=True),
            Column("is_trial", "boolean", required=True),
            Column("seats", "integer", min_value=0),
            Column("mrr", "decimal", required=True, min_value=0),
            Column("currency", "string", required=True),
            Column("period_start", "date", required=True),
            Column("period_end", "date"),
            Column("renewal_date", "date"),
        ),
    ),
    Table(
        "usage_events", "usage", key="event_id", repeated_key_is_redelivery=True, arrival="received_at",
        event_like=True, core=True,
        columns=(
            Column("event_id", "string", required=True),
            Column("occurred_at", "timestamp", required=True),
            Column("received_at", "timestamp"),
            Column("user_id", "string", required=True, references=("contacts", "user_id")),
            Column("account_id", "string", required=True, references=("accounts", "account_id")),
            Column("event_name", "string", required=True),
            Column("feature_key", "string", references=("features", "feature_key")),
            Column("page", "string"),
            Column("platform", "string", allowed=PLATFORMS),
            Column("properties", "json_object"),
        ),
        required_when={"feature_key": ("event_name", "feature_used")},
    ),
    Table(
        "tickets", "tickets", key="ticket_id",
        columns=(
            Column("ticket_id", "string", required=True),
            Column("account_id", "string", required=True, references=("accounts", "account_id")),
            Column("requester_id", "string", references=("contacts", "user_id")),
            Column("created_at", "timestamp", required=True),
            Column("status", "string", required=True, allowed=TICKET_STATUSES),
            Column("priority", "string", allowed=TICKET_PRIORITIES),
            Column("type", "string", allowed=TICKET_TYPES),
            Column("tags", "string_list"),
            Column("feature_key", "string", references=("features", "feature_key")),
            Column("channel", "string", allowed=TICKET_CHANNELS),
            Column("subject", "string"),
            Column("satisfaction", "string", allowed=SATISFACTION),
        ),
    ),
    Table(
        "ticket_events", "tickets", key="event_id", event_like=True,
        columns=(
            Column("event_id", "string", required=True),
            Column("ticket_id", "string", required=True, references=("tickets", "ticket_id")),
            Column("occurred_at", "timestamp", required=True),
            Column("kind", "string", required=True, allowed=("comment", "status_change")),
            Column("author_role", "string", allowed=("agent", "end_user", "system")),
            Column("is_public", "boolean"),
            Column("new_status", "string", allowed=TICKET_STATUSES),
        ),
    ),
    Table(
        "survey_responses", "surveys", key="response_id", event_like=True,
        columns=(
            Column("response_id", "string", required=True),
            Column("survey_id", "string", required=True),
            Column("user_id", "string", required=True, references=("contacts", "user_id")),
            Column("account_id", "string", references=("accounts", "account_id")),
            Column("score", "integer", required=True, min_value=0, max_value=10),
            Column("comment", "string"),
            Column("channel", "string", required=True, allowed=SURVEY_CHANNELS),
            Column("responded_at", "timestamp", required=True),
        ),
    ),
    Table(
        "survey_deliveries", "surveys", key="delivery_id", event_like=True, optional=True,
        columns=(
            Column("delivery_id", "string", required=True),
            Column("survey_id", "string", required=True),
            Column("user_id", "string", required=True, references=("contacts", "user_id")),
            Column("channel", "string", required=True, allowed=SURVEY_CHANNELS),
            Column("sent_at", "timestamp", required=True),
        ),
    ),
)

TABLES_BY_NAME = {t.name: t for t in TABLES}
KINDS = ("usage", "crm", "subscriptions", "tickets", "surveys")


def table(name: str) -> Table:
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown source table {name!r}; known: {', '.join(TABLES_BY_NAME)}") from None
