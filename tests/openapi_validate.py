#!/usr/bin/env python3
"""Validates an OpenAPI document with openapi-spec-validator (installed from PyPI if missing)."""
import json
import subprocess
import sys

try:
    from openapi_spec_validator import validate
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "openapi-spec-validator"])
    from openapi_spec_validator import validate

with open(sys.argv[1]) as f:
    validate(json.load(f))
print("valid")
