"""The API the UI and the CLI call. Qt-free; every module owns its transactions.

Build everything once with :meth:`desktop.services.container.Services.create` and pass the
``Services`` value around (no global service locator)::

    services = Services.create(database_url, settings)
    if not services.auth.has_any_user():
        services.auth.create_first_admin("admin@clinic.example", "Admin", password)
    session = services.auth.sign_in(email, password)          # -> SessionInfo
    page = services.records.list(session.token, RecordQuery(limit=200))   # -> Page[RecordDTO]

Rules every service follows:

- Every per-user call takes the session token (``str``) first. An unknown, expired or signed-out
  session, or one whose account was deactivated, raises ``SessionExpiredError``.
- Rows are always looked up *for the session's user*: another user's id raises ``NotFoundError``,
  exactly as a missing id does.
- Admin-only calls raise ``PermissionDeniedError`` for other accounts (enforced here, not only by the
  UI hiding buttons).
- Bad input raises ``ValidationError`` (``.fields`` maps a field name to its message).
- Update calls take ``expected_version`` (the ``version`` of the DTO the user edited); a newer row in
  the database raises ``ConflictError`` ("changed by someone else"): offer to reload.
- Results are frozen dataclasses from ``desktop.domain.dto``; nothing returns ORM objects.
- Calls block (bcrypt, database): the UI runs them through ui/workers.py, off the GUI thread.
"""
