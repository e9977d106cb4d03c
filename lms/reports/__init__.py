"""Reports for funders: the impact dashboard's figures and their CSV export."""
