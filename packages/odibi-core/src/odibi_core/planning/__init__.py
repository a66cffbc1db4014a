"""Planning: nodes to a DAG, execution layers, selection and config fingerprints."""
