"""Questions asked of results and of the IR: expectations, engine agreement, stack sizing, review figures."""
