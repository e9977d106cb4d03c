"""Grading: the trainer's queue, the grading page, cohort grids and exports."""
