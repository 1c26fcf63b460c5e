"""widgets of the ClinicDesk UI."""
