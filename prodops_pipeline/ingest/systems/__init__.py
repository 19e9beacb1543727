"""The source systems a deployment reads, one per kind of source, and the tables each lands.

`prodops` is our canonical file layout (sources.md). Every other system is a vendor's tables as
Fivetran or Airbyte land them, read from `$PRODOPS_SOURCES/<system>/<table>/`. Adding a system is one
contract module here, one staging folder in dbt_project/models/staging/<system>/ and one generator writer
in prodops_pipeline/demo/systems/.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

from ..contract import KINDS, TABLES, Table


@dataclass(frozen=True)
class AccountMap:
    """How a system's account key reaches the CRM's account: `table` (landed, same system) holds the key
    in `key` and the CRM account id in the SQL `field(settings)` gives."""

    table: str
    key: str
    field: Callable[..., str]
    describe: Callable[..., str]  # for reasons and docs: where the CRM id is looked for
    latest: str | None = None  # `table` holds versions: the field is read from the latest by this column


@dataclass(frozen=True)
class UserMap:
    """A system whose rows name their person by e-mail (the column marked `maps_user`): the person is the
    CRM contact with that e-mail, compared case-insensitively; an e-mail no contact or several contacts
    have maps to none."""

    describe: str


@dataclass(frozen=True)
class System:
    name: str
    kinds: tuple[str, ...]
    tables: tuple[Table, ...]
    also: tuple[str, ...] = ()  # kinds it serves where no named system serves them (Pendo's polls: surveys)
    account_map: AccountMap | None = None
    table_account_maps: Mapping[str, AccountMap] = field(default_factory=dict)  # a table mapping otherwise
    user_map: UserMap | None = None
    account_keys: tuple[str, str] | None = None  # a CRM: (table, column) of its account ids
    contact_keys: tuple[str, str] | None = None  # a CRM: (table, column) of its contact (user) ids

    def account_map_of(self, table: str) -> AccountMap:
        return self.table_account_maps.get(table, self.account_map)


def _systems() -> dict[str, System]:
    from . import hubspot, pendo, qualtrics, salesforce, stripe, zendesk

    prodops = System("prodops", KINDS, TABLES, account_keys=("accounts", "account_id"),
                     contact_keys=("contacts", "user_id"))
    return {s.name: s for s in (prodops, pendo.SYSTEM, salesforce.SYSTEM, hubspot.SYSTEM, stripe.SYSTEM,
                                zendesk.SYSTEM, qualtrics.SYSTEM)}


SYSTEMS = _systems()
VENDOR_TABLES = tuple(t for s in SYSTEMS.values() if s.name != "prodops" for t in s.tables)


class SystemsError(ValueError):
    pass


def resolve(names: tuple[str, ...]) -> dict[str, str]:
    """kind -> the system serving it. A kind no named system serves is served by a named system that
    also serves it (Pendo's polls where no survey tool is named, a CRM's deals where no billing system is),
    else by ours (prodops); naming prodops keeps ours for every kind no named system serves as its own."""
    chosen: dict[str, str] = {}
    also: dict[str, str] = {}
    for name in names:
        if name not in SYSTEMS:
            raise SystemsError(f"unknown system {name!r}; choose from {', '.join(SYSTEMS)}")
        if name == "prodops":
            continue
        for kind in SYSTEMS[name].kinds:
            if kind in chosen and chosen[kind] != name:
                raise SystemsError(f"{chosen[kind]} and {name} both serve {kind}: name one system per kind "
                                   f"(kinds: {', '.join(KINDS)})")
            chosen[kind] = name
        for kind in SYSTEMS[name].also:
            also.setdefault(kind, name)
    if "prodops" in names:
        also = {}
    return {kind: chosen.get(kind, also.get(kind, "prodops")) for kind in KINDS}


def selected_tables(by_kind: dict[str, str]) -> tuple[Table, ...]:
    """The tables landed under this selection, parents before children."""
    out = []
    for table in TABLES:
        if by_kind[table.kind] == "prodops":
            out.append(table)
    for system in dict.fromkeys(s for s in by_kind.values() if s != "prodops"):
        out += [t for t in SYSTEMS[system].tables if by_kind[t.kind] == system]
    return tuple(out)


def crm_account_keys(by_kind: dict[str, str]) -> tuple[str, str]:
    return SYSTEMS[by_kind["crm"]].account_keys
