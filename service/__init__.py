"""Skein: a multi-tenant graph query service on plain PostgreSQL."""
