"""Accounts: people, their roles, cohorts and signing in."""
