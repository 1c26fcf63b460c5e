"""pages of the ClinicDesk UI."""
