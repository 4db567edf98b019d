"""Reports in several forms: text for a terminal, JSON (Report.to_dict), HTML, and Word comments."""
