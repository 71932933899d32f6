"""The execution model: the state layout, the table of events, and System, its reference interpreter."""
