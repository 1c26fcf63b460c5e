"""The questions the database tools ask before changing the database.

``confirm_downgrade`` and ``confirm_restore`` return None when the person agreed, else the line the
dialog's log shows (what was cancelled).
A downgrade names what it undoes and what the older version will not show (kept aside, back after
the next upgrade); going to base also needs the current revision typed in, so it cannot be confirmed
by reflex.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from desktop.ui.dialogs import database_texts as texts
from desktop.ui.dialogs import prompts

if TYPE_CHECKING:
    from desktop.services.maintenance import DatabaseStatus, DowngradePlan


def confirm_upgrade(parent: QWidget, status: DatabaseStatus | None) -> bool:
    pending = [r.revision for r in status.pending] if status else []
    text = texts.upgrade_confirmation(status.head if status else None, pending)
    return prompts.confirm(parent, text, "Upgrade database", yes_label="Upgrade")


def confirm_downgrade(parent: QWidget, plan: DowngradePlan) -> str | None:
    text = texts.downgrade_confirmation(plan.current, plan.target, plan.steps, plan.lost)
    if not prompts.confirm(parent, text, "Downgrade database", yes_label="Downgrade", destructive=True):
        return "Downgrade cancelled; nothing was changed."
    if plan.confirm_text:
        prompt = texts.base_confirmation_prompt(plan.current)
        typed = prompts.ask_text(parent, prompt, "Confirm downgrade to base")
        if (typed or "").strip() != plan.confirm_text:
            return "Downgrade to base cancelled: the revision typed did not match; nothing was changed."
    return None


def confirm_restore(parent: QWidget, backup_name: str) -> str | None:
    text = texts.restore_confirmation(backup_name)
    if not prompts.confirm(parent, text, "Restore backup", yes_label="Restore", destructive=True):
        return "Restore cancelled; nothing was changed."
    return None
