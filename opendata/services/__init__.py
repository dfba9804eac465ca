"""Every state change of open data, by entity: datasets and their data, engagement,
demand and plans, products, accounts, access logging."""
