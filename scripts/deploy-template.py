#!/usr/bin/env python3
"""Writes the template `sam deploy` uses: template.yaml with each function's code pointing at the
bootstrap `cargo lambda build` made for it, instead of a SAM build method.

    deploy-template.py template.yaml build/lambda build/template.yaml

Why not `sam build`: its rust-cargolambda builder runs one cargo build per function (27 here, each
re-linking with LTO) and needs the workspace root as every function's CodeUri. One
`cargo lambda build` of the whole workspace is faster, and `sam deploy` zips and uploads each
`build/lambda/<binary>/` directory as it is.
"""
import os
import re
import sys

FUNCTION_CODE = re.compile(
    r"    Metadata:\n"
    r"      BuildMethod: rust-cargolambda\n"
    r"      BuildProperties:\n"
    r"        Binary: (?P<binary>[a-z0-9-]+)\n"
    r"    Properties:\n"
    r"      CodeUri: \.\n"
)


def main(template_path, lambda_dir, output_path):
    with open(template_path) as f:
        template = f.read()
    output_dir = os.path.dirname(os.path.abspath(output_path))
    missing = []

    def code_uri(match):
        binary = match.group("binary")
        directory = os.path.join(lambda_dir, binary)
        if not os.path.isfile(os.path.join(directory, "bootstrap")):
            missing.append(binary)
        relative = os.path.relpath(os.path.abspath(directory), output_dir)
        return f"    Properties:\n      CodeUri: {relative}\n"

    rewritten, count = FUNCTION_CODE.subn(code_uri, template)
    if missing:
        sys.exit(f"no bootstrap for: {', '.join(missing)} (run `make build`)")
    if "rust-cargolambda" in rewritten:
        sys.exit("a function's Metadata is not in the expected shape; fix template.yaml")
    with open(output_path, "w") as f:
        f.write(rewritten)
    print(f"{output_path}: {count} functions, code from {lambda_dir}/<function>/bootstrap")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
