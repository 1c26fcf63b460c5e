"""ClinicDesk: an offline clinical desktop program.

The package is layered (see pyproject's import-linter contracts):
cli -> app -> ui -> services -> (db | ml) -> domain, with paths/settings usable by all.
"""

__version__ = "0.1.0"
