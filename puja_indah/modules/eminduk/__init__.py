"""e-minduk: Disdukcapil's civil-registration requests on the e-tracking engine (DOMAIN §4)."""
