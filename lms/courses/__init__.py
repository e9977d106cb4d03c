"""Courses: workshops, their modules and assignments, loaded from the courses/ folder."""
