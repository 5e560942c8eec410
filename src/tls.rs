//! TLS material: the certificate served on every listener, generated at start (SAN
//! `localhost`, `127.0.0.1`, `::1`) unless one is supplied.

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::sync::Arc;

/// A failure to build the TLS configuration.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Pem { path: String, message: String },
    #[error("certificate generation failed: {0}")]
    Generate(String),
    #[error("TLS configuration refused: {0}")]
    Config(String),
}

/// The served certificate chain (PEM) and the rustls server configuration.
pub struct Tls {
    pub cert_pem: String,
    pub config: Arc<rustls::ServerConfig>,
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        path: path.display().to_string(),
        source,
    })
}

/// Loads `cert`/`key` (PEM) or, when not given, generates a self-signed certificate.
pub fn build(cert: Option<&Path>, key: Option<&Path>) -> Result<Tls, TlsError> {
    let (cert_pem, chain, key_der) = match (cert, key) {
        (Some(c), Some(k)) => {
            let cert_bytes = read(c)?;
            let key_bytes = read(k)?;
            let chain: Vec<CertificateDer<'static>> =
                rustls_pemfile_certs(&cert_bytes).map_err(|message| TlsError::Pem {
                    path: c.display().to_string(),
                    message,
                })?;
            let key = rustls_pemfile_key(&key_bytes).map_err(|message| TlsError::Pem {
                path: k.display().to_string(),
                message,
            })?;
            (
                String::from_utf8_lossy(&cert_bytes).into_owned(),
                chain,
                key,
            )
        }
        _ => {
            let names = vec![
                "localhost".to_string(),
                "127.0.0.1".to_string(),
                "::1".to_string(),
            ];
            let ck = rcgen::generate_simple_self_signed(names)
                .map_err(|e| TlsError::Generate(e.to_string()))?;
            let pem = ck.cert.pem();
            let der = ck.cert.der().clone();
            let key = PrivateKeyDer::try_from(ck.key_pair.serialize_der())
                .map_err(|e| TlsError::Generate(e.to_string()))?;
            (pem, vec![der], key)
        }
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Tls {
        cert_pem,
        config: Arc::new(config),
    })
}

fn rustls_pemfile_certs(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    use rustls::pki_types::pem::PemObject;
    let certs: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(pem).collect();
    let certs = certs.map_err(|e| format!("not a PEM certificate: {e}"))?;
    if certs.is_empty() {
        return Err("no certificate found".into());
    }
    Ok(certs)
}

fn rustls_pemfile_key(pem: &[u8]) -> Result<PrivateKeyDer<'static>, String> {
    use rustls::pki_types::pem::PemObject;
    PrivateKeyDer::from_pem_slice(pem).map_err(|e| format!("not a PEM private key: {e}"))
}
