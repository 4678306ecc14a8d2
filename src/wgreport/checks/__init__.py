"""The rules of validation, by kind; `wgreport.validation` runs them in one pass."""
