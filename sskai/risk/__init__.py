"""Spot risk per pool: a hazard, an obtainability and a wait, calibrated on real traces."""

from sskai.risk.model import PoolRisk, RiskModel, calibrate
from sskai.risk.shipped import shipped_risk_model

__all__ = ["PoolRisk", "RiskModel", "calibrate", "shipped_risk_model"]
