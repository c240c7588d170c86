"""The case engine's pure core: procedures as versioned data (states, transitions, guards,
deadline rules with their legal reference), working-day calendars, trafficking indicators,
HTCDS referral export and decision documents. Never imports Django; the ``cases``,
``asylum`` and ``trafficking`` apps build on it."""
