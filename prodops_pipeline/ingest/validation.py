"""Contract checks as SQL: parse each text value to its contract type and name every rule a row breaks.

The checked relation keeps the original text columns and adds `__t_<column>` typed values, a
`_reason` that is NULL for a row that honours the contract and otherwise lists every rule the row
breaks with the value it has and what was expected, and a `_rule` that lists the same rules without
the values (what quarantine counts are grouped by). Each value is trimmed once, into a `__v_<column>`
that the parsing and the rules share and that `checked` leaves out. Rules: a malformed line (alone:
nothing else can be read from it); missing required value, unparseable value, unknown enum value, out
of range, conditionally required value, foreign currency; then, among the rows that pass those, duplicate
id (or, where a repeated id is a redelivery, an id reused with other content); and orphan id.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .contract import Column, Table

TRUE_WORDS = ("true", "t", "1", "yes", "y")
FALSE_WORDS = ("false", "f", "0", "no", "n")


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def typed(name: str) -> str:
    return q(f"__t_{name}")


def trimmed(name: str) -> str:
    """The column's trimmed text, NULL when empty."""
    return q(f"__v_{name}")


def parse_expr(column: Column) -> str:
    """SQL turning the column's trimmed text into its contract type; NULL when it does not parse."""
    v = trimmed(column.name)
    if column.type == "string":
        return f"lower({v})" if column.allowed else v
    if column.type == "timestamp":
        # Text without an offset is read in the session time zone, set to the source's zone.
        return f"timezone('UTC', try_cast({v} AS TIMESTAMPTZ))"
    if column.type == "date":
        return f"coalesce(try_cast({v} AS DATE), CAST(try_cast({v} AS TIMESTAMP) AS DATE))"
    if column.type == "boolean":
        return (f"CASE WHEN lower({v}) IN ({', '.join(map(lit, TRUE_WORDS))}) THEN true "
                f"WHEN lower({v}) IN ({', '.join(map(lit, FALSE_WORDS))}) THEN false END")
    if column.type == "integer":
        # A strict pattern: DuckDB would otherwise round '7.5' to 8.
        return f"CASE WHEN regexp_full_match({v}, '[+-]?[0-9]+') THEN try_cast({v} AS BIGINT) END"
    if column.type == "decimal":
        return f"try_cast({v} AS DECIMAL(18, 4))"
    if column.type == "json_object":
        # valid JSON whose first character is '{' is an object; cheaper than asking json_type
        return f"CASE WHEN json_valid({v}) AND starts_with(ltrim({v}, ' \t\n\r'), '{{') THEN {v} END"
    if column.type == "string_list":
        items = f"CASE WHEN starts_with({v}, '[') THEN try(from_json({v}, '[\"VARCHAR\"]')) ELSE string_split({v}, ',') END"
        return f"list_filter(list_transform({items}, x -> lower(trim(x))), x -> x <> '')"
    raise ValueError(f"unknown contract type {column.type!r}")


def landed_type(column: Column) -> str:
    return {
        "string": "VARCHAR", "timestamp": "TIMESTAMP", "date": "DATE", "boolean": "BOOLEAN",
        "integer": "BIGINT", "decimal": "DECIMAL(18, 4)", "json_object": "VARCHAR", "string_list": "VARCHAR[]",
    }[column.type]


