"""sskai: take a dataset and a model to a trained, served model on the cheapest compute that fits.

This package is the domain logic. It never imports Prefect or Streamlit, so every part of it
can be tested alone; ``tasks/`` and ``flows/`` compose it.
"""

__version__ = "0.1.0"
