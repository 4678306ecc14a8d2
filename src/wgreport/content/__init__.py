"""The report's content, a pure function of the loaded inputs: aggregation, comparisons,
findings, method, tables, the typed context with its front matter and numbering."""
