"""Account management: monitors manage their region's agency accounts, leads their officers."""
