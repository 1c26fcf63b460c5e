"""A job that fails because a session ended signs out only the window whose session it was.

The worker pool is the app's: a job started by the person who sat here before can finish after the
next person signed in, and its "session ended" must not throw the next person out.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from desktop.domain.errors import SessionExpiredError
from tests.ui.conftest import show_main_window, wait_idle


def test_the_previous_persons_expired_job_leaves_the_next_signed_in(
    qtbot: Any, services: Any, make_ctx: Any, user_session: Any, admin_session: Any
) -> None:
    ctx = make_ctx(admin_session)
    window = show_main_window(qtbot, ctx)
    services.auth.sign_out(user_session.token)  # the person before: signed out, a job still running
    errors: list[BaseException] = []
    ctx.runner.run(partial(services.auth.current_user, user_session.token), on_error=errors.append)
    wait_idle(qtbot, ctx)
    assert isinstance(errors[0], SessionExpiredError)
    assert ctx.signed_in and window.isVisible()


def test_a_job_of_this_window_whose_session_ended_signs_it_out(
    qtbot: Any, services: Any, make_ctx: Any, admin_session: Any
) -> None:
    ctx = make_ctx(admin_session)
    window = show_main_window(qtbot, ctx)
    services.auth.sign_out(admin_session.token)  # e.g. an administrator ended it from another desk
    with qtbot.waitSignal(window.signed_out, timeout=10_000) as left:
        ctx.runner.run(partial(services.auth.current_user, admin_session.token), on_error=lambda _e: None)
    assert "session has ended" in left.args[0]
    assert not ctx.signed_in
    wait_idle(qtbot, ctx)
