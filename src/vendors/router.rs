//! The route table of every vendor compiled into one `matchit` router, plus the prefix rules
//! that decide which vendor answers an unknown path.

use super::{Route, Vendor};
use crate::exchange::decode_path;
use crate::store::VendorId;
use http::Method;

/// Where a path leads.
pub enum Lookup {
    /// A served route; parameters are percent-decoded.
    Found {
        vendor: VendorId,
        route: &'static Route,
        params: Vec<(String, String)>,
    },
    /// The path exists but not with this method.
    WrongMethod(VendorId),
    /// No route; the vendor whose prefix the path falls under, if any.
    Unknown(Option<VendorId>),
}

/// All routes of all vendors.
pub struct Router {
    inner: matchit::Router<Vec<(VendorId, &'static Route)>>,
    /// (prefix, vendor), longest prefix first.
    prefixes: Vec<(&'static str, VendorId)>,
}

/// A route table that cannot be compiled (two vendors claiming one path pattern).
#[derive(Debug, thiserror::Error)]
#[error("route {path} of {vendor}: {message}")]
pub struct RouteConflict {
    pub vendor: VendorId,
    pub path: String,
    pub message: String,
}

impl Router {
    /// Compiles the tables of `vendors`.
    pub fn new(vendors: &[Box<dyn Vendor>]) -> Result<Router, RouteConflict> {
        let mut by_path: Vec<(&'static str, Vec<(VendorId, &'static Route)>)> = Vec::new();
        for v in vendors {
            for r in v.routes() {
                match by_path.iter_mut().find(|(p, _)| *p == r.path) {
                    Some((_, list)) => list.push((v.id(), r)),
                    None => by_path.push((r.path, vec![(v.id(), r)])),
                }
            }
        }
        let mut inner = matchit::Router::new();
        for (path, list) in by_path {
            let vendor = list[0].0;
            inner.insert(path, list).map_err(|e| RouteConflict {
                vendor,
                path: path.to_string(),
                message: e.to_string(),
            })?;
        }
        let mut prefixes: Vec<(&'static str, VendorId)> = vendors
            .iter()
            .flat_map(|v| v.prefixes().iter().map(move |p| (*p, v.id())))
            .collect();
        prefixes.sort_by_key(|p| std::cmp::Reverse(p.0.len()));
        Ok(Router { inner, prefixes })
    }

    /// The vendor owning `path` by prefix.
    pub fn owner(&self, path: &str) -> Option<VendorId> {
        self.prefixes
            .iter()
            .find(|(p, _)| path.starts_with(p))
            .map(|(_, v)| *v)
    }

    /// Every route (of any method) whose pattern matches `path`.
    pub fn methods(&self, path: &str) -> Vec<(VendorId, &'static Route)> {
        self.inner
            .at(path)
            .map(|m| m.value.clone())
            .unwrap_or_default()
    }

    /// Resolves a method and raw path.
    pub fn lookup(&self, method: &Method, path: &str) -> Lookup {
        let Ok(m) = self.inner.at(path) else {
            return Lookup::Unknown(self.owner(path));
        };
        match m.value.iter().find(|(_, r)| r.method == *method) {
            Some((vendor, route)) => Lookup::Found {
                vendor: *vendor,
                route,
                params: m
                    .params
                    .iter()
                    .map(|(k, v)| (k.to_string(), decode_path(v)))
                    .collect(),
            },
            None => Lookup::WrongMethod(m.value[0].0),
        }
    }
}
