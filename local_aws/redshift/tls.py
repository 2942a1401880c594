"""TLS for the Postgres endpoints, as Redshift offers it: a certificate authority of this emulator's
own (made once, kept in <state_dir>/tls/ca.pem) and a server certificate it signs for the names the
endpoints are reached by (localhost, 127.0.0.1, ::1, this machine's name, the bound host, and
local-aws, the compose service).

Clients that only encrypt (libpq's default sslmode=prefer: psql, psycopg2) need nothing. Clients
that verify, as redshift_connector does by default, trust the CA when told to: OpenSSL's
SSL_CERT_FILE=<state_dir>/tls/ca.pem (redshift_connector loads the default verify paths besides its
Redshift CA bundle), or sslrootcert for libpq.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from local_aws.core.persistence import atomic_write

_VALID = dt.timedelta(days=3650)


def _names(host: str) -> list[str]:
    names = {"localhost", "local-aws", "127.0.0.1", "::1", socket.gethostname()}
    if host and host not in ("0.0.0.0", "::"):
        names.add(host)
    return sorted(names)


def _san(names: list[str]) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = []
    for name in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            entries.append(x509.DNSName(name))
    return x509.SubjectAlternativeName(entries)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _certificate(subject: str, key, issuer_name: x509.Name, issuer_key, *, ca: bool,
                 names: list[str] | None = None) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
               .issuer_name(issuer_name).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + _VALID)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if names:
        builder = builder.add_extension(_san(names), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def server_context(state_dir: Path, host: str) -> ssl.SSLContext:
    """The endpoints' TLS context; the CA and certificate are made (or remade for new names)."""
    folder = Path(state_dir) / "tls"
    ca_pem, ca_key_pem = folder / "ca.pem", folder / "ca-key.pem"
    cert_pem, key_pem = folder / "server.pem", folder / "server-key.pem"
    if not (ca_pem.exists() and ca_key_pem.exists()):
        ca_key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "local_aws Redshift CA")])
        atomic_write(ca_key_pem, _key_pem(ca_key))
        atomic_write(ca_pem, _certificate("local_aws Redshift CA", ca_key, name, ca_key, ca=True)
                     .public_bytes(serialization.Encoding.PEM))
        cert_pem.unlink(missing_ok=True)
    names = _names(host)
    if cert_pem.exists():
        current = x509.load_pem_x509_certificate(cert_pem.read_bytes())
        san = current.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        if san != _san(names):
            cert_pem.unlink()
    if not cert_pem.exists():
        ca_cert = x509.load_pem_x509_certificate(ca_pem.read_bytes())
        ca_key = serialization.load_pem_private_key(ca_key_pem.read_bytes(), password=None)
        key = ec.generate_private_key(ec.SECP256R1())
        atomic_write(key_pem, _key_pem(key))
        atomic_write(cert_pem, _certificate("local_aws Redshift endpoint", key, ca_cert.subject,
                                            ca_key, ca=False, names=names)
                     .public_bytes(serialization.Encoding.PEM))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_pem, key_pem)
    return context
