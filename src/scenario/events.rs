//! A tenant entry's `events:` list → validated subscriptions. Each problem is reported at the
//! entry's line and column, naming the field (malformed URL, unknown or missing secret field,
//! unknown event type or mode); a file with any problem applies nothing.

use super::load::Problems;
use crate::events::spec::SubscriptionSpec;
use crate::store::{Subscription, SubscriptionOrigin, VendorId};
use crate::vendors::Vendor;
use serde_saphyr::Spanned;
use std::collections::HashSet;
use std::path::Path;

/// The subscriptions of tenant `vendor/tenant`, problems added to `p`.
pub(super) fn subscriptions(
    p: &mut Problems<'_>,
    file: &str,
    vendor: VendorId,
    tenant: &str,
    specs: &[Spanned<SubscriptionSpec>],
    vendors: &[Box<dyn Vendor>],
) -> Vec<Subscription> {
    let mut out: Vec<Subscription> = Vec::new();
    if specs.is_empty() {
        return out;
    }
    let Some(format) = vendors
        .iter()
        .find(|v| v.id() == vendor)
        .and_then(|v| v.events())
    else {
        p.at(
            &specs[0].referenced,
            format!("tenant {vendor}/{tenant}: events: {vendor} has no event format yet"),
        );
        return out;
    };
    let mut ids = HashSet::new();
    for (i, s) in specs.iter().enumerate() {
        let loc = &s.referenced;
        let what = format!("tenant {vendor}/{tenant}: events[{i}]");
        let mut spec = s.value.clone();
        for (key, given) in [
            ("vendor", spec.vendor.is_some()),
            ("tenant", spec.tenant.is_some()),
            ("verify", spec.verify.is_some()),
        ] {
            if given {
                p.at(
                    loc,
                    format!("{what}: `{key}` is not a subscription field here (the tenant entry gives vendor and tenant; scenario subscriptions are not verified at load)"),
                );
            }
        }
        // A relative CA file is relative to the scenario file.
        if let Some(ca) = spec.ca_file.as_mut() {
            let dir = Path::new(file).parent().filter(|d| d.is_dir());
            if let (Some(dir), true) = (dir, Path::new(ca.as_str()).is_relative()) {
                *ca = dir.join(&*ca).display().to_string();
            }
        }
        let default_id = format!("{vendor}-{tenant}-{}", i + 1);
        match spec.build(format, tenant, default_id, SubscriptionOrigin::Scenario) {
            Ok(sub) => {
                if !ids.insert(sub.id.clone()) {
                    p.at(
                        loc,
                        format!("{what}: subscription id {:?} is used twice", sub.id),
                    );
                }
                out.push(sub);
            }
            Err(e) => p.at(loc, format!("{what}: {e}")),
        }
    }
    if format.one_per_tenant() && out.len() > 1 {
        p.at(
            &specs[1].referenced,
            format!("tenant {vendor}/{tenant}: {vendor} allows one event subscription per tenant (one request URL per app)"),
        );
    }
    out
}
