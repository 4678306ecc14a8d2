"""The rules of validation, by kind; `wgreport.inputs.validation` runs them in one pass."""
