"""Framework contracts (blanket orders): authoring, the signed document and its evidence,
call-offs against remaining quantities, and the contract prices the catalogue shows."""
