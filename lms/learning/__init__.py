"""The trainee's pages over the workshops: catalogue, workshop and module pages, assignments."""
