"""The weekly product-ops digest: made from the published analyst database, written as one
self-contained HTML file, and optionally e-mailed."""
