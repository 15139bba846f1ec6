"""Set-up sub-commands: init, demo, serve."""

from __future__ import annotations

import argparse

from cchc.cli import CliError, emit, json_flag


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", parents=[json_flag()], help="tạo/cập nhật cơ sở dữ liệu và dữ liệu tham chiếu")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("demo", parents=[json_flag()], help="nạp dữ liệu mẫu (Tỉnh Gia Lai 2021) và chạy web")
    p.add_argument("--no-serve", action="store_true", help="chỉ nạp dữ liệu, không chạy web")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("serve", help="chạy ứng dụng web")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--threads", type=int, default=8)
    p.set_defaults(handler=cmd_serve)


def init_database() -> dict:
    """Migrate and load reference data; safe to run any number of times."""
    from django.core.management import call_command

    from cchc.periods.services import ensure_reference_data

    call_command("migrate", interactive=False, verbosity=0)
    return ensure_reference_data()


def cmd_init(args: argparse.Namespace) -> int:
    result = init_database()
    emit(args, result, "Đã khởi tạo cơ sở dữ liệu.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from cchc.demo.loader import load_demo

    init_database()
    result = load_demo()
    if args.json:
        emit(args, result, "")
    else:
        print("Đã nạp dữ liệu mẫu: Tỉnh Gia Lai, năm 2021.")
        print("Tài khoản đăng nhập (chỉ dùng cho bản demo):")
        for account in result["users"]:
            print(f"  {account['role_label']:<28} {account['username']:<14} mật khẩu: {account['password']}")
    if not args.no_serve:
        serve(args.host, args.port)
    return 0


def serve(host: str, port: int, threads: int = 8) -> None:
    from waitress import serve as waitress_serve

    from cchc.wsgi import application

    print(f"cchc đang chạy tại http://{host}:{port}/ (Ctrl+C để dừng)", flush=True)
    try:
        waitress_serve(application, host=host, port=port, threads=threads, ident="cchc")
    except OSError as exc:
        raise CliError(f"không mở được cổng {host}:{port}: {exc.strerror}") from exc


def cmd_serve(args: argparse.Namespace) -> int:
    serve(args.host, args.port, args.threads)
    return 0
