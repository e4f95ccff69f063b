"""The engine's store: one SQLAlchemy async engine, Alembic migrations, tables."""
