"""Money: the arithmetic (``money``), what each resource-second cost (``metering``, ``endpoint_metering``),
the ledger that rolls it up (``ledger``) and the monthly budgets that watch it (``budgets``)."""
