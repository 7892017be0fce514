"""The dashboard's read queries, one module per page concern (web/dashboard only routes HTTP)."""
