"""`kg neo4j serve|stop|status`: the project's own Neo4j, really started (conftest.py)."""

from __future__ import annotations

import json
import shutil
import urllib.request

from conftest import ROOT, free_port, run_kg
from kg.neo4j import server as neo4j_server_module


def test_status_reports_the_running_server(local_neo4j_server):
    status = run_kg("neo4j", "status", "--home", local_neo4j_server.home,
                    env=local_neo4j_server.env)
    assert status.returncode == 0, status.stdout + status.stderr
    assert "running (pid" in status.stdout and local_neo4j_server.uri in status.stdout


def test_serve_again_is_a_no_op(local_neo4j_server):
    server = local_neo4j_server
    again = run_kg("neo4j", "serve", "--home", server.home,
                   "--bolt-port", server.uri.rsplit(":", 1)[1], env=server.env)
    assert again.returncode == 0, again.stderr
    assert "already running" in again.stdout


def test_it_is_a_real_neo4j_community_with_auth(local_neo4j_server):
    with local_neo4j_server.driver() as driver:
        records, _, _ = driver.execute_query("CALL dbms.components() YIELD name, versions, "
                                             "edition RETURN versions[0] AS v, edition AS e",
                                             database_="neo4j")
    assert records[0]["v"].startswith("5.26.") and records[0]["e"] == "community"


def test_browser_and_discovery_are_served_on_loopback(local_neo4j_server):
    base = f"http://127.0.0.1:{local_neo4j_server.http_port}"
    request = urllib.request.Request(base + "/", headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        discovery = json.load(response)
    assert discovery["bolt_direct"] == local_neo4j_server.uri
    assert discovery["neo4j_edition"] == "community"
    with urllib.request.urlopen(base + "/browser/", timeout=10) as response:
        page = response.read().decode("utf-8")
    assert response.status == 200 and "Neo4j Browser" in page


def test_config_listens_on_loopback_only(local_neo4j_server):
    conf = (local_neo4j_server.home / "conf" / "neo4j.conf").read_text(encoding="utf-8")
    addresses = [line.split("=", 1)[1] for line in conf.splitlines()
                 if "listen_address" in line]
    assert addresses and all(address.startswith("127.0.0.1:") for address in addresses)
    assert "dbms.security.auth_enabled=true" in conf


def test_busy_port_is_a_clear_error(local_neo4j_server, tmp_path):
    busy = local_neo4j_server.uri.rsplit(":", 1)[1]
    result = run_kg("neo4j", "serve", "--home", tmp_path / "other", "--bolt-port", busy,
                    "--http-port", "0", env=local_neo4j_server.env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"port {busy} on 127.0.0.1 is already in use" in result.stderr


def test_a_server_that_does_not_come_up_shows_its_log(tmp_path, neo4j_server):
    home = ROOT / ".work" / "neo4j-tests" / f"timeout-{tmp_path.name}"
    shutil.rmtree(home, ignore_errors=True)
    try:
        result = run_kg("neo4j", "serve", "--home", home, "--bolt-port", free_port(),
                        "--http-port", "0", "--timeout", "0.5", env=neo4j_server.env)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "did not answer" in result.stderr
        assert str(home / "logs" / "console.log") in result.stderr  # the log tail follows
        assert run_kg("neo4j", "status", "--home", home).returncode == 3  # nothing left over
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_stop_when_not_running_says_so(tmp_path):
    result = run_kg("neo4j", "stop", "--home", tmp_path)
    assert result.returncode == 0 and "not running" in result.stdout


def test_build_is_reused_until_a_source_changes(tmp_path):
    project = tmp_path / "neo4j"
    (project / "src").mkdir(parents=True)
    (project / "pom.xml").write_text("<project/>")
    stamp = project / "target" / "kg-build.stamp"
    assert neo4j_server_module._build_is_stale(project, stamp)
    stamp.parent.mkdir()
    stamp.touch()
    assert not neo4j_server_module._build_is_stale(project, stamp)
    java = project / "src" / "Main.java"
    java.write_text("class Main {}")
    import os
    os.utime(java, (stamp.stat().st_mtime + 5,) * 2)
    assert neo4j_server_module._build_is_stale(project, stamp)


def test_browser_style_is_served_to_anyone_on_loopback(local_neo4j_server):
    url = f"http://127.0.0.1:{local_neo4j_server.http_port}/kg/style.grass"
    with urllib.request.urlopen(url, timeout=10) as response:  # no credentials
        served = response.read().decode("utf-8")
    assert served == neo4j_server_module.BROWSER_STYLE.read_text(encoding="utf-8")
    assert "node.Event" in served


def test_browser_fetches_and_applies_the_style_after_connecting(local_neo4j_server):
    with local_neo4j_server.driver() as driver:
        records, _, _ = driver.execute_query("CALL dbms.clientConfig() YIELD name, value "
                                             "RETURN name, value", database_="system")
    config = {record["name"]: record["value"] for record in records}
    style_url = f"http://127.0.0.1:{local_neo4j_server.http_port}/kg/style.grass"
    assert config["browser.post_connect_cmd"] == f"style {style_url}"
    allowed = [host.strip() for host in config["browser.remote_content_hostname_whitelist"]
               .split(",")]
    assert "127.0.0.1" in allowed  # Browser refuses `:style URL` from other hosts
    assert config["client.allow_telemetry"] == "false"


def test_no_browser_style_leaves_browser_alone(tmp_path):
    paths = neo4j_server_module.ServerPaths(tmp_path)
    neo4j_server_module.write_config(paths, 7687, 7474, "64m", browser_style=False)
    conf = paths.conf_file.read_text(encoding="utf-8")
    assert "post_connect_cmd" not in conf
    assert "kg.neo4j.browser=/kg" in conf  # the style stays available at its URL
