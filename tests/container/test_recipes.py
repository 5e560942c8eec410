"""docs/containers.md's recipes: its Python Testcontainers fixture compiles and every
Testcontainers and meetmock name it uses exists in the pinned packages; its Node recipe names
the helper's environment variables; its shell lines use the image's paths and settings."""

import ast
import re

from conftest import ROOT

DOC = (ROOT / "docs/containers.md").read_text()


def blocks(lang):
    return re.findall(rf"```{lang}\n(.*?)```", DOC, re.S)


def test_the_python_recipe_compiles_and_its_names_exist():
    (code,) = blocks("python")
    tree = ast.parse(code)
    modules = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            mod = __import__(node.module, fromlist=[a.name for a in node.names])
            for a in node.names:
                modules[a.asname or a.name] = getattr(mod, a.name)  # AttributeError: a wrong name
    container = modules["DockerContainer"]
    called = {n.func.attr for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
    on_container = called & {m for m in dir(container) if not m.startswith("_")}
    assert {"with_exposed_ports", "with_env", "waiting_for", "get_container_host_ip", "get_exposed_port"} <= on_container
    assert hasattr(modules["MeetmockServer"], "attach")
    assert "def meetmock_server" in code  # replaces the plugin's session fixture by name
    import meetmock.pytest_plugin as plugin
    assert hasattr(plugin, "meetmock_server")


def test_the_node_recipe_hands_the_container_to_use_meetmock_through_its_variables():
    (code,) = blocks("js")
    assert "process.env.MEETMOCK_URL" in code and "process.env.MEETMOCK_ADMIN_TOKEN" in code
    server_js = (ROOT / "clients/node/src/server.js").read_text()
    assert "process.env.MEETMOCK_URL" in server_js and "process.env.MEETMOCK_ADMIN_TOKEN" in server_js
    for name in ("withExposedPorts", "withEnvironment", "withWaitStrategy", "getMappedPort", "Wait.forHealthCheck"):
        assert name in code


def test_the_shell_recipes_use_the_image_paths():
    sh = "\n".join(blocks("sh"))
    assert "-v meetmock-state:/data" in sh and "-v meetmock-certs:/certs" in sh
    assert "Authorization: Bearer s3cret" in sh and "MEETMOCK_ADMIN_TOKEN=s3cret" in sh
