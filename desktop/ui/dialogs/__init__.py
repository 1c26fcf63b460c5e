"""dialogs of the ClinicDesk UI."""
