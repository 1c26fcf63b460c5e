"""SQLAlchemy and Alembic only: models, engine set-up, migrations and backups. No Qt."""
