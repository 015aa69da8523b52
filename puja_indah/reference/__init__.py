"""National reference lists the innovation profile chooses from (DOMAIN §2.1)."""
