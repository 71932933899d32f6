"""The Z3 engine: the table of events as Z3 terms; Houdini proofs, BMC and Spacer."""
