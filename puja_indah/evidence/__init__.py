"""The evidence vault: documents (bukti dukung) and their file versions (issue 3 point 6)."""
