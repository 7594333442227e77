"""System of record: SQLModel tables, engine and sessions, the audit chain, the blob store."""
