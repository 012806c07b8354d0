"""Validates ODCS documents against the official ODCS JSON Schema shipped in the
`open-data-contract-standard` package from PyPI (installed by scripts/setup.sh), with the
reference `jsonschema` validator. Prints every error with its path; exits 1 if any."""
import json
import sys
from importlib import resources

import jsonschema
import yaml

schema = json.loads(resources.files("open_data_contract_standard").joinpath("schema.json").read_text())
validator = jsonschema.Draft201909Validator(schema)
failed = False
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    for e in errors:
        failed = True
        where = "/".join(str(p) for p in e.absolute_path) or "(root)"
        print(f"{path}: {where}: {e.message}")
    if not errors:
        print(f"{path}: valid against ODCS {doc.get('apiVersion')} ({schema.get('title')})")
sys.exit(1 if failed else 0)
