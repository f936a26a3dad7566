"""Real spot traces: typed readers for the formats research groups publish (``readers``), and the ones that
ship with sskai, listed once (``shipped``)."""
