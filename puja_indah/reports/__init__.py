"""Reports and exports (issue 5 point 4): datasets read in the asker's scope, written by the
writers of core/exports.py (CSV, XLSX, JSON) or laid out as PDF here, small ones streamed straight
back and large ones run as background jobs (`ExportJob`) with progress and an expiring download."""
