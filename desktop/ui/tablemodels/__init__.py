"""tablemodels of the ClinicDesk UI."""
