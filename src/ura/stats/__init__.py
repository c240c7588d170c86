"""Migration statistics: tables, their computation, disclosure control, outputs (pure)."""
