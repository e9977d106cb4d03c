"""Progress: what each trainee has read and completed, per module and per workshop."""
