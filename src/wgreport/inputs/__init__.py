"""The inputs: the group's and members' files, read with positions, checked and loaded
(models, YAML and workbook readers, validation and its checks, schemas, skeletons, codes,
limits, the SVG allowlist, reviewers' comment files, the edition's setup, the demo data)."""
