"""The local cloud: spot capacity per candidate pool (a replay world), played on the wall clock."""
