"""HR reports: selectors -> pandas frames -> plotly figures / CSV / XLSX (issue 6)."""
