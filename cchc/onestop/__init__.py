"""One-stop dossier analytics (hồ sơ một cửa): working-day calendar, due dates, metrics."""
