"""Agencies, units, users, roles and need-to-know access policy."""
