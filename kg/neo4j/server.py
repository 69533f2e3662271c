"""`kg neo4j serve|stop|status`: the project's own local Neo4j Community server.

No Neo4j package exists for this machine's system or Python, so the project builds one
from Maven Central: `neo4j/pom.xml` pulls Neo4j 5.26 LTS (the last line on Java 17) and
the Neo4j Browser, and `kg.neo4j.LocalServer` (a few lines of Java) runs the same
bootstrapper as the Neo4j distribution: Bolt, HTTP and Browser on 127.0.0.1 only,
authentication on. The server also serves the project's Browser style (docs/kg.grass) at
/kg/style.grass, and Browser applies it when it connects (browser.post_connect_cmd), so
the graph is readable with no setup and no network. The first `serve` runs Maven
(downloads go to ~/.m2); later starts reuse the build. Data, configuration, logs and the
pid file live in one home folder (default `.work/neo4j/`), so a test can run its own
server in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MAVEN_PROJECT = PROJECT_ROOT / "neo4j"
DEFAULT_HOME = PROJECT_ROOT / ".work" / "neo4j"
LAUNCHER_CLASS = "kg.neo4j.LocalServer"
DEFAULT_PASSWORD = "kg-local-dev"  # the local dev server only; NEO4J_PASSWORD overrides
DEFAULT_BOLT_PORT = 7687
DEFAULT_HTTP_PORT = 7474
READY_MARKER = "kg-neo4j: ready"
BROWSER_STYLE = PROJECT_ROOT / "docs" / "kg.grass"
BROWSER_STYLE_PATH = "/kg/style.grass"  # served by kg.neo4j.browser.BrowserStyle

# Neo4j 5 on Java 17+ needs these (the distribution's launcher passes the same).
JVM_FLAGS = [
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-Dfile.encoding=UTF-8",
    "-Dlog4j2.disable.jmx=true",
]


class ServerError(Exception):
    """A failure the user can act on; printed as one line (plus a log tail)."""


@dataclass
class ServerPaths:
    """Everything one server instance keeps on disk, under its home folder."""

    home: Path

    @property
    def conf_file(self) -> Path:
        return self.home / "conf" / "neo4j.conf"

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / "kg-neo4j.pid"

    @property
    def state_file(self) -> Path:
        return self.home / "run" / "kg-neo4j.json"

    @property
    def console_log(self) -> Path:
        return self.home / "logs" / "console.log"


# --------------------------------------------------------------------------- build


def build_classpath(maven_project: Path = MAVEN_PROJECT, quiet: bool = False) -> str:
    """Build the server with Maven when needed; return the Java classpath to run it."""
    classes = maven_project / "target" / "classes"
    lib = maven_project / "target" / "lib"
    stamp = maven_project / "target" / "kg-build.stamp"
    if _build_is_stale(maven_project, stamp):
        _run_maven(maven_project, stamp, quiet)
    return f"{classes}{os.pathsep}{lib / '*'}"


def _build_is_stale(maven_project: Path, stamp: Path) -> bool:
    """Stale when the stamp is missing or older than the pom or any Java source."""
    if not stamp.exists():
        return True
    built_at = stamp.stat().st_mtime
    sources = [maven_project / "pom.xml", *(maven_project / "src").rglob("*.java")]
    return any(source.stat().st_mtime > built_at for source in sources)


def _run_maven(maven_project: Path, stamp: Path, quiet: bool) -> None:
    """`mvn -q -B package`, serialised by a lock so two first starts don't race."""
    if not (maven_project / "pom.xml").exists():
        raise ServerError(f"{maven_project / 'pom.xml'} not found: run kg from a checkout")
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ServerError("Maven (mvn) is not on PATH; it is needed to build the Neo4j server")
    stamp.parent.mkdir(parents=True, exist_ok=True)
    import fcntl

    with open(stamp.parent / "kg-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _build_is_stale(maven_project, stamp):  # another process just built it
            return
        if not quiet:
            print("building the Neo4j server with Maven (a first build downloads ~190 MB "
                  "into ~/.m2) ...",
                  file=sys.stderr, flush=True)
        started = time.monotonic()
        result = subprocess.run([mvn, "-q", "-B", "package"], cwd=maven_project,
                                capture_output=True, text=True)
        if result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-25:])
            raise ServerError(f"Maven build of {maven_project} failed:\n{tail}")
        stamp.touch()
        if not quiet:
            print(f"built in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- config


def write_config(paths: ServerPaths, bolt_port: int, http_port: int, pagecache: str,
                 browser_style: bool = True) -> None:
    """Write neo4j.conf for this start: loopback only, auth on, no telemetry; Browser
    fetches the project's style from this server after connecting unless told not to."""
    http_enabled = http_port > 0
    lines = [
        "# Written by `kg neo4j serve` at every start; change its options, not this file.",
        "server.bolt.enabled=true",
        f"server.bolt.listen_address=127.0.0.1:{bolt_port}",
        f"server.bolt.advertised_address=127.0.0.1:{bolt_port}",
        f"server.http.enabled={'true' if http_enabled else 'false'}",
        f"server.http.listen_address=127.0.0.1:{http_port if http_enabled else 0}",
        f"server.http.advertised_address=127.0.0.1:{http_port if http_enabled else 0}",
        "server.https.enabled=false",
        "dbms.security.auth_enabled=true",
        f"server.memory.pagecache.size={pagecache}",
        "dbms.usage_report.enabled=false",
        "db.tx_log.preallocate=false",  # else 256 MB per log file up front, per home
        # Netty's default 5 s + 5 s graceful wait makes every stop take 10 s for nothing.
        "internal.dbms.bolt.netty_server_shutdown_quiet_period=0",
        "internal.dbms.bolt.netty_server_shutdown_timeout=2",
        "client.allow_telemetry=false",  # Browser: no usage banner, no calls out
        # The style endpoint: public like Browser's own files (it holds no data).
        "server.unmanaged_extension_classes=kg.neo4j.browser=/kg",
        f"dbms.security.http_auth_allowlist=/,/browser.*,{BROWSER_STYLE_PATH}",
        # Browser fetches `:style URL` only from these hosts (defaults plus ours); 5.26
        # still spells the setting "whitelist" and rejects "allowlist".
        "browser.remote_content_hostname_whitelist=guides.neo4j.com,localhost,127.0.0.1",
    ]
    if http_enabled and browser_style:
        # Runs at every Browser connect; `:style URL` replaces Browser's whole style.
        lines.append(f"browser.post_connect_cmd=style {browser_style_url(http_port)}")
    paths.conf_file.parent.mkdir(parents=True, exist_ok=True)
    paths.conf_file.write_text("\n".join(lines) + "\n", encoding="utf-8")


def browser_style_url(http_port: int) -> str:
    return f"http://127.0.0.1:{http_port}{BROWSER_STYLE_PATH}"


# --------------------------------------------------------------------------- process


def running_pid(paths: ServerPaths) -> int | None:
    """The pid of this home's server if it is alive (and really ours), else None."""
    try:
        pid = int(paths.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return None
    cmdline_file = Path(f"/proc/{pid}/cmdline")
    if cmdline_file.exists():
        cmdline = cmdline_file.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        if LAUNCHER_CLASS not in cmdline or str(paths.home) not in cmdline:
            return None  # the pid was reused by another program
    return pid


def read_state(paths: ServerPaths) -> dict:
    try:
        return json.loads(paths.state_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _java_executable() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise ServerError("java is not on PATH; Neo4j 5.26 needs Java 17 or 21")
    return java


def log_tail(paths: ServerPaths, lines: int = 25) -> str:
    """The end of the console log (and of neo4j.log when the console says little)."""
    chunks = []
    for log in (paths.console_log, paths.home / "logs" / "neo4j.log"):
        if log.exists():
            text = log.read_text(encoding="utf-8", errors="replace").rstrip().splitlines()
            chunks.append(f"--- {log} (last {min(lines, len(text))} lines)\n"
                          + "\n".join(text[-lines:]))
            break
    return "\n".join(chunks) or f"(no log in {paths.home / 'logs'})"


def wait_for_bolt(uri: str, password: str, process: subprocess.Popen | None,
                  timeout: float) -> None:
    """Block until Bolt accepts our credentials; fail early if the JVM dies."""
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError, ServiceUnavailable

    deadline = time.monotonic() + timeout
    last_problem = "no answer yet"
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ServerError(f"the Neo4j process exited with status {process.returncode}")
        try:
            with GraphDatabase.driver(uri, auth=("neo4j", password),
                                      connection_timeout=2) as driver:
                driver.verify_connectivity()
                driver.execute_query("RETURN 1", database_="neo4j")
            return
        except (ServiceUnavailable, OSError) as exc:
            last_problem = f"unreachable ({exc.__class__.__name__})"
        except AuthError:
            last_problem = "password not accepted yet"
        except Exception as exc:  # database still starting: "not available" etc.
            last_problem = f"{exc.__class__.__name__}: {exc}"
        time.sleep(0.5)
    raise ServerError(f"Neo4j did not answer on {uri} within {timeout:.0f} s ({last_problem})")


def serve(paths: ServerPaths, bolt_port: int, http_port: int, heap: str, pagecache: str,
          timeout: float, stop_with: int | None = None, browser_style: bool = True) -> dict:
    """Start the server in the background and wait until Bolt answers; return its state."""
    password = os.environ.get("NEO4J_PASSWORD") or DEFAULT_PASSWORD
    pid = running_pid(paths)
    if pid is not None:
        state = read_state(paths)
        wait_for_bolt(state.get("bolt_uri", f"bolt://127.0.0.1:{bolt_port}"), password, None,
                      timeout)
        _finish_bulk_import(paths, state.get("bolt_uri", f"bolt://127.0.0.1:{bolt_port}"),
                            password)
        return {**state, "already_running": True}
    for port in (bolt_port, http_port):
        if port > 0 and _port_in_use(port):
            raise ServerError(f"port {port} on 127.0.0.1 is already in use "
                              f"(another Neo4j? choose one with --bolt-port/--http-port)")
    classpath = build_classpath()
    write_config(paths, bolt_port, http_port, pagecache, browser_style)
    paths.pid_file.parent.mkdir(parents=True, exist_ok=True)
    paths.console_log.parent.mkdir(parents=True, exist_ok=True)
    command = [_java_executable(), f"-Xms{heap}", f"-Xmx{heap}", *JVM_FLAGS,
               f"-Dkg.browser.style={BROWSER_STYLE}",
               "-cp", classpath, LAUNCHER_CLASS, str(paths.home)]
    env = {**os.environ, "NEO4J_PASSWORD": password}
    env.pop("KG_NEO4J_STOP_WITH_PID", None)
    if stop_with:
        env["KG_NEO4J_STOP_WITH_PID"] = str(stop_with)
    started = time.monotonic()
    with open(paths.console_log, "ab") as console:
        process = subprocess.Popen(command, cwd=paths.home, env=env, stdin=subprocess.DEVNULL,
                                   stdout=console, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    paths.pid_file.write_text(f"{process.pid}\n")
    bolt_uri = f"bolt://127.0.0.1:{bolt_port}"
    state = {
        "pid": process.pid,
        "bolt_uri": bolt_uri,
        "browser_url": f"http://127.0.0.1:{http_port}/browser/" if http_port > 0 else None,
        "browser_style_url": browser_style_url(http_port) if http_port > 0 else None,
        "browser_style_applied": http_port > 0 and browser_style,
        "home": str(paths.home),
        "default_password": password == DEFAULT_PASSWORD,
    }
    paths.state_file.write_text(json.dumps(state, indent=2), encoding="utf-8")
    try:
        wait_for_bolt(bolt_uri, password, process, timeout)
        _finish_bulk_import(paths, bolt_uri, password)
    except ServerError:
        _terminate(process.pid, grace=10)
        paths.pid_file.unlink(missing_ok=True)
        raise
    state["start_seconds"] = round(time.monotonic() - started, 1)
    return state


def _finish_bulk_import(paths: ServerPaths, bolt_uri: str, password: str) -> None:
    """A home filled by `kg load --bulk` gets its constraints at its first start."""
    if (paths.home / "import" / "finish.json").exists():
        from kg.neo4j.bulk import apply_finish

        apply_finish(paths, bolt_uri, password)


def _terminate(pid: int, grace: float) -> bool:
    """SIGTERM (Neo4j checkpoints and exits), SIGKILL after `grace` s; True if clean."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.2)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return True
    while _alive(pid):
        time.sleep(0.1)
    return False


def _alive(pid: int) -> bool:
    """True while the process exists and is not a zombie awaiting its parent."""
    try:
        os.waitpid(pid, os.WNOHANG)  # reap it when it is our own child
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return True


def stop(paths: ServerPaths, timeout: float) -> str:
    """Stop this home's server cleanly; say what happened."""
    pid = running_pid(paths)
    if pid is None:
        paths.pid_file.unlink(missing_ok=True)
        return "not running"
    clean = _terminate(pid, grace=timeout)
    paths.pid_file.unlink(missing_ok=True)
    return f"stopped (pid {pid})" if clean else f"killed (pid {pid}) after {timeout:.0f} s"


# --------------------------------------------------------------------------- CLI


def configure_parser(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    for name, help_text in (("serve", "build if needed, start, wait until Bolt answers"),
                            ("stop", "stop the server cleanly"),
                            ("status", "say whether the server runs (exit 3 if not)")):
        action = actions.add_parser(name, help=help_text, description=help_text)
        action.add_argument("--home", type=Path, default=DEFAULT_HOME,
                            help="folder for data, conf, logs, pid (default: %(default)s)")
        if name == "serve":
            action.add_argument("--bolt-port", type=int, default=DEFAULT_BOLT_PORT)
            action.add_argument("--http-port", type=int, default=DEFAULT_HTTP_PORT,
                                help="HTTP + Neo4j Browser port; 0 turns HTTP off")
            action.add_argument("--heap", default="1g", help="JVM heap (default: 1g)")
            action.add_argument("--pagecache", default="512m",
                                help="Neo4j page cache (default: 512m)")
            action.add_argument("--timeout", type=float, default=180,
                                help="seconds to wait for Bolt (default: 180)")
            action.add_argument("--stop-with", type=int, metavar="PID",
                                help="stop the server when process PID ends (test sessions)")
            action.add_argument("--no-browser-style", dest="browser_style",
                                action="store_false",
                                help="don't apply the project's style when Browser connects "
                                     "(it replaces any style set in Browser)")
        if name == "stop":
            action.add_argument("--timeout", type=float, default=60,
                                help="seconds before a kill (default: 60)")


def run(args: argparse.Namespace) -> int:
    paths = ServerPaths(args.home.resolve())
    try:
        if args.action == "serve":
            return _run_serve(paths, args)
        if args.action == "stop":
            print(f"kg neo4j: {stop(paths, args.timeout)}")
            return 0
        return _run_status(paths)
    except ServerError as exc:
        print(f"kg neo4j {args.action}: error: {exc}", file=sys.stderr)
        if args.action == "serve":
            print(log_tail(paths), file=sys.stderr)
        return 1


def _run_serve(paths: ServerPaths, args: argparse.Namespace) -> int:
    state = serve(paths, args.bolt_port, args.http_port, args.heap, args.pagecache,
                  args.timeout, args.stop_with, args.browser_style)
    if state.get("already_running"):
        print(f"kg neo4j: already running (pid {state.get('pid')}) at {state.get('bolt_uri')}")
        return 0
    print(f"kg neo4j: Neo4j Community 5.26 ready at {state['bolt_uri']} "
          f"(pid {state['pid']}, started in {state['start_seconds']} s)")
    if state["browser_url"]:
        print(f"  Neo4j Browser: {state['browser_url']}  (connect URL {state['bolt_uri']}, "
              f"user neo4j)")
        how = ("applied when Browser connects" if state["browser_style_applied"]
               else "apply it in Browser with")
        print(f"  graph style {how}: :style {state['browser_style_url']}")
    if state["default_password"]:
        print(f"  NEO4J_PASSWORD is not set: the password is the local dev default "
              f"'{DEFAULT_PASSWORD}'. For kg load: export NEO4J_PASSWORD={DEFAULT_PASSWORD}")
    else:
        print("  user neo4j, password from NEO4J_PASSWORD")
    print(f"  data and logs: {paths.home}   stop: kg neo4j stop"
          + ("" if paths.home == DEFAULT_HOME else f" --home {paths.home}"))
    return 0


def _run_status(paths: ServerPaths) -> int:
    pid = running_pid(paths)
    if pid is None:
        print(f"kg neo4j: not running (home {paths.home})")
        return 3
    state = read_state(paths)
    print(f"kg neo4j: running (pid {pid}) at {state.get('bolt_uri')}"
          + (f", Browser {state['browser_url']}" if state.get("browser_url") else ""))
    return 0
