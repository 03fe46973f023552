"""The repository: one callable per SQL file, e.g. ``await sql.get_node(db, ...)``."""

from service.sqlfiles import Queries

sql = Queries.load()
