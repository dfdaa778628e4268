"""``python app.py user …``: accounts in the workspace.

    user add NAME --role R [--display TEXT] [--stdin]   # password prompted (or one line on stdin), never argv
    user passwd NAME [--stdin]
    user role NAME R
    user disable NAME   /   user enable NAME
    user list [--json]
    user token NAME [--label TEXT]                      # prints a new API token once

Every change is recorded in the workspace's audit trail (by the local
account running the command). Exit codes: 0 done, 1 refused (unknown user,
weak password …), 2 not a workspace.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys

__all__ = ["add_parser"]

EXIT_OK, EXIT_ERRORS, EXIT_NOT_A_WORKSPACE = 0, 1, 2


def _fail(message: str, code: int = EXIT_ERRORS) -> int:
    print(f"partnernetz: {message}", file=sys.stderr)
    return code


def add_parser(sub: argparse._SubParsersAction) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--workspace", metavar="PATH", default=None,
                        help="workspace file holding the accounts (default $PARTNERNETZ_WORKSPACE, else the user data folder)")
    p = sub.add_parser("user", help="accounts and roles (reader, planner, editor, admin) in the workspace")
    actions = p.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", parents=[common], help="add a user (the password is asked for, never given as an argument)")
    add.add_argument("name")
    add.add_argument("--role", required=True, help="reader, planner, editor or admin")
    add.add_argument("--display", default="", help="display name")
    add.add_argument("--stdin", action="store_true", help="read the password as one line from standard input")
    pw = actions.add_parser("passwd", parents=[common], help="set a new password (ends the user's sessions)")
    pw.add_argument("name")
    pw.add_argument("--stdin", action="store_true", help="read the password as one line from standard input")
    role = actions.add_parser("role", parents=[common], help="change a user's role")
    role.add_argument("name")
    role.add_argument("role", help="reader, planner, editor or admin")
    dis = actions.add_parser("disable", parents=[common], help="disable a user (ends sessions, revokes tokens)")
    dis.add_argument("name")
    ena = actions.add_parser("enable", parents=[common], help="enable a disabled user again")
    ena.add_argument("name")
    lst = actions.add_parser("list", parents=[common], help="list the users")
    lst.add_argument("--json", action="store_true")
    tok = actions.add_parser("token", parents=[common], help="issue an API token (printed once; stored hashed)")
    tok.add_argument("name")
    tok.add_argument("--label", default="", help="what the token is for")
    p.set_defaults(func=run)


def _read_password(args: argparse.Namespace) -> str | None:
    if args.stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Passwort / password: ")
    if getpass.getpass("Wiederholen / repeat: ") != password:
        return None
    return password


def run(args: argparse.Namespace) -> int:
    from loaders.workspace.accounts import AccountError, AccountStore
    from loaders.workspace.audit_trail import AuditTrail
    from loaders.workspace.location import local_user, open_or_create
    from loaders.workspace.store import WorkspaceError
    from graph.people.roles import RoleError

    try:
        ws, _created = open_or_create(args.workspace)
        accounts, trail = AccountStore(ws.path), AuditTrail(ws.path)
    except (WorkspaceError, AccountError) as exc:
        return _fail(str(exc), EXIT_NOT_A_WORKSPACE)
    me = local_user()
    command = args.user_command
    try:
        if command == "list":
            users = accounts.list()
            if args.json:
                print(json.dumps([u.to_dict() for u in users], ensure_ascii=False, indent=2))
            else:
                for u in users:
                    print(f"{u.name:<24} {u.role.key:<8} {'disabled' if u.disabled else 'active':<8} {u.display}")
                if not users:
                    print("(no users: `python app.py` on 127.0.0.1 serves a single local admin without login)")
            return EXIT_OK
        if command in ("add", "passwd"):
            if command == "passwd":
                accounts.require(args.name)
            password = _read_password(args)
            if password is None:
                return _fail("the passwords differ")
            if command == "add":
                account = accounts.add(args.name, password, args.role, display=args.display)
                trail.record("user_add", user=me, what=account.name, role=account.role.key)
                print(f"user {account.name} added ({account.role.key}) to {ws.path}")
            else:
                accounts.set_password(args.name, password)
                trail.record("user_passwd", user=me, what=args.name)
                print(f"password of {args.name} changed; their sessions are ended")
            return EXIT_OK
        if command == "role":
            old, new = accounts.set_role(args.name, args.role)
            trail.record("role_change", user=me, what=args.name, old=old.key, new=new.key)
            print(f"{args.name}: {old.key} → {new.key}")
            return EXIT_OK
        if command in ("disable", "enable"):
            accounts.set_disabled(args.name, command == "disable")
            trail.record(f"user_{command}", user=me, what=args.name)
            print(f"{args.name}: {command}d")
            return EXIT_OK
        if command == "token":
            token = accounts.new_token(args.name, args.label)
            trail.record("token_issue", user=me, what=args.name, label=args.label)
            print(token)
            print("(shown once; send it as `Authorization: Bearer <token>`)", file=sys.stderr)
            return EXIT_OK
    except (AccountError, RoleError) as exc:
        return _fail(str(exc))
    return _fail(f"unknown action {command}")
