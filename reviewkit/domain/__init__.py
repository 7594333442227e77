"""Pure domain: process definitions, transitions, calendar, roles. No I/O frameworks here."""
