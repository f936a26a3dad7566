"""Spot behaviour: when nodes are reclaimed and when capacity comes back, from fixed lists, real traces or rates."""