class Reason:
    """The quarantine reasons, worded once for ingestion, the demo's dirty rows and the docs."""

    @staticmethod
    def missing(column: str) -> str:
        return f"missing required value: {column}"

    @staticmethod
    def missing_when(column: str, other: str, value: str) -> str:
        return f"missing required value: {column} (required when {other} = {value})"

    @staticmethod
    def invalid(column: Column) -> str:
        return f"invalid {column.type.replace('_', ' ')}: {column.name}"

    @staticmethod
    def unknown(column: str) -> str:
        return f"unknown value: {column}"

    @staticmethod
    def out_of_range(column: str) -> str:
        return f"out of range: {column}"

    @staticmethod
    def currency(expected: str, column: str = "currency") -> str:
        return f"currency is not the deployment currency {expected}: {column}"

    @staticmethod
    def duplicate(key: str) -> str:
        return f"duplicate id: {key}"

    @staticmethod
    def header_lacks(missing: list[str], columns: list[str]) -> str:
        """A file without a required column: every row of it, with one reason naming what it has."""
        close = [f"{m} → {hit[0]}?" for m in missing if (hit := difflib.get_close_matches(m, columns, n=1, cutoff=0.6))]
        return (f"file lacks required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                f"(its columns: {', '.join(columns) or 'none'}" + (f"; closest: {', '.join(close)}" if close else "") + ")")

    @staticmethod
    def reused(key: str) -> str:
        return f"{key} reused with other content (an earlier row with this {key} differs)"

    @staticmethod
    def orphan(column: str) -> str:
        return f"orphan id: {column}"

    @staticmethod
    def unmapped(column: str) -> str:
        return f"unmapped account: {column}"

    @staticmethod
    def unmapped_user(column: str) -> str:
        return f"unmapped user: {column}"

    @staticmethod
    def not_a_score(column: str) -> str:
        return f"not an NPS score: {column}"

    @staticmethod
    def malformed_csv(error_type: str) -> str:
        return f"malformed CSV line: {error_type}"


@dataclass(frozen=True)
class Rule:
    """A row rule: when `condition` holds, the row breaks `rule`; `detail` (SQL) says what it has and
    what was expected, for the reason shown on the quarantined row."""

    condition: str
    rule: str
    detail: str | None = None

    @property
    def reason(self) -> str:
        return lit(self.rule) if self.detail is None else f"{lit(self.rule + ' (')} || {self.detail} || ')'"


def _got(value_sql: str, expected: str = "") -> str:
    """SQL: got '<value>'[; expected ...] (long values cut at 60 characters)."""
    value = f"{lit('got ' + chr(39))} || left({value_sql}, 60) || {lit(chr(39))}"
    return value + (f" || {lit('; expected ' + expected)}" if expected else "")


def _bounds(column: Column) -> str:
    low, high = (f"{v:g}" if v is not None else None for v in (column.min_value, column.max_value))
    if low is not None and high is not None:
        return f"{low} to {high}"
    return f"at least {low}" if low is not None else f"at most {high}"


def _row_rules(table: Table, currency: str) -> list[Rule]:
    """The rules that need only the row itself, in the order their reasons are listed."""
    rules = [Rule(f"{trimmed(c.name)} IS NULL", Reason.missing(c.name)) for c in table.columns if c.required]
    rules += [Rule(f"{trimmed(c.name)} IS NOT NULL AND {typed(c.name)} IS NULL", Reason.invalid(c), _got(trimmed(c.name)))
              for c in table.columns if c.type != "string"]
    rules += [Rule(f"{typed(c.name)} NOT IN ({', '.join(map(lit, c.allowed))})", Reason.unknown(c.name),
                   _got(trimmed(c.name), ", ".join(c.allowed))) for c in table.columns if c.allowed]
    for c in table.columns:
        bounds = [f"{typed(c.name)} {op} {v}" for op, v in (("<", c.min_value), (">", c.max_value)) if v is not None]
        if bounds:
            rules.append(Rule(" OR ".join(bounds), Reason.out_of_range(c.name), _got(trimmed(c.name), _bounds(c))))
    rules += [Rule(f"{typed(other)} = {lit(value)} AND {typed(target)} IS NULL", Reason.missing_when(target, other, value))
              for target, (other, value) in table.required_when.items()]
    if column := table.currency_column:
        rules.append(Rule(f"upper({typed(column)}) <> {lit(currency)}", Reason.currency(currency, column), _got(trimmed(column))))
    return rules


def _every_failure(rules: list[Rule], text) -> str:
    """SQL listing every rule the row breaks ('; ' between them), NULL when none; a malformed line alone."""
    broken = ", ".join(f"CASE WHEN {r.condition} THEN {text(r)} END" for r in rules)
    return f"CASE WHEN _malformed IS NOT NULL THEN _malformed ELSE nullif(concat_ws('; ', {broken}), '') END"


@dataclass(frozen=True)
class CheckSql:
    """Statements that build `checked` from the all-text `incoming` table."""

    statements: tuple[str, ...]


def build_checks(
    table: Table,
    present: set[str],
    currency: str,
    existing_keys_sql: str | None,
    parent_keys_sql: dict[str, str],
    landed_sql: str | None = None,
) -> CheckSql:
    """SQL creating temp table `checked` from temp table `incoming`.

    present: the lower-case columns `incoming` has; contract columns it lacks read as NULL.
    existing_keys_sql: a query of keys already landed from other files (duplicate check).
    landed_sql: a query of the rows already landed from other files (redelivery check).
    parent_keys_sql: referenced table name -> query returning its landed keys as `k`.
    """
    missing = [c.name for c in table.columns if c.name not in present]
    # incoming's rowid numbers its rows in file order, unless a source column named rowid hides it
    row = "row_number() OVER ()" if "rowid" in present else "rowid"
    fill = "".join(f", NULL::VARCHAR AS {q(name)}" for name in missing)
    values = ", ".join(f"nullif(trim({q(c.name)}), '') AS {trimmed(c.name)}" for c in table.columns)
    parsed = ", ".join(f"{parse_expr(c)} AS {typed(c.name)}" for c in table.columns)
    trimmed_columns = ", ".join(trimmed(c.name) for c in table.columns)
    rules = _row_rules(table, currency)
    statements = [
        "DROP TABLE IF EXISTS checked",
        f"CREATE TEMP TABLE checked AS "
        f"WITH filled AS (SELECT *, {row} AS _row{fill} FROM incoming), "
        f"valued AS (SELECT *, {values} FROM filled), parsed AS (SELECT *, {parsed} FROM valued) "
        f"SELECT * EXCLUDE ({trimmed_columns}), {_every_failure(rules, lambda r: r.reason)} AS _reason, "
        f"{_every_failure(rules, lambda r: lit(r.rule))} AS _rule FROM parsed",
    ]
    key = typed(table.key) if table.key else None
    if key is None:
        pass  # no single-column key: repeated rows are versions or pairs, and all land
    elif not table.repeated_key_is_redelivery:
        earlier = f"OR {key} IN ({existing_keys_sql})" if existing_keys_sql else ""
        statements.append(
            f"UPDATE checked SET _reason = {lit(Reason.duplicate(table.key))}, _rule = {lit(Reason.duplicate(table.key))} "
            f"FROM (SELECT _source_file AS f, _row AS r, row_number() OVER (PARTITION BY {key} "
            f"ORDER BY _source_file, _row) AS n FROM checked WHERE _reason IS NULL) d "
            f"WHERE checked._source_file = d.f AND checked._row = d.r AND (d.n > 1 {earlier})"
        )
    else:
        statements += _reused_key_statements(table, landed_sql)
    for c in table.columns:
        if c.references and c.references[0] in parent_keys_sql:
            parent, parent_col = c.references
            orphan = Rule("", Reason.orphan(c.name), _got(typed(c.name), f"an existing {parent}.{parent_col}"))
            statements.append(
                f"UPDATE checked SET _reason = concat_ws('; ', _reason, {orphan.reason}), "
                f"_rule = concat_ws('; ', _rule, {lit(orphan.rule)}) "
                f"WHERE _malformed IS NULL AND {typed(c.name)} IS NOT NULL "
                f"AND {typed(c.name)} NOT IN (SELECT k FROM ({parent_keys_sql[c.references[0]]}))"
            )
    return CheckSql(tuple(statements))


def account_mapping_statements(table: Table, map_sql: str, expected: str) -> list[str]:
    """Give each row of `checked` the CRM account its account key maps to (`_account_id`); a row whose
    key maps to none is quarantined, with the key, so that `prodops status` can list the top ones."""
    column = table.account_column
    unmapped = Rule("", Reason.unmapped(column), _got(f"coalesce({typed(column)}, '')", expected))
    return [
        "ALTER TABLE checked ADD COLUMN _account_id VARCHAR",
        f"UPDATE checked SET _account_id = m.account_id FROM ({map_sql}) m WHERE {typed(column)} = m.k",
        f"UPDATE checked SET _reason = concat_ws('; ', _reason, {unmapped.reason}), "
        f"_rule = concat_ws('; ', _rule, {lit(unmapped.rule)}) WHERE _malformed IS NULL AND _account_id IS NULL",
    ]


def user_mapping_statements(table: Table, map_sql: str, expected: str) -> list[str]:
    """Give each row of `checked` the CRM contact its e-mail names (`_user_id`); a row whose e-mail names
    none is quarantined. The reason never repeats the e-mail: it is personal data."""
    column = table.user_column
    reason = f"{Reason.unmapped_user(column)} (expected {expected})"
    return [
        "ALTER TABLE checked ADD COLUMN _user_id VARCHAR",
        f"UPDATE checked SET _user_id = m.user_id FROM ({map_sql}) m WHERE lower(trim({typed(column)})) = m.k",
        f"UPDATE checked SET _reason = concat_ws('; ', _reason, {lit(reason)}), "
        f"_rule = concat_ws('; ', _rule, {lit(Reason.unmapped_user(column))}) WHERE _malformed IS NULL AND _user_id IS NULL",
    ]


NPS_SCORES = tuple(str(n) for n in range(11))


def nps_answer_statements(table: Table, keys_sql: str) -> list[str]:
    """Mark each row of `checked` that answers an NPS question (`_nps_answer`); such a row whose answer is not
    a whole number from 0 to 10 is quarantined."""
    answers = table.nps_answers
    link = " || ':' || ".join(typed(c) for c in answers.link)
    rule = Rule("", Reason.not_a_score(answers.column),
                _got(f"coalesce(trim({q(answers.column)}), '')", f"a whole number from 0 to 10, as {answers.describe}"))
    return [
        "ALTER TABLE checked ADD COLUMN _nps_answer BOOLEAN",
        f"UPDATE checked SET _nps_answer = ({link}) IN (SELECT k FROM ({keys_sql}))",
        f"UPDATE checked SET _reason = concat_ws('; ', _reason, {rule.reason}), "
        f"_rule = concat_ws('; ', _rule, {lit(rule.rule)}) WHERE _malformed IS NULL AND _nps_answer "
        f"AND coalesce(trim({q(answers.column)}), '') NOT IN ({', '.join(map(lit, NPS_SCORES))})",
    ]


def _content(table: Table, column_name) -> str:
    """A row's content as one comparable value: every contract column but the key and the arrival time."""
    values = ", ".join(f"CAST({column_name(c.name)} AS VARCHAR)" for c in table.columns
                       if c.name not in (table.key, table.arrival))
    return f"to_json(list_value({values}))"


def _reused_key_statements(table: Table, landed_sql: str | None) -> list[str]:
    """Quarantine the rows whose key was already used for other content: by a row landed before (an
    earlier load wins), or by an earlier row of this load (the earliest arrival wins, then the earlier
    file, then the earlier row). Rows with the same content are redeliveries and all land.

    Content is compared only for the keys that can have been reused (`reusable`: repeated in this load, or
    landed before), a few thousand of millions: building every row's content is the costly part."""
    if not table.column(table.key).required:
        raise ValueError(f"{table.name}: a redelivery key must be required ({table.key})")
    key = typed(table.key)
    order = (f"{typed(table.arrival)} NULLS LAST, " if table.arrival else "") + "_source_file, _row"
    candidates = f"SELECT {key} AS k FROM checked WHERE _reason IS NULL"
    reusable = f"SELECT k FROM ({candidates}) GROUP BY k HAVING count(*) > 1"
    landed = "SELECT NULL::VARCHAR AS k, NULL::VARCHAR AS content WHERE false"
    if landed_sql:
        reusable += f" UNION SELECT {q(table.key)} FROM ({landed_sql}) WHERE {q(table.key)} IN ({candidates})"
        landed = (f"SELECT {q(table.key)} AS k, min({_content(table, q)}) AS content FROM ({landed_sql}) "
                  f"WHERE {q(table.key)} IN (SELECT k FROM reusable) GROUP BY 1")
    return [
        f"CREATE OR REPLACE TEMP TABLE reusable AS {reusable}",
        f"UPDATE checked SET _reason = {lit(Reason.reused(table.key))}, _rule = {lit(Reason.reused(table.key))} "
        f"FROM (SELECT c.f, c.r FROM (SELECT _source_file AS f, _row AS r, {key} AS k, "
        f"{_content(table, typed)} AS content, first_value({_content(table, typed)}) OVER "
        f"(PARTITION BY {key} ORDER BY {order}) AS first_content FROM checked "
        f"WHERE _reason IS NULL AND {key} IN (SELECT k FROM reusable)) c "
        f"LEFT JOIN ({landed}) l ON l.k = c.k WHERE c.content <> coalesce(l.content, c.first_content)) d "
        f"WHERE checked._source_file = d.f AND checked._row = d.r",
    ]
