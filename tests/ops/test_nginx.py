"""The shipped nginx sites pass `nginx -t` with Debian's nginx (1.22 on Debian 12), inside
Debian's own nginx.conf: the HTTP bootstrap before any certificate exists, and the TLS site
after a stand-in for certbot (self-signed files where certbot puts its own). Paths under
/etc/letsencrypt and /var/www are moved under a test prefix; nothing outside it is touched."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.certs import make_certificate

OPS = Path(__file__).parents[2] / "ops" / "nginx"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DEBIAN_CONF = Path("/etc/nginx/nginx.conf")
DOMAIN = "bot.example.org"

pytestmark = pytest.mark.skipif(
    not Path(NGINX).exists() or not DEBIAN_CONF.exists(),
    reason="Debian's nginx is not installed (apt-get install nginx; .ci/run installs it)",
)


class Tree:
    """A copy of Debian's nginx.conf whose sites, logs, pid and certificates live in a prefix."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.sites = root / "sites-enabled"
        self.sites.mkdir()
        (root / "log").mkdir()
        (root / "var/www/letsencrypt").mkdir(parents=True)
        conf = DEBIAN_CONF.read_text()
        for old, new in {
            "/etc/nginx/sites-enabled/": f"{self.sites}/",
            "/etc/nginx/conf.d/": f"{root}/conf.d/",
            "/var/log/nginx/": f"{root}/log/",
            "/run/nginx.pid": f"{root}/nginx.pid",
        }.items():
            conf = conf.replace(old, new)
        self.conf = root / "nginx.conf"
        self.conf.write_text(conf)

    def enable(self, name: str, text: str) -> None:
        for old in self.sites.iterdir():
            old.unlink()
        text = text.replace("/etc/letsencrypt/", f"{self.root}/etc/letsencrypt/")
        text = text.replace("/var/www/letsencrypt", f"{self.root}/var/www/letsencrypt")
        (self.sites / name).write_text(text)

    def test(self) -> subprocess.CompletedProcess[str]:
        command = [NGINX, "-t", "-p", f"{self.root}/", "-c", str(self.conf)]
        command += ["-e", str(self.root / "log" / "error.log")]
        return subprocess.run(command, capture_output=True, text=True, timeout=60)

    def certbot_certonly(self) -> Path:
        """What `certbot certonly` leaves: live/DOMAIN/fullchain.pem and privkey.pem."""
        live = self.root / "etc/letsencrypt/live" / DOMAIN
        live.mkdir(parents=True)
        cert, key = make_certificate(live, "made", 90, DOMAIN)
        cert.rename(live / "fullchain.pem")
        key.rename(live / "privkey.pem")
        return live


def site(name: str) -> str:
    return (OPS / name).read_text()


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    return Tree(tmp_path)


def test_the_bootstrap_passes_before_any_certificate_exists(tree: Tree) -> None:
    tree.enable("clixchat", site("clixchat-bootstrap.conf"))
    result = tree.test()
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    # the TLS site cannot be used yet: that is why the bootstrap exists
    tree.enable("clixchat", site("clixchat.conf"))
    refused = tree.test()
    assert refused.returncode != 0 and "fullchain.pem" in refused.stderr


def test_the_tls_site_passes_once_certbot_has_the_certificate(tree: Tree) -> None:
    tree.certbot_certonly()
    tree.enable("clixchat", site("clixchat.conf"))
    result = tree.test()
    assert result.returncode == 0, result.stderr
    text = site("clixchat.conf")
    assert re.search(r"^\s*listen 443 ssl http2;", text, re.M)
    assert not re.search(r"^\s*http2\s+on", text, re.M)  # nginx 1.22 knows no `http2 on;`


def test_the_bootstrap_also_passes_after_certbot_nginx_edits_it(tree: Tree) -> None:
    """An operator who runs `certbot --nginx` instead: certbot adds a TLS listener and its
    certificate lines to the bootstrap's server block (stand-in for its edits)."""
    tree.certbot_certonly()
    options = tree.root / "etc/letsencrypt/options-ssl-nginx.conf"
    options.write_text(
        "ssl_session_cache shared:le_nginx_SSL:10m;\nssl_session_timeout 1440m;\n"
        "ssl_session_tickets off;\nssl_protocols TLSv1.2 TLSv1.3;\n"
        "ssl_prefer_server_ciphers off;\n"
    )
    live = f"/etc/letsencrypt/live/{DOMAIN}"  # as certbot writes it (moved by enable())
    edits = (
        "    listen 443 ssl; # managed by Certbot\n"
        f"    ssl_certificate {live}/fullchain.pem; # managed by Certbot\n"
        f"    ssl_certificate_key {live}/privkey.pem; # managed by Certbot\n"
        "    include /etc/letsencrypt/options-ssl-nginx.conf; # managed by Certbot\n"
    )
    text = site("clixchat-bootstrap.conf")
    line = f"    server_name {DOMAIN};\n"
    assert line in text
    tree.enable("clixchat", text.replace(line, line + edits, 1))
    result = tree.test()
    assert result.returncode == 0, result.stderr
