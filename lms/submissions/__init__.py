"""Submissions: drafts, versions, reviews with rubric scores, feedback, returns for revision."""
