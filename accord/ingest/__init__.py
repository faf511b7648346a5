"""Open-source articles in, structured and evidenced intelligence out (rule-based, offline)."""
