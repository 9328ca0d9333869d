//! The HTTP client of the webhook and OTLP destinations (`ureq` over the
//! shared rustls configuration): a POST with a bounded timeout, its answer
//! classified for the shipper.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use flate2::Compression;
use flate2::write::GzEncoder;

use super::error::ShipError;
use super::tls::TlsOptions;

/// What became of one POST.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// 2xx.
    Accepted,
    /// A 4xx other than 408 and 429: this payload will never be taken.
    Refused(String),
}

/// A POST endpoint.
#[derive(Debug)]
pub(crate) struct Poster {
    dest: String,
    url: String,
    headers: Vec<(String, String)>,
    gzip: bool,
    agent: ureq::Agent,
}

impl Poster {
    /// Checks `url` (http or https) and builds the client.
    pub(crate) fn new(
        dest: &str,
        section: &str,
        url: &str,
        headers: &BTreeMap<String, String>,
        gzip: bool,
        tls: Option<&TlsOptions>,
        timeout: Duration,
    ) -> Result<Self, ShipError> {
        let bad = |why: String| ShipError::fatal("config", format!("{section}.{why}"));
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or_else(|| bad(format!("url {url:?}: must start with https:// or http://")))?;
        let host = rest.split(['/', '?']).next().unwrap_or("");
        if host.is_empty() {
            return Err(bad(format!("url {url:?}: no host")));
        }
        if let Some((_, port)) = host.rsplit_once(':').filter(|_| !host.ends_with(']')) {
            if !matches!(port.parse::<u16>(), Ok(p) if p > 0) {
                return Err(bad(format!("url {url:?}: port must be 1-65535")));
            }
        }
        if tls.is_some() && url.starts_with("http://") {
            return Err(bad(format!(
                "tls is set but url {url:?} is plain http: use https://"
            )));
        }
        for (k, v) in headers {
            let token = !k.is_empty()
                && k.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            if !token || v.bytes().any(|b| b == b'\r' || b == b'\n') {
                return Err(bad(format!("headers: {k:?} is not a valid header")));
            }
        }
        let config = tls.cloned().unwrap_or_default().client_config(dest)?;
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(timeout)
            .timeout(timeout)
            .redirects(0)
            .tls_config(config)
            .build();
        Ok(Self {
            dest: dest.to_owned(),
            url: url.to_owned(),
            headers: headers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            gzip,
            agent,
        })
    }

    /// POSTs `body` of `content_type`, gzip'ed when configured.
    ///
    /// # Errors
    /// `Unavailable` for a transport failure (DNS, refused, timeout,
    /// certificate), 408, 429 and 5xx.
    pub(crate) fn post(&self, content_type: &str, body: &[u8]) -> Result<Outcome, ShipError> {
        let mut req = self.agent.post(&self.url).set("Content-Type", content_type);
        for (k, v) in &self.headers {
            req = req.set(k, v);
        }
        let zipped;
        let body = if self.gzip {
            let mut z = GzEncoder::new(Vec::new(), Compression::fast());
            zipped = z
                .write_all(body)
                .and_then(|()| z.finish())
                .map_err(|e| ShipError::fatal(&self.dest, format!("gzip: {e}")))?;
            req = req.set("Content-Encoding", "gzip");
            &zipped[..]
        } else {
            body
        };
        match req.send_bytes(body) {
            Ok(_) => Ok(Outcome::Accepted),
            Err(ureq::Error::Status(code, resp)) => {
                let text: String = resp
                    .into_string()
                    .unwrap_or_default()
                    .chars()
                    .take(200)
                    .collect();
                let why = format!("{} answered HTTP {code}: {text}", self.url);
                if code == 408 || code == 429 || code >= 500 {
                    Err(ShipError::unavailable(&self.dest, why))
                } else {
                    Ok(Outcome::Refused(why))
                }
            }
            Err(ureq::Error::Transport(t)) => Err(ShipError::unavailable(
                &self.dest,
                format!("POST {}: {t}", self.url),
            )),
        }
    }
}
