"""The administrators' area: cohorts, trainers, trainee imports and the impact dashboard."""
