#!/usr/bin/env python3
"""Offline checks of the deploy path with the SAM CLI's own code (run by `make deploy-check`,
part of `make test`, and at the end of `make build`). Nothing here calls AWS.

    check-deploy.py config STACK REGION -- <the arguments `make deploy` gives `sam deploy`>
        Runs `sam deploy`'s option and samconfig.toml resolution on exactly those arguments, stops
        where the deploy would begin, prints what it would use (stack, region, S3 bucket,
        capabilities, parameter names) and fails when any of it is not what a first deploy needs.

    check-deploy.py bootstraps TEMPLATE
        Loads TEMPLATE as `sam local invoke/start-api -t TEMPLATE` does and checks that every
        function's code is a directory holding an executable `bootstrap` (the provided.al2023
        runtime's entry point), so `sam local` would find it.
"""
import inspect
import os
import stat
import sys

os.environ.setdefault("SAM_CLI_TELEMETRY", "0")

import samcli.commands.deploy.command as deploy_command  # noqa: E402
import samcli.lib.utils.version_checker as version_checker  # noqa: E402
import yaml  # noqa: E402


def fail(message):
    print(f"deploy check: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def resolve_deploy(arguments):
    """The values `sam deploy` would deploy with, after samconfig.toml and the command line."""
    resolved = {}

    def record(*args, **kwargs):
        bound = inspect.signature(real_do_cli).bind(*args, **kwargs)
        resolved.update(bound.arguments)

    real_do_cli = deploy_command.do_cli
    deploy_command.do_cli = record
    # The newer-version check would ask PyPI; it has nothing to do with the deploy.
    version_checker._inform_newer_version = lambda *a, **k: None
    from samcli.cli.main import cli as sam

    try:
        # The whole `sam` command, as the shell runs it: samconfig.toml's sections are found by
        # the command's path (`deploy`), so the subcommand alone would miss them.
        sam.main(args=["deploy", *arguments], prog_name="sam", standalone_mode=False)
    finally:
        deploy_command.do_cli = real_do_cli
    if not resolved:
        fail("sam deploy stopped before resolving its options")
    return resolved


def parameter_names(overrides):
    """The names in `--parameter-overrides` as SAM parsed them (a dict or Key=Value text)."""
    if isinstance(overrides, dict):
        return set(overrides)
    return {pair.split("=", 1)[0] for pair in (overrides or "").split() if "=" in pair}


def check_config(stack, region, arguments):
    resolved = resolve_deploy(arguments)
    template_path = resolved["template_file"]
    with open(template_path) as f:
        template = yaml.load(f, Loader=_CloudFormationLoader)
    declared = template.get("Parameters", {})
    required = {name for name, body in declared.items() if "Default" not in body}
    given = parameter_names(resolved["parameter_overrides"])
    capabilities = set(resolved["capabilities"] or ())

    print("sam deploy would use (resolved offline from samconfig.toml and the command line):")
    print(f"  config file:   {resolved['config_file']} (env {resolved['config_env']})")
    print(f"  template:      {template_path}")
    print(f"  stack:         {resolved['stack_name']}")
    print(f"  region:        {resolved['region']}")
    bucket = resolved["s3_bucket"] or (
        "SAM's managed bucket (resolve_s3: created or found at deploy)" if resolved["resolve_s3"] else None
    )
    print(f"  S3 bucket:     {bucket} (prefix {resolved['s3_prefix']})")
    print(f"  capabilities:  {', '.join(sorted(capabilities))}")
    print(f"  guided:        {resolved['guided']}; confirm changeset: {resolved['confirm_changeset']}")
    print(f"  parameters:    {', '.join(sorted(given))}")

    if resolved["stack_name"] != stack:
        fail(f"stack {resolved['stack_name']!r}, not {stack!r}")
    if resolved["region"] != region:
        fail(f"region {resolved['region']!r}, not {region!r}")
    if not (resolved["s3_bucket"] or resolved["resolve_s3"]):
        fail("no S3 bucket: sam deploy would stop with 'S3 Bucket not specified'")
    if "CAPABILITY_IAM" not in capabilities and "CAPABILITY_NAMED_IAM" not in capabilities:
        fail("no CAPABILITY_IAM: CloudFormation refuses a stack that creates IAM roles without it")
    if "AWS::Serverless-2016-10-31" in str(template.get("Transform", "")) and "CAPABILITY_AUTO_EXPAND" not in capabilities:
        # sam deploy adds CAPABILITY_AUTO_EXPAND itself for the SAM transform; say so.
        print("  (sam deploy adds CAPABILITY_AUTO_EXPAND for the SAM transform itself)")
    if resolved["guided"]:
        fail("guided: it would ask once per HTTP function whether no authentication is okay")
    missing = required - given
    if missing:
        fail(f"parameters without a default that are not given: {', '.join(sorted(missing))}")
    unknown = given - set(declared)
    if unknown:
        fail(f"parameters the template does not declare: {', '.join(sorted(unknown))}")
    print("deploy check: the deploy command resolves as a first deploy needs")


class _CloudFormationLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short intrinsics (!Ref, !Sub, ...) read as plain values."""


def _intrinsic(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return {suffix: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {suffix: loader.construct_sequence(node)}
    return {suffix: loader.construct_mapping(node)}


_CloudFormationLoader.add_multi_constructor("!", _intrinsic)


def check_bootstraps(template_path):
    from samcli.lib.providers.sam_function_provider import SamFunctionProvider
    from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider

    stacks, _ = SamLocalStackProvider.get_stacks(template_path)
    functions = list(SamFunctionProvider(stacks).get_all())
    if not functions:
        fail(f"{template_path}: sam local finds no function")
    problems = []
    for function in functions:
        # The provider has made each CodeUri relative to the template's directory, as sam local
        # mounts it.
        code = os.path.abspath(function.codeuri or "")
        bootstrap = os.path.join(code, "bootstrap")
        if function.runtime != "provided.al2023" or function.handler != "bootstrap":
            problems.append(f"{function.name}: runtime {function.runtime}, handler {function.handler}")
        elif not os.path.isfile(bootstrap):
            problems.append(f"{function.name}: no {bootstrap}")
        elif not os.stat(bootstrap).st_mode & stat.S_IXUSR:
            problems.append(f"{function.name}: {bootstrap} is not executable")
    if problems:
        fail("sam local would not find these functions' code:\n  " + "\n  ".join(problems))
    print(f"deploy check: sam local finds all {len(functions)} functions' bootstraps in {template_path}")


def main(argv):
    if len(argv) >= 4 and argv[0] == "config" and argv[3] == "--":
        check_config(argv[1], argv[2], argv[4:])
    elif len(argv) == 2 and argv[0] == "bootstraps":
        check_bootstraps(argv[1])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
