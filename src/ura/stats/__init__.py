"""Migration statistics: table definitions, computation, disclosure control and outputs (pure)."""
