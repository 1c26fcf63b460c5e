"""delegates of the ClinicDesk UI."""
