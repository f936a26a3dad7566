"""Serving: one predictor, served over HTTP by a local process or by a Lambda handler."""
