"""Edge: SQLAlchemy models, engine factory, repositories and Alembic migrations."""
