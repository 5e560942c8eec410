//! The scenario library: every file of `scenarios/`, embedded at build time by `build.rs` (a
//! new file is picked up by the next build, no table to keep). One library for everyone:
//! `--scenario <name>` and `meetmock check <name>` from a lone binary, `meetmock scenarios`,
//! and the dashboard's `GET /__admin/scenarios/library`.

include!(concat!(env!("OUT_DIR"), "/library.rs"));

/// The library file named `name`: its file name (`feishu-meeting-locked.yaml`) or that name
/// without `.yaml` / `.yml`.
pub fn find(name: &str) -> Option<(&'static str, &'static str)> {
    LIBRARY.iter().copied().find(|(file, _)| {
        *file == name
            || file
                .strip_suffix(".yaml")
                .or_else(|| file.strip_suffix(".yml"))
                == Some(name)
    })
}

/// The library name closest to a mistyped one, if any is close.
pub fn suggest(name: &str) -> Option<&'static str> {
    let stem = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
        .unwrap_or(name);
    LIBRARY
        .iter()
        .map(|(file, _)| {
            let s = file.strip_suffix(".yaml").unwrap_or(file);
            (strsim::levenshtein(stem, s), s)
        })
        .filter(|(d, s)| *d <= 3.max(s.len() / 5))
        .min()
        .map(|(_, s)| s)
}

/// What a file says about itself: its leading comment, up to the first indented usage line.
pub fn description(text: &str) -> String {
    text.lines()
        .map_while(|l| l.strip_prefix('#'))
        .take_while(|l| !l.starts_with("  "))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_library_is_every_yaml_file_in_the_scenarios_directory() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
            .collect();
        on_disk.sort();
        let listed: Vec<String> = LIBRARY.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(listed, on_disk);
        for (name, text) in LIBRARY {
            let path = std::path::Path::new(dir).join(name);
            assert_eq!(*text, std::fs::read_to_string(path).unwrap(), "{name}");
        }
    }

    #[test]
    fn every_library_file_is_a_valid_scenario_with_a_description() {
        let vendors = crate::vendors::registry();
        for (name, text) in LIBRARY {
            assert!(
                crate::scenario::parse(name, text, &vendors).is_ok(),
                "{name}"
            );
            assert!(
                !description(text).is_empty(),
                "{name} has no leading comment"
            );
        }
    }

    #[test]
    fn names_are_found_with_or_without_their_extension() {
        assert_eq!(
            find("feishu-meeting-locked").map(|(f, _)| f),
            Some("feishu-meeting-locked.yaml")
        );
        assert_eq!(
            find("feishu-meeting-locked.yaml").map(|(f, _)| f),
            Some("feishu-meeting-locked.yaml")
        );
        assert!(find("feishu-meeting").is_none());
        assert!(find("").is_none());
    }

    #[test]
    fn a_near_miss_is_suggested_and_nonsense_is_not() {
        assert_eq!(
            suggest("feishu-meting-locked"),
            Some("feishu-meeting-locked")
        );
        assert_eq!(
            suggest("feishu-meeting-locked.yml"),
            Some("feishu-meeting-locked")
        );
        assert_eq!(suggest("zzz"), None);
    }
}
