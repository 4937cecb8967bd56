"""PostgreSQL row-level security: the second wall behind the scoped managers (issue 13, ADR 0016).

The personal-data tables carry a policy that shows a row only when its municipality is among those in
the session settings ``dx.municipality_ids`` (comma-separated ids), or when ``dx.platform_wide`` is
``on``. Unset settings show nothing. The policies bind every role that is not the tables' owner or a
superuser: run the application as such a role (ADR 0016, "Deploying") and even a raw query that
forgets the scope sees only its municipality's rows.

The session settings follow the ORM's scope (lms_site.organisation.tenancy) automatically: an
``execute_wrapper`` on every PostgreSQL connection writes them before a query whenever the scope of the
code running the query differs from what the connection last had. A setting written inside a
transaction is undone if that transaction, or a savepoint it was written in, rolls back, so such a write
is trusted only while they are open (``_still_written``): otherwise a connection kept between requests
could run a later request with an earlier request's municipality.
"""

from __future__ import annotations

from django_scopes import get_scope

PLATFORM_WIDE = "dx.platform_wide"
MUNICIPALITY_IDS = "dx.municipality_ids"

# table → the condition on its rows: ``municipality_id`` (compared with the scope's ids) or a condition
# through the staff record, which is itself under its policy. Migrations keep their own frozen copy.
POLICIES: dict[str, str] = {
    "organisation_staffprofile": "municipality_id",
    "organisation_staffimport": "municipality_id",
    "organisation_personaldataaccess": "municipality_id",
    "certification_certificate": "municipality_id",
    "training_trainingrule": "municipality_id",
    "notifications_notification": "municipality_id",
    "training_classsession": "municipality_id",
    "analytics_departmentsnapshot": "municipality_id",
    "analytics_coveragesnapshot": "municipality_id",
    # Through the staff record (itself under its policy): rows of people visible in the scope.
    "organisation_assignment": "staff_id IN (SELECT id FROM organisation_staffprofile)",
    "assessments_evidence": "user_id IN (SELECT user_id FROM organisation_staffprofile)",
    "certification_competencylevel": "user_id IN (SELECT user_id FROM organisation_staffprofile)",
    "certification_qualificationclaim": "user_id IN (SELECT user_id FROM organisation_staffprofile)",
    "certification_capstone": "user_id IN (SELECT user_id FROM organisation_staffprofile)",
    "training_trainingdue": "staff_id IN (SELECT id FROM organisation_staffprofile)",
    "training_sessionregistration": "staff_id IN (SELECT id FROM organisation_staffprofile)",
}


def visible(condition: str) -> str:
    """The policy expression: platform-wide, or the row's municipality in the scope."""
    if condition == "municipality_id":
        in_scope = (
            f"municipality_id = ANY (string_to_array(NULLIF(current_setting('{MUNICIPALITY_IDS}', true), ''),"
            " ',')::bigint[])"
        )
    else:
        in_scope = condition
    return f"(coalesce(current_setting('{PLATFORM_WIDE}', true), '') = 'on' OR {in_scope})"


def enable_sql(policies: dict[str, str]) -> list[str]:
    statements = []
    for table, condition in policies.items():
        expression = visible(condition)
        statements += [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"DROP POLICY IF EXISTS dx_tenant ON {table}",
            f"CREATE POLICY dx_tenant ON {table} USING {expression} WITH CHECK {expression}",
        ]
    return statements


def disable_sql(policies: dict[str, str]) -> list[str]:
    statements = []
    for table in policies:
        statements += [
            f"DROP POLICY IF EXISTS dx_tenant ON {table}",
            f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
        ]
    return statements


def desired_settings() -> tuple[str, str]:
    """(platform_wide, municipality_ids) for the scope of the code running now."""
    current = get_scope()
    if not current.get("_enabled", True):
        return "on", ""
    ids = current.get("municipality")
    if ids is None:
        return "off", ""
    if not isinstance(ids, list | tuple):
        ids = [ids]
    return "off", ",".join(str(int(i)) for i in ids)


def _still_written(connection) -> bool:
    """Whether the settings this connection last wrote are still in force. A write in autocommit mode
    lasts; one made in a transaction (even as its first statement, which opened it) is undone if the
    transaction, or a savepoint it was made in, rolls back: it is trusted only while that transaction
    and every savepoint open at the time remain open."""
    written_in = getattr(connection, "_dx_written_in", None)
    if written_in is None:
        return True
    if connection.connection.info.transaction_status == 0:  # idle: that transaction has ended
        return False
    return tuple(connection.savepoint_ids[: len(written_in)]) == written_in


def scope_to_session(execute, sql, params, many, context):
    """``execute_wrapper``: bring the connection's session settings in line with the running scope."""
    connection = context["connection"]
    wanted = desired_settings()
    raw = connection.connection
    if getattr(connection, "_dx_settings", None) != wanted or not _still_written(connection):
        with raw.cursor() as cursor:  # the driver's own cursor: not a query of the application's
            cursor.execute(
                "SELECT set_config(%s, %s, false), set_config(%s, %s, false)",
                [PLATFORM_WIDE, wanted[0], MUNICIPALITY_IDS, wanted[1]],
            )
        connection._dx_settings = wanted
        connection._dx_written_in = None if raw.autocommit else tuple(connection.savepoint_ids)
    return execute(sql, params, many, context)


def install(sender, connection, **kwargs) -> None:
    """``connection_created``: every PostgreSQL connection carries the scope to the database."""
    if connection.vendor == "postgresql":
        connection._dx_settings = connection._dx_written_in = None  # a new session has none
        if scope_to_session not in connection.execute_wrappers:
            connection.execute_wrappers.append(scope_to_session)
