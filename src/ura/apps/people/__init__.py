"""People: person records registered by agencies (the person index builds on them)."""
