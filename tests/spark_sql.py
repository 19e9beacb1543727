"""What in SQL compiled for Spark would not run there. sqlglot's Spark dialect alone is lenient: its parser reads
DuckDB's `list_has(...)` as a call of an unknown function and its generator rewrites `generate_series` or
`qualify` into Spark's forms. So the SQL is parsed with it, and then every function called and every type cast
to is checked by the word written: functions against Spark's function registry, types against Spark's grammar."""

from __future__ import annotations

from pathlib import Path

import sqlglot
from sqlglot.errors import ErrorLevel, ParseError
from sqlglot.parser import Parser
from sqlglot.tokens import TokenType

SPARK = sqlglot.Dialect.get_or_raise("spark")
SPARK_FUNCTIONS = Path(__file__).with_name("fixtures") / "spark_functions.txt"  # `show functions` of PySpark 4.3
# the type names of Spark SQL's grammar; VARCHAR and CHAR only with a length
SPARK_TYPES = {"BOOLEAN", "TINYINT", "BYTE", "SMALLINT", "SHORT", "INT", "INTEGER", "BIGINT", "LONG", "FLOAT", "REAL",
               "DOUBLE", "DEC", "DECIMAL", "NUMERIC", "STRING", "VARCHAR", "CHAR", "CHARACTER", "BINARY", "DATE",
               "TIMESTAMP", "TIMESTAMP_LTZ", "TIMESTAMP_NTZ", "INTERVAL", "ARRAY", "MAP", "STRUCT", "VOID", "VARIANT"}
SIZED = {"VARCHAR", "CHAR", "CHARACTER"}
CAST_TO = {TokenType.ALIAS, TokenType.DCOLON}  # `cast(x as <type>)`, `x::<type>`
NOT_A_CALL = {TokenType.ALIAS, TokenType.DOT}  # `as t (i)` names columns; `db.f(` is a user function
GRAMMAR = {"try_cast"}  # calls that Spark's grammar reads itself, outside its registry


def not_spark(sql: str, spark_functions: set[str]) -> list[str]:
    """The constructs of `sql` that Spark would refuse: a parse error, a call of a function that Spark's registry
    lacks, or a cast to a type that Spark does not have. An empty list: nothing found."""
    try:
        sqlglot.parse(sql, read="spark", error_level=ErrorLevel.RAISE)
    except ParseError as error:
        return [f"does not parse as Spark SQL: {str(error).splitlines()[0]}"]
    problems = []
    tokens = SPARK.tokenize(sql)
    for before, token, after in zip(tokens, tokens[1:], [*tokens[2:], None]):
        is_call = after is not None and after.token_type == TokenType.L_PAREN
        if is_call and token.token_type == TokenType.VAR and before.token_type not in NOT_A_CALL:
            if token.text.lower() not in spark_functions | GRAMMAR:
                problems.append(f"calls {token.text}(), which Spark does not have (line {token.line})")
        elif before.token_type in CAST_TO and token.token_type in Parser.TYPE_TOKENS:
            word = token.text.upper()
            if word not in SPARK_TYPES:
                problems.append(f"casts to {token.text}, which Spark does not have (line {token.line})")
            elif word in SIZED and not is_call:
                problems.append(f"casts to {token.text} without a length, which Spark refuses (line {token.line})")
    return problems
