"""Published forms of a protected long-format table: SDMX-ML and SDMX-CSV with their data
structure definition, XLSX and CSV for people, and Vega-Lite chart specifications."""
